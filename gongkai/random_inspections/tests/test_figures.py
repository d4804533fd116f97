"""The year's figures (seed 000's sentence, computed)."""

import datetime as dt

import pytest

from gongkai.random_inspections import figures
from gongkai.random_inspections.models import DrawStatus, InspectionMethod, Result, TaskStatus
from gongkai.random_inspections.services import results as services
from gongkai.random_inspections.tests.conftest import at
from gongkai.random_inspections.tests.test_results_support import make_matter, make_task, targets_of

D = dt.date


@pytest.fixture
def year(today, bureau, office, department, entities, inspectors, other_agency):
    """Two tasks of 2026 (one joint with the county bureau, one by documents only), one
    cancelled before its draw, and one of 2025."""
    joint = make_task(bureau, office, entities[:4], inspectors, number="A", joint=True, departments=[department],
                      partners=[other_agency])
    documents = make_task(bureau, office, entities[4:6], inspectors, number="B", plan=joint.plan,
                          matters=[make_matter(bureau, office, methods=[InspectionMethod.DOCUMENTS])])
    cancelled = make_task(bureau, office, entities[6:9], inspectors, number="C", plan=joint.plan,
                          status=TaskStatus.CANCELLED)
    cancelled.draws.update(status=DrawStatus.COMMITTED)  # cancelled before the draw
    make_task(bureau, office, entities[9:10], inspectors, number="Z", year=2025,
              starts_on=D(2025, 3, 2), ends_on=D(2025, 3, 31))
    a = targets_of(joint)
    on = D(2026, 5, 10)
    for target, code in zip(a, ["no_problem", "not_contactable", "refused", "deregistered"], strict=True):
        services.result_enter(actor=office, target=target, finding=code, inspected_on=on)
    b = targets_of(documents)
    services.result_enter(actor=office, target=b[0], finding="corrected", inspected_on=on)
    at(D(2026, 6, 30))  # the 2026-05-29 tasks were due on 29 June: publishing now is late
    services.results_publish(actor=office, task=joint)
    return joint, documents


def test_the_figures_count_the_tasks_carried_out_and_their_current_draws(year, bureau):
    f = figures.year_figures([bureau.pk], 2026)
    assert (f.tasks, f.joint_tasks) == (2, 1)
    assert f.entities_drawn == 6  # 4 + 2: the cancelled task's 3 and 2025's 1 are not counted
    assert f.inspections_done == 5
    assert (f.inspector_visits, f.inspectors) == (10, len(set(Result.objects.values_list(
        "target__inspectors__inspector_id", flat=True))))
    assert f.departments == 2  # the joint task's department and its partner agency
    assert f.on_site == 2  # no_problem, refused (on the premises, on-site matter); corrected was by documents
    assert (f.problems, f.not_contactable, f.refused, f.gone) == (3, 1, 1, 1)
    assert f.by_finding["deregistered"] == 1 and f.by_finding["revoked"] == 0
    assert f.published == 4
    # 4 published late + the documents task's published-never one and unentered one
    assert (f.published_late, f.tasks_late) == (6, 2)


def test_the_sentence_reads_like_the_report_of_seed_000(year, bureau):
    s = figures.year_figures([bureau.pk], 2026).sentence
    assert s.startswith("全年开展“双随机、一公开”抽查任务2项（其中联合抽查1项），共抽取6户市场主体，涉及2个部门，"
                        "出动执法人员10人次，完成检查5户，其中现场检查2户")
    assert "通过登记的住所（经营场所）无法联系1户" in s and "已注销或吊销1户" in s
    assert "超过20个工作日公示或逾期未公示6户" in s


def test_a_year_without_tasks_has_no_sentence(db, bureau):
    f = figures.year_figures([bureau.pk], 2024)
    assert f.tasks == 0 and f.sentence == ""


def test_nothing_is_late_before_the_due_date(today, bureau, office, entities, inspectors):
    make_task(bureau, office, entities[:2], inspectors)
    at(D(2026, 6, 29))
    assert figures.year_figures([bureau.pk], 2026).published_late == 0
    at(D(2026, 6, 30))
    assert figures.year_figures([bureau.pk], 2026).published_late == 2


def test_the_query_count_does_not_grow_with_tasks(year, bureau, office, entities, inspectors):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        figures.year_figures([bureau.pk], 2026)
    for n in range(5):
        make_task(bureau, office, entities[20 + n:21 + n], inspectors, number=f"X{n}", plan=year[0].plan)
    with CaptureQueriesContext(connection) as after:
        assert figures.year_figures([bureau.pk], 2026).tasks == 7
    assert len(after) == len(before) <= 10
