"""The hot-spot page in Chromium, on the demo's generated year of complaints: the demo
office signs in, opens 投诉举报热点, and every chart is drawn on its canvas (Chart.js,
fed from the page's json_script) beside its data table, with no console error; at a
1366 px desktop and a 390 px phone, the page no wider than the screen. Then the
supervising office (two-factor) sees the city's subtree summed."""

import datetime as dt

import pytest

from gongkai.browser_tests.helpers import DESKTOP, PHONE, fits_the_screen, sign_in
from gongkai.core.tests.helpers import at

pytestmark = pytest.mark.browser

TODAY = dt.date(2026, 3, 11)


@pytest.fixture
def demo_complaints(transactional_db, settings, tmp_path):
    from gongkai.core.demo import load_demo
    from gongkai.hotspots.demo import load_demo_complaints

    settings.MEDIA_ROOT = tmp_path / "media"
    at(TODAY)
    assert load_demo()
    assert load_demo_complaints() > 3000


def charts_drawn(page) -> None:
    """Every canvas drawn by Chart.js, beside a table with rows."""
    canvases = page.locator("canvas[data-chart]")
    count = canvases.count()
    assert count >= 6
    page.wait_for_function(
        "n => document.querySelectorAll('canvas[data-drawn=\"true\"]').length === n", arg=count)
    for i in range(count):
        box = canvases.nth(i).bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100
    assert page.locator("table.chart-table tbody tr").count() > count


def test_the_office_sees_the_charts_of_the_demo_year(page, demo_complaints, axe_serious, tmp_path):
    sign_in(page, "office")
    page.get_by_role("link", name="投诉举报热点").first.click()
    page.wait_for_url("**/staff/hotspots/")
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.reload()
        charts_drawn(page)
        fits_the_screen(page)
        assert "闭店" in page.get_by_test_id("emerging").inner_text()
        axe_serious(page)
        page.screenshot(path=str(tmp_path / f"hotspots-{name}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    page.goto("/staff/hotspots/?grain=M&sources=complaints")
    charts_drawn(page)


def test_the_supervising_office_sees_the_subtree(page, demo_complaints):
    sign_in(page, "supervisor")
    page.goto("/staff/hotspots/")
    assert "及下级" in page.locator("h1").inner_text()
    charts_drawn(page)
