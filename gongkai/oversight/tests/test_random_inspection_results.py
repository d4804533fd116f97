"""The compliance table's "双随机结果逾期" column: per agency, the random-inspection tasks of
the year whose results were published late or are overdue (国发〔2019〕5号: 20 working days
after the task's end), summed at every level, listed by its drill-down, counted in a fixed
number of queries."""

from __future__ import annotations

import datetime as dt

import pytest

from gongkai.core.tests.factories import make_agency
from gongkai.oversight import compliance, rules, selectors
from gongkai.random_inspections.services import results as ri_results
from gongkai.random_inspections.tests.conftest import at, make_entities, make_inspectors
from gongkai.random_inspections.tests.test_results_support import make_task, targets_of

D = dt.date


END = D(2026, 5, 8)


def _task(agency, user, number, *, start, ends_on=END, plan=None):
    entities = make_entities(agency, 2, start=start)
    inspectors = make_inspectors(agency, 3, start=start)
    return make_task(agency, user, entities, inspectors, number=number, ends_on=ends_on, plan=plan)


@pytest.fixture
def inspected(tree, office, other_office):
    """The bureau: one task published late, one on time, one not yet due; the county
    bureau (other): one overdue with nothing published. Tasks end 8 May: due 4 June (Saturday
    9 May is a make-up working day)."""
    at(D(2026, 6, 1))
    bureau, other = tree["bureau"], tree["other"]
    late = _task(bureau, office, "late", start=0)
    on_time = _task(bureau, office, "on-time", start=10, plan=late.plan)
    _task(bureau, office, "not-due", start=20, ends_on=D(2026, 6, 12), plan=late.plan)
    overdue = _task(other, other_office, "overdue", start=30)
    for target in targets_of(on_time) + targets_of(late):
        ri_results.result_enter(actor=office, target=target, finding="no_problem", inspected_on=D(2026, 5, 6))
    ri_results.results_publish(actor=office, task=on_time)
    at(D(2026, 6, 8))  # past 4 June
    ri_results.results_publish(actor=office, task=late)
    at(D(2026, 6, 15))
    return {"late": late, "on_time": on_time, "overdue": overdue}


def test_each_agency_counts_its_late_tasks_and_the_tree_sums_them(inspected, tree):
    c = compliance.compliance_for(tree["city"])
    assert c.figures[tree["bureau"].pk].ri_results_late == 1
    assert c.figures[tree["other"].pk].ri_results_late == 1
    totals = c.subtree_totals()
    assert totals[tree["county"].pk].ri_results_late == 1
    assert totals[tree["city"].pk].ri_results_late == 2


def test_nothing_is_late_before_the_due_date(inspected, tree):
    c = compliance.compliance_for(tree["city"], as_of=D(2026, 6, 4))
    # the late task's results were published on 8 June: after 4 June, late whatever the day asked
    assert c.figures[tree["bureau"].pk].ri_results_late == 1
    assert c.figures[tree["other"].pk].ri_results_late == 0


def test_the_column_is_marked_by_its_thresholds(inspected, tree, supervisor):
    threshold = rules.default_thresholds()["ri_results_late"]
    assert rules.mark(1, threshold) is rules.Mark.AMBER
    assert rules.mark(3, threshold) is rules.Mark.RED
    assert rules.mark(0, threshold) is rules.Mark.GREEN
    table = selectors.compliance_table(user=supervisor, root=tree["city"])
    bureau_row = next(r for r in table.rows if r.kind == "agency" and r.agency.pk == tree["bureau"].pk)
    assert {c.key: c.mark for c in bureau_row.cells}["ri_results_late"] is rules.Mark.AMBER


def test_the_drilldown_lists_the_late_tasks(inspected, tree, supervisor, client_for):
    client = client_for(supervisor)
    html = client.get(selectors.drilldown_url(tree["bureau"].pk, "ri_results_late", 2026)).content.decode()
    assert ">late<" in html and "on-time" not in html and "not-due" not in html
    html = client.get(selectors.drilldown_url(tree["city"].pk, "ri_results_late", 2026,
                                              subtree=True)).content.decode()
    assert ">late<" in html and ">overdue<" in html


def test_the_column_costs_the_same_queries_whatever_the_number_of_agencies_and_tasks(inspected, tree, office):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        compliance.compliance_for(tree["city"])
    for i in range(3):
        extra = make_agency(parent=tree["county"], name=f"新增市场监管所{i}")
        _task(extra, office, f"x{i}", start=100 + 10 * i)
    with CaptureQueriesContext(connection) as after:
        c = compliance.compliance_for(tree["city"])
    assert len(after) == len(before)
    assert c.subtree_totals()[tree["city"].pk].ri_results_late == 5
