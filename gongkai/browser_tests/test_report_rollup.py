"""The supervising office's annual report roll-up walked in Chromium: from the summary
overview to the 汇总表 (the bureau's published figures summed, the county bureau's draft
apart), to the list of agencies that have not published, where one reminder is sent and
the button then says it was; at 1366 and 390 px, checked by axe."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from gongkai.browser_tests.helpers import DESKTOP, PHONE, as_user, fits_the_screen
from gongkai.core.tests.helpers import at
from gongkai.reports import services
from gongkai.reports.models import ReportReminder
from gongkai.reports.tests.test_services import ready_to_publish, receive, receive_a_year

pytestmark = pytest.mark.browser


def test_the_supervisor_reads_the_summary_and_reminds_a_late_agency(
        page, live_server, settings, tmp_path, tree, bureau, office, leader, other_agency, other_office,
        supervisor, axe_serious):
    settings.MEDIA_ROOT = tmp_path / "media"
    receive_a_year(bureau, office)
    receive(other_agency, other_office, dt.date(2025, 4, 1))
    at(dt.date(2026, 1, 5))
    published = services.report_start(actor=office, agency=bureau, year=2025)
    services.report_start(actor=other_office, agency=other_agency, year=2025)
    ready_to_publish(published, office, leader)
    services.report_publish(actor=office, report=published)
    at(dt.date(2026, 2, 3))

    as_user(page, live_server, supervisor)
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        page.goto(reverse("staff:report-supervision") + f"?agency={tree['city'].pk}&year=2025")
        page.get_by_role("link", name="测试市人民政府办公室2025年度报告汇总表（可下载）").click()
        title = page.get_by_test_id("rollup-title").inner_text()
        assert title == "测试市人民政府办公室2025年度政府信息公开工作年度报告汇总表"
        assert page.locator('table.report-grid td[data-ref="3/一/total"]').first.inner_text().startswith("3")
        assert page.get_by_test_id("rollup-apart").count() == 3  # the draft, the city and the county office
        assert page.get_by_test_id("draft-grid").is_visible()
        fits_the_screen(page)
        axe_serious(page)
        page.screenshot(path=str(tmp_path / f"rollup-{size['width']}.png"), full_page=True)

    page.set_viewport_size(DESKTOP)
    page.get_by_role("link", name="未发布机关与提醒").click()
    row = page.get_by_test_id("outstanding-row").filter(has_text="测试县市场监督管理局")
    assert row.get_by_test_id("outstanding-due").inner_text() == "已逾期3天"
    axe_serious(page)
    row.get_by_role("button", name="提醒测试县市场监督管理局").click()
    page.get_by_text("已向测试县市场监督管理局公开办发送提醒（1人）。").wait_for()
    row = page.get_by_test_id("outstanding-row").filter(has_text="测试县市场监督管理局")
    assert "今天已提醒" in row.inner_text()
    assert ReportReminder.objects.get(agency=other_agency).sent_by == supervisor
    assert [m.to for m in mail.outbox] == [[other_office.email]]
    page.set_viewport_size(PHONE)
    page.reload()
    fits_the_screen(page)

    page.set_viewport_size(DESKTOP)
    page.get_by_role("link", name="勾稽关系核对").click()
    assert page.get_by_test_id("findings-row").count() == 2
    axe_serious(page)
    page.set_viewport_size(PHONE)
    page.reload()
    fits_the_screen(page)
