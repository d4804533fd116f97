"""POST /api/v1/foi/requests with an Idempotency-Key: a retry gets the first answer, a
different body under the same key is 409, records are encrypted and kept 24 hours."""

import datetime as dt
import json
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from gongkai.core import clock, idempotency
from gongkai.core.models import IdempotencyRecord
from gongkai.core.tests.parallel import database_for_threads, in_thread
from gongkai.foi.models import FoiRequest
from gongkai.foi.tracking import check_secret
from gongkai.portal.tests.data import natural_person

SUBMIT = reverse("api:foi-request-submit")
KEY = "5f0c7e9a-2b1d-4c3e-9f8a-7d6b5c4a3e21"
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def api():
    return Client(enforce_csrf_checks=True)


def post(api, payload, key=KEY, **extra):
    body = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return api.post(SUBMIT, body, content_type="application/json", **headers, **extra)


@pytest.mark.django_db
def test_a_retry_with_the_same_key_and_body_gets_the_first_answer_and_creates_nothing(api, bureau):
    first = post(api, natural_person(bureau))
    assert first.status_code == 201 and "Idempotent-Replayed" not in first
    again = post(api, natural_person(bureau))
    assert again.status_code == 201
    assert again.json() == first.json()  # the secret included
    assert again["Idempotent-Replayed"] == "true"
    request = FoiRequest.objects.get()
    assert check_secret(again.json()["secret"], request.secret_hash)


@pytest.mark.django_db
def test_the_same_body_in_another_key_order_or_spacing_is_the_same_body(api, bureau):
    data = natural_person(bureau)
    post(api, data)
    reordered = json.dumps(dict(reversed(list(data.items()))), indent=2, ensure_ascii=False)
    assert post(api, reordered).status_code == 201
    assert FoiRequest.objects.count() == 1


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_a_conflict_in_chinese(api, bureau):
    post(api, natural_person(bureau))
    response = post(api, natural_person(bureau, description="另一份信息：2023年度的抽检结果"))
    assert response.status_code == 409
    assert response.json() == {"error": idempotency.CONFLICT_MESSAGE}
    assert "Idempotency-Key" in response.json()["error"] and "不同" in response.json()["error"]
    assert FoiRequest.objects.count() == 1


@pytest.mark.django_db
def test_without_a_key_every_post_creates_a_request(api, bureau):
    post(api, natural_person(bureau), key=None)
    post(api, natural_person(bureau), key=None)
    assert FoiRequest.objects.count() == 2
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256, "带中文的键", "has space"])
def test_a_malformed_key_is_refused(api, bureau, key):
    response = post(api, natural_person(bureau), key=key)
    assert response.status_code == 400
    assert response.json() == {"error": idempotency.BAD_KEY_MESSAGE}
    assert not FoiRequest.objects.exists()


@pytest.mark.django_db
def test_refused_input_keeps_nothing_so_the_corrected_body_may_use_the_key(api, bureau):
    bad = post(api, natural_person(bureau, phone="12345"))
    assert bad.status_code == 400 and "phone" in bad.json()["errors"]
    assert not IdempotencyRecord.objects.exists()
    assert post(api, natural_person(bureau)).status_code == 201


@pytest.mark.django_db
def test_the_record_holds_the_key_and_the_answer_only_hashed_and_encrypted(api, bureau):
    secret = post(api, natural_person(bureau)).json()["secret"]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT scope, key_hash, body_hash, response FROM {IdempotencyRecord._meta.db_table}")
        scope, key_hash, body_hash, response = cursor.fetchone()
    assert scope == "api"
    assert KEY not in key_hash and len(key_hash) == 64
    for value in (secret, "11010519491231002X", "张三"):
        assert value not in response and value not in body_hash
    assert json.loads(IdempotencyRecord.objects.get().response)["secret"] == secret


@pytest.mark.django_db
def test_after_24_hours_the_key_is_forgotten_and_old_records_are_purged(api, bureau):
    clock.freeze(dt.datetime(2025, 3, 3, 9, tzinfo=TZ))
    post(api, natural_person(bureau))
    clock.freeze(dt.datetime(2025, 3, 4, 8, 59, tzinfo=TZ))  # 23h59m later: still kept
    assert post(api, natural_person(bureau))["Idempotent-Replayed"] == "true"
    clock.freeze(dt.datetime(2025, 3, 4, 9, 1, tzinfo=TZ))
    other = post(api, natural_person(bureau), key="another-key-1")  # any keyed write purges
    assert other.status_code == 201
    assert IdempotencyRecord.objects.count() == 1
    assert post(api, natural_person(bureau)).status_code == 201  # a new request now
    assert FoiRequest.objects.count() == 3


@pytest.mark.django_db
def test_the_purge_command_deletes_records_older_than_a_day(api, bureau, capsys):
    clock.freeze(dt.datetime(2025, 3, 3, 9, tzinfo=TZ))
    post(api, natural_person(bureau))
    clock.freeze(dt.datetime(2025, 3, 3, 20, tzinfo=TZ))
    call_command("idempotency", "purge")
    assert IdempotencyRecord.objects.count() == 1
    clock.freeze(dt.datetime(2025, 3, 4, 9, 30, tzinfo=TZ))
    call_command("idempotency", "purge")
    assert not IdempotencyRecord.objects.exists()
    assert "purged: 1" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_request_that_loses_the_race_on_the_unique_key_answers_with_the_winner(api, bureau, monkeypatch):
    """The second of two simultaneous requests does not see the first's record when it
    looks, and fails on the unique constraint when it inserts: it must answer with the
    first request's receipt, and its own work must be rolled back."""
    winner = post(api, natural_person(bureau))
    real_find = idempotency.find
    calls = []

    def find_late(scope, key):
        calls.append(key)
        return None if len(calls) == 1 else real_find(scope, key)

    monkeypatch.setattr(idempotency, "find", find_late)
    loser = post(api, natural_person(bureau))
    assert len(calls) == 2  # looked again after the IntegrityError
    assert loser.status_code == 201 and loser.json() == winner.json()
    assert FoiRequest.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_parallel_requests_with_one_key_create_one_request(bureau, tmp_path):
    """Runs on PostgreSQL (the unique index makes the second insert wait) and on a SQLite
    file (BEGIN IMMEDIATE makes the second transaction wait), as core.idempotency says."""
    from django.core.cache import cache

    cache.clear()
    use_database = database_for_threads(tmp_path)
    barrier = threading.Barrier(2)
    answers, errors = [], []
    body = json.dumps(natural_person(bureau), ensure_ascii=False)

    def send():
        use_database()
        try:
            barrier.wait()
            response = Client().post(SUBMIT, body, content_type="application/json",
                                     HTTP_IDEMPOTENCY_KEY=KEY)
            answers.append((response.status_code, response.json()))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert [status for status, _ in answers] == [201, 201]
    assert answers[0][1] == answers[1][1]
    assert in_thread(use_database, FoiRequest.objects.count) == 1
    assert in_thread(use_database, IdempotencyRecord.objects.count) == 1
