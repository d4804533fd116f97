"""The draw's inputs read from the directories at commit: the filter's candidates with
their strata, the pool of inspectors (departments, partner agencies, active only), the
exclusions from declared conflicts and from the previous inspection (whichever agency led
it, when its pool shared an inspector with this task's), and a fixed number of queries
whatever the directory's size."""

import pytest

from gongkai.core import clock
from gongkai.core.tests.factories import DepartmentFactory
from gongkai.random_inspections import draw as draw_module
from gongkai.random_inspections import snapshot
from gongkai.random_inspections.models import Entity, Inspector, InspectorConflict, SeedMode
from gongkai.random_inspections.services import tasks as services
from gongkai.random_inspections.tests.conftest import make_entities, make_inspectors, uscc
from gongkai.random_inspections.tests.test_tasks_services import (
    later,
    make_plan,
    make_task,
    publish_matters,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(today, bureau, office):
    return make_plan(office, bureau)


@pytest.fixture
def matters(today, bureau, office):
    return publish_matters(bureau, office)


def codes_of(snap) -> list[str]:
    return [c.credit_code for c in draw_module.parse_candidates(snap.candidates)]


def test_the_filter_selects_active_entities_with_their_risk_grade_as_stratum(plan, matters, office, entities,
                                                                             inspectors, bureau, other_agency):
    make_entities(other_agency, 5, start=500)  # another agency's directory is never read
    Entity.objects.filter(credit_code=uscc(0)).update(is_active=False)
    task = make_task(office, plan, matters, target_filter={"region": ["和平区"], "risk_grade": ["高", "中"]})
    snap = snapshot.take(task)
    expected = sorted(e.credit_code for e in Entity.objects.filter(
        agency=bureau, is_active=True, region="和平区", risk_grade__in=["高", "中"]))
    assert codes_of(snap) == expected and snap.candidate_count == len(expected) > 0
    assert snap.strata == {"高": len(expected)}  # region rotation puts 和平区 on 高 only
    rows = draw_module.parse_candidates(snap.candidates)
    assert all(r.region == "和平区" and r.grid.startswith("和平区") for r in rows)
    assert not snap.problems


def test_the_pool_is_the_tasks_departments_and_partner_agencies_active_inspectors(plan, matters, office, bureau,
                                                                                  other_agency, entities):
    food = DepartmentFactory(agency=bureau, name="食品科")
    quality = DepartmentFactory(agency=bureau, name="质量科")
    make_inspectors(bureau, 3, department=food)
    make_inspectors(bureau, 4, department=quality, start=10)
    make_inspectors(other_agency, 2, start=20)
    Inspector.objects.filter(certificate_number="12010000002").update(is_active=False)
    task = make_task(office, plan, matters, departments=[food], partner_agencies=[other_agency])
    snap = snapshot.take(task)
    certs = [i.certificate for i in draw_module.parse_inspectors(snap.inspectors)]
    assert certs == ["12010000000", "12010000001", "12010000020", "12010000021"]
    everyone = make_task(office, plan, matters, number="002")
    assert snapshot.take(everyone).inspector_count == 6  # all the bureau's active ones


def test_declared_conflicts_are_excluded_as_pair_hashes(plan, matters, office, entities, inspectors):
    InspectorConflict.objects.create(inspector=inspectors[0], credit_code=entities[1].credit_code, reason="亲属",
                                     declared_by=office, declared_at=clock.now())
    InspectorConflict.objects.create(inspector=inspectors[1], credit_code="91110000000000000X", reason="曾任职",
                                     declared_by=office, declared_at=clock.now())  # not a candidate
    task = make_task(office, plan, matters)
    snap = snapshot.take(task)
    assert draw_module.parse_exclusions(snap.exclusions) == {
        draw_module.pair_hash(inspectors[0].certificate_number, entities[1].credit_code)}
    assert snap.exclusion_count == 1
    assert inspectors[0].certificate_number.encode() not in snap.exclusions  # no conflict is named


def test_the_previous_inspections_inspectors_are_excluded_when_the_rule_is_on(plan, matters, office, entities,
                                                                              inspectors):
    earlier = make_task(office, plan, matters, sample_ratio=None, sample_count=60)
    services.task_commit(actor=office, task=earlier, seed_mode=SeedMode.COMMITMENT)
    later()
    first = services.task_draw(actor=office, task=earlier)
    pairs = {draw_module.pair_hash(i.certificate_number, t.credit_code)
             for t in first.targets.all() for i in t.inspectors.all()}
    assert len(pairs) == 120

    second = make_task(office, plan, matters, number="002", avoid_previous=True)
    assert draw_module.parse_exclusions(snapshot.take(second).exclusions) == pairs
    services.task_update(actor=office, task=second, number="002", title=second.title, matters=matters,
                         sample_ratio="10", avoid_previous=False, starts_on=second.starts_on, ends_on=second.ends_on)
    second.refresh_from_db()
    assert snapshot.take(second).exclusion_count == 0


def test_only_the_most_recent_earlier_draw_counts_and_superseded_ones_do_not(plan, matters, office, entities,
                                                                              inspectors):
    one = make_task(office, plan, matters, sample_ratio=None, sample_count=60)
    services.task_commit(actor=office, task=one, seed_mode=SeedMode.COMMITMENT)
    later()
    services.task_draw(actor=office, task=one)
    two = make_task(office, plan, matters, number="002", sample_ratio=None, sample_count=60)
    services.task_commit(actor=office, task=two, seed_mode=SeedMode.COMMITMENT)
    later()
    latest = services.task_draw(actor=office, task=two)
    # the second task's first draw is superseded; its re-draw is the latest inspection
    services.task_redraw(actor=office, task=two, reason="名录更新", seed_mode=SeedMode.COMMITMENT)
    latest.refresh_from_db()
    later()
    redrawn = services.task_draw(actor=office, task=two)
    expected = {draw_module.pair_hash(i.certificate_number, t.credit_code)
                for t in redrawn.targets.all() for i in t.inspectors.all()}
    three = make_task(office, plan, matters, number="003")
    assert draw_module.parse_exclusions(snapshot.take(three).exclusions) == expected


def test_the_snapshot_takes_a_fixed_number_of_queries(plan, matters, office, bureau, inspectors,
                                                      django_assert_max_num_queries):
    make_entities(bureau, 2_000)
    task = make_task(office, plan, matters)
    with django_assert_max_num_queries(9):
        snap = snapshot.take(task)
    assert snap.candidate_count == 2_000


def test_a_field_with_a_comma_is_refused_in_chinese(plan, matters, office, entities, inspectors):
    Entity.objects.filter(pk=entities[0].pk).update(grid="和平区,第1网格")
    task = make_task(office, plan, matters)
    with pytest.raises(Exception) as caught:
        services.task_commit(actor=office, task=task, seed_mode=SeedMode.COMMITMENT)
    assert "逗号" in caught.value.message


def drawn_pairs(draw) -> set[str]:
    return {draw_module.pair_hash(i.certificate_number, t.credit_code)
            for t in draw.targets.all() for i in t.inspectors.all()}


def test_a_joint_task_led_by_another_agency_counts_as_the_previous_inspection(
        plan, matters, office, bureau, other_agency, other_office, entities, inspectors):
    # the other agency leads a joint task drawing from its own directory (the same
    # businesses, by credit code) and from the bureau's inspectors as partners
    make_entities(other_agency, 60)
    make_inspectors(other_agency, 4, start=300)
    theirs = make_task(other_office, make_plan(other_office, other_agency), publish_matters(other_agency, other_office),
                       sample_ratio=None, sample_count=60, partner_agencies=[bureau], avoid_previous=False)
    services.task_commit(actor=other_office, task=theirs, seed_mode=SeedMode.COMMITMENT)
    later()
    joint = services.task_draw(actor=other_office, task=theirs)
    ours = make_task(office, plan, matters, number="002", avoid_previous=True)
    pool = {i.certificate_number for i in inspectors}
    expected = {draw_module.pair_hash(i.certificate_number, t.credit_code)
                for t in joint.targets.all() for i in t.inspectors.all() if i.certificate_number in pool}
    assert expected  # some of the bureau's inspectors went
    assert draw_module.parse_exclusions(snapshot.take(ours).exclusions) == expected


def test_a_later_draw_whose_pool_shared_none_of_ours_does_not_hide_the_previous_inspection(
        plan, matters, office, bureau, entities, inspectors):
    food = DepartmentFactory(agency=bureau, name="食品科")
    quality = DepartmentFactory(agency=bureau, name="质量科")
    Inspector.objects.filter(pk__in=[i.pk for i in inspectors]).update(department=food)
    make_inspectors(bureau, 4, department=quality, start=200)
    first = make_task(office, plan, matters, sample_ratio=None, sample_count=60, departments=[food])
    services.task_commit(actor=office, task=first, seed_mode=SeedMode.COMMITMENT)
    later()
    by_food = services.task_draw(actor=office, task=first)
    # a later inspection of every entity by the quality department only: its pool shares
    # nobody with a food task, so for the food task the food inspection is still "previous"
    second = make_task(office, plan, matters, number="002", sample_ratio=None, sample_count=60,
                       departments=[quality], avoid_previous=False)
    services.task_commit(actor=office, task=second, seed_mode=SeedMode.COMMITMENT)
    later()
    services.task_draw(actor=office, task=second)
    third = make_task(office, plan, matters, number="003", departments=[food], avoid_previous=True)
    assert draw_module.parse_exclusions(snapshot.take(third).exclusions) == drawn_pairs(by_food)


def test_the_frozen_names_hold_every_candidate_and_pool_inspector(plan, matters, office, entities, inspectors):
    Entity.objects.filter(pk=entities[0].pk).update(name="甲,乙\n丙")
    task = make_task(office, plan, matters)
    lines = snapshot.take(task).names.decode().splitlines()
    assert lines == sorted(lines) and len(lines) == 72
    assert f"E,{entities[0].credit_code},{entities[0].pk},甲，乙 丙" in lines
    assert {line.split(",")[1] for line in lines if line.startswith("I,")} == {
        i.certificate_number for i in inspectors}
