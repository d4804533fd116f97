"""The services: plans, tasks, progress, evidence, 督办, tasks set from above; each
refusal is a Chinese DomainError and writes nothing; each change is audited."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from gongkai.consultations.models import Consultation
from gongkai.core.errors import DomainError, InvalidTransition
from gongkai.core.models import AuditEvent
from gongkai.core.tests.factories import DepartmentFactory
from gongkai.workplans import services
from gongkai.workplans.models import Evidence, ProgressNote, Supervision, Task, WorkPlan
from gongkai.workplans.rules import Phase, TaskState
from gongkai.workplans.tests.conftest import TODAY, at, make_publication

pytestmark = pytest.mark.django_db


def test_a_plan_is_titled_by_its_year_and_one_per_agency_and_year(plan, office, bureau):
    assert plan.title == "2026年政务公开工作要点"
    assert AuditEvent.objects.filter(action="workplans.plan.create", object_id=str(plan.pk)).exists()
    with pytest.raises(DomainError, match="已经建立"):
        services.plan_create(actor=office, agency=bureau, year=2026)
    assert WorkPlan.objects.count() == 1


def test_a_bad_source_link_is_refused_in_chinese(today, office, bureau):
    with pytest.raises(DomainError, match="网址格式不正确"):
        services.plan_create(actor=office, agency=bureau, year=2026, source_url="javascript:alert(1)")
    assert not WorkPlan.objects.exists()


def test_a_department_of_another_agency_is_refused(plan, office, other_agency):
    foreign = DepartmentFactory(agency=other_agency)
    with pytest.raises(DomainError, match="本机关的部门"):
        services.task_add(actor=office, plan=plan, number="1", text="x", due_on=TODAY, department=foreign)
    assert not Task.objects.exists()


def test_the_responsible_department_cannot_also_cooperate(plan, office, department):
    with pytest.raises(DomainError, match="配合部门"):
        services.task_add(actor=office, plan=plan, number="1", text="x", due_on=TODAY,
                          department=department, cooperating=[department])


def test_the_first_note_starts_the_task(task, officer):
    assert task.state == TaskState.NOT_STARTED
    services.note_add(actor=officer, task=task, text="已开始收集抽检数据")
    task.refresh_from_db()
    assert task.state == TaskState.IN_PROGRESS
    assert ProgressNote.objects.get().author == officer
    assert AuditEvent.objects.filter(action="workplans.task.note", object_id=str(task.pk)).exists()


def test_a_note_dated_in_the_future_is_refused(task, officer):
    with pytest.raises(DomainError, match="不能晚于今天"):
        services.note_add(actor=officer, task=task, text="x", on=TODAY + dt.timedelta(days=1))


def test_done_needs_evidence_or_a_note_and_is_dated_today(task, officer):
    with pytest.raises(DomainError, match="佐证材料"):
        services.task_set_state(actor=officer, task=task, state=TaskState.DONE)
    task.refresh_from_db()
    assert task.state == TaskState.NOT_STARTED
    services.task_set_state(actor=officer, task=task, state=TaskState.DONE, note="已公开第二季度结果")
    task.refresh_from_db()
    assert (task.state, task.completed_on) == (TaskState.DONE, TODAY)
    assert task.phase_on(TODAY + dt.timedelta(days=100)) == Phase.DONE


def test_only_the_office_reopens_a_finished_task_with_a_reason(task, officer, office):
    services.task_set_state(actor=officer, task=task, state=TaskState.DONE, note="完成")
    with pytest.raises(PermissionDenied):
        services.task_set_state(actor=officer, task=task, state=TaskState.IN_PROGRESS, note="重做")
    with pytest.raises(DomainError, match="理由"):
        services.task_set_state(actor=office, task=task, state=TaskState.IN_PROGRESS)
    services.task_set_state(actor=office, task=task, state=TaskState.IN_PROGRESS, note="佐证不全")
    task.refresh_from_db()
    assert task.state == TaskState.IN_PROGRESS and task.completed_on is None


def test_a_finished_task_cannot_be_finished_again(task, officer):
    services.task_set_state(actor=officer, task=task, state=TaskState.DONE, note="完成")
    with pytest.raises(InvalidTransition):
        services.task_set_state(actor=officer, task=task, state=TaskState.DONE, note="完成")


def test_evidence_must_be_the_agencys_own_published_item(task, officer, office, other_agency, other_office):
    draft = make_publication(task.plan.agency, office, status="draft")
    foreign = make_publication(other_agency, other_office, n=2)
    own = make_publication(task.plan.agency, office, n=3)
    with pytest.raises(DomainError, match="尚未发布"):
        services.evidence_add(actor=officer, task=task, kind="publication", publication=draft)
    with pytest.raises(DomainError, match="本机关发布"):
        services.evidence_add(actor=officer, task=task, kind="publication", publication=foreign)
    assert not Evidence.objects.exists()
    evidence = services.evidence_add(actor=officer, task=task, kind="publication", publication=own)
    assert evidence.label == own.title


def test_evidence_of_a_consultation_must_be_published(task, officer, office, bureau):
    fields = {"agency": bureau, "kind": "normative", "title": "征求意见稿", "draft_body": "第一条 x", "explanation": "x",
                  "opens_on": TODAY, "closes_on": TODAY + dt.timedelta(days=30), "created_by": office}
    draft = Consultation.objects.create(**fields)
    with pytest.raises(DomainError, match="尚未发布"):
        services.evidence_add(actor=officer, task=task, kind="consultation", consultation=draft)
    published = Consultation.objects.create(**fields | {"status": "published"})
    assert services.evidence_add(actor=officer, task=task, kind="consultation",
                                 consultation=published).consultation == published


def test_evidence_by_address_needs_a_valid_address_and_a_label(task, officer):
    with pytest.raises(DomainError, match="网址"):
        services.evidence_add(actor=officer, task=task, kind="url", url="not a url", label="x")
    with pytest.raises(DomainError, match="说明"):
        services.evidence_add(actor=officer, task=task, kind="url", url="https://example.invalid/a")
    e = services.evidence_add(actor=officer, task=task, kind="report", report_id=12, url="/reports/2025/")
    assert (e.report_id, e.url, e.label) == (12, "/reports/2025/", "政府信息公开工作年度报告")


def test_supervision_only_on_an_overdue_task(task, overdue_task, office):
    with pytest.raises(InvalidTransition, match="逾期"):
        services.supervision_issue(actor=office, task=task, note="请加快", reply_by=TODAY)
    with pytest.raises(DomainError, match="反馈期限"):
        services.supervision_issue(actor=office, task=overdue_task, note="请加快",
                                   reply_by=TODAY - dt.timedelta(days=1))
    assert not Supervision.objects.exists()


def test_supervision_is_recorded_notified_and_replied_once(django_capture_on_commit_callbacks, overdue_task,
                                                           office, officer, bureau):
    with django_capture_on_commit_callbacks(execute=True):
        s = services.supervision_issue(actor=office, task=overdue_task, note="请说明原因",
                                       reply_by=TODAY + dt.timedelta(days=5))
    assert s.issuing_agency == bureau
    [message] = mail.outbox
    assert "督办" in message.subject and set(message.to) == {officer.email, office.email}
    assert AuditEvent.objects.filter(action="workplans.supervision.issue").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.supervision_reply(actor=officer, supervision=s, reply="已完成清理，正在公开")
    assert mail.outbox[-1].to == [office.email]
    with pytest.raises(InvalidTransition, match="已经反馈"):
        services.supervision_reply(actor=officer, supervision=s, reply="再次反馈")


def test_the_city_sets_one_task_per_agency_and_the_agencies_keep_its_text(assigned, tree, office,
                                                                         department):
    children = list(assigned.children.select_related("plan__agency").order_by("plan__agency__path"))
    assert [c.plan.agency for c in children] == [tree["bureau"], tree["county"]]
    assert assigned.is_assignment and assigned.plan.agency == tree["city"]
    assert all(c.text == "设置政策解读专栏" and c.plan.year == 2026 for c in children)
    child = children[0]
    with pytest.raises(DomainError, match="上级机关"):
        services.task_update(actor=office, task=child, number="5", text="改了", due_on=child.due_on,
                             department=None)
    services.task_update(actor=office, task=child, number="5", text=child.text, due_on=child.due_on,
                         department=department)
    child.refresh_from_db()
    assert child.department == department


def test_only_agencies_below_may_be_set_tasks(today, tree, supervisor):
    with pytest.raises(DomainError, match="不是本机关的下级机关"):
        services.tasks_assign(actor=supervisor, from_agency=tree["city"], year=2026, number="1", text="x",
                              due_on=TODAY, agencies=[tree["province"]])
    assert not Task.objects.exists() and not WorkPlan.objects.exists()


def test_the_setting_agency_supervises_its_overdue_child_but_not_the_agencys_own(overdue_task, assigned,
                                                                                 supervisor):
    child = assigned.children.get(plan__agency=overdue_task.plan.agency)
    at(child.due_on + dt.timedelta(days=1))
    s = services.supervision_issue(actor=supervisor, task=child, note="请加快", reply_by=child.due_on
                                   + dt.timedelta(days=7))
    assert s.issuing_agency == assigned.plan.agency
    with pytest.raises(PermissionDenied):
        services.supervision_issue(actor=supervisor, task=overdue_task, note="x", reply_by=child.due_on
                                   + dt.timedelta(days=7))


def test_the_setting_agencys_change_reaches_the_copies(assigned, city_office):
    new_due = TODAY + dt.timedelta(days=45)
    services.task_update(actor=city_office, task=assigned, number="5", text="设置政策解读专栏并同步解读",
                         due_on=new_due, department=None)
    assert set(assigned.children.values_list("text", "due_on")) == {("设置政策解读专栏并同步解读", new_due)}


def test_the_office_removes_wrong_evidence_with_a_reason(task, officer, office):
    e = services.evidence_add(actor=officer, task=task, kind="url", url="https://example.invalid/a", label="链接")
    with pytest.raises(PermissionDenied):
        services.evidence_remove(actor=officer, evidence=e, reason="错了")
    with pytest.raises(DomainError, match="理由"):
        services.evidence_remove(actor=office, evidence=e, reason=" ")
    services.evidence_remove(actor=office, evidence=e, reason="链接有误")
    assert not Evidence.objects.exists()
    event = AuditEvent.objects.get(action="workplans.evidence.remove")
    assert event.reason == "链接有误" and event.before["url"] == "https://example.invalid/a"


def test_the_plan_is_renamed_and_audited(plan, office, officer):
    with pytest.raises(PermissionDenied):
        services.plan_update(actor=officer, plan=plan, title="x")
    services.plan_update(actor=office, plan=plan, title="2026年政务公开工作实施方案", source_url="/p/1/")
    plan.refresh_from_db()
    assert plan.title == "2026年政务公开工作实施方案"
    assert AuditEvent.objects.get(action="workplans.plan.update").before["title"] == "2026年政务公开工作要点"


@pytest.mark.parametrize("days", [0, 31])
def test_the_reminder_window_is_bounded(today, office, bureau, days):
    with pytest.raises(DomainError, match="1至30天"):
        services.settings_save(actor=office, agency=bureau, remind_days_before=days)


def test_progress_cannot_be_reported_on_a_task_set_for_agencies(assigned, city_office):
    with pytest.raises(DomainError, match="下级机关"):
        services.note_add(actor=city_office, task=assigned, text="x")


# --- review fixes ----------------------------------------------------------------------------------


def test_the_supervisor_who_set_a_task_corrects_it_and_the_copies_follow(overdue_task, assigned, supervisor):
    new_due = TODAY + dt.timedelta(days=60)
    services.task_update(actor=supervisor, task=assigned, number="5", text="设置政策解读专栏（含图解）",
                         due_on=new_due)
    assert set(assigned.children.values_list("text", "due_on")) == {("设置政策解读专栏（含图解）", new_due)}
    assert AuditEvent.objects.filter(action="workplans.task.update",
                                     reason="上级机关修改了部署的任务").count() == 2
    # but not the agencies' own tasks: those are their offices'
    with pytest.raises(PermissionDenied):
        services.task_update(actor=supervisor, task=overdue_task, number="2", text="改了", due_on=TODAY)


def test_a_second_supervision_waits_for_the_first_reply_date(overdue_task, office):
    reply_by = TODAY + dt.timedelta(days=3)
    services.supervision_issue(actor=office, task=overdue_task, note="请说明原因", reply_by=reply_by)
    with pytest.raises(InvalidTransition, match="尚待反馈"):
        services.supervision_issue(actor=office, task=overdue_task, note="请说明原因", reply_by=reply_by)
    assert Supervision.objects.count() == 1
    at(reply_by + dt.timedelta(days=1))  # no reply in time: 再次督办
    services.supervision_issue(actor=office, task=overdue_task, note="再次督办", reply_by=reply_by
                               + dt.timedelta(days=5))
    assert Supervision.objects.count() == 2


def test_the_setting_agency_and_the_agencys_office_supervise_apart(assigned, tree, office, supervisor):
    child = assigned.children.get(plan__agency=tree["bureau"])
    at(child.due_on + dt.timedelta(days=1))
    reply_by = child.due_on + dt.timedelta(days=7)
    services.supervision_issue(actor=supervisor, task=child, note="市里督办", reply_by=reply_by)
    s = services.supervision_issue(actor=office, task=child, note="局里督办", reply_by=reply_by)
    assert s.issuing_agency == tree["bureau"]
    with pytest.raises(PermissionDenied):  # who issues does not answer: the responsible side does
        services.supervision_reply(actor=supervisor, supervision=child.supervisions.get(note="市里督办"),
                                   reply="x")


def test_withdrawn_items_and_other_agencies_consultations_are_not_evidence(task, officer, office, other_agency,
                                                                          other_office):
    withdrawn = make_publication(task.plan.agency, office, status="withdrawn")
    with pytest.raises(DomainError, match="尚未发布"):
        services.evidence_add(actor=officer, task=task, kind="publication", publication=withdrawn)
    foreign = Consultation.objects.create(
        agency=other_agency, kind="normative", title="外单位征求意见稿", draft_body="第一条 x", explanation="x",
        opens_on=TODAY, closes_on=TODAY + dt.timedelta(days=30), created_by=other_office, status="published")
    with pytest.raises(DomainError, match="本机关的意见征集"):
        services.evidence_add(actor=officer, task=task, kind="consultation", consultation=foreign)
    assert not Evidence.objects.exists()
