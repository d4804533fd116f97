"""Plans, tasks and draws in the back office: the landing page of random inspections (the
year's plans and tasks, links to the list and the directories), a plan, a task's form, a
task with its inputs, commitment, draws and drawn list; commit, draw, re-draw and cancel
as POST steps.

Thin: the same 404 for a missing and a foreign plan or task (selectors), 403 for a reader
who may not act (before any input is read), the services for the rules."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongkai.core import clock
from gongkai.core.errors import DomainError
from gongkai.core.views.actions import ActionPage
from gongkai.core.views.base import staff_required
from gongkai.random_inspections import permissions, public_values
from gongkai.random_inspections.forms import tasks as forms
from gongkai.random_inspections.models import DrawStatus, SeedMode, TaskStatus
from gongkai.random_inspections.selectors import tasks as selectors
from gongkai.random_inspections.services import tasks as services


def _url(name: str, *args, **kwargs) -> str | None:
    """A URL of another part of random inspections, or None while it does not exist."""
    try:
        return reverse(name, args=args or None, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def _require_area(user) -> None:
    if not permissions.can_view_area(user):
        raise Http404("抽查工作计划不存在")


def _chosen_agency(request):
    raw = request.GET.get("agency", "")
    if raw.isdigit() and len(raw) <= 18:
        return selectors.agency_get_for_user(user=request.user, pk=int(raw))
    if raw:
        raise Http404("机关不存在")
    membership = request.membership
    if membership is not None and permissions.can_view_agency(request.user, membership.agency):
        return membership.agency
    return permissions.agencies_readable_by(request.user).first()


# --- the landing page and plans -----------------------------------------------------------------

def _render_index(request, agency, *, plan_form=None, status=200):
    user = request.user
    can_manage = agency is not None and permissions.can_manage(user, agency)
    plans = list(selectors.plans_for(agency=agency)) if agency is not None else []
    return render(request, "random_inspections/tasks/index.html", {
        "agency": agency, "plans": plans, "can_manage": can_manage,
        "agencies": (permissions.agencies_readable_by(user) if permissions.reads_several_agencies(user) else None),
        "plan_form": plan_form or (forms.PlanForm(initial={"year": clock.today().year}) if can_manage else None),
        "links": [(label, url) for label, url in (
            ("随机抽查事项清单", _url("staff:ri-matters")),
            ("检查对象名录库", _url("staff:ri-entities")),
            ("执法检查人员名录库", _url("staff:ri-inspectors")),
            ("待公示的抽查结果", _url("staff:ri-results-due")),
            ("年度抽查统计", _url("staff:ri-figures")),
        ) if url],
        "public_url": _url("portal:ri-agency", code=agency.code) if agency is not None else None,
    }, status=status)


@staff_required
@require_GET
def index(request):
    _require_area(request.user)
    return _render_index(request, _chosen_agency(request))


@staff_required
@require_POST
def plan_create(request):
    _require_area(request.user)
    agency = _chosen_agency(request)
    if agency is None or not permissions.can_manage(request.user, agency):
        raise PermissionDenied(services.NOT_OFFICE)
    form = forms.PlanForm(request.POST)
    if form.is_valid():
        try:
            plan = services.plan_create(actor=request.user, agency=agency, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已建立“{plan.title}”，请添加抽查任务。")
            return redirect("staff:ri-plan", pk=plan.pk)
    return _render_index(request, agency, plan_form=form, status=400)


def _render_plan(request, plan, *, bound=None, error="", status=200):
    bound = bound or {}
    can_manage = permissions.can_manage(request.user, plan.agency)
    return render(request, "random_inspections/tasks/plan.html", {
        "plan": plan, "agency": plan.agency, "tasks": selectors.plan_tasks(plan), "can_manage": can_manage,
        "edit_form": bound.get("edit") or forms.PlanEditForm(prefix="edit", initial={
            "title": plan.title, "note": plan.note}),
        "publish_form": bound.get("publish") or forms.PlanPublishForm(prefix="publish"),
        "error": error,
    }, status=status)


@staff_required
@require_GET
def plan_detail(request, pk: int):
    return _render_plan(request, selectors.plan_get_for_user(user=request.user, pk=pk))


PLAN = ActionPage("staff:ri-plan", load=selectors.plan_get_for_user, render=_render_plan)


def _manages_plan(user, plan) -> bool:
    return permissions.can_manage(user, plan.agency)


@PLAN.step(title="修改抽查工作计划", may=_manages_plan, prefix="edit",
           bind=lambda plan, *, data, files, prefix: forms.PlanEditForm(data=data, prefix=prefix))
def plan_edit(request, plan, data):
    services.plan_update(actor=request.user, plan=plan, **data)
    return "已保存。"


@PLAN.step(title="公布抽查工作计划", may=_manages_plan, prefix="publish",
           bind=lambda plan, *, data, files, prefix: forms.PlanPublishForm(data=data, prefix=prefix))
def plan_publish(request, plan, data):
    services.plan_publish(actor=request.user, plan=plan)
    return "抽查工作计划已公布。"


# --- the task form ------------------------------------------------------------------------------

def _render_task_form(request, *, plan, form, task=None, status=200):
    return render(request, "random_inspections/tasks/task_form.html", {
        "plan": plan, "agency": plan.agency, "task": task, "form": form,
        "weight_fields": [form[f"weight_{i}"] for i in range(len(form.grades))],
        "has_matters": form.fields["matters"].queryset.exists(),
        "matters_url": _url("staff:ri-matters"),
    }, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def task_new(request, pk: int):
    plan = selectors.plan_get_for_user(user=request.user, pk=pk)
    if not permissions.can_manage(request.user, plan.agency):
        raise PermissionDenied(services.NOT_OFFICE)
    if request.method == "GET":
        form = forms.TaskForm(agency=plan.agency, initial={
            "starts_on": clock.today(), "ends_on": clock.today()})
        return _render_task_form(request, plan=plan, form=form)
    form = forms.TaskForm(request.POST, agency=plan.agency)
    if form.is_valid():
        try:
            task = services.task_create(actor=request.user, plan=plan, **form.service_kwargs())
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已添加任务“{task.title}”。")
            return redirect("staff:ri-task", pk=task.pk)
    return _render_task_form(request, plan=plan, form=form, status=400)


@staff_required
@require_http_methods(["GET", "POST"])
def task_edit(request, pk: int):
    task = selectors.task_get_for_user(user=request.user, pk=pk)
    plan = task.plan
    if not permissions.can_manage(request.user, plan.agency):
        raise PermissionDenied(services.NOT_OFFICE)
    if task.status != TaskStatus.DRAFT:
        messages.error(request, "抽取条件已公布，任务不能再修改。")
        return redirect("staff:ri-task", pk=task.pk)
    if request.method == "GET":
        form = forms.TaskForm(agency=plan.agency, initial=forms.task_initial(task))
        form.initial.update(form.weight_initial(task.risk_weights or {}))
        return _render_task_form(request, plan=plan, form=form, task=task)
    form = forms.TaskForm(request.POST, agency=plan.agency)
    if form.is_valid():
        try:
            services.task_update(actor=request.user, task=task, **form.service_kwargs())
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "已保存任务。")
            return redirect("staff:ri-task", pk=task.pk)
    return _render_task_form(request, plan=plan, form=form, task=task, status=400)


# --- one task -----------------------------------------------------------------------------------

def _render_task(request, task, *, bound=None, error="", status=200):
    bound = bound or {}
    user = request.user
    page = selectors.task_page(task, target_pages=selectors.requested_target_pages(request.GET))
    can_manage = permissions.can_manage(user, task.plan.agency)
    actions = services.allowed_actions(task) if can_manage else []
    current = page.current
    committed = current is not None and current.status == DrawStatus.COMMITTED
    opens_at = public_values.draw_opens_at(current) if committed else None
    return render(request, "random_inspections/tasks/task.html", {
        "task": task, "plan": task.plan, "agency": task.plan.agency, "page": page, "current": current,
        "can_manage": can_manage, "actions": actions,
        "can_edit": can_manage and task.status == TaskStatus.DRAFT,
        "commit_form": bound.get("commit") or forms.CommitForm(prefix="commit"),
        "draw_form": bound.get("draw") or forms.DrawForm(prefix="draw"),
        "redraw_form": bound.get("redraw") or forms.RedrawForm(prefix="redraw"),
        "cancel_form": bound.get("cancel") or forms.CancelForm(prefix="cancel"),
        "public_value_mode": current is not None and current.seed_mode == SeedMode.PUBLIC_VALUE,
        "public_value_kind": public_values.kind_or_none(current.public_value_kind) if current is not None else None,
        "draw_opens_at": opens_at,
        "draw_open": opens_at is not None and clock.now() >= opens_at,
        "public_value_kinds": list(public_values.kinds().values()),
        "publication_margin_hours": int(public_values.PUBLICATION_MARGIN.total_seconds() // 3600),
        "commitment_min_minutes": int(public_values.COMMITMENT_MIN_PUBLIC.total_seconds() // 60),
        "has_results": committed is False and current is not None and selectors.draw_has_results(current),
        "results_url": _url("staff:ri-task-results", pk=task.pk),
        "public_url": (_url("portal:ri-task", code=task.plan.agency.code, pk=task.pk)
                       if task.plan.published_at and page.draws else None),
        "error": error,
    }, status=status)


@staff_required
@require_GET
def task_detail(request, pk: int):
    return _render_task(request, selectors.task_get_for_user(user=request.user, pk=pk))


TASK = ActionPage("staff:ri-task", load=selectors.task_get_for_user, render=_render_task)


def _manages_task(user, task) -> bool:
    return permissions.can_manage(user, task.plan.agency)


def _bind(form_class):
    return lambda task, *, data, files, prefix: form_class(data=data, prefix=prefix)


@TASK.step(title="公布抽取条件", may=_manages_task, bind=_bind(forms.CommitForm), prefix="commit")
def task_commit(request, task, data):
    draw = services.task_commit(actor=request.user, task=task, **forms.seed_kwargs(data))
    return f"抽取条件已公布（候选对象{draw.candidate_count}户，执法人员{draw.inspector_count}名）。"


@TASK.step(title="抽取", may=_manages_task, bind=_bind(forms.DrawForm), prefix="draw")
def task_draw(request, task, data):
    draw = services.task_draw(actor=request.user, task=task, public_value=data["public_value"])
    return f"已抽取{draw.targets.count()}户检查对象及其执法检查人员，结果已公开。"


@TASK.step(title="重新抽取", may=_manages_task, bind=_bind(forms.RedrawForm), prefix="redraw")
def task_redraw(request, task, data):
    draw = services.task_redraw(actor=request.user, task=task, reason=data["reason"], **forms.seed_kwargs(data))
    return f"原抽取已作废并保留公开；已公布第{draw.number}次抽取的条件。"


@TASK.step(title="取消任务", may=_manages_task, bind=_bind(forms.CancelForm), prefix="cancel")
def task_cancel(request, task, data):
    services.task_cancel(actor=request.user, task=task, reason=data["reason"])
    return "任务已取消。"


staff_patterns: list = [
    path("random-inspections/", index, name="ri-index"),
    path("random-inspections/plans/new/", plan_create, name="ri-plan-create"),
    path("random-inspections/plans/<int:pk>/", plan_detail, name="ri-plan"),
    path("random-inspections/plans/<int:pk>/edit/", plan_edit, name="ri-plan-edit"),
    path("random-inspections/plans/<int:pk>/publish/", plan_publish, name="ri-plan-publish"),
    path("random-inspections/plans/<int:pk>/tasks/new/", task_new, name="ri-task-new"),
    path("random-inspections/tasks/<int:pk>/", task_detail, name="ri-task"),
    path("random-inspections/tasks/<int:pk>/edit/", task_edit, name="ri-task-edit"),
    path("random-inspections/tasks/<int:pk>/commit/", task_commit, name="ri-task-commit"),
    path("random-inspections/tasks/<int:pk>/draw/", task_draw, name="ri-task-draw"),
    path("random-inspections/tasks/<int:pk>/redraw/", task_redraw, name="ri-task-redraw"),
    path("random-inspections/tasks/<int:pk>/cancel/", task_cancel, name="ri-task-cancel"),
]
public_patterns: list = []
