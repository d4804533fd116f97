"""The public checker (年报体检) in Chromium: a visitor uploads a report whose (七)总计 does
not add up and sees the national format's tables with that cell outlined in red and
marked by a symbol and a number (not by colour alone) that leads to the rule in Chinese;
pasting the same text gives the same. At a 1366 px desktop and a 390 px phone the page is
no wider than the screen (the tables scroll inside their own region) and axe finds no
WCAG 2 A/AA violation."""

import datetime as dt

import pytest
from django.urls import reverse

from gongkai.browser_tests.helpers import DESKTOP, PHONE
from gongkai.core.tests.helpers import at
from gongkai.reports.formats import cell_ref
from gongkai.reports.tests.fixtures.sample_reports import alter_2020, report_2020_text

pytestmark = pytest.mark.browser

AGENCY = "青岚市市场监督管理局"
TOTAL_NATURAL = cell_ref("3", "三.七", "natural_person")  # 表三「(七)总计」×「自然人」
RULE = "（七）总计等于（一）至（六）各项之和（分组只计各分项）（自然人）：应为 0，实为 2"


def broken_report() -> str:
    text = f"{AGENCY}2020年政府信息公开工作年度报告\n{report_2020_text()}"
    return alter_2020(line_starts="(七)", column=0, value="2", text=text)


def assert_marked(page) -> None:
    cell = page.locator(f'td[data-ref="{TOTAL_NATURAL}"]')
    assert cell.get_attribute("data-mark") == "broken"
    # a red outline (an inset box shadow) …
    shadow = cell.evaluate("td => getComputedStyle(td).boxShadow")
    assert "rgb(192, 0, 0)" in shadow and "inset" in shadow, shadow
    # … and a visible symbol with the problem's number, which leads to the rule
    marker = cell.locator("a.pc-mark").first
    assert marker.inner_text().startswith("✗")
    marker.click()
    target = page.locator(":target")
    assert RULE in target.inner_text()


def test_upload_a_report_and_see_the_broken_cell_marked(page, live_server, tmp_path, axe):
    at(dt.date(2026, 3, 2))
    path = tmp_path / "青岚2020.txt"
    path.write_text(broken_report(), encoding="utf-8")
    url = reverse("portal:annual-report-check")
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        page.goto(url)
        axe(page)
        page.set_input_files("#id_files", str(path))
        page.get_by_role("button", name="开始体检").click()
        page.get_by_test_id("checker-results").wait_for()
        assert page.get_by_test_id("checker-agency").inner_text() == AGENCY
        assert page.get_by_test_id("checker-year").inner_text() == "2020"
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        axe(page)
        page.screenshot(path=str(tmp_path / f"public-checker-{size['width']}.png"), full_page=True)
        assert_marked(page)


def test_paste_text_and_see_the_same(page, live_server, tmp_path, axe):
    at(dt.date(2026, 3, 2))
    page.set_viewport_size(DESKTOP)
    page.goto(reverse("portal:annual-report-check"))
    page.fill("#id_text", broken_report())
    page.get_by_role("button", name="开始体检").click()
    page.get_by_test_id("checker-results").wait_for()
    assert "粘贴的文字" in page.get_by_test_id("checker-results").inner_text()
    assert_marked(page)


def test_too_many_files_are_refused_in_chinese(page, live_server, tmp_path):
    at(dt.date(2026, 3, 2))
    paths = []
    for i in range(6):
        path = tmp_path / f"{i}.txt"
        path.write_text(broken_report(), encoding="utf-8")
        paths.append(str(path))
    page.goto(reverse("portal:annual-report-check"))
    page.set_input_files("#id_files", paths)
    page.get_by_role("button", name="开始体检").click()
    alert = page.get_by_role("alert")
    assert "一次最多检查5份报告，本次选择了6个文件" in alert.inner_text()
