"""The compliance table in Chromium: a supervising office signs in and finds, each in one
click from the table, a seeded overdue request, a late publication, a stale column and a
missing annual report; on a 1366 px desktop and a 390 px phone (the page no wider than
the screen: the table scrolls inside its own box), the marks said in words."""

from __future__ import annotations

import pytest

from gongkai.browser_tests.helpers import DESKTOP, PHONE, sign_in
from gongkai.core.tests.factories import TEST_PASSWORD
from gongkai.oversight.tests.conftest import seeded, today  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def cell_link(page, agency, key: str):
    return page.locator(f'tr[data-testid="row-agency"][data-agency="{agency.pk}"] td[data-col="{key}"] a')


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_supervisor_finds_each_seeded_defect_in_one_click(page, seeded, supervisor, viewport):  # noqa: F811
    tree = seeded["tree"]
    bureau, county = tree["bureau"], tree["county"]
    page.set_viewport_size(viewport)
    sign_in(page, "supervisor", TEST_PASSWORD)
    # The navigation leads to the table.
    page.get_by_role("link", name="政务公开监督").first.click()
    page.wait_for_url("**/staff/oversight/")
    size = page.evaluate("() => ({width: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert size["width"] <= size["inner"], size
    overdue_cell = page.locator(f'tr[data-testid="row-agency"][data-agency="{bureau.pk}"] td[data-col="requests_overdue"]')
    assert "预警" in overdue_cell.inner_text()  # the mark in words, not colour only

    targets = [
        (bureau, "requests_overdue", seeded["overdue"].tracking_number),
        (bureau, "publications_late", seeded["late_publication"].index_number),
        (bureau, "columns_stale", seeded["stale_column"].name),
        (county, "report_missing", "逾期未发布"),
    ]
    for agency, key, expected in targets:
        page.goto("/staff/oversight/")
        link = cell_link(page, agency, key)
        link.scroll_into_view_if_needed()
        with page.expect_navigation():
            link.click()
        body = page.locator("main").inner_text()
        assert expected in body, (key, page.url)
        if key == "report_missing":
            assert county.name in body
        size = page.evaluate("() => ({width: document.documentElement.scrollWidth, inner: window.innerWidth})")
        assert size["width"] <= size["inner"], (key, size)
