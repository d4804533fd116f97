"""The public check page keeps a draw's verification for a few minutes, under a key made of
everything the verification reads: a second visit does not re-run the draw, the page says
when the check was computed, and any change to a stored row, hash or seed — or the
cache's expiry — makes the next visit check afresh and catch it."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse

from gongkai.random_inspections import verify
from gongkai.random_inspections.models import Draw, DrawnInspector, DrawnTarget, SeedMode
from gongkai.random_inspections.services import tasks as services
from gongkai.random_inspections.tests.conftest import TODAY, at
from gongkai.random_inspections.tests.test_tasks_services import (
    make_plan,
    make_task,
    publish_matters,
)
from gongkai.random_inspections.views import public

pytestmark = pytest.mark.django_db

DAY = TODAY + dt.timedelta(days=1)
AGREES = "一致：重新计算的结果与公布的抽取结果完全相同"
DISAGREES = "不一致：重新计算的结果与公布的不同"


@pytest.fixture
def drawn(today, bureau, office, entities, inspectors):
    plan = make_plan(office, bureau)
    task = make_task(office, plan, publish_matters(bureau, office))
    services.task_commit(actor=office, task=task, seed_mode=SeedMode.COMMITMENT)
    at(DAY)  # the commitment is public a day before the seed is revealed
    draw = services.task_draw(actor=office, task=task)
    return task, draw


@pytest.fixture
def reruns(monkeypatch):
    """Counts the re-runs of a draw behind the page."""
    calls = []
    real = verify.verify_draw

    def counted(draw):
        calls.append(draw.pk)
        return real(draw)

    monkeypatch.setattr(verify, "verify_draw", counted)
    return calls


def check(client, task) -> str:
    url = reverse("portal:ri-draw-check", kwargs={"code": task.plan.agency.code, "pk": task.pk, "number": 1})
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_second_visit_shows_the_kept_check_and_when_it_was_computed(client, drawn, reruns):
    task, _draw = drawn
    at(DAY, 11)
    first = check(client, task)
    assert AGREES in first and "核对时间：2026-06-16 11:00:00" in first and "分钟内已核对过" not in first
    at(DAY, 12)
    second = check(client, task)
    assert AGREES in second and "核对时间：2026-06-16 11:00:00" in second and "分钟内已核对过" in second
    assert len(reruns) == 1


@pytest.mark.parametrize("tamper", [
    lambda d: DrawnInspector.objects.filter(pk=DrawnInspector.objects.filter(target__draw=d).order_by("pk")
                                            .first().pk).update(certificate_number="12010999999"),
    lambda d: DrawnTarget.objects.filter(pk=DrawnTarget.objects.filter(draw=d).order_by("pk").first().pk)
    .update(score="0" * 64),
    lambda d: DrawnTarget.objects.filter(draw=d, rank=1).update(rank=99),
    lambda d: Draw.objects.filter(pk=d.pk).update(result_sha256="0" * 64),
    lambda d: Draw.objects.filter(pk=d.pk).update(seed=d.seed[:-1] + ("0" if d.seed[-1] != "0" else "1")),
], ids=["inspector", "score", "rank", "result-digest", "seed"])
def test_a_change_after_a_kept_check_is_caught_on_the_next_visit(client, drawn, reruns, tamper):
    task, draw = drawn
    assert AGREES in check(client, task)
    tamper(draw)
    page = check(client, task)
    assert DISAGREES in page and "分钟内已核对过" not in page
    assert len(reruns) == 2


def test_after_the_cache_expires_the_draw_is_checked_afresh(client, drawn, reruns):
    task, draw = drawn
    assert AGREES in check(client, task)
    cache.clear()  # what the expiry does after public.CHECK_CACHE_SECONDS
    at(DAY + dt.timedelta(days=1), 9)
    page = check(client, task)
    assert AGREES in page and "核对时间：2026-06-17 09:00:00" in page
    assert len(reruns) == 2
    assert public.CHECK_CACHE_SECONDS <= 600


def test_the_key_follows_every_stored_row(drawn):
    _task, draw = drawn
    before = public.check_key(draw)
    assert public.check_key(Draw.objects.get(pk=draw.pk)) == before
    place = DrawnInspector.objects.filter(target__draw=draw).order_by("-pk").first()
    DrawnInspector.objects.filter(pk=place.pk).update(position=place.position + 5)
    assert public.check_key(Draw.objects.get(pk=draw.pk)) != before
