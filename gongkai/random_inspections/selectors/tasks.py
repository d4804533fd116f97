"""Reads of plans, tasks and draws, for the back office and the public pages.

Back office: a plan is read by whoever reads its agency's random inspections
(``permissions.agencies_readable_by``: the office, the officers, a supervisor above); a
task also by the offices and officers of its partner agencies (a joint task, 联合抽查).
A missing and a foreign plan or task are the same 404.

Public: nothing before the plan is published (公布) and the task's inputs committed; after
that, every draw of the task, superseded ones included, with their reasons."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from gongkai.core import selectors as core_selectors
from gongkai.core.models import Agency, Department
from gongkai.random_inspections import permissions, public_values
from gongkai.random_inspections.models import (
    Draw,
    DrawnInspector,
    DrawnTarget,
    DrawStatus,
    Entity,
    InspectionMatter,
    InspectionPlan,
    InspectionTask,
    MatterList,
    MatterListStatus,
    TaskStatus,
)

NO_PLAN = "抽查工作计划不存在"
NO_TASK = "抽查任务不存在"
NO_DRAW = "没有找到该次抽取"

# The target filter's dimensions: the key in InspectionTask.target_filter, the Entity
# field, and the label.
FILTER_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("kind", "kind", "主体类型"),
    ("industry", "industry", "行业"),
    ("region", "region", "区域"),
    ("risk_grade", "risk_grade", "风险等级"),
)


# --- back office -----------------------------------------------------------------------------

def agency_get_for_user(*, user, pk: int) -> Agency:
    agency = permissions.agencies_readable_by(user).filter(pk=pk).first()
    if agency is None:
        raise Http404("机关不存在")
    return agency


def plans_for(*, agency: Agency) -> QuerySet[InspectionPlan]:
    """The agency's plans, newest year first, with their tasks (for the landing page)."""
    return (InspectionPlan.objects.filter(agency=agency).select_related("agency")
            .prefetch_related(Prefetch("tasks", queryset=InspectionTask.objects.order_by("starts_on", "id")))
            .order_by("-year", "-id"))


def plan_get_for_user(*, user, pk: int) -> InspectionPlan:
    plan = InspectionPlan.objects.select_related("agency", "published_by").filter(pk=pk).first()
    if plan is None or not permissions.can_view_agency(user, plan.agency):
        raise Http404(NO_PLAN)
    return plan


tasks_visible_to = permissions.tasks_readable_by
can_view_task = permissions.can_view_task


def task_get_for_user(*, user, pk: int) -> InspectionTask:
    task = (InspectionTask.objects.select_related("plan__agency", "created_by").filter(pk=pk).first())
    if task is None or not can_view_task(user, task):
        raise Http404(NO_TASK)
    return task


def plan_tasks(plan: InspectionPlan) -> list[InspectionTask]:
    return list(plan.tasks.prefetch_related("departments", "partner_agencies").order_by("starts_on", "id"))


def current_draw(task: InspectionTask) -> Draw | None:
    """The task's draw that is not superseded (at most one: ri_draw_one_current)."""
    return task.draws.exclude(status=DrawStatus.SUPERSEDED).order_by("-number").first()


def draws_of(task: InspectionTask) -> list[Draw]:
    """Every draw of the task, newest first, without their snapshots or their targets (a
    draw of a city's directory has tens of thousands: ``target_page`` reads one page)."""
    return list(
        Draw.objects.filter(task=task).select_related("committed_by", "drawn_by", "superseded_by")
        .defer("candidates", "inspectors", "exclusions", "frozen_names")
        .order_by("-number"))


TARGETS_PER_PAGE = 100


def requested_target_pages(query) -> dict[int, int]:
    """``?draw=N&page=K``: page K of draw N's targets (nothing for a malformed request;
    a page that is not a positive number is the first)."""
    try:
        draw_number = int(query.get("draw", ""))
    except ValueError:
        return {}
    try:
        number = int(query.get("page", ""))
    except ValueError:
        number = 1
    return {draw_number: max(1, number)}


def target_page(draw: Draw, number: int = 1, *, per_page: int | None = None) -> Page:
    """Page ``number`` of the draw's targets by stratum and rank, with their inspectors
    (the last page when ``number`` is beyond it): three queries, whatever the number of
    targets."""
    targets = DrawnTarget.objects.filter(draw=draw).order_by("stratum", "rank").prefetch_related(
        Prefetch("inspectors", queryset=DrawnInspector.objects.order_by("position")))
    return Paginator(targets, per_page or TARGETS_PER_PAGE).get_page(number)


def draw_has_results(draw: Draw) -> bool:
    """Whether a result was entered for any target of the draw (a re-draw is then refused)."""
    return DrawnTarget.objects.filter(draw=draw, result__isnull=False).exists()


def published_matters(agency: Agency) -> QuerySet[InspectionMatter]:
    """The matters of the agency's current published list (the "directories" part's
    selector when present; the same query otherwise)."""
    try:
        from gongkai.random_inspections.selectors.matters import published_matters as of_list
    except ImportError:
        of_list = None
    if of_list is not None:
        return of_list(agency)
    current = (MatterList.objects.filter(agency=agency, status=MatterListStatus.PUBLISHED)
               .order_by("-published_at", "-id").first())
    if current is None:
        return InspectionMatter.objects.none()
    return InspectionMatter.objects.filter(matter_list=current).order_by("position", "id")


def departments_of(agency: Agency) -> QuerySet[Department]:
    return Department.objects.filter(agency=agency, is_active=True).order_by("sort_order", "name")


def partner_choices(agency: Agency) -> QuerySet[Agency]:
    """The agencies a joint task may take in: any other active agency."""
    return Agency.objects.filter(is_active=True).exclude(pk=agency.pk).order_by("path")


def filter_choices(agency: Agency) -> dict[str, list[str]]:
    """The distinct non-empty values of each filter dimension among the agency's active
    entities (what the task form offers)."""
    out = {}
    base = Entity.objects.filter(agency=agency, is_active=True)
    for key, column, _label in FILTER_FIELDS:
        values = base.exclude(**{column: ""}).values_list(column, flat=True).order_by(column).distinct()
        out[key] = list(values[:500])
    return out


# --- public ----------------------------------------------------------------------------------

def public_agency(*, code: str) -> Agency:
    return core_selectors.agency_get_public(code=code)


def _public_tasks_q() -> Q:
    return Q(plan__published_at__isnull=False) & Q(Exists(Draw.objects.filter(task=OuterRef("pk"))))


def public_plans(agency: Agency) -> list[InspectionPlan]:
    """The agency's published plans, newest year first, each with its public tasks (those
    whose inputs were committed: a draft, or a task cancelled before it was committed, is
    not public)."""
    tasks = InspectionTask.objects.filter(_public_tasks_q()).order_by("starts_on", "id")
    return list(InspectionPlan.objects.filter(agency=agency, published_at__isnull=False)
                .prefetch_related(Prefetch("tasks", queryset=tasks, to_attr="public_tasks"))
                .order_by("-year", "-id"))


def public_task(*, agency: Agency, pk: int) -> InspectionTask:
    task = (InspectionTask.objects.filter(_public_tasks_q(), pk=pk, plan__agency=agency)
            .select_related("plan__agency").first())
    if task is None:
        raise Http404(NO_TASK)
    return task


def public_draw(*, task: InspectionTask, number: int) -> Draw:
    draw = Draw.objects.filter(task=task, number=number).select_related("task__plan__agency").first()
    if draw is None:
        raise Http404(NO_DRAW)
    return draw


@dataclass(frozen=True)
class TaskPage:
    task: InspectionTask
    draws: list[Draw]
    matters: list[InspectionMatter]
    departments: list[Department]
    partners: list[Agency]

    @property
    def current(self) -> Draw | None:
        return next((d for d in self.draws if d.status != DrawStatus.SUPERSEDED), None)

    # the page of drawn targets asked for, by draw number (``?draw=N&page=K``); others page 1
    target_pages: dict[int, int] = field(default_factory=dict)

    @property
    def draw_views(self) -> list[DrawView]:
        return [draw_view(d, targets=target_page(d, self.target_pages.get(d.number, 1))
                          if d.drawn_at else None) for d in self.draws]


def task_page(task: InspectionTask, *, target_pages: dict[int, int] | None = None) -> TaskPage:
    """What a task's page shows: its draws (with a page of targets and inspectors each),
    matters, departments and partner agencies."""
    return TaskPage(
        task=task, draws=draws_of(task), target_pages=dict(target_pages or {}),
        matters=list(task.matters.order_by("position", "id")),
        departments=list(task.departments.order_by("sort_order", "name")),
        partners=list(task.partner_agencies.order_by("path")),
    )


def open_statuses() -> tuple[str, ...]:
    return (TaskStatus.DRAFT, TaskStatus.COMMITTED, TaskStatus.DRAWN)


@dataclass(frozen=True)
class StratumRow:
    stratum: str
    size: int
    quota: int
    weight: str


@dataclass(frozen=True)
class DrawView:
    """A draw as its pages show it: the frozen filter with labels, and per stratum its
    size, weight and quota, from the published inputs document."""

    draw: Draw
    filter_rows: list[tuple[str, str]]
    strata: list[StratumRow]
    # when a committed draw may be made (``public_values.draw_opens_at``); None once drawn
    opens_at: dt.datetime | None = None
    # a committed draw whose task was cancelled and whose secret was revealed then
    revealed_on_cancel: bool = False
    # a page of the drawn targets (None before the draw)
    targets: Page | None = None


def draw_view(draw: Draw, *, targets: Page | None = None) -> DrawView:
    doc = draw.inputs or {}
    labels = {key: label for key, _field, label in FILTER_FIELDS}
    filter_rows = [(labels.get(key, key), "、".join(values)) for key, values in (doc.get("filter") or {}).items()]
    weights = doc.get("weights") or {}
    quotas = doc.get("quotas") or {}
    strata = [StratumRow(stratum=s, size=n, quota=quotas.get(s, 0), weight=weights.get(s, "1"))
              for s, n in sorted((doc.get("strata") or {}).items())]
    committed = draw.status == DrawStatus.COMMITTED
    return DrawView(draw=draw, filter_rows=filter_rows, strata=strata,
                    opens_at=public_values.draw_opens_at(draw) if committed and not draw.seed else None,
                    revealed_on_cancel=committed and bool(draw.seed), targets=targets)
