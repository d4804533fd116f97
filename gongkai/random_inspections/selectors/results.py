"""Reads of the results part: a task's results page, the public results of an agency,
the tasks whose results are due (the desk), all through the permissions module.

The same 404 for a task that does not exist and one the user may not read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import CharField, Count, Exists, OuterRef, Prefetch, Q
from django.db.models.functions import Cast
from django.http import Http404

from gongkai.core import clock
from gongkai.core.selectors import get_working_day_calendar
from gongkai.random_inspections import findings, permissions, rules
from gongkai.random_inspections.models import (
    Draw,
    DrawnInspector,
    DrawnTarget,
    DrawStatus,
    FollowUpCase,
    InspectionTask,
    Inspector,
    Result,
    TaskStatus,
)

NOT_HERE = "抽查任务不存在"
CARRIED_OUT = (TaskStatus.DRAWN, TaskStatus.COMPLETED)
CANCEL_ACTION = "random_inspections.task.cancel"


def owing_results_q() -> Q:
    """The tasks whose drawn targets' results are owed (for the desk, oversight and the
    figures): drawn or completed, and also cancelled after the draw — a cancelled task
    whose current draw was drawn — unless it was cancelled on or before its last day (the
    inspections were called off before any result fell due). The day of the cancellation
    is that of its audit event; without one the task counts (it stays visible)."""
    from gongkai.core.models import AuditEvent

    drawn = Draw.objects.filter(task=OuterRef("pk"), status=DrawStatus.DRAWN)
    called_off_early = AuditEvent.objects.filter(
        object_type=InspectionTask._meta.label_lower, object_id=Cast(OuterRef("pk"), CharField()),
        action=CANCEL_ACTION, occurred_at__date__lte=OuterRef("ends_on"))
    return Q(status__in=CARRIED_OUT) | (Q(status=TaskStatus.CANCELLED) & Exists(drawn) & ~Exists(called_off_early))


def task_get_for_results(*, user, pk: int) -> InspectionTask:
    """A task whose results the user may read, or 404."""
    task = (InspectionTask.objects.select_related("plan__agency").prefetch_related("partner_agencies", "departments")
            .filter(pk=pk).first())
    if task is None or not permissions.can_view_task(user, task):
        raise Http404(NOT_HERE)
    return task


def current_draw(task: InspectionTask) -> Draw | None:
    return task.draws.filter(status=DrawStatus.DRAWN).first()


def target_get_for_task(*, task: InspectionTask, pk: int) -> DrawnTarget:
    """A target of the task's current draw, or 404."""
    target = DrawnTarget.objects.select_related("draw__task__plan__agency").filter(
        pk=pk, draw__task=task, draw__status=DrawStatus.DRAWN).first()
    if target is None:
        raise Http404("检查对象不存在")
    return target


def result_get_for_task(*, task: InspectionTask, pk: int) -> Result:
    result = Result.objects.select_related("target__draw__task__plan__agency").filter(
        pk=pk, target__draw__task=task).first()
    if result is None:
        raise Http404("检查结果不存在")
    return result


def case_get_for_task(*, task: InspectionTask, pk: int) -> FollowUpCase:
    case = FollowUpCase.objects.select_related("result__target__draw__task__plan__agency", "decision").filter(
        pk=pk, result__target__draw__task=task).first()
    if case is None:
        raise Http404("后续处置不存在")
    return case


@dataclass
class Deadline:
    """When a task's results are due, and where it stands as of a day."""

    due_on: dt.date
    days_left: int  # working days to the due date (negative past it)
    late: bool  # some result published late, or some target unpublished past the due date
    published: int
    total: int

    @property
    def all_published(self) -> bool:
        return self.total > 0 and self.published == self.total


def task_deadline(task: InspectionTask, rows: list[DrawnTarget], as_of: dt.date | None = None) -> Deadline:
    as_of = as_of or clock.today()
    calendar = get_working_day_calendar()
    due = rules.results_due(task.ends_on, calendar)
    results = [getattr(t, "result_or_none", None) for t in rows]
    published = [r for r in results if r is not None and r.published_on is not None]
    late = any(rules.is_result_late(task.ends_on, r.published_on if r else None, as_of, calendar) for r in results)
    return Deadline(due_on=due, days_left=calendar.working_days_between(as_of, due), late=late,
                    published=len(published), total=len(rows))


def actual_inspectors(result: Result, drawn: list) -> list:
    """Who inspected: the result's actual inspectors (Inspector rows) when set, else the
    drawn ones (a result entered before actual inspectors were recorded). Each has
    ``name`` and ``certificate_number``."""
    actual = sorted(result.actual_inspectors.all(), key=lambda i: i.certificate_number)
    if not actual:
        return drawn
    drawn_order = {d.certificate_number: n for n, d in enumerate(drawn)}
    return sorted(actual, key=lambda i: (drawn_order.get(i.certificate_number, len(drawn_order)),
                                         i.certificate_number))


def task_targets(task: InspectionTask, draw: Draw | None) -> list[DrawnTarget]:
    """The current draw's targets with their inspectors, result and cases (``result_or_none``
    set on each, ``drawn_list`` the drawn inspectors, ``actual_or_drawn`` who inspected):
    five queries."""
    if draw is None:
        return []
    targets = list(DrawnTarget.objects.filter(draw=draw).prefetch_related(
        Prefetch("inspectors", queryset=DrawnInspector.objects.order_by("position"))))
    results = {r.target_id: r for r in Result.objects.filter(target__draw=draw).prefetch_related(
        Prefetch("cases", queryset=FollowUpCase.objects.select_related("decision")),
        Prefetch("actual_inspectors", queryset=Inspector.objects.only("pk", "name", "certificate_number")))}
    for t in targets:
        t.drawn_list = list(t.inspectors.all())
        t.result_or_none = results.get(t.pk)
        t.actual_or_drawn = t.drawn_list
        if t.result_or_none is not None:
            t.result_or_none.finding_label = findings.label(t.result_or_none.finding)
            t.actual_or_drawn = actual_inspectors(t.result_or_none, t.drawn_list)
            t.result_or_none.shown_inspectors = t.actual_or_drawn
    return targets


def penalty_decisions(task: InspectionTask, *, party_uscc: str | None = None, limit: int = 200):
    """Published penalty decisions of the task's agency, newest first, for linking a case:
    those whose party is ``party_uscc`` when given (the case's target)."""
    from gongkai.decisions.models import Decision, DecisionKind, DecisionStatus

    qs = Decision.objects.filter(agency_id=task.plan.agency_id, kind=DecisionKind.PENALTY,
                                 status=DecisionStatus.PUBLISHED)
    if party_uscc is not None:
        qs = qs.filter(party_uscc=party_uscc)
    return (qs.order_by("-decision_date", "-pk")
            .only("pk", "number", "party_name", "party_uscc", "decision_date")[:limit])


def penalty_decisions_by_party(task: InspectionTask, targets, *, limit: int = 50) -> dict[str, list]:
    """credit code → the published penalty decisions of the task's agency against that
    party (newest first, at most ``limit`` each), for the targets that have a case: the
    only decisions a case may be linked to. One query."""
    from gongkai.decisions.models import Decision, DecisionKind, DecisionStatus

    codes = {t.credit_code for t in targets
             if getattr(t, "result_or_none", None) is not None and t.result_or_none.cases.all()}
    found: dict[str, list] = {}
    if not codes:
        return found
    for d in (Decision.objects.filter(agency_id=task.plan.agency_id, kind=DecisionKind.PENALTY,
                                      status=DecisionStatus.PUBLISHED, party_uscc__in=codes)
              .order_by("-decision_date", "-pk").only("pk", "number", "party_name", "party_uscc", "decision_date")):
        rows = found.setdefault(d.party_uscc, [])
        if len(rows) < limit:
            rows.append(d)
    return found


def penalty_decision_get(*, task: InspectionTask, pk: int):
    """A decision of the task's agency (the service checks its kind and state), or None."""
    from gongkai.decisions.models import Decision

    return Decision.objects.filter(pk=pk, agency_id=task.plan.agency_id).first()


# --- the public pages ------------------------------------------------------------------------


@dataclass
class PublicTask:
    task: InspectionTask
    results: list[Result] = field(default_factory=list)
    joint_partner: bool = False  # a joint task led by another agency, shown on a partner's page
    lead_name: str = ""


def _of_agency(agency, prefix: str = "target__draw__task__") -> Q:
    """Tasks the agency leads or takes part in as a partner agency of a joint task."""
    return Q(**{f"{prefix}plan__agency": agency}) | Q(**{f"{prefix}partner_agencies": agency})


def public_years(agency) -> list[int]:
    """Years with published results of tasks the agency led or took part in, newest first."""
    return sorted(set(Result.objects.filter(published_on__isnull=False, target__draw__status=DrawStatus.DRAWN)
                      .filter(_of_agency(agency))
                      .values_list("target__draw__task__plan__year", flat=True).distinct()), reverse=True)


def public_results(*, agency, year: int) -> list[PublicTask]:
    """The published results of ``year`` of the tasks the agency led, and of the joint
    tasks it took part in as a partner (marked, naming the lead), by task: the target's
    name and code, the finding, the date, who actually inspected (name and certificate
    number; the drawn inspectors for a result entered without them) and the reason of a
    replacement. No summary, no record, no personal data."""
    ids = (Result.objects.filter(published_on__isnull=False, target__draw__status=DrawStatus.DRAWN,
                                 target__draw__task__plan__year=year)
           .filter(_of_agency(agency)).values("pk"))
    results = list(Result.objects.filter(pk__in=ids)
                   .select_related("target__draw__task__plan__agency")
                   .prefetch_related(Prefetch("target__inspectors", queryset=DrawnInspector.objects.order_by("position")),
                                     Prefetch("actual_inspectors",
                                              queryset=Inspector.objects.only("pk", "name", "certificate_number")))
                   .order_by("target__draw__task__starts_on", "target__draw__task__number", "target__credit_code"))
    by_task: dict[int, PublicTask] = {}
    for r in results:
        r.finding_label = findings.label(r.finding)
        r.shown_inspectors = actual_inspectors(r, list(r.target.inspectors.all()))
        task = r.target.draw.task
        if task.pk not in by_task:
            partner = task.plan.agency_id != agency.pk
            by_task[task.pk] = PublicTask(task, joint_partner=partner, lead_name=task.plan.agency.name)
        by_task[task.pk].results.append(r)
    return list(by_task.values())


# --- the desk --------------------------------------------------------------------------------


def tasks_awaiting_results(*, agency_ids, as_of: dt.date | None = None, window: int | None = None):
    """(overdue, due soon) tasks of these agencies' plans: drawn (or cancelled after the
    draw, ``owing_results_q``: such a task stays listed, as ``task.status`` says), with
    some target of the current draw whose result is not published, due within ``window`` working days
    (``rules.DUE_SOON_WORKING_DAYS``) or past due. Two lists of tasks, by due date."""
    as_of = as_of or clock.today()
    window = rules.DUE_SOON_WORKING_DAYS if window is None else window
    unpublished = DrawnTarget.objects.filter(draw__task=OuterRef("pk"), draw__status=DrawStatus.DRAWN).filter(
        Q(result__isnull=True) | Q(result__published_on__isnull=True))
    tasks = list(InspectionTask.objects.filter(plan__agency_id__in=list(agency_ids))
                 .filter(Q(status=TaskStatus.DRAWN) | (Q(status=TaskStatus.CANCELLED) & owing_results_q()))
                 .filter(Exists(unpublished)).select_related("plan__agency")
                 .annotate(targets_count=Count("draws__targets", filter=Q(draws__status=DrawStatus.DRAWN)))
                 .order_by("ends_on", "pk"))
    calendar = get_working_day_calendar()
    overdue, soon = [], []
    for task in tasks:
        task.due_on = rules.results_due(task.ends_on, calendar)
        left = calendar.working_days_between(as_of, task.due_on)
        task.days_left = left
        if left < 0:
            overdue.append(task)
        elif left <= window:
            soon.append(task)
    return overdue, soon


# --- oversight -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LateTask:
    """A task whose results were not all published within the deadline: some published
    after it, or some still unpublished once it passed."""

    pk: int
    agency_id: int
    number: str
    title: str
    ends_on: dt.date
    due_on: dt.date
    targets: int
    published: int
    last_published_on: dt.date | None
    cancelled: bool = False  # cancelled after its draw: its results stay owed

    @property
    def unpublished(self) -> int:
        return self.targets - self.published


def late_tasks(*, path: str, year: int, as_of: dt.date | None = None) -> list[LateTask]:
    """The late tasks (drawn or completed, or cancelled after the draw: ``owing_results_q``)
    of the plans of ``year`` of the agencies under
    ``path`` (``Agency.path`` prefix): one grouped query, the rule applied in memory with
    the due date computed once per end date (``rules.results_due``)."""
    from django.db.models import Max

    as_of = as_of or clock.today()
    current = Q(draws__status=DrawStatus.DRAWN)
    rows = (InspectionTask.objects.filter(plan__agency__path__startswith=path, plan__year=year)
            .filter(owing_results_q())
            .annotate(n_targets=Count("draws__targets", filter=current),
                      n_published=Count("draws__targets__result",
                                        filter=current & Q(draws__targets__result__published_on__isnull=False)),
                      last=Max("draws__targets__result__published_on", filter=current))
            .order_by("ends_on", "pk")
            .values_list("pk", "plan__agency_id", "number", "title", "ends_on", "n_targets", "n_published", "last",
                         "status"))
    calendar = get_working_day_calendar()
    due: dict[dt.date, dt.date] = {}
    found = []
    for pk, agency_id, number, title, ends_on, targets, published, last, status in rows:
        if ends_on not in due:
            due[ends_on] = rules.results_due(ends_on, calendar)
        late = (last is not None and rules.is_result_late(ends_on, last, as_of, calendar)) or (
            published < targets and rules.is_result_late(ends_on, None, as_of, calendar))
        if late:
            found.append(LateTask(pk, agency_id, number, title, ends_on, due[ends_on], targets, published, last,
                                  cancelled=status == TaskStatus.CANCELLED))
    return found
