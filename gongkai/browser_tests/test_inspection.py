"""The website self-inspection walked in Chromium: a member of the public reports an error
through 「我为政府网站找错」 and gets a number; the office finds it on its desk, replies,
runs the self-inspection and reads the vetoes, deductions and trend. New pages at 1366 and
390 px, checked by axe."""

import datetime as dt

import pytest

from gongkai.browser_tests.helpers import DESKTOP, PHONE, as_user
from gongkai.core.tests.helpers import at
from gongkai.inspection.models import SiteCheck, SiteErrorReport
from gongkai.publishing.models import Column, ColumnKind

pytestmark = pytest.mark.browser

TODAY = dt.date(2025, 6, 16)
ANSWER = "13579"


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_report_an_error_then_the_office_replies_and_reads_its_self_inspection(
        page, live_server, bureau, office, settings, tmp_path, axe_serious):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.INTERACTION_CAPTCHA_TEST_ANSWER = ANSWER
    at(TODAY)
    Column.objects.create(agency=bureau, name="空白栏目", kind=ColumnKind.STATIC)

    # The public: from the agency's home page, the footer's entry opens the form with the
    # page it was on filled in; the form at both widths.
    as_user(page, live_server, None)
    page.goto(f"/agencies/{bureau.code}/")
    page.get_by_role("link", name="我为政府网站找错").click()
    assert page.locator("#id_page_url").input_value() == f"/agencies/{bureau.code}/"
    for viewport in (PHONE, DESKTOP):
        width = viewport["width"]
        page.set_viewport_size(viewport)
        page.goto(f"/agencies/{bureau.code}/site-errors/new/?page=/agencies/{bureau.code}/")
        assert fits(page), f"the form overflows at {width} px"
        axe_serious(page)
    page.fill("#id_description", "“新闻动态”栏目中的附件无法下载。")
    page.fill("#id_contact", "13800138000")
    page.fill("#id_captcha", ANSWER)
    page.get_by_role("button", name="提交纠错").click()
    report = SiteErrorReport.objects.get()
    assert page.locator("#tracking-number").inner_text() == report.tracking_number
    axe_serious(page)

    # The office: the desk's queue, the report, the reply.
    as_user(page, live_server, office)
    page.goto("/staff/")
    page.get_by_role("link", name="待处理的网站纠错").first.click()
    page.get_by_role("link", name=report.tracking_number).click()
    page.fill("#id_reply-reply", "附件已重新上传，感谢指正。")
    page.get_by_role("button", name="保存处理结果").click()
    assert page.get_by_test_id("status").inner_text() == "已处理"

    # The self-inspection: run it now, read it, at both widths.
    page.goto(f"/staff/site-check/?agency={bureau.pk}")
    assert page.get_by_test_id("no-result").is_visible()
    page.get_by_role("button", name="立即检查").click()
    check = SiteCheck.objects.get(agency=bureau)
    assert page.get_by_test_id("score").inner_text() == str(check.score)
    assert "不合格（单项否决）" in page.get_by_test_id("verdict").inner_text()
    assert "首页不更新" in page.get_by_test_id("veto").inner_text()
    assert "我为政府网站找错" not in page.get_by_test_id("deductions").inner_text()  # the footer has it
    assert "空白栏目" in page.get_by_test_id("warnings").inner_text()
    assert TODAY.isoformat() in page.get_by_test_id("trend").inner_text()
    for viewport in (DESKTOP, PHONE):
        width = viewport["width"]
        page.set_viewport_size(viewport)
        page.reload()
        assert fits(page), f"the self-inspection page overflows at {width} px"
        axe_serious(page)
