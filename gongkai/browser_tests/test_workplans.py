"""A work plan walked in Chromium: the office adds a task; once it is overdue the office
issues a 督办 and the responsible officer replies; the city's supervisor sets a task for
its agencies and follows it on the roll-up, drilling down to one agency. The new pages at
1366 and 390 px, checked by axe."""

import datetime as dt

import pytest

from gongkai.browser_tests.helpers import DESKTOP, PHONE, as_user
from gongkai.core.tests.helpers import at
from gongkai.workplans.models import Supervision, Task, WorkPlan

pytestmark = pytest.mark.browser

START = dt.date(2026, 6, 15)


def test_task_supervision_and_roll_up(page, live_server, tree, bureau, department, office, officer, supervisor,
                                      tmp_path, axe_serious):
    at(START)
    as_user(page, live_server, office)
    page.goto("/staff/workplans/")
    page.get_by_role("button", name="建立").click()
    plan = WorkPlan.objects.get()
    page.fill("#id_task-number", "1")
    page.fill("#id_task-text", "清理规范性文件并公开清理结果")
    page.fill("#id_task-due_on", "2026-06-30")
    page.select_option("#id_task-department", str(department.pk))
    page.get_by_role("button", name="添加").click()
    assert page.get_by_test_id("phase").inner_text() == "未开始"
    axe_serious(page)
    task = Task.objects.get(plan=plan)

    at(dt.date(2026, 7, 3))  # overdue: the office issues a 督办
    page.goto(f"/staff/workplans/tasks/{task.pk}/")
    assert page.get_by_test_id("phase").inner_text() == "逾期"
    page.fill("#id_supervise-note", "请说明未按期完成的原因")
    page.fill("#id_supervise-reply_by", "2026-07-10")
    page.get_by_role("button", name="督办").click()
    assert "请说明未按期完成的原因" in page.get_by_test_id("supervision").inner_text()

    as_user(page, live_server, officer)  # the responsible officer replies
    page.set_viewport_size(PHONE)
    page.goto(f"/staff/workplans/tasks/{task.pk}/")
    axe_serious(page)
    page.screenshot(path=str(tmp_path / "workplan-task-390.png"), full_page=True)
    page.get_by_test_id("reply-form").locator("textarea").fill("已完成清理，清理结果将于本周公开")
    page.get_by_role("button", name="反馈").click()
    assert Supervision.objects.get().replied_by == officer

    as_user(page, live_server, supervisor)  # the city sets a task for its agencies
    page.set_viewport_size(DESKTOP)
    page.goto("/staff/workplans/assign/")
    page.select_option("#id_from_agency", str(tree["city"].pk))
    page.fill("#id_number", "2")
    page.fill("#id_text", "设置政策解读专栏")
    page.fill("#id_due_on", "2026-07-01")
    for agency in (tree["bureau"], tree["county"]):
        page.get_by_label(agency.name).check()
    page.get_by_role("button", name="部署").click()
    assert page.get_by_test_id("rollup-row").count() == 2
    page.goto(f"/staff/workplans/assignments/?agency={tree['city'].pk}")
    assert page.get_by_test_id("overdue").inner_text() == "2"
    axe_serious(page)
    page.set_viewport_size(PHONE)
    axe_serious(page)
    page.get_by_role("link", name="设置政策解读专栏").click()
    page.get_by_role("link", name=tree["county"].name).click()
    assert page.get_by_role("heading", level=1).inner_text().endswith(tree["county"].name)
