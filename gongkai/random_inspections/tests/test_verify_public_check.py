"""The public side of verification: the exclusions are not downloadable (their hashes
would name declared conflicts), yet anyone re-runs the draw from the public downloads and
the list's skipped column; the check page says what it checked and what it cannot, and
keeps its answer under a cheap key, rate-limiting only the visits that re-run the draw."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from gongkai.core import ratelimit
from gongkai.random_inspections import draw as draw_module
from gongkai.random_inspections.models import DrawnInspector, DrawnTarget, SeedMode
from gongkai.random_inspections.tests.test_verify import make_draw
from gongkai.random_inspections.views import public

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def made(bureau, office, entities, inspectors):
    # two inspectors of each region in conflict with every entity: every target's pool (the
    # other regions' eight) holds four of them, so skips happen whatever the agency's code
    conflicts = [(i.certificate_number, e.credit_code) for i in inspectors[:6] for e in entities]
    made = make_draw(bureau, office, entities, inspectors, conflicts=conflicts)
    assert made.targets.exclude(skipped_certificates="").exists()  # the skips below mean something
    return made


def url(view: str, draw, **more) -> str:
    return reverse(f"portal:{view}", kwargs={"code": draw.task.plan.agency.code, "pk": draw.task_id, **more})


def download(client, draw, name: str) -> bytes:
    response = client.get(url("ri-draw-download", draw, number=draw.number, name=name))
    assert response.status_code == 200, name
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_exclusions_are_not_downloadable_but_their_hash_and_count_are_shown(client, made):
    assert client.get(url("ri-draw-download", made, number=1, name="exclusions.txt")).status_code == 404
    page = client.get(url("ri-task", made)).content.decode()
    assert "exclusions.txt" not in page
    assert made.exclusions_sha256 in page and f"{made.inputs['exclusions']['count']}组" in page


def test_anyone_re_runs_the_draw_from_the_public_downloads_and_the_lists_skips(client, made):
    document = json.loads(download(client, made, "inputs.json"))
    listed = download(client, made, "result.txt")
    assert draw_module.sha256_hex(listed) == made.result_sha256
    inputs = draw_module.inputs_from_document(document, download(client, made, "candidates.txt"),
                                              download(client, made, "inspectors.txt"))
    skips = draw_module.published_skips(draw_module.parse_result(listed))
    assert any(skips.values())
    assert draw_module.run_draw(inputs, made.seed, skips).result_text == listed
    # the list shows on the task page which inspectors were skipped for which target
    page = client.get(url("ri-task", made)).content.decode()
    target = made.targets.exclude(skipped_certificates="").first()
    assert target.skipped_certificates in page


def test_the_check_page_says_what_it_cannot_prove_and_what_to_compare(client, made):
    page = client.get(url("ri-draw-check", made, number=1)).content.decode()
    assert "一致：重新计算的结果与公布的抽取结果完全相同" in page
    assert "从平台内部无法发现" in page
    assert made.inputs_sha256 in page and made.seed_commitment in page
    assert "审计日志中有本次抽取的公布抽取条件记录" in page and "名称在公布抽取条件时已固定" in page
    assert "不予公开" in page  # the exclusions, and why


def test_for_a_public_value_the_page_asks_to_compare_the_seed_with_the_official_result(
        client, bureau, office, entities, inspectors):
    made = make_draw(bureau, office, entities, inspectors, seed_mode=SeedMode.PUBLIC_VALUE, seed="581")
    page = client.get(url("ri-draw-check", made, number=1)).content.decode()
    assert "一致：" in page
    assert "开奖机构公布的该期官方开奖结果" in page and "<code>581</code>" in page
    assert "期号 2026180" in page and "开奖时间" in page


def test_the_check_key_is_cheap_and_follows_the_stored_hashes_and_rows(made, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # one aggregate per table of rows; no row, no snapshot loaded
        before = public.check_key(made)
    DrawnTarget.objects.filter(pk=made.targets.order_by("pk").first().pk).update(rank=77)
    assert public.check_key(made) != before
    made.refresh_from_db()
    made.seed_commitment = "0" * 64
    assert public.check_key(made) != public.check_key(type(made).objects.get(pk=made.pk))


def test_only_visits_that_re_run_the_draw_are_rate_limited(client, made, monkeypatch):
    monkeypatch.setattr(public, "CHECKS", ratelimit.Rule("ri-draw-check-test", limit=1, window_seconds=600))
    check = url("ri-draw-check", made, number=1)
    assert client.get(check).status_code == 200  # re-run: the one allowed
    for _ in range(3):  # kept: not counted
        response = client.get(check)
        assert response.status_code == 200 and "分钟内已核对过" in response.content.decode()
    DrawnInspector.objects.filter(pk=DrawnInspector.objects.filter(target__draw=made).order_by("pk")
                                  .first().pk).update(position=9)
    assert client.get(check).status_code == 429  # something changed: a re-run, over the limit
