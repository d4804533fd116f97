"""Every change to a work plan: the plan, its tasks, progress notes, evidence, states,
督办 and its reply, tasks set from above, and the agency's reminder setting. Each service
checks the actor (PermissionDenied), then the state and the input (DomainError, in
Chinese), writes, and appends the audit entry in the same transaction; mail leaves only
after the commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.urls import reverse

from gongkai.consultations.models import Consultation, ConsultationStatus
from gongkai.core import audit, clock
from gongkai.core.errors import DomainError, InvalidTransition
from gongkai.core.models import Agency, Department, Membership, Role
from gongkai.publishing.models import Publication, PublicationStatus
from gongkai.tasks.mail import send_later
from gongkai.workplans import permissions, rules
from gongkai.workplans.models import (
    AgencyWorkplanSettings,
    Evidence,
    EvidenceKind,
    ProgressNote,
    Supervision,
    Task,
    WorkPlan,
)
from gongkai.workplans.rules import TaskState

LEAST_YEAR, MOST_YEAR = 2008, 2100  # the Regulations took effect on 1 May 2008
NOT_OFFICE = "只有本机关的政府信息公开工作机构可以管理工作要点。"
NOT_RESPONSIBLE = "只有本机关公开办或该任务责任部门的工作人员可以填报进展。"
SET_FROM_ABOVE = "该任务由上级机关部署，任务内容和完成时限由上级机关确定，本机关只能指定责任部门和配合部门。"
ASSIGNMENT = "该任务已部署给下级机关，进展由各机关分别填报，请在汇总页面查看。"


def default_title(year: int) -> str:
    return f"{year}年政务公开工作要点"


def _clean_text(value: str, message: str, *, limit: int | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message)
    if limit and len(value) > limit:
        raise DomainError(f"内容过长（不超过{limit}字）")
    return value


def clean_url(value: str, *, required: bool = False) -> str:
    """An http(s) address or a path of this site (starting with "/")."""
    value = (value or "").strip()
    if not value:
        if required:
            raise DomainError("请填写网址")
        return ""
    if len(value) > 500:
        raise DomainError("网址过长（不超过500个字符）")
    if value.startswith("/") and not value.startswith("//"):
        if any(c.isspace() for c in value):
            raise DomainError("网址格式不正确")
        return value
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise DomainError("网址格式不正确，请填写以 http:// 或 https:// 开头的完整网址，或本站以 / 开头的路径") from None
    return value


def _require_office(actor, agency: Agency) -> None:
    if not permissions.can_manage(actor, agency):
        raise PermissionDenied(NOT_OFFICE)


def _task_snapshot(task: Task) -> dict:
    return {"number": task.number, "text": task.text, "due_on": task.due_on,
            "department": task.department_id, "state": task.state, "completed_on": task.completed_on,
            "cooperating": sorted(d.pk for d in task.cooperating_departments.all()) if task.pk else []}


def _locked(task: Task) -> Task:
    return Task.objects.select_for_update(of=("self",)).select_related("plan__agency", "parent__plan__agency").get(pk=task.pk)


def _check_departments(agency: Agency, department: Department | None,
                       cooperating: Iterable[Department]) -> list[Department]:
    cooperating = list(dict.fromkeys(cooperating or ()))
    for d in ([department] if department else []) + cooperating:
        if d.agency_id != agency.pk or not d.is_active:
            raise DomainError("请选择本机关的部门")
    if department is not None and department in cooperating:
        raise DomainError("责任部门不能同时作为配合部门")
    return cooperating


def _check_number(number: str) -> str:
    return _clean_text(number, "请填写任务序号", limit=20)


# --- plans ---------------------------------------------------------------------------------


@transaction.atomic
def plan_create(*, actor, agency: Agency, year: int, title: str = "", source_url: str = "") -> WorkPlan:
    """The agency's plan of ``year`` (one a year)."""
    _require_office(actor, agency)
    return _plan_create(actor=actor, agency=agency, year=year, title=title, source_url=source_url)


def _plan_create(*, actor, agency: Agency, year: int, title: str = "", source_url: str = "",
                 reason: str = "") -> WorkPlan:
    if not LEAST_YEAR <= int(year) <= MOST_YEAR:
        raise DomainError(f"年度应在{LEAST_YEAR}至{MOST_YEAR}之间")
    title = (title or "").strip() or default_title(year)
    if len(title) > 200:
        raise DomainError("标题过长（不超过200字）")
    source_url = clean_url(source_url)
    if WorkPlan.objects.filter(agency=agency, year=year).exists():
        raise DomainError(f"本机关{year}年度的工作要点已经建立，请在原工作要点中添加任务")
    try:
        with transaction.atomic():
            plan = WorkPlan.objects.create(agency=agency, year=year, title=title, source_url=source_url,
                                           created_by=actor, created_at=clock.now())
    except IntegrityError:
        raise DomainError(f"本机关{year}年度的工作要点已经建立，请在原工作要点中添加任务") from None
    audit.record(actor=actor, action="workplans.plan.create", obj=plan, agency=agency, reason=reason,
                 after={"year": year, "title": title, "source_url": source_url})
    return plan


@transaction.atomic
def plan_update(*, actor, plan: WorkPlan, title: str, source_url: str = "") -> WorkPlan:
    _require_office(actor, plan.agency)
    plan = WorkPlan.objects.select_for_update().get(pk=plan.pk)
    title = _clean_text(title, "请填写标题", limit=200)
    source_url = clean_url(source_url)
    before = {"title": plan.title, "source_url": plan.source_url}
    plan.title, plan.source_url = title, source_url
    plan.save(update_fields=["title", "source_url"])
    audit.record(actor=actor, action="workplans.plan.update", obj=plan, agency=plan.agency,
                 before=before, after={"title": title, "source_url": source_url})
    return plan


# --- tasks ---------------------------------------------------------------------------------


@transaction.atomic
def task_add(*, actor, plan: WorkPlan, number: str, text: str, due_on: dt.date,
             department: Department | None = None, cooperating: Iterable[Department] = ()) -> Task:
    """A task of the agency's own plan, with its responsible and co-operating departments."""
    _require_office(actor, plan.agency)
    number = _check_number(number)
    text = _clean_text(text, "请填写任务内容", limit=2000)
    if due_on is None:
        raise DomainError("请填写完成时限")
    cooperating = _check_departments(plan.agency, department, cooperating)
    task = Task.objects.create(plan=plan, number=number, text=text, due_on=due_on, department=department,
                               created_by=actor, created_at=clock.now())
    task.cooperating_departments.set(cooperating)
    audit.record(actor=actor, action="workplans.task.add", obj=task, agency=plan.agency,
                 after=_task_snapshot(task))
    return task


@transaction.atomic
def task_update(*, actor, task: Task, number: str, text: str, due_on: dt.date,
                department: Department | None = None, cooperating: Iterable[Department] = ()) -> Task:
    """Change a task. A task set from above keeps its number, text and due date (the
    setting agency's); the agency names its departments."""
    task = _locked(task)
    agency = task.plan.agency
    if not permissions.can_edit_task(actor, task):
        raise PermissionDenied(NOT_OFFICE)
    number = _check_number(number)
    text = _clean_text(text, "请填写任务内容", limit=2000)
    if due_on is None:
        raise DomainError("请填写完成时限")
    if task.parent_id and (number, text, due_on) != (task.number, task.text, task.due_on):
        raise DomainError(SET_FROM_ABOVE)
    if task.is_assignment and department is not None:
        raise DomainError("部署给下级机关的任务由各机关指定责任部门")
    cooperating = _check_departments(agency, department, cooperating)
    before = _task_snapshot(task)
    task.number, task.text, task.due_on, task.department = number, text, due_on, department
    task.save(update_fields=["number", "text", "due_on", "department"])
    task.cooperating_departments.set(cooperating)
    after = _task_snapshot(task)
    if task.is_assignment and (before["text"], before["due_on"], before["number"]) != (text, due_on, number):
        # The agencies' copies follow the setting agency's changes.
        for child in task.children.select_for_update(of=("self",)).select_related("plan__agency"):
            child.number, child.text, child.due_on = number, text, due_on
            child.save(update_fields=["number", "text", "due_on"])
            audit.record(actor=actor, action="workplans.task.update", obj=child, agency=child.plan.agency,
                         reason="上级机关修改了部署的任务", before={"text": before["text"], "due_on": before["due_on"]},
                         after={"text": text, "due_on": due_on})
    audit.record(actor=actor, action="workplans.task.update", obj=task, agency=agency, before=before, after=after)
    return task


def _require_progress(actor, task: Task) -> None:
    if not permissions.can_report_progress(actor, task):
        raise PermissionDenied(NOT_RESPONSIBLE)
    if task.is_assignment:
        raise DomainError(ASSIGNMENT)


@transaction.atomic
def note_add(*, actor, task: Task, text: str, on: dt.date | None = None) -> ProgressNote:
    """A dated progress entry; the first one moves a task not started to 进行中."""
    task = _locked(task)
    _require_progress(actor, task)
    text = _clean_text(text, "请填写进展情况", limit=2000)
    today = clock.today()
    on = on or today
    if on > today:
        raise DomainError("进展日期不能晚于今天")
    note = ProgressNote.objects.create(task=task, on=on, text=text, author=actor, created_at=clock.now())
    after = {"note": note.pk, "on": on}
    if task.state == TaskState.NOT_STARTED:
        task.state = TaskState.IN_PROGRESS
        task.save(update_fields=["state"])
        after["state"] = task.state
    audit.record(actor=actor, action="workplans.task.note", obj=task, agency=task.plan.agency,
                 reason=text, after=after)
    return note


# Which recorded states may follow which (the office alone reopens a finished task).
TRANSITIONS = {
    TaskState.NOT_STARTED: {TaskState.IN_PROGRESS, TaskState.DONE},
    TaskState.IN_PROGRESS: {TaskState.DONE},
    TaskState.DONE: {TaskState.IN_PROGRESS},
}


@transaction.atomic
def task_set_state(*, actor, task: Task, state: str, note: str = "") -> Task:
    """Record progress: 进行中, 已完成 (today; with evidence or a note of what was done), or
    — the office only, with a reason — reopen a finished task."""
    task = _locked(task)
    _require_progress(actor, task)
    state = TaskState(state)
    if state not in TRANSITIONS[TaskState(task.state)]:
        raise InvalidTransition(f"任务当前为“{task.get_state_display()}”，不能改为“{state.label}”")
    note = (note or "").strip()
    reopening = task.state == TaskState.DONE
    if reopening:
        if not permissions.can_manage(actor, task.plan.agency):
            raise PermissionDenied("只有本机关公开办可以将已完成的任务退回办理。")
        if not note:
            raise DomainError("请填写退回办理的理由")
    if state == TaskState.DONE and not note and not task.evidence.exists():
        raise DomainError("标记完成前请添加佐证材料，或填写完成情况")
    before = {"state": task.state, "completed_on": task.completed_on}
    task.state = state
    task.completed_on = clock.today() if state == TaskState.DONE else None
    task.save(update_fields=["state", "completed_on"])
    if note:
        ProgressNote.objects.create(task=task, on=clock.today(), text=note, author=actor, created_at=clock.now())
    audit.record(actor=actor, action="workplans.task.state", obj=task, agency=task.plan.agency, reason=note,
                 before=before, after={"state": task.state, "completed_on": task.completed_on})
    return task


# --- evidence --------------------------------------------------------------------------------


def _publication_of(agency: Agency, publication: Publication | None) -> Publication:
    if publication is None:
        raise DomainError("请选择政府信息")
    if publication.agency_id != agency.pk:
        raise DomainError("只能选择本机关发布的政府信息")
    if publication.status != PublicationStatus.PUBLISHED:
        raise DomainError("该政府信息尚未发布（或已撤回），不能作为佐证材料")
    return publication


def _consultation_of(agency: Agency, consultation: Consultation | None) -> Consultation:
    if consultation is None:
        raise DomainError("请选择意见征集")
    if consultation.agency_id != agency.pk:
        raise DomainError("只能选择本机关的意见征集")
    if consultation.status not in (ConsultationStatus.PUBLISHED, ConsultationStatus.FEEDBACK_PUBLISHED):
        raise DomainError("该意见征集尚未发布（或已撤回），不能作为佐证材料")
    return consultation


@transaction.atomic
def evidence_add(*, actor, task: Task, kind: str, publication: Publication | None = None,
                 consultation: Consultation | None = None, report_id: int | None = None,
                 url: str = "", label: str = "") -> Evidence:
    """Link what shows the task done: the agency's own published item or published
    consultation, an annual report (its address, and its number if known), or an address."""
    task = _locked(task)
    _require_progress(actor, task)
    agency = task.plan.agency
    try:
        kind = EvidenceKind(kind)
    except ValueError:
        raise DomainError("请选择佐证材料的类别") from None
    label = (label or "").strip()
    if len(label) > 200:
        raise DomainError("说明过长（不超过200字）")
    fields = {"publication": None, "consultation": None, "report_id": None, "url": ""}
    if kind == EvidenceKind.PUBLICATION:
        fields["publication"] = _publication_of(agency, publication)
        label = label or fields["publication"].title[:200]
    elif kind == EvidenceKind.CONSULTATION:
        fields["consultation"] = _consultation_of(agency, consultation)
        label = label or fields["consultation"].title[:200]
    elif kind == EvidenceKind.REPORT:
        fields["url"] = clean_url(url, required=report_id is None)
        if report_id is not None and int(report_id) <= 0:
            raise DomainError("年度报告编号不正确")
        fields["report_id"] = report_id
        label = label or "政府信息公开工作年度报告"
    else:
        fields["url"] = clean_url(url, required=True)
        if not label:
            raise DomainError("请填写佐证材料的说明")
    evidence = Evidence.objects.create(task=task, kind=kind, label=label, added_by=actor,
                                       added_at=clock.now(), **fields)
    audit.record(actor=actor, action="workplans.evidence.add", obj=task, agency=agency,
                 after={"evidence": evidence.pk, "kind": kind.value, "label": label,
                        "publication": evidence.publication_id, "consultation": evidence.consultation_id,
                        "report_id": evidence.report_id, "url": evidence.url})
    return evidence


@transaction.atomic
def evidence_remove(*, actor, evidence: Evidence, reason: str) -> None:
    """The office removes a wrong link, with the reason (kept in the audit trail)."""
    task = _locked(evidence.task)
    _require_office(actor, task.plan.agency)
    reason = _clean_text(reason, "请填写删除的理由", limit=500)
    before = {"evidence": evidence.pk, "kind": evidence.kind, "label": evidence.label,
              "publication": evidence.publication_id, "consultation": evidence.consultation_id,
              "report_id": evidence.report_id, "url": evidence.url}
    evidence.delete()
    audit.record(actor=actor, action="workplans.evidence.remove", obj=task, agency=task.plan.agency,
                 reason=reason, before=before)


# --- tasks set from above ----------------------------------------------------------------------


@transaction.atomic
def tasks_assign(*, actor, from_agency: Agency, year: int, number: str, text: str, due_on: dt.date,
                 agencies: Iterable[Agency]) -> Task:
    """A supervising office sets one task for several agencies below it: the task in its
    own plan of ``year`` (made if missing), and one copy in each agency's plan (made if
    missing), linked to it."""
    if not permissions.can_set_for(actor, from_agency):
        raise PermissionDenied("只有上级机关的公开办或主管部门可以向下级机关部署任务。")
    number = _check_number(number)
    text = _clean_text(text, "请填写任务内容", limit=2000)
    if due_on is None:
        raise DomainError("请填写完成时限")
    agencies = list(dict.fromkeys(agencies or ()))
    if not agencies:
        raise DomainError("请选择至少一个下级机关")
    for agency in agencies:
        if agency.pk == from_agency.pk or not agency.path.startswith(from_agency.path) or not agency.is_active:
            raise DomainError(f"{agency.name}不是本机关的下级机关")

    def plan_of(agency: Agency) -> WorkPlan:
        plan = WorkPlan.objects.filter(agency=agency, year=year).first()
        return plan or _plan_create(actor=actor, agency=agency, year=year, reason=f"{from_agency.name}部署任务")

    now = clock.now()
    parent = Task.objects.create(plan=plan_of(from_agency), is_assignment=True, number=number, text=text,
                                 due_on=due_on, created_by=actor, created_at=now)
    audit.record(actor=actor, action="workplans.task.assign", obj=parent, agency=from_agency,
                 after={**_task_snapshot(parent), "agencies": [a.pk for a in agencies]})
    for agency in agencies:
        child = Task.objects.create(plan=plan_of(agency), parent=parent, number=number, text=text,
                                    due_on=due_on, created_by=actor, created_at=now)
        audit.record(actor=actor, action="workplans.task.add", obj=child, agency=agency,
                     reason=f"{from_agency.name}部署", after={**_task_snapshot(child), "parent": parent.pk})
    return parent


# --- 督办 -----------------------------------------------------------------------------------------


def responsible_recipients(task: Task) -> list[str]:
    """The e-mail addresses of the responsible side: the responsible department's officers
    and the agency's office."""
    from gongkai.foi.selectors import office_recipients

    officers = []
    if task.department_id:
        officers = list(Membership.objects.filter(
            agency_id=task.plan.agency_id, role=Role.OFFICER, department_id=task.department_id,
            is_active=True, user__is_active=True).exclude(user__email="")
            .order_by("user__username").values_list("user__email", flat=True))
    return list(dict.fromkeys(officers + office_recipients(task.plan.agency)))


def task_link(task: Task) -> str:
    return settings.GONGKAI_BASE_URL.rstrip("/") + reverse("staff:workplan-task", args=[task.pk])


def _mail_on_commit(subject: str, body: str, recipients: list[str]) -> None:
    """Through the task outbox: written with the 督办 in its transaction, sent after the
    commit by a worker, retried when the mail server fails."""
    if recipients:
        send_later(subject, body, list(recipients))


@transaction.atomic
def supervision_issue(*, actor, task: Task, note: str, reply_by: dt.date) -> Supervision:
    """督办 an overdue task: the task's office, or the office or supervisor of the agency
    that set it; the responsible side is told by e-mail and replies by ``reply_by``."""
    task = _locked(task)
    if not permissions.can_supervise(actor, task):
        raise PermissionDenied("只有本机关公开办或部署该任务的上级机关可以督办。")
    if task.is_assignment:
        raise DomainError("请对各下级机关的任务分别督办")
    today = clock.today()
    if task.phase_on(today) != rules.Phase.OVERDUE:
        raise InvalidTransition("只能督办已逾期未完成的任务")
    note = _clean_text(note, "请填写督办意见", limit=2000)
    if reply_by is None:
        raise DomainError("请填写反馈期限")
    if reply_by < today:
        raise DomainError("反馈期限不能早于今天")
    issuing = task.plan.agency if permissions.can_manage(actor, task.plan.agency) else task.parent.plan.agency
    # A second 督办 while the first still awaits its reply in time would only repeat it (a
    # double submit mails twice); once its reply date has passed, 再次督办 is allowed.
    pending = (task.supervisions.filter(issuing_agency=issuing, replied_at__isnull=True, reply_by__gte=today)
               .order_by("reply_by").first())
    if pending is not None:
        raise InvalidTransition(f"{issuing.name}对该任务的督办尚待反馈（反馈期限{pending.reply_by.isoformat()}），"
                                "请在反馈期限过后再次督办")
    supervision = Supervision.objects.create(task=task, issuing_agency=issuing, note=note, reply_by=reply_by,
                                             issued_by=actor, issued_at=clock.now())
    audit.record(actor=actor, action="workplans.supervision.issue", obj=task, agency=task.plan.agency,
                 reason=note, after={"supervision": supervision.pk, "issuing_agency": issuing.pk,
                                     "reply_by": reply_by})
    _mail_on_commit(
        f"【督办】{task.plan.title}第{task.number}项任务已逾期，请于{reply_by.isoformat()}前反馈",
        "\n".join([f"{task.plan.agency.name}：", "",
                   f"{issuing.name}对以下逾期任务进行督办：", f"{task.number}. {task.text}",
                   f"完成时限：{task.due_on.isoformat()}", "", f"督办意见：{note}",
                   f"请于{reply_by.isoformat()}前反馈办理情况。", "", f"任务：{task_link(task)}"]),
        responsible_recipients(task))
    return supervision


@transaction.atomic
def supervision_reply(*, actor, supervision: Supervision, reply: str) -> Supervision:
    """The responsible side's reply to a 督办 (once); the one who issued it is told."""
    supervision = Supervision.objects.select_for_update(of=("self",)).select_related("task", "issuing_agency").get(
        pk=supervision.pk)
    task = _locked(supervision.task)
    if not permissions.can_reply(actor, task):
        raise PermissionDenied("只有该任务的责任部门或本机关公开办可以反馈督办。")
    if supervision.replied:
        raise InvalidTransition("该督办已经反馈")
    reply = _clean_text(reply, "请填写办理情况", limit=2000)
    supervision.reply, supervision.replied_by, supervision.replied_at = reply, actor, clock.now()
    supervision.save(update_fields=["reply", "replied_by", "replied_at"])
    audit.record(actor=actor, action="workplans.supervision.reply", obj=task, agency=task.plan.agency,
                 reason=reply, after={"supervision": supervision.pk,
                                      "late": clock.today() > supervision.reply_by})
    issuer = supervision.issued_by
    _mail_on_commit(f"【督办反馈】{task.plan.agency.name}第{task.number}项任务",
                    "\n".join([f"{supervision.issuing_agency.name}：", "",
                               f"{task.plan.agency.name}已反馈督办事项：{task.number}. {task.text}", "",
                               f"办理情况：{reply}", "", f"任务：{task_link(task)}"]),
                    [issuer.email] if issuer.email and issuer.is_active else [])
    return supervision


# --- settings -------------------------------------------------------------------------------------


@transaction.atomic
def settings_save(*, actor, agency: Agency, remind_days_before: int) -> AgencyWorkplanSettings:
    _require_office(actor, agency)
    least, most = rules.days_before_bounds()
    if remind_days_before is None or not least <= int(remind_days_before) <= most:
        raise DomainError(f"提醒天数应在{least}至{most}天之间")
    row, _ = AgencyWorkplanSettings.objects.select_for_update().get_or_create(agency=agency)
    before = row.remind_days_before
    row.remind_days_before, row.updated_by = int(remind_days_before), actor
    row.save()
    audit.record(actor=actor, action="workplans.settings", obj=row, agency=agency,
                 before={"remind_days_before": before}, after={"remind_days_before": row.remind_days_before})
    return row
