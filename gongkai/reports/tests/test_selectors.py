"""Reads of annual reports: who sees which, the document the renderers print, last
year's cells, the supervising office's view."""

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404

from gongkai.core.models import Role
from gongkai.core.tests.factories import UserFactory, member
from gongkai.core.tests.helpers import at
from gongkai.reports import selectors, services
from gongkai.reports.tests import test_services as base
from gongkai.reports.tests.test_services import FEES, ready_to_publish, receive

records = base.records
report = base.report


@pytest.fixture
def other_report(other_agency, other_office):
    receive(other_agency, other_office, dt.date(2025, 5, 6))
    at(dt.date(2026, 1, 5))
    return services.report_start(actor=other_office, agency=other_agency, year=2025)


@pytest.mark.parametrize("who, sees", [
    ("office", {"bureau"}), ("officer", {"bureau"}), ("leader", {"bureau"}), ("reviewer", {"bureau"}),
    ("supervisor", {"bureau", "other"}), ("other_office", {"other"}),
    ("platform_admin", {"bureau", "other"}),
])
def test_reports_visible_to_each_role(request, report, other_report, who, sees):
    user = request.getfixturevalue(who)
    names = {r.pk for r in selectors.reports_for_user(user=user)}
    expected = {"bureau": report.pk, "other": other_report.pk}
    assert names == {expected[s] for s in sees}


def test_a_foreign_report_and_a_missing_one_are_the_same_404(report, other_office):
    with pytest.raises(Http404) as foreign:
        selectors.report_get_for_user(user=other_office, pk=report.pk)
    with pytest.raises(Http404) as missing:
        selectors.report_get_for_user(user=other_office, pk=report.pk + 1000)
    assert str(foreign.value) == str(missing.value)


def test_a_supervisor_above_another_branch_sees_nothing(report, tree):
    county_supervisor = member(UserFactory(), tree["county"], Role.SUPERVISOR)
    assert not selectors.reports_for_user(user=county_supervisor).exists()


def test_the_draft_document_carries_typed_figures_and_their_sources(report, office):
    services.report_figure_set(actor=office, report=report, ref=FEES, value="0.35", source="财务科台账")
    services.report_prose_update(actor=office, report=report, overview="总体情况一段。")
    report.refresh_from_db()
    doc = selectors.build_document(report)
    assert doc.draft and doc.title == "测试市市场监督管理局2025年政府信息公开工作年度报告（草稿）"
    assert doc.cells[FEES] == Decimal("0.35") and doc.cells["3/一/total"] == 3
    assert doc.manual_sources == {FEES: "财务科台账"}
    assert doc.prose["overview"] == "总体情况一段。" and doc.published_on is None
    with pytest.raises(Http404):
        selectors.build_document(report, published=True)


def test_the_published_document_is_the_frozen_version(report, office, leader):
    ready_to_publish(report, office, leader)
    services.report_publish(actor=office, report=report)
    report.refresh_from_db()
    services.report_correct(actor=office, report=report, reason="更正")
    services.report_prose_update(actor=office, report=report, overview="更正中的新文字")
    report.refresh_from_db()
    published = selectors.build_document(report, published=True)
    draft = selectors.build_document(report)
    assert published.prose["overview"] == base.PROSE["overview"] and published.published_on == dt.date(2026, 1, 10)
    assert not published.draft and "草稿" not in published.title
    assert draft.prose["overview"] == "更正中的新文字" and draft.draft


def test_previous_cells_prefer_the_published_version(report, bureau, office, leader):
    assert selectors.previous_cells(report) is None
    at(dt.date(2025, 2, 3))
    last = services.report_start(actor=office, agency=bureau, year=2024)
    assert selectors.previous_cells(report)["3/四/total"] == 0  # the draft's current cells
    ready_to_publish(last, office, leader, fees="0")
    services.report_publish(actor=office, report=last)
    receive(bureau, office, dt.date(2024, 12, 30))  # a later change to 2024's records
    assert selectors.previous_cells(report)["3/四/total"] == 0  # still what was published


def test_supervision_lists_every_agency_and_sums_the_subtree(report, other_report, supervisor, tree):
    view = selectors.supervision(user=supervisor, root=tree["city"], year=2025)
    rows = {row.agency.name: row for row in view.rows}
    assert list(rows) == ["测试市人民政府办公室", "测试市市场监督管理局", "测试县人民政府办公室", "测试县市场监督管理局"]
    assert rows["测试市市场监督管理局"].state_label == "编制中"
    assert rows["测试市人民政府办公室"].report is None and rows["测试市人民政府办公室"].state_label == "未创建"
    # neither report is published: nothing in the summed tables, both in the drafts' sum apart
    assert view.cells["3/一/total"] is None
    assert view.draft_cells["3/一/total"] == 4  # three in the bureau, one in the county bureau
    assert FEES in view.manual_refs and FEES in view.draft_manual_refs


def test_supervision_outside_ones_scope_is_a_404(supervisor, tree, db):
    with pytest.raises(Http404):
        selectors.supervision(user=supervisor, root=tree["province"], year=2025)


def test_supervision_of_a_published_report_shows_its_date_and_violations(
        report, office, leader, supervisor, tree):
    ready_to_publish(report, office, leader)
    services.report_publish(actor=office, report=report)
    view = selectors.supervision(user=supervisor, root=tree["city"], year=2025)
    row = next(r for r in view.rows if r.agency == tree["bureau"])
    assert (row.state_label, row.published_on, row.violations) == ("已发布", dt.date(2026, 1, 10), 0)
    assert view.published_count == 1
