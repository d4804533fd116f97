"""The public pages of random inspections — where anyone checks a draw: nothing before the
plan is published and the task committed; the downloads hash to what the page publishes;
the check page re-runs the draw and says 一致, or 不一致 after tampering; superseded draws
stay with their reasons; no personal data; a fixed number of queries."""

import datetime as dt
import gzip
import hashlib

import pytest
from django.urls import reverse

from gongkai.core import clock
from gongkai.random_inspections import draw as draw_module
from gongkai.random_inspections.models import DrawnInspector, SeedMode
from gongkai.random_inspections.services import tasks as services
from gongkai.random_inspections.tests.test_tasks_services import (
    later,
    make_plan,
    make_task,
    publish_matters,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def matters(today, bureau, office):
    return publish_matters(bureau, office)


@pytest.fixture
def drawn(today, bureau, office, matters, entities, inspectors):
    plan = make_plan(office, bureau)
    task = make_task(office, plan, matters)
    services.task_commit(actor=office, task=task, seed_mode=SeedMode.COMMITMENT)
    later()
    draw = services.task_draw(actor=office, task=task)
    return task, draw


def task_url(task):
    return reverse("portal:ri-task", kwargs={"code": task.plan.agency.code, "pk": task.pk})


def download(client, task, number, name):
    response = client.get(reverse("portal:ri-draw-download", kwargs={
        "code": task.plan.agency.code, "pk": task.pk, "number": number, "name": name}))
    assert response.status_code == 200, name
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_nothing_is_public_before_the_plan_is_published_and_the_task_committed(
        client, today, bureau, office, matters, entities, inspectors, django_capture_on_commit_callbacks):
    plan = make_plan(office, bureau, publish=False)
    task = make_task(office, plan, matters)
    agency_url = reverse("portal:ri-agency", kwargs={"code": bureau.code})
    assert "食品销售者专项抽查" not in client.get(agency_url).content.decode()
    assert client.get(task_url(task)).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):  # the portal's cached pages are dropped
        services.plan_publish(actor=office, plan=plan)
    assert client.get(task_url(task)).status_code == 404  # a draft task stays private
    assert "食品销售者专项抽查" not in client.get(agency_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        draw = services.task_commit(actor=office, task=task, seed_mode=SeedMode.COMMITMENT)
    page = client.get(task_url(task)).content.decode()
    assert draw.seed_commitment in page and draw.secret not in page  # the seed stays secret until the draw
    assert "食品销售者专项抽查" in client.get(agency_url).content.decode()


def test_the_task_page_publishes_the_seed_the_targets_and_their_inspectors(client, drawn, inspectors):
    task, draw = drawn
    page = client.get(task_url(task)).content.decode()
    assert draw.seed in page and draw.result_sha256 in page and draw.inputs_sha256 in page
    for target in draw.targets.all():
        assert target.credit_code in page and target.name in page
    for drawn_inspector in DrawnInspector.objects.filter(target__draw=draw):
        assert f"{drawn_inspector.name}（{drawn_inspector.certificate_number}）" in page
    # no personal data: the inspectors' phone numbers are never shown
    assert not any(i.phone in page for i in inspectors)


def test_the_downloads_hash_to_the_published_hashes(client, drawn):
    task, draw = drawn
    assert hashlib.sha256(download(client, task, 1, "candidates.txt")).hexdigest() == draw.candidates_sha256
    assert hashlib.sha256(download(client, task, 1, "inspectors.txt")).hexdigest() == draw.inspectors_sha256
    # the exclusions are not published (they would name declared conflicts): only their hash
    assert client.get(reverse("portal:ri-draw-download", kwargs={
        "code": task.plan.agency.code, "pk": task.pk, "number": 1, "name": "exclusions.txt"})).status_code == 404
    inputs = download(client, task, 1, "inputs.json")
    assert hashlib.sha256(inputs).hexdigest() == draw.inputs_sha256
    result = download(client, task, 1, "result.txt")
    assert hashlib.sha256(result).hexdigest() == draw.result_sha256
    source = client.get(reverse("portal:ri-draw-source"))
    assert source["Content-Type"].startswith("text/x-python") and draw_module.ALGORITHM.encode() in source.content


def test_anyone_can_rerun_the_draw_from_the_downloads(client, drawn):
    task, draw = drawn
    import json

    document = json.loads(download(client, task, 1, "inputs.json"))
    inputs = draw_module.inputs_from_document(document, download(client, task, 1, "candidates.txt"),
                                              download(client, task, 1, "inspectors.txt"))
    result = download(client, task, 1, "result.txt")
    skips = draw_module.published_skips(draw_module.parse_result(result))
    assert draw_module.run_draw(inputs, draw.seed, published_skips=skips).result_text == result


def test_the_check_page_agrees_then_disagrees_after_tampering(client, drawn):
    task, draw = drawn
    url = reverse("portal:ri-draw-check", kwargs={"code": task.plan.agency.code, "pk": task.pk, "number": 1})
    page = client.get(url).content.decode()
    assert "一致：重新计算的结果与公布的抽取结果完全相同" in page
    swapped = DrawnInspector.objects.filter(target__draw=draw).order_by("pk").first()
    DrawnInspector.objects.filter(pk=swapped.pk).update(certificate_number="12010999999")
    page = client.get(url).content.decode()
    assert "不一致：重新计算的结果与公布的不同" in page and 'data-testid="problems"' in page


def test_a_superseded_draw_stays_public_with_the_reason(client, drawn, office):
    task, first = drawn
    services.task_redraw(actor=office, task=task, reason="部分检查对象已注销，重新抽取", seed_mode=SeedMode.COMMITMENT)
    page = client.get(task_url(task)).content.decode()
    assert "部分检查对象已注销，重新抽取" in page and "已重新抽取" in page
    assert first.seed in page and first.result_sha256 in page
    assert hashlib.sha256(download(client, task, 1, "result.txt")).hexdigest() == first.result_sha256
    assert client.get(reverse("portal:ri-draw-download", kwargs={
        "code": task.plan.agency.code, "pk": task.pk, "number": 2, "name": "result.txt"})).status_code == 404


def test_the_public_task_page_takes_a_fixed_number_of_queries(client, drawn, office, django_assert_num_queries):
    task, _draw = drawn
    services.task_redraw(actor=office, task=task, reason="名录更新", seed_mode=SeedMode.COMMITMENT)
    later()
    services.task_draw(actor=office, task=task)
    # 6 for the page, and 3 per drawn draw (a count, a page of targets, their inspectors)
    with django_assert_num_queries(6 + 2 * 3):
        response = client.get(task_url(task))
    assert response.content.decode().count('data-testid="drawn-target"') == 12


def test_a_draws_targets_are_shown_a_page_at_a_time(client, drawn, office, monkeypatch):
    """A city's draw has tens of thousands of targets: the page shows one page of each
    draw's list, in stratum and rank order, with links to the next; the full list is the
    download."""
    from gongkai.random_inspections.selectors import tasks as selectors

    task, draw = drawn
    monkeypatch.setattr(selectors, "TARGETS_PER_PAGE", 2)
    ordered = list(draw.targets.order_by("stratum", "rank").values_list("credit_code", flat=True))
    assert len(ordered) == 6

    def codes(query):
        page = client.get(task_url(task) + query).content.decode()
        return [code for code in ordered if code in page], page

    first, page = codes("")
    assert first == ordered[:2] and "共6户，第1/3页" in page and 'data-testid="targets-next"' in page
    middle, page = codes("?draw=1&page=2")
    assert middle == ordered[2:4] and 'rel="prev"' in page
    last, page = codes("?draw=1&page=3")
    assert last == ordered[4:] and 'data-testid="targets-next"' not in page
    assert codes("?draw=1&page=99")[0] == ordered[4:]  # beyond the end: the last page
    assert codes("?draw=1&page=x")[0] == ordered[:2]
    assert codes("?draw=x&page=2")[0] == ordered[:2]
    assert codes("?draw=2&page=2")[0] == ordered[:2]  # another draw's page leaves this one at 1


def test_public_value_draws_show_the_named_source_before_and_the_value_after(client, today, bureau, office, matters,
                                                                             entities, inspectors,
                                                                             django_capture_on_commit_callbacks):
    plan = make_plan(office, bureau)
    task = make_task(office, plan, matters)
    services.task_commit(actor=office, task=task, seed_mode=SeedMode.PUBLIC_VALUE, public_value_kind="fc3d",
                         public_value_period="2026170", public_value_due_at=clock.now() + dt.timedelta(days=1))
    assert "中国福利彩票3D游戏第2026170期开奖号码" in client.get(task_url(task)).content.decode()
    later(dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):  # the portal's cached pages are dropped
        draw = services.task_draw(actor=office, task=task, public_value="3 5 8")
    assert draw.seed == "358" and draw.seed in client.get(task_url(task)).content.decode()
    assert gzip.decompress(bytes(draw.candidates)).count(b"\n") == 60
