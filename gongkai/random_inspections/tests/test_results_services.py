"""Entering, correcting and publishing results, and follow-up cases (services)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from gongkai.core.errors import DomainError, InvalidTransition
from gongkai.core.models import AuditEvent, Role
from gongkai.core.tests.factories import DepartmentFactory, UserFactory, member
from gongkai.decisions.models import Decision, DecisionKind, DecisionStatus, PartyType
from gongkai.random_inspections.models import DrawStatus, FollowUpStatus, Result, TaskStatus
from gongkai.random_inspections.services import results as services
from gongkai.random_inspections.tests.conftest import at, uscc
from gongkai.random_inspections.tests.test_results_support import PDF, make_task, targets_of

D = dt.date


@pytest.fixture
def task(today, bureau, office, department, entities, inspectors):
    return make_task(bureau, office, entities[:3], inspectors, departments=[department])


INSPECTED_ON = D(2026, 5, 10)


def enter(actor, target, finding="no_problem", on=INSPECTED_ON, **kwargs):
    return services.result_enter(actor=actor, target=target, finding=finding, inspected_on=on, **kwargs)


def test_an_officer_of_a_participating_department_enters_a_result_with_its_record(task, officer):
    target = targets_of(task)[0]
    record = SimpleUploadedFile("记录.pdf", PDF, content_type="application/pdf")
    result = enter(officer, target, "pending", summary="未按规定查验供货者许可证", record=record)
    result.refresh_from_db()
    assert (result.finding, result.inspected_on, result.entered_by) == ("pending", D(2026, 5, 10), officer)
    assert result.record_name == "记录.pdf"
    with result.record.open("rb") as f:
        assert f.read() == PDF
    event = AuditEvent.objects.get(action="ri.result_enter")
    assert event.after == {"finding": "pending", "inspected_on": "2026-05-10", "record": True}
    assert "执法员" not in str(event.after) and "执法员" not in event.object_repr


def test_an_officer_of_another_department_may_not_enter_results(task, bureau):
    other = member(UserFactory(username="other_officer"), bureau, Role.OFFICER, DepartmentFactory(agency=bureau))
    with pytest.raises(PermissionDenied):
        enter(other, targets_of(task)[0])
    assert not Result.objects.exists()


def test_a_partner_agency_of_a_joint_task_enters_results(today, bureau, office, entities, inspectors, other_office,
                                                          other_agency):
    task = make_task(bureau, office, entities[:2], inspectors, joint=True, partners=[other_agency])
    assert enter(other_office, targets_of(task)[0]).entered_by == other_office


@pytest.mark.parametrize(("on", "message"), [
    (D(2026, 6, 16), "检查日期不能晚于今天"),
    (D(2026, 4, 30), "不在任务的实施期间"),
])
def test_an_impossible_or_unexplained_date_is_refused(task, office, on, message):
    with pytest.raises(DomainError, match=message):
        enter(office, targets_of(task)[0], on=on)
    assert not Result.objects.exists()


def test_a_date_outside_the_task_is_kept_with_its_reason_in_the_audit(task, office):
    result = enter(office, targets_of(task)[0], on=D(2026, 6, 2), date_reason="企业停业整顿，延期检查")
    assert result.inspected_on == D(2026, 6, 2)
    assert AuditEvent.objects.get(action="ri.result_enter").reason == "企业停业整顿，延期检查"


def test_an_unknown_finding_and_a_record_that_is_not_a_document_are_refused(task, office):
    with pytest.raises(DomainError, match="不在本平台使用的检查结果之列"):
        enter(office, targets_of(task)[0], "fine")
    fake = SimpleUploadedFile("记录.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(DomainError, match="不是允许的类型"):
        enter(office, targets_of(task)[0], record=fake)
    assert not Result.objects.exists()


def test_a_second_entry_for_the_same_target_is_refused(task, office):
    target = targets_of(task)[0]
    enter(office, target)
    with pytest.raises(InvalidTransition, match="已录入"):
        enter(office, target, "corrected")
    assert Result.objects.get().finding == "no_problem"


def test_a_target_of_a_superseded_draw_takes_no_result(task, office):
    target = targets_of(task)[0]
    task.draws.update(status=DrawStatus.SUPERSEDED)
    with pytest.raises(InvalidTransition):
        enter(office, target)


def test_a_result_is_corrected_before_publication_and_never_after(task, office):
    result = enter(office, targets_of(task)[0])
    services.result_update(actor=office, result=result, finding="corrected", reason="复核更正")
    result.refresh_from_db()
    assert result.finding == "corrected"
    event = AuditEvent.objects.get(action="ri.result_update")
    assert (event.before["finding"], event.after["finding"], event.reason) == ("no_problem", "corrected", "复核更正")
    services.results_publish(actor=office, task=task)
    with pytest.raises(InvalidTransition, match="已公示"):
        services.result_update(actor=office, result=result, finding="no_problem")
    result.refresh_from_db()
    assert result.finding == "corrected"


def test_the_office_publishes_the_entered_results_only(task, office, officer):
    first, second, _third = targets_of(task)
    enter(officer, first)
    enter(officer, second, "corrected")
    with pytest.raises(PermissionDenied):
        services.results_publish(actor=officer, task=task)
    assert services.results_publish(actor=office, task=task) == 2
    published = Result.objects.filter(published_on=D(2026, 6, 15))
    assert published.count() == 2 and {r.published_by for r in published} == {office}
    event = AuditEvent.objects.get(action="ri.results_publish")
    assert event.after["published"] == 2
    with pytest.raises(DomainError, match="没有已录入、待公示"):
        services.results_publish(actor=office, task=task)


def test_publishing_some_targets_leaves_the_others_unpublished(task, office):
    first, second, _ = targets_of(task)
    enter(office, first)
    enter(office, second)
    assert services.results_publish(actor=office, task=task, targets=[second]) == 1
    assert list(Result.objects.filter(published_on__isnull=False).values_list("target_id", flat=True)) == [second.pk]


def test_the_last_publication_completes_the_task(task, office):
    for target in targets_of(task):
        enter(office, target)
    services.results_publish(actor=office, task=task)
    task.refresh_from_db()
    try:
        from gongkai.random_inspections.services.tasks import task_complete  # noqa: F401
    except ImportError:
        pytest.skip("services.tasks.task_complete is not there yet")
    assert task.status == TaskStatus.COMPLETED


def test_results_of_a_completed_or_cancelled_task_are_not_entered(task, office):
    task.status = TaskStatus.CANCELLED
    task.save()
    with pytest.raises(InvalidTransition, match="已取消"):
        enter(office, targets_of(task)[0])


def _decision(agency, number="津市监罚〔2026〕1号", kind=DecisionKind.PENALTY, status=DecisionStatus.PUBLISHED,
              party_uscc=None):
    return Decision.objects.create(
        agency=agency, kind=kind, number=number, party_name="测试商贸有限公司00000",
        party_uscc=uscc(0) if party_uscc is None else party_uscc,
        party_type=PartyType.ORGANISATION, matter="未查验供货者许可证", content="罚款", penalty_types=0,
        deciding_body=agency.name, decision_date=D(2026, 6, 1), status=status,
        published_on=D(2026, 6, 3) if status == DecisionStatus.PUBLISHED else None)


def test_a_follow_up_case_is_opened_closed_and_linked_to_the_penalty(task, office, bureau):
    result = enter(office, targets_of(task)[0], "pending")
    case = services.followup_open(actor=office, result=result, case_number="津市监立〔2026〕8号",
                                  opened_on=D(2026, 5, 20), note="立案调查")
    decision = _decision(bureau)
    services.followup_link_decision(actor=office, case=case, decision=decision)
    services.followup_close(actor=office, case=case, closed_on=D(2026, 6, 5))
    case.refresh_from_db()
    assert (case.status, case.closed_on, case.decision) == (FollowUpStatus.CLOSED, D(2026, 6, 5), decision)
    assert list(AuditEvent.objects.filter(action__startswith="ri.followup").order_by("seq").values_list("action", flat=True)) == [
        "ri.followup_open", "ri.followup_link_decision", "ri.followup_close"]
    with pytest.raises(InvalidTransition):
        services.followup_close(actor=office, case=case, closed_on=D(2026, 6, 6))


def test_a_clean_result_opens_no_case(task, office):
    result = enter(office, targets_of(task)[0], "no_problem")
    with pytest.raises(DomainError, match="无需后续处置"):
        services.followup_open(actor=office, result=result, case_number="1", opened_on=D(2026, 5, 20))


@pytest.mark.parametrize(("which", "message"), [
    ("other_agency", "本机关"),
    ("licence", "只能关联行政处罚决定"),
    ("pending", "尚未公示"),
])
def test_only_a_published_penalty_of_the_same_agency_is_linked(task, office, other_agency, bureau, which, message):
    result = enter(office, targets_of(task)[0], "pending")
    case = services.followup_open(actor=office, result=result, case_number="案1", opened_on=D(2026, 5, 20))
    decision = {
        "other_agency": lambda: _decision(other_agency),
        "licence": lambda: _decision(bureau, kind=DecisionKind.LICENCE),
        "pending": lambda: _decision(bureau, status=DecisionStatus.PENDING),
    }[which]()
    with pytest.raises(DomainError, match=message):
        services.followup_link_decision(actor=office, case=case, decision=decision)
    case.refresh_from_db()
    assert case.decision is None


def test_an_officer_may_not_open_a_case(task, office, officer):
    result = enter(office, targets_of(task)[0], "pending")
    with pytest.raises(PermissionDenied):
        services.followup_open(actor=officer, result=result, case_number="1", opened_on=D(2026, 5, 20))


def test_a_case_date_before_the_inspection_is_refused(task, office):
    at(D(2026, 6, 15))
    result = enter(office, targets_of(task)[0], "pending")
    with pytest.raises(DomainError, match="早于检查日期"):
        services.followup_open(actor=office, result=result, case_number="1", opened_on=D(2026, 5, 1))
