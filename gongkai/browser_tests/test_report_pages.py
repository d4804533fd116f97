"""The annual report's pages in Chromium (issue 14, "Why"): the public page of a
published report never prints the office's internal source note ("注…：…为人工填报，来源：
…"), the back office's page prints it once; and a draft whose records changed after it
was computed says so, names the cells that moved (old → new) and does not vouch for them
("全部…项勾稽关系成立") until it is recomputed.

That a PDF is never printed without a CJK font is checked on the server, not in a
browser: gongkai/reports/tests/test_pdf_font.py."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from gongkai.browser_tests.helpers import signed_in
from gongkai.core.tests.helpers import at
from gongkai.reports.tests import test_services as report_fixtures

pytestmark = pytest.mark.browser

records = report_fixtures.records  # a year (2025) of the bureau's requests
report = report_fixtures.report  # its annual report, started on 2026-01-05

SOURCE = "财务科2025年收费台账"  # where ready_to_publish says the fee figure came from
NOTE = f"人工填报，来源：{SOURCE}"


def visible_text(page) -> str:
    return page.locator("main").inner_text()


def test_the_source_note_is_on_the_staff_page_once_and_never_on_the_public_page(
        page, live_server, report, office, leader):
    from gongkai.reports.tests.test_public_views import publish

    publish(report, office, leader)
    at(dt.date(2026, 1, 20))
    page.goto(reverse("portal:annual-report-detail", args=[report.agency.code, report.year]))
    text = visible_text(page)
    assert "行政事业性收费" in text and "1.25" in text  # the row and its figure are there
    assert SOURCE not in text and "人工填报" not in text and "来源" not in text
    assert not re.search(r"注\d", text)
    assert page.locator(".report-note-ref, .report-notes").count() == 0

    signed_in(page, live_server, office)
    page.goto(reverse("staff:report-detail", args=[report.pk]))
    text = visible_text(page)
    assert text.count(NOTE) == 1, text


def check_section(page) -> str:
    return page.locator("section", has=page.locator("#check-heading")).inner_text()


def test_a_draft_whose_records_moved_names_the_moved_cells_until_recomputed(
        page, live_server, report, bureau, office):
    from gongkai.reports import selectors

    signed_in(page, live_server, office)
    detail = reverse("staff:report-detail", args=[report.pk])
    page.goto(detail)
    assert page.get_by_test_id("moved-cells").count() == 0
    assert re.search(r"全部\d+项勾稽关系成立", check_section(page))

    report_fixtures.receive(bureau, office, dt.date(2025, 11, 3))  # registered late
    labels = {m.ref: m.label for m in selectors.moved_cells(report)}
    page.goto(detail)
    moved = page.get_by_test_id("moved-cells")
    assert moved.is_visible() and moved.get_attribute("role") == "alert"
    lines = moved.locator("li").all_inner_texts()
    assert len(lines) == len(labels) >= 2
    assert f"3/一/total {labels['3/一/total']}：3 → 4" in lines
    assert f"3/一/natural_person {labels['3/一/natural_person']}：2 → 3" in lines
    check = check_section(page)
    assert "办理记录已有变化，重新计算后才能确认" in check
    assert not re.search(r"全部\d+项勾稽关系成立", check), check

    at(dt.date(2026, 1, 6))
    page.get_by_role("button", name="按办理记录重新计算").click()
    page.wait_for_url(f"**{detail}")
    assert page.get_by_test_id("moved-cells").count() == 0
    assert re.search(r"全部\d+项勾稽关系成立", check_section(page))
    assert page.locator('td[data-ref="3/一/total"]').first.inner_text().startswith("4")
