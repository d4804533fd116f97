"""The channels pages in Chromium, on the demo's three accounts: the demo office signs in,
opens 政务新媒体, finds the stale Douyin account flagged, types a correction in the month
grid, and sees the year's charts drawn (Chart.js, fed from the page's json_script) beside
their tables, with no console error; at a 1366 px desktop and a 390 px phone, each page no
wider than the screen and without serious accessibility violations. The supervising
office finds the same account from its desk."""

import datetime as dt

import pytest

from gongkai.browser_tests.helpers import DESKTOP, PHONE, fits_the_screen, sign_in
from gongkai.core.tests.helpers import at

pytestmark = pytest.mark.browser

TODAY = dt.date(2026, 3, 11)


@pytest.fixture
def demo_channels(transactional_db):
    from gongkai.channels.demo import load_demo_channels
    from gongkai.core.demo import load_demo

    at(TODAY)
    assert load_demo()
    assert load_demo_channels() == 36


def test_the_office_finds_the_stale_account_corrects_a_month_and_sees_the_charts(
        page, demo_channels, axe_serious, tmp_path):
    sign_in(page, "office")
    assert page.get_by_text("未按时更新的政务新媒体账号").count() >= 1
    page.get_by_role("link", name="政务新媒体").first.click()
    page.wait_for_url("**/staff/channels/**")
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.reload()
        flags = page.get_by_test_id("flags").inner_text()
        assert "1个账号未按时更新" in flags and "20天未更新" in flags
        fits_the_screen(page)
        axe_serious(page)
        page.screenshot(path=str(tmp_path / f"channels-list-{name}.png"), full_page=True)

    page.set_viewport_size(DESKTOP)
    with page.expect_navigation():
        page.get_by_role("link", name="月度数据").first.click()
    assert page.locator("[data-testid=grid-row]").count() == 3
    first = page.locator("[data-testid=grid-row]").first.locator("input[type=number]").first
    first.fill("77")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    assert "更正1个" in page.locator(".messages, [role=status], main").first.inner_text()
    page.set_viewport_size(PHONE)
    fits_the_screen(page)
    axe_serious(page)

    page.set_viewport_size(DESKTOP)
    with page.expect_navigation():
        page.get_by_role("link", name="年度统计").first.click()
    page.select_option("#id_year", str(TODAY.year - 1))
    # Each click waits for its page: a reload fired while the form's navigation is still
    # under way finds no page attached (the CI run of 2026-12-07).
    with page.expect_navigation():
        page.get_by_role("button", name="查看").last.click()
    page.wait_for_url(f"**year={TODAY.year - 1}**")
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.reload()
        canvases = page.locator("canvas[data-chart]")
        assert canvases.count() == 4
        page.wait_for_function(
            "n => document.querySelectorAll('canvas[data-drawn=\"true\"]').length === n", arg=4)
        for i in range(4):
            box = canvases.nth(i).bounding_box()
            assert box and box["width"] > 100 and box["height"] > 100
        assert "政务微信公众号" in page.get_by_test_id("sentence").inner_text()
        fits_the_screen(page)
        axe_serious(page)
        page.screenshot(path=str(tmp_path / f"channels-figures-{name}.png"), full_page=True)


def test_the_supervising_office_reaches_the_stale_account_from_its_desk(page, demo_channels, axe_serious):
    sign_in(page, "supervisor")
    queue = page.locator("[data-queue='channels.subtree_stale']")
    assert "1" in queue.inner_text()
    queue.get_by_role("link", name="青岚市市场监督管理局").click()
    assert "1个账号未按时更新" in page.get_by_test_id("flags").inner_text()
    assert page.get_by_test_id("add-account").count() == 0
    # The subtree's list (the queue's own link), on a phone.
    page.goto("/staff/")
    page.set_viewport_size(PHONE)
    page.locator("[data-queue='channels.subtree_stale'] a").first.click()
    page.wait_for_url("**/staff/channels/**")
    assert page.locator("[data-testid=stale-row]").count() == 1
    assert "20天" in page.locator("[data-testid=stale-row]").inner_text()
    fits_the_screen(page)
    axe_serious(page)
