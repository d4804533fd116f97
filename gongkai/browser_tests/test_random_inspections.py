"""A joint (联合) random inspection walked in Chromium, from plan to published results: the
office creates and publishes the plan, creates a task of two departments and a partner
agency, commits it and draws it; an officer of a participating department enters the
results (one with the signed record attached); the office publishes them; anyone then sees
the seed and the drawn list, checks the draw (一致), reads the findings and downloads them.
The main pages at 1366 and 390 px, checked by axe."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from gongkai.browser_tests.helpers import DESKTOP, PHONE, as_user
from gongkai.core.tests.factories import DepartmentFactory
from gongkai.core.tests.helpers import at
from gongkai.random_inspections.models import (
    DrawnTarget,
    InspectionMethod,
    InspectionPlan,
    InspectionTask,
    Result,
    TaskStatus,
)
from gongkai.random_inspections.services import matters as matter_services
from gongkai.random_inspections.tests.conftest import make_entities, make_inspectors

pytestmark = pytest.mark.browser

START = dt.date(2026, 6, 15)
PDF = b"%PDF-1.4\n% inspection record\n%%EOF\n"
FINDINGS = ("未发现问题", "发现问题已责令改正", "通过登记的住所（经营场所）无法联系")


def both_widths(page, axe_serious, tmp_path, name):
    """axe (serious and critical) at 1366 and 390 px, with a screenshot at each."""
    for label, size in (("1366", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(size)
        axe_serious(page)
        page.screenshot(path=str(tmp_path / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


@pytest.fixture
def joint_setup(transactional_db, settings, tmp_path, tree, bureau, department, office, officer):
    """A published list of matters (through the services), and small directories: the
    bureau's entities, inspectors of two departments, and the partner agency's inspectors."""
    settings.MEDIA_ROOT = tmp_path / "media"
    at(START)
    draft = matter_services.matterlist_create(actor=office, agency=bureau, title="2026年版")
    for name, basis in (("食品销售经营者监督检查", "《中华人民共和国食品安全法》第一百一十条"),
                        ("产品质量监督抽查", "《中华人民共和国产品质量法》第十五条")):
        matter_services.matter_add(actor=office, matter_list=draft, name=name, basis=basis, target_kind="企业",
                                   methods=[InspectionMethod.ON_SITE])
    matter_services.matterlist_publish(actor=office, matter_list=draft)
    quality = DepartmentFactory(agency=bureau, name="质量监督科")
    make_entities(bureau, 30)
    make_inspectors(bureau, 4, department=department)
    make_inspectors(bureau, 4, department=quality, start=100)
    make_inspectors(tree["other"], 4, start=200)
    return {"quality": quality, "partner": tree["other"]}


def test_a_joint_task_from_plan_to_published_results(page, live_server, tree, bureau, department, office,
                                                      officer, joint_setup, tmp_path, axe_serious):
    partner, quality = joint_setup["partner"], joint_setup["quality"]
    page.set_viewport_size(DESKTOP)

    # The office: the plan, created and published.
    as_user(page, live_server, office)
    page.goto(f"/staff/random-inspections/?agency={bureau.pk}")
    form = page.get_by_test_id("plan-form")
    form.get_by_label("计划名称").fill("2026年度双随机抽查工作计划")
    form.get_by_role("button", name="建立").click()
    plan = InspectionPlan.objects.get(agency=bureau)
    page.wait_for_url(f"**/staff/random-inspections/plans/{plan.pk}/")
    page.locator("summary", has_text="公布计划").click()
    page.get_by_test_id("publish-form").locator("input[type=checkbox]").check()
    page.get_by_test_id("publish-form").get_by_role("button", name="公布").click()
    page.wait_for_load_state()
    plan.refresh_from_db()
    assert plan.published_at is not None

    # A joint task: two departments and a partner agency.
    page.get_by_test_id("add-task").click()
    form = page.get_by_test_id("task-form")
    form.get_by_label("任务编号").fill("LH-1")
    form.get_by_label("任务名称").fill("食品和产品质量联合抽查")
    form.get_by_label("食品销售经营者监督检查").check()
    form.get_by_label("产品质量监督抽查").check()
    form.get_by_label("开始日期").fill(START.isoformat())
    form.get_by_label("结束日期").fill((START + dt.timedelta(days=30)).isoformat())
    for pk in (department.pk, quality.pk):
        form.locator(f"input[name=departments][value='{pk}']").check()
    form.get_by_label("联合抽查的其他机关").select_option(value=str(partner.pk))  # a multiple select
    form.get_by_label("抽查户数").fill("3")
    both_widths(page, axe_serious, tmp_path, "ri-task-form")
    form.get_by_role("button", name="保存").click()
    task = InspectionTask.objects.get(plan=plan)
    page.wait_for_url(f"**/staff/random-inspections/tasks/{task.pk}/")
    assert task.is_joint and task.partner_agencies.get() == partner and task.departments.count() == 2
    assert page.get_by_test_id("task-status").inner_text() == "草稿"

    # Commit (commitment mode, the default), then draw.
    commit = page.get_by_test_id("commit-form")
    commit.get_by_label("承诺随机种子").check()
    commit.get_by_role("button", name="公布抽取条件").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("task-status").inner_text() == "已公布抽取条件"
    assert len(page.get_by_test_id("commitment").first.inner_text()) == 64
    # the draw waits until the commitment has been public an hour (others can keep a copy)
    assert "之后才能抽取" in page.get_by_test_id("draw-opens-at").inner_text()
    at(START, 11)
    page.get_by_test_id("draw-form").get_by_role("button", name="抽取").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("task-status").inner_text() == "已抽取"
    drawn = page.get_by_test_id("drawn-target")
    assert drawn.count() == 3
    codes = set(DrawnTarget.objects.filter(draw__task=task).values_list("credit_code", flat=True))
    assert {code for code in codes if code in drawn.first.inner_text()}  # the page lists the stored draw
    both_widths(page, axe_serious, tmp_path, "ri-task-drawn")

    # An officer of a participating department enters the results; one with the record.
    as_user(page, live_server, officer)
    record = tmp_path / "检查记录.pdf"
    record.write_bytes(PDF)
    results_url = reverse("staff:ri-task-results", args=[task.pk])
    for i, finding in enumerate(FINDINGS):
        page.goto(results_url)
        section = page.get_by_test_id("target").nth(i)
        form = section.get_by_test_id("result-form")
        form.locator("select").select_option(label=finding)
        form.locator("input[type=date]").fill(START.isoformat())
        if finding != "未发现问题":
            form.get_by_label("检查情况").fill("部分商品未按规定明码标价，已当场责令改正。")
        if i == 0:
            form.get_by_label("检查记录").set_input_files(str(record))
        form.get_by_role("button", name="录入检查结果").click()
        page.wait_for_load_state()
        assert Result.objects.filter(target__draw__task=task).count() == i + 1
    with_record = Result.objects.exclude(record="").get(target__draw__task=task)
    assert with_record.entered_by == officer and with_record.record_name == "检查记录.pdf"
    page.goto(results_url)
    both_widths(page, axe_serious, tmp_path, "ri-results-entered")

    # The office publishes them: the task is done.
    as_user(page, live_server, office)
    page.goto(results_url)
    page.get_by_test_id("publish-form").get_by_role("button").click()
    page.wait_for_load_state()
    task.refresh_from_db()
    assert task.status == TaskStatus.COMPLETED
    assert not Result.objects.filter(target__draw__task=task, published_on__isnull=True).exists()

    # Anyone: the seed and the drawn list, the check, the findings and the CSV.
    as_user(page, live_server, None)
    draw = task.draws.get()
    page.goto(reverse("portal:ri-task", args=[bureau.code, task.pk]))
    assert page.get_by_test_id("seed").inner_text() == draw.seed
    assert page.get_by_test_id("drawn-target").count() == 3
    public_list = page.get_by_test_id("drawn-targets").inner_text()
    assert all(code in public_list for code in codes)
    assert "1380000" not in page.content()  # inspectors' phone numbers never shown
    both_widths(page, axe_serious, tmp_path, "ri-public-task")

    page.get_by_test_id("check-link").click()
    page.wait_for_load_state()
    verdict = page.get_by_test_id("verdict").inner_text()
    assert "一致" in verdict and "不一致" not in verdict
    both_widths(page, axe_serious, tmp_path, "ri-public-check")

    page.goto(reverse("portal:ri-results", args=[bureau.code]) + f"?year={START.year}")
    rows = page.get_by_test_id("public-result")
    assert rows.count() == 3
    shown = page.get_by_test_id("public-task").inner_text()
    assert all(finding in shown for finding in FINDINGS) and all(code in shown for code in codes)
    assert "检查记录.pdf" not in page.content()  # the record is never public
    both_widths(page, axe_serious, tmp_path, "ri-public-results")

    response = page.request.get(page.get_by_test_id("csv").get_attribute("href"))
    assert response.status == 200 and "csv" in response.headers["content-type"]
    table = list(csv.DictReader(io.StringIO(response.body().decode("utf-8-sig"))))
    assert {row["统一社会信用代码"] for row in table} == codes
    assert {row["检查结果"] for row in table} == set(FINDINGS)
    assert {row["联合抽查"] for row in table} == {"是"}
