"""A report whose records changed since its tables were computed says so, names the cells
that moved (old → new) until it is recomputed, and "全部N项勾稽关系成立" is shown only
for the figures it was checked on."""

import datetime as dt

from django.urls import reverse

from gongkai.core.tests.helpers import at
from gongkai.reports import selectors, services
from gongkai.reports.tests import test_services as base

records = base.records
report = base.report


def page(client, report) -> str:
    return client.get(reverse("staff:report-detail", args=[report.pk])).content.decode()


def test_a_fresh_report_has_no_moved_cells(report):
    assert selectors.moved_cells(report) == []


def test_records_entered_after_the_computation_are_named_until_recomputed(
        report, office, bureau, client_for):
    client = client_for(office)
    assert 'data-testid="moved-cells"' not in page(client, report)
    assert "项勾稽关系成立" in page(client, report)  # the live check on the computed figures

    base.receive(bureau, office, dt.date(2025, 11, 3))  # a request registered late
    moved = {m.ref: (m.old, m.new) for m in selectors.moved_cells(report)}
    assert moved["3/一/total"] == (3, 4)
    assert moved["3/一/natural_person"] == (2, 3)
    html = page(client, report)
    assert 'data-testid="moved-cells"' in html
    assert "3/一/total" in html and "3 → 4" in html
    assert "全部" not in html.split('id="check-heading"', 1)[1].split("</section>", 1)[0]

    at(dt.date(2026, 1, 6))
    services.report_recompute(actor=office, report=report)
    report.refresh_from_db()
    assert selectors.moved_cells(report) == []
    html = page(client, report)
    assert 'data-testid="moved-cells"' not in html and "项勾稽关系成立" in html


def test_a_recorded_check_is_vouched_for_only_on_its_own_figures(
        report, office, leader, bureau, client_for):
    base.ready_to_publish(report, office, leader, sign_off=False)
    client = client_for(office)
    html = page(client, report)
    assert "提交时核对" in html and "项勾稽关系成立" in html
    assert report.check_result["cells_digest"] == selectors.cells_digest(selectors.report_cells(report))

    base.receive(bureau, office, dt.date(2025, 12, 30))  # the records move after submission
    html = page(client, report)
    assert 'data-testid="moved-cells"' in html and "须退回后重新计算" in html
    assert 'data-testid="recorded-stale"' in html
    check = html.split('id="check-heading"', 1)[1].split("</section>", 1)[0]
    assert "项勾稽关系成立" not in check


def test_a_published_report_reads_its_frozen_figures(report, office, leader, bureau, client_for):
    base.ready_to_publish(report, office, leader)
    services.report_publish(actor=office, report=report)
    report.refresh_from_db()
    base.receive(bureau, office, dt.date(2025, 12, 30))
    assert selectors.moved_cells(report) == []  # the published version never moves
    html = page(client_for(office), report)
    assert 'data-testid="moved-cells"' not in html and "项勾稽关系成立" in html
