"""Reads of the work plans for the pages, the desk, the reminders and the annual report.
A plan or task outside the user's scope is the same Http404 as a missing one. Phases
(逾期 included) are computed on the day asked, from the stored facts (``rules.phase``)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from gongkai.core import clock
from gongkai.core.models import Agency, Membership
from gongkai.workplans import permissions, rules
from gongkai.workplans.models import AgencyWorkplanSettings, Supervision, Task, WorkPlan
from gongkai.workplans.rules import Phase, TaskState

# --- one object ---------------------------------------------------------------------------------


def _scoped(qs: QuerySet, user, field: str) -> QuerySet:
    q = permissions.core_permissions.agency_scope_q(user, field=field, roles=permissions.READ_ROLES)
    return qs if q is None else qs.filter(q)


def tasks_scope(qs: QuerySet, user, field: str = "") -> QuerySet:
    """Tasks (at ``field``, "" for Task itself) the user reads: those of the plans it reads,
    and those its agency set for the agencies below (``permissions.SETTING_ROLES``)."""
    prefix = f"{field}__" if field else ""
    q = permissions.core_permissions.agency_scope_q(user, field=f"{prefix}plan__agency",
                                                    roles=permissions.READ_ROLES)
    if q is None:
        return qs
    setting = permissions.core_permissions.agency_ids_with_role(user, *permissions.SETTING_ROLES)
    if setting:
        q |= Q(**{f"{prefix}parent__plan__agency_id__in": setting})
    return qs.filter(q)


def plan_get_for_user(*, user, pk: int) -> WorkPlan:
    plan = _scoped(WorkPlan.objects.select_related("agency"), user, "agency").filter(pk=pk).first()
    if plan is None:
        raise Http404("工作要点不存在")
    return plan


def task_get_for_user(*, user, pk: int) -> Task:
    task = (tasks_scope(Task.objects.select_related("plan__agency", "department", "parent__plan__agency"),
                        user).filter(pk=pk).first())
    if task is None:
        raise Http404("任务不存在")
    return task


def supervision_get_for_user(*, user, pk: int) -> Supervision:
    supervision = (tasks_scope(Supervision.objects.select_related("task__plan__agency", "issuing_agency"),
                               user, "task").filter(pk=pk).first())
    if supervision is None:
        raise Http404("督办不存在")
    return supervision


def agency_get_for_user(*, user, pk: int) -> Agency:
    agency = permissions.agencies_readable_by(user).filter(pk=pk).first()
    if agency is None:
        raise Http404("机关不存在")
    return agency


# --- lists ---------------------------------------------------------------------------------------


def plans_for(*, user, agency: Agency | None = None) -> list[WorkPlan]:
    qs = _scoped(WorkPlan.objects.select_related("agency"), user, "agency")
    if agency is not None:
        qs = qs.filter(agency=agency)
    return list(qs.annotate(task_count=Count("tasks")).order_by("-year", "agency__path"))


@dataclass
class TaskRow:
    task: Task
    phase: Phase
    done: int = 0  # for a task set for agencies: how many of them are done, …
    in_progress: int = 0
    not_started: int = 0
    overdue: int = 0
    agencies: int = 0
    open_supervisions: int = 0

    @property
    def phase_label(self) -> str:
        return self.phase.label


def rolled_up_phase(task: Task, children: list[Task], as_of: dt.date, *, at_close: bool = False) -> Phase:
    """A task set for agencies is done when every agency's is; otherwise 逾期 past its due
    date, 进行中 once one agency has started, else 未开始 (``at_close``: see ``rules.phase``)."""
    phases = [c.phase_on(as_of, at_close=at_close) for c in children]
    if phases and all(p == Phase.DONE for p in phases):
        return Phase.DONE
    if task.due_on < as_of or (at_close and task.due_on == as_of):
        return Phase.OVERDUE
    return Phase.NOT_STARTED if all(p == Phase.NOT_STARTED for p in phases) else Phase.IN_PROGRESS


def task_rows(tasks, *, as_of: dt.date | None = None, at_close: bool = False) -> list[TaskRow]:
    """Rows with phases; ``tasks`` must prefetch ``children`` for tasks set for agencies
    (``at_close``: see ``rules.phase``)."""
    as_of = as_of or clock.today()
    rows = []
    for task in tasks:
        if task.is_assignment:
            children = list(task.children.all())
            counts = Counter(c.phase_on(as_of, at_close=at_close) for c in children)
            rows.append(TaskRow(task, rolled_up_phase(task, children, as_of, at_close=at_close),
                                done=counts[Phase.DONE],
                                in_progress=counts[Phase.IN_PROGRESS], not_started=counts[Phase.NOT_STARTED],
                                overdue=counts[Phase.OVERDUE], agencies=len(children)))
        else:
            rows.append(TaskRow(task, task.phase_on(as_of, at_close=at_close),
                                open_supervisions=getattr(task, "open_supervisions", 0)))
    return rows


def plan_tasks(plan: WorkPlan) -> QuerySet[Task]:
    return (plan.tasks.select_related("department", "parent__plan__agency")
            .prefetch_related("cooperating_departments", Prefetch("children", queryset=Task.objects.only(
                "id", "parent_id", "state", "completed_on", "due_on")))
            .annotate(open_supervisions=Count("supervisions", filter=Q(supervisions__replied_at__isnull=True)))
            .order_by("due_on", "id"))


def task_detail(task: Task) -> dict:
    return {
        "notes": list(task.notes.select_related("author")),
        "evidence": list(task.evidence.select_related("publication", "consultation", "added_by")),
        "supervisions": list(task.supervisions.select_related("issuing_agency", "issued_by", "replied_by")),
        "cooperating": list(task.cooperating_departments.all()),
    }


EVIDENCE_CHOICES = 200  # the latest, in the evidence form's lists


def evidence_choices(agency: Agency) -> tuple[list, list]:
    """The agency's published items and published consultations, latest first, for the
    evidence form (the service checks them again)."""
    from gongkai.consultations.models import Consultation, ConsultationStatus
    from gongkai.publishing.models import Publication, PublicationStatus

    publications = list(Publication.objects.filter(agency=agency, status=PublicationStatus.PUBLISHED)
                        .only("id", "index_number", "title").order_by("-published_on", "-id")[:EVIDENCE_CHOICES])
    consultations = list(Consultation.objects.filter(
        agency=agency, status__in=[ConsultationStatus.PUBLISHED, ConsultationStatus.FEEDBACK_PUBLISHED])
        .only("id", "title").order_by("-opens_on", "-id")[:EVIDENCE_CHOICES])
    return publications, consultations


@dataclass
class AgencyProgress:
    agency: Agency
    task: Task
    phase: Phase
    last_note: str = ""


def rollup(parent: Task, *, as_of: dt.date | None = None) -> list[AgencyProgress]:
    """Each agency's copy of a task set from above, with its phase and latest note."""
    as_of = as_of or clock.today()
    children = (parent.children.select_related("plan__agency", "department")
                .prefetch_related("notes").order_by("plan__agency__path"))
    rows = []
    for child in children:
        notes = sorted(child.notes.all(), key=lambda n: (n.on, n.pk), reverse=True)
        rows.append(AgencyProgress(child.plan.agency, child, child.phase_on(as_of),
                                   notes[0].text if notes else ""))
    return rows


def assignments_for(*, agency: Agency, year: int | None = None) -> QuerySet[Task]:
    """The tasks an agency set for the agencies below it."""
    qs = Task.objects.filter(plan__agency=agency, is_assignment=True).select_related("plan").prefetch_related(
        Prefetch("children", queryset=Task.objects.only("id", "parent_id", "state", "completed_on", "due_on")))
    if year is not None:
        qs = qs.filter(plan__year=year)
    return qs.order_by("-plan__year", "due_on", "id")


# --- queues (the desk and the task list's filters) -------------------------------------------------

QUEUES = {
    "due_soon": "即将到期",
    "overdue": "已逾期",
    "mine": "本部门的任务",
}


def window_for(agency: Agency) -> int:
    configured = AgencyWorkplanSettings.objects.filter(agency=agency).values_list(
        "remind_days_before", flat=True).first()
    return rules.days_before(configured)


def open_tasks() -> QuerySet[Task]:
    """Tasks with work of their own still to do (not set-for-agencies, not done)."""
    return Task.objects.filter(is_assignment=False).exclude(state=TaskState.DONE)


def queue_q(queue: str, *, today: dt.date, window: int = 0, membership: Membership | None = None) -> Q:
    if queue == "overdue":
        return Q(due_on__lt=today)
    if queue == "due_soon":
        return Q(due_on__gte=today, due_on__lte=today + dt.timedelta(days=window))
    if queue == "mine":
        if membership is None or membership.department_id is None:
            return Q(pk__in=[])
        return Q(department_id=membership.department_id)
    raise KeyError(queue)


def queue_tasks(*, user, queue: str, agency: Agency, membership: Membership | None = None,
                subtree: bool = False) -> QuerySet[Task]:
    """The open tasks of ``agency`` (or, for a supervisor, its subtree) in ``queue``."""
    today = clock.today()
    qs = _scoped(open_tasks(), user, "plan__agency")
    qs = qs.filter(plan__agency__path__startswith=agency.path) if subtree else qs.filter(plan__agency=agency)
    qs = qs.filter(queue_q(queue, today=today, window=window_for(agency), membership=membership))
    return (qs.select_related("plan__agency", "department", "parent__plan__agency")
            .annotate(open_supervisions=Count("supervisions", filter=Q(supervisions__replied_at__isnull=True)))
            .order_by("due_on", "plan__agency__path", "id"))


# --- reminders ---------------------------------------------------------------------------------------


def tasks_to_remind(today: dt.date) -> list[tuple[Task, str]]:
    """Every open task due within its agency's window or overdue, with the kind of reminder."""
    longest = rules.days_before_bounds()[1]
    windows = dict(AgencyWorkplanSettings.objects.values_list("agency_id", "remind_days_before"))
    candidates = (open_tasks().filter(due_on__lte=today + dt.timedelta(days=longest), plan__agency__is_active=True)
                  .select_related("plan__agency", "department").order_by("plan__agency__path", "due_on", "id"))
    result = []
    for task in candidates:
        kind = rules.reminder_kind(state=task.state, due_on=task.due_on, today=today,
                                   window=rules.days_before(windows.get(task.plan.agency_id)))
        if kind:
            result.append((task, kind))
    return result


# --- the annual report ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearSummary:
    """The year's tasks for the annual report's overview paragraph."""

    agency_id: int
    year: int
    has_plan: bool
    total: int = 0
    done: int = 0
    in_progress: int = 0
    not_started: int = 0
    overdue: int = 0
    title: str = ""
    as_of: dt.date | None = None
    phases: dict = field(default_factory=dict)

    @property
    def sentence(self) -> str:
        if not self.has_plan or not self.total:
            return ""
        parts = [f"本年度政务公开工作要点共部署任务{self.total}项", f"已完成{self.done}项"]
        if self.in_progress:
            parts.append(f"正在推进{self.in_progress}项")
        if self.not_started:
            parts.append(f"尚未启动{self.not_started}项")
        if self.overdue:
            parts.append(f"逾期未完成{self.overdue}项")
        return "，".join(parts) + "。"


def year_summary(*, agency: Agency, year: int, as_of: dt.date | None = None) -> YearSummary:
    """The counts of the agency's plan of ``year`` as they stood at the end of that year
    (or today, if earlier): total = done + in progress + not started + overdue. Once the
    day counted is over (the year's end, for a report written in January), a task due that
    day and not done by then is 逾期未完成, not "in progress". A task set for agencies
    counts once, by its roll-up. Empty sentence when there is no plan."""
    plan = WorkPlan.objects.filter(agency=agency, year=year).first()
    if plan is None:
        return YearSummary(agency_id=agency.pk, year=year, has_plan=False)
    today = clock.today()
    as_of = as_of or min(today, dt.date(year, 12, 31))
    tasks = plan.tasks.prefetch_related(Prefetch("children", queryset=Task.objects.only(
        "id", "parent_id", "state", "completed_on", "due_on")))
    counts = Counter(row.phase for row in task_rows(tasks, as_of=as_of, at_close=as_of < today))
    return YearSummary(
        agency_id=agency.pk, year=year, has_plan=True, total=sum(counts.values()), done=counts[Phase.DONE],
        in_progress=counts[Phase.IN_PROGRESS], not_started=counts[Phase.NOT_STARTED],
        overdue=counts[Phase.OVERDUE], title=plan.title, as_of=as_of,
        phases={p.value: counts[p] for p in Phase})
