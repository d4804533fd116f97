"""The compliance figures: each column against the areas' own rules, the sums at every
level of the tree, and a fixed number of queries whatever the number of agencies."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields

from gongkai.core.selectors import get_working_day_calendar
from gongkai.core.tests.factories import make_agency
from gongkai.foi import selectors as foi_selectors
from gongkai.oversight import compliance, rules, selectors
from gongkai.oversight.tests.conftest import TODAY, save_request
from gongkai.publishing.selectors.freshness import column_freshness
from gongkai.publishing.selectors.statistics import late_publications

D = dt.date


def test_each_column_of_the_bureau_counts_its_seeded_defects(seeded):
    tree = seeded["tree"]
    c = compliance.compliance_for(tree["city"])
    f = c.figures[tree["bureau"].pk]
    cal = get_working_day_calendar()
    assert (f.requests_open, f.requests_overdue) == (2, 1)
    assert (f.replied, f.replied_on_time) == (2, 1)
    assert f.reply_days == 6 + cal.working_days_between(D(2026, 1, 5), D(2026, 3, 2))
    assert f.publications_late == 1
    assert f.normative_uninterpreted == 1
    assert f.decisions_late == 1
    assert (f.columns_stale, f.columns_blank) == (1, 1)
    assert (f.reports_published, f.reports_on_time, f.report_missing) == (1, 1, 0)
    assert (f.messages_received, f.messages_finished, f.messages_unanswered) == (3, 2, 1)
    assert f.messages_finish_rate == 66.7
    assert f.on_time_rate == 50.0


def test_annual_report_deadline_is_the_agencys_own(seeded):
    tree = seeded["tree"]
    c = compliance.compliance_for(tree["city"])
    # A department publishing on 15 March is late (31 January) ...
    assert c.figures[tree["city"].pk].report_missing == 1
    assert c.status[tree["city"].pk].report_deadline == D(2026, 1, 31)
    # ... a county people's government without a report is missing after 31 March.
    assert c.status[tree["county"].pk].report_deadline == D(2026, 3, 31)
    assert c.status[tree["county"].pk].report_state == compliance.REPORT_NONE
    assert c.figures[tree["county"].pk].report_missing == 1
    assert c.status[tree["other"].pk].report_state == "draft"
    # Before 31 March the county's missing report is not yet late.
    early = compliance.compliance_for(tree["city"], as_of=D(2026, 3, 31))
    assert early.figures[tree["county"].pk].report_missing == 0
    assert early.figures[tree["other"].pk].report_missing == 1  # its deadline was 31 January


def test_overdue_counts_equal_the_request_lists(seeded, platform_admin):
    """The table's overdue figure is what the foi list's ?due=overdue filter finds."""
    tree = seeded["tree"]
    c = compliance.compliance_for(tree["province"])
    lines = {line.agency.pk: line.overdue for line in
             foi_selectors.request_deadline_counts(user=platform_admin, under=tree["province"])}
    for a in c.agencies:
        assert c.figures[a.pk].requests_overdue == lines.get(a.pk, 0), a.name
    assert sum(lines.values()) == 2


def test_late_publications_and_columns_equal_publishings_own_selectors(seeded):
    tree = seeded["tree"]
    bureau = tree["bureau"]
    c = compliance.compliance_for(tree["city"])
    assert c.figures[bureau.pk].publications_late == len(late_publications(agency_ids=[bureau.pk], year=2026))
    report = column_freshness(agency=bureau, today=TODAY)
    assert c.figures[bureau.pk].columns_stale == len(report.stale)
    assert c.figures[bureau.pk].columns_blank == len(report.blank)
    # In 2025 nothing was published late.
    assert compliance.compliance_for(tree["city"], year=2025).figures[bureau.pk].publications_late == 0
    # Every agency of the subtree (one freshness_report over all their columns) equals its own report.
    for agency in c.agencies:
        own = column_freshness(agency=agency, today=TODAY)
        assert (c.figures[agency.pk].columns_stale, c.figures[agency.pk].columns_blank) == (
            len(own.stale), len(own.blank)), agency.name


def test_add_sums_every_field():
    one = compliance.Figures(**{f.name: i + 1 for i, f in enumerate(fields(compliance.Figures))})
    total = compliance.Figures()
    total.add(one)
    total.add(one)
    assert {f.name: getattr(total, f.name) for f in fields(total)} == {
        f.name: 2 * (i + 1) for i, f in enumerate(fields(compliance.Figures))}


def _sum_of(c, agencies):
    total = compliance.Figures()
    for a in agencies:
        total.add(c.figures[a.pk])
    return total


def test_sums_are_right_at_every_level_of_the_tree(seeded, supervisor):
    tree = seeded["tree"]
    table = selectors.compliance_table(user=supervisor, root=tree["city"])
    c = compliance.compliance_for(tree["city"])
    subtotals = {row.agency.pk: row for row in table.rows if row.kind == "subtotal"}
    # city and county have agencies below them: each has a subtotal row.
    assert set(subtotals) == {tree["city"].pk, tree["county"].pk}
    for pk, row in subtotals.items():
        node = next(a for a in c.agencies if a.pk == pk)
        below = [a for a in c.agencies if a.path.startswith(node.path)]
        expected = _sum_of(c, below)
        for f in fields(compliance.Figures):
            assert getattr(row.figures, f.name) == getattr(expected, f.name), (node.name, f.name)
    # The root's total is the sum of every agency row, field by field.
    agency_rows = [row for row in table.rows if row.kind == "agency"]
    assert len(agency_rows) == 4
    for f in fields(compliance.Figures):
        assert getattr(table.total.figures, f.name) == sum(getattr(r.figures, f.name) for r in agency_rows)
    # Rates are recomputed from the summed numerators and denominators, not averaged:
    # bureau 1/2 on time, other 1/1 → 2/3 (66.7), not the mean of 50 and 100 (75).
    assert table.total.figures.on_time_rate == 66.7
    assert table.total.figures.requests_overdue == 2
    county_sub = subtotals[tree["county"].pk].figures
    assert (county_sub.requests_overdue, county_sub.replied, county_sub.report_missing) == (1, 1, 2)


def test_filters_sort_and_only_red(seeded, supervisor):
    tree = seeded["tree"]
    table = selectors.compliance_table(user=supervisor, root=tree["city"], q="市场监督")
    assert [r.agency.pk for r in table.rows] == [tree["bureau"].pk, tree["other"].pk]
    assert not table.tree
    assert table.total.figures.requests_overdue == 2  # the filtered rows' sum
    table = selectors.compliance_table(user=supervisor, root=tree["city"], level="county")
    assert {r.agency.pk for r in table.rows} == {tree["county"].pk, tree["other"].pk}
    table = selectors.compliance_table(user=supervisor, root=tree["city"], sort="columns_blank", desc=True)
    assert table.rows[0].agency.pk == tree["bureau"].pk
    assert all(r.kind == "agency" for r in table.rows)
    table = selectors.compliance_table(user=supervisor, root=tree["city"], only_red=True)
    assert all(r.red for r in table.rows)
    assert tree["bureau"].pk in {r.agency.pk for r in table.rows}


def test_marks_follow_the_thresholds(seeded, supervisor):
    tree = seeded["tree"]
    table = selectors.compliance_table(user=supervisor, root=tree["city"])
    bureau = next(r for r in table.rows if r.kind == "agency" and r.agency.pk == tree["bureau"].pk)
    marks = {c.key: c.mark for c in bureau.cells}
    assert marks["requests_overdue"] is rules.Mark.RED
    assert marks["on_time_rate"] is rules.Mark.RED  # 50 % < 90 %
    assert marks["publications_late"] is rules.Mark.AMBER  # 1: amber from 1, red from 5
    assert marks["requests_open"] is rules.Mark.NONE  # not a defect
    other = next(r for r in table.rows if r.kind == "agency" and r.agency.pk == tree["other"].pk)
    assert {c.key: c.mark for c in other.cells}["messages_finish_rate"] is rules.Mark.NONE  # nothing received
    assert rules.mark(None, rules.default_thresholds()["on_time_rate"]) is rules.Mark.NONE


def test_a_fixed_number_of_queries_whatever_the_number_of_agencies(seeded, count_queries):
    tree = seeded["tree"]
    _, few = count_queries(lambda: compliance.compliance_for(tree["city"]))
    for i in range(6):
        extra = make_agency(parent=tree["county"], name=f"新增机关{i}")
        save_request(extra, 1, received_on=D(2026, 2, 2))
        save_request(extra, 2, received_on=D(2026, 3, 2), closed_on=D(2026, 3, 4))
    c, many = count_queries(lambda: compliance.compliance_for(tree["city"]))
    assert len(c.agencies) == 10
    assert many == few
    assert c.subtree_totals()[tree["city"].pk].requests_overdue == 8


def test_fast_path_agrees_with_the_rule(seeded):
    """A receipt-only history is memoised and must give the rule's own answer."""
    memo = compliance._DeadlineMemo(get_working_day_calendar())
    from gongkai.foi import deadlines
    start = D(2025, 12, 1)
    checked = set()
    for offset in range(0, 120):  # across the new year, the Spring Festival, weekends
        as_of = start + dt.timedelta(days=offset)
        for received in (start, start + dt.timedelta(days=offset // 2), as_of):
            events = [deadlines.ClockEvent(deadlines.ClockEventKind.RECEIVED, received)]
            d = deadlines.reply_deadline(events, as_of=as_of, calendar=get_working_day_calendar())
            assert memo.overdue_and_days(events, as_of) == (d.overdue, d.days_used), (received, as_of)
            checked.add(d.overdue)
    assert checked == {True, False}


def test_columns_with_only_old_items_count_as_their_real_dates_would(seeded):
    """The table reads each column's kept newest date: a column last updated two years ago
    is still stale (a notice column) or neither stale nor blank (a static one), exactly as
    the agency's own catalogue (the dates counted from the items) finds it."""
    from gongkai.core.models import Agency
    from gongkai.core.tests.factories import UserFactory
    from gongkai.oversight.tests import records as r
    from gongkai.publishing.models import ColumnKind
    from gongkai.publishing.selectors.catalogue import columns_with_counts
    from gongkai.publishing.selectors.freshness import freshness_report

    tree = seeded["tree"]
    other = tree["other"]
    user = UserFactory(username="old-writer")
    notice = r.column(other, "旧通知", ColumnKind.NOTICE)
    static = r.column(other, "机构概况", ColumnKind.STATIC)
    child = r.column(other, "子栏目", ColumnKind.DYNAMIC)
    for c in (notice, static):
        c.save()
    child.parent = static
    child.save()
    for n, c in ((1, notice), (2, static), (3, child)):
        p = r.publication(other, 100 + n, written_on=D(2024, 5, 1), published_on=D(2024, 5, 1), user=user)
        p.save()
        p.columns.add(c)
    kept = compliance.columns_of_subtree(tree["city"].path)
    for agency in Agency.objects.filter(path__startswith=tree["city"].path):
        counted = columns_with_counts(agency, TODAY.year)
        assert [(c.pk, c.own_last_on) for c in kept.get(agency.pk, [])] == [(c.pk, c.own_last_on) for c in counted]
        a, b = freshness_report(kept.get(agency.pk, []), today=TODAY), freshness_report(counted, today=TODAY)
        assert [c.column.pk for c in a.stale] == [c.column.pk for c in b.stale]
        assert [c.column.pk for c in a.blank] == [c.column.pk for c in b.blank]
    assert {c.pk: c.own_last_on for c in kept[other.pk]}[notice.pk] == D(2024, 5, 1)
    f = compliance.compliance_for(tree["city"]).figures[other.pk]
    assert (f.columns_stale, f.columns_blank) == (2, 0)  # the notice column and the dynamic child


def test_a_paused_or_extended_clock_goes_through_the_rule(seeded, platform_admin):
    """Histories other than a bare receipt are replayed by ``foi.deadlines``: the table
    still counts what the request list counts."""
    from gongkai.foi.models import FoiEvent
    from gongkai.foi.workflow import Action, RequestStatus
    from gongkai.oversight.tests.records import noon

    tree = seeded["tree"]
    bureau = tree["bureau"]
    paused = save_request(bureau, 20, received_on=D(2026, 4, 1))
    FoiEvent.objects.create(request=paused, action=Action.START_CONSULTATION, from_status=RequestStatus.IN_PROGRESS,
                            to_status=RequestStatus.CONSULTING, at=noon(D(2026, 4, 2)), on=D(2026, 4, 2),
                            data={"party_kind": "third_party", "consultation_id": 1, "party": "某公司"})
    extended = save_request(bureau, 21, received_on=D(2026, 5, 6))
    FoiEvent.objects.create(request=extended, action=Action.EXTEND, from_status=RequestStatus.IN_PROGRESS,
                            to_status=RequestStatus.IN_PROGRESS, at=noon(D(2026, 5, 20)), on=D(2026, 5, 20),
                            data={"days": 20})
    c = compliance.compliance_for(tree["city"])
    lines = {line.agency.pk: line.overdue for line in
             foi_selectors.request_deadline_counts(user=platform_admin, under=tree["city"])}
    assert c.figures[bureau.pk].requests_overdue == lines[bureau.pk] == 1  # only the seeded one
    assert c.figures[bureau.pk].requests_open == 4


def test_row_html_says_the_mark_in_words_and_escapes_its_links(seeded, supervisor):
    tree = seeded["tree"]
    table = selectors.compliance_table(user=supervisor, root=tree["city"])
    bureau = next(r for r in table.rows if r.kind == "agency" and r.agency.pk == tree["bureau"].pk)
    html = str(bureau.cells_html)
    assert html.count("<td") == len(rules.COLUMNS)
    overdue = html.split('data-col="requests_overdue"')[1].split("</td>")[0]
    assert f"?due=overdue&amp;agency={bureau.agency.pk}" in overdue and '<span class="mk">预警</span>' in overdue
    # Sorting by a column uses the same value the cell shows.
    assert [c.value for c in bureau.cells] == [getattr(bureau.figures, k) for k in rules.COLUMN_KEYS]
    subtotal = next(r for r in table.rows if r.kind == "subtotal")
    assert 'class="mk"' not in str(subtotal.cells_html)  # sums are not marked
    assert 'class="mk"' not in str(table.total.cells_html)


def test_the_cycle_collector_is_on_again_after_the_table(seeded, supervisor, client_for):
    import gc

    tree = seeded["tree"]
    assert gc.isenabled()
    selectors.compliance_table(user=supervisor, root=tree["city"])
    assert gc.isenabled()
    assert client_for(supervisor).get("/staff/oversight/").status_code == 200
    assert gc.isenabled()
    gc.disable()
    try:
        selectors.compliance_table(user=supervisor, root=tree["city"])
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()
