"""The drafted overview states the year's random inspections (双随机、一公开) from their
records (``random_inspections.figures``); an agency that carried out no task gets no
sentence."""

import datetime as dt

import pytest

from gongkai.core.tests.helpers import at
from gongkai.random_inspections.services import results as ri_results
from gongkai.random_inspections.tests.conftest import make_entities, make_inspectors
from gongkai.random_inspections.tests.test_results_support import make_task, targets_of
from gongkai.reports.drafting import draft_prose, random_inspections_text
from gongkai.reports.formats import get_format
from gongkai.reports.tests.test_drafting import zero_cells

pytestmark = pytest.mark.django_db
F2026 = get_format("2021")


def overview(agency, year, *, agency_ids=None):
    return draft_prose(fmt=F2026, agency=agency, year=year, cells=zero_cells(F2026),
                       agency_ids=agency_ids)["overview"]


@pytest.fixture
def inspected(bureau, office):
    at(dt.date(2026, 6, 15))
    entities = make_entities(bureau, 3)
    inspectors = make_inspectors(bureau, 4)
    task = make_task(bureau, office, entities, inspectors)
    for target, code in zip(targets_of(task), ["no_problem", "not_contactable", "revoked"], strict=True):
        ri_results.result_enter(actor=office, target=target, finding=code, inspected_on=dt.date(2026, 5, 12))
    ri_results.results_publish(actor=office, task=task)
    return task


def test_the_years_random_inspections_are_a_paragraph_of_the_overview(inspected, bureau):
    at(dt.date(2027, 1, 10))
    [line] = [line for line in overview(bureau, 2026).splitlines() if "双随机" in line]
    assert line.startswith("全年开展“双随机、一公开”抽查任务1项，共抽取3户市场主体，涉及1个部门，出动执法人员6人次，"
                           "完成检查3户，其中现场检查1户")
    assert "通过登记的住所（经营场所）无法联系1户" in line and "已注销或吊销1户" in line
    assert "向社会公示抽查结果3户。" in line


def test_an_agency_without_tasks_gets_no_sentence(inspected, bureau, other_agency):
    at(dt.date(2027, 1, 10))
    assert random_inspections_text(other_agency, [other_agency.pk], 2026) == ""
    assert random_inspections_text(bureau, [bureau.pk], 2025) == ""
    assert "双随机" not in overview(other_agency, 2026)


def test_a_summed_report_counts_every_agency_summed(inspected, bureau, other_agency):
    at(dt.date(2027, 1, 10))
    assert "共抽取3户" in random_inspections_text(bureau, [bureau.pk, other_agency.pk], 2026)
