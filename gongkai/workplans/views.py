"""The back office's work-plan pages: the list of plans, one plan with its tasks, one
task with its notes, evidence and 督办, the page where a supervising office sets tasks for
its agencies and the roll-up of their progress, and the task queues the desk links to.

Thin: the same 404 for a missing and a foreign plan or task (selectors), 403 for a reader
who may not act (before any input is read), the services for the rules; the task's POST
steps in the shape of ``core.views.actions.ActionPage``."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongkai.consultations.models import Consultation
from gongkai.core import clock
from gongkai.core.errors import DomainError
from gongkai.core.models import Agency
from gongkai.core.views.actions import ActionPage
from gongkai.core.views.base import staff_required
from gongkai.publishing.models import Publication
from gongkai.workplans import forms, permissions, selectors, services

NOT_HERE = "工作要点不存在"


def tasks_url(**params) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse("staff:workplan-tasks") + (f"?{query}" if query else "")


def _require_area(user) -> None:
    if not permissions.can_view_area(user):
        raise Http404(NOT_HERE)


def _chosen_agency(request) -> Agency | None:
    raw = request.GET.get("agency", "")
    if raw.isdigit() and len(raw) <= 18:
        return selectors.agency_get_for_user(user=request.user, pk=int(raw))
    if raw:
        raise Http404("机关不存在")
    membership = request.membership
    return membership.agency if membership else None


# --- plans -------------------------------------------------------------------------------------


def _render_list(request, *, agency, plan_form=None, status=200):
    user = request.user
    can_manage = agency is not None and permissions.can_manage(user, agency)
    return render(request, "workplans/staff/list.html", {
        "agency": agency,
        "plans": selectors.plans_for(user=user, agency=None if permissions.reads_several_agencies(user)
                                     and "agency" not in request.GET else agency),
        "agencies": permissions.agencies_readable_by(user) if permissions.reads_several_agencies(user) else None,
        "can_manage": can_manage,
        "plan_form": plan_form or (forms.PlanForm(initial={"year": clock.today().year}) if can_manage else None),
        "can_assign": bool(permissions.setting_agencies(user)),
    }, status=status)


@staff_required
@require_GET
def plan_list(request):
    _require_area(request.user)
    return _render_list(request, agency=_chosen_agency(request))


@staff_required
@require_POST
def plan_create(request):
    _require_area(request.user)
    membership = request.membership
    agency = membership.agency if membership else None
    if agency is None or not permissions.can_manage(request.user, agency):
        raise PermissionDenied(services.NOT_OFFICE)
    form = forms.PlanForm(request.POST)
    if form.is_valid():
        try:
            plan = services.plan_create(actor=request.user, agency=agency, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已建立“{plan.title}”，请添加任务。")
            return redirect("staff:workplan-detail", pk=plan.pk)
    return _render_list(request, agency=agency, plan_form=form, status=400)


def _render_plan(request, plan, *, bound=None, error="", status=200):
    user = request.user
    bound = bound or {}
    can_manage = permissions.can_manage(user, plan.agency)
    return render(request, "workplans/staff/plan.html", {
        "plan": plan,
        "rows": selectors.task_rows(selectors.plan_tasks(plan)),
        "can_manage": can_manage,
        "edit_form": bound.get("edit") or forms.PlanEditForm(
            prefix="edit", initial={"title": plan.title, "source_url": plan.source_url}),
        "task_form": bound.get("task") or forms.TaskForm(prefix="task", agency=plan.agency),
        "settings_form": bound.get("settings") or forms.SettingsForm(
            prefix="settings", initial={"remind_days_before": selectors.window_for(plan.agency)}),
        "window": selectors.window_for(plan.agency),
        "summary": selectors.year_summary(agency=plan.agency, year=plan.year),
        "error": error,
    }, status=status)


@staff_required
@require_GET
def plan_detail(request, pk: int):
    return _render_plan(request, selectors.plan_get_for_user(user=request.user, pk=pk))


PLAN = ActionPage("staff:workplan-detail", load=selectors.plan_get_for_user, render=_render_plan)


def _manages_plan(user, plan) -> bool:
    return permissions.can_manage(user, plan.agency)


@PLAN.step(title="修改工作要点", may=_manages_plan, prefix="edit",
           bind=lambda plan, *, data, files, prefix: forms.PlanEditForm(data=data, prefix=prefix))
def plan_edit(request, plan, data):
    services.plan_update(actor=request.user, plan=plan, **data)
    return "已保存。"


@PLAN.step(title="添加任务", may=_manages_plan, prefix="task",
           bind=lambda plan, *, data, files, prefix: forms.TaskForm(data=data, prefix=prefix, agency=plan.agency))
def task_add(request, plan, data):
    task = services.task_add(actor=request.user, plan=plan, **data)
    return f"已添加第{task.number}项任务。"


@PLAN.step(title="提醒设置", may=_manages_plan, prefix="settings",
           bind=lambda plan, *, data, files, prefix: forms.SettingsForm(data=data, prefix=prefix))
def plan_settings(request, plan, data):
    services.settings_save(actor=request.user, agency=plan.agency, **data)
    return f"已保存：任务到期前{data['remind_days_before']}天开始提醒。"


# --- one task ------------------------------------------------------------------------------------


def _render_task(request, task, *, bound=None, error="", status=200):
    user = request.user
    bound = bound or {}
    today = clock.today()
    agency = task.plan.agency
    can_progress = permissions.can_report_progress(user, task) and not task.is_assignment
    can_manage = permissions.can_manage(user, agency)
    detail = selectors.task_detail(task)
    phase = (selectors.task_rows([task])[0].phase if not task.is_assignment
             else selectors.rolled_up_phase(task, list(task.children.all()), today))
    return render(request, "workplans/staff/task.html", {
        "task": task, "agency": agency, "phase": phase, **detail,
        "rollup": selectors.rollup(task) if task.is_assignment else None,
        "can_progress": can_progress,
        "can_manage": can_manage,
        "can_supervise": (permissions.can_supervise(user, task) and not task.is_assignment
                          and phase == selectors.Phase.OVERDUE),
        "can_reply": permissions.can_reply(user, task),
        "note_form": bound.get("note") or forms.NoteForm(prefix="note", initial={"on": today}),
        "state_form": bound.get("state") or forms.StateForm(prefix="state"),
        "evidence_form": bound.get("evidence") or _evidence_form(task, prefix="evidence"),
        "supervise_form": bound.get("supervise") or forms.SupervisionForm(prefix="supervise"),
        "reply_form": bound.get("reply"),
        "can_edit": permissions.can_edit_task(user, task),
        "edit_form": bound.get("edit") or forms.TaskForm(prefix="edit", agency=agency,
                                                         assignment=task.is_assignment, initial={
            "number": task.number, "text": task.text, "due_on": task.due_on, "department": task.department_id,
            "cooperating": [d.pk for d in detail["cooperating"]]}),
        "error": error,
    }, status=status)


def _evidence_form(task, **kwargs) -> forms.EvidenceForm:
    publications, consultations = selectors.evidence_choices(task.plan.agency)
    return forms.EvidenceForm(publications=publications, consultations=consultations, **kwargs)


@staff_required
@require_GET
def task_detail(request, pk: int):
    return _render_task(request, selectors.task_get_for_user(user=request.user, pk=pk))


TASK = ActionPage("staff:workplan-task", load=selectors.task_get_for_user, render=_render_task)


def _bind(form_class, **extra):
    def bind(task, *, data, files, prefix):
        kwargs = ({"agency": task.plan.agency, "assignment": task.is_assignment}
                  if form_class is forms.TaskForm else {})
        return form_class(data=data, prefix=prefix, **kwargs, **extra)
    return bind


@TASK.step(title="修改任务", may=permissions.can_edit_task, bind=_bind(forms.TaskForm), prefix="edit")
def task_edit(request, task, data):
    services.task_update(actor=request.user, task=task, number=data["number"], text=data["text"],
                         due_on=data["due_on"], department=data.get("department"),
                         cooperating=data.get("cooperating") or ())
    return "已保存任务。"


@TASK.step(title="填报进展", may=permissions.can_report_progress, bind=_bind(forms.NoteForm), prefix="note")
def task_note(request, task, data):
    services.note_add(actor=request.user, task=task, text=data["text"], on=data["on"])
    return "已记录工作进展。"


@TASK.step(title="更新进展状态", may=permissions.can_report_progress, bind=_bind(forms.StateForm), prefix="state")
def task_state(request, task, data):
    task = services.task_set_state(actor=request.user, task=task, state=data["state"], note=data["note"])
    return f"任务已标记为“{task.get_state_display()}”。"


def _object_or_none(model, pk):
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise DomainError("所选材料不存在，请核对编号")
    return obj


def _chosen_publication(task, data) -> Publication | None:
    """The item picked from the list of the latest, or an earlier one by its 索引号 (only
    the agency's own are looked up; the service checks it is published)."""
    if data["publication"] is not None:
        return _object_or_none(Publication, data["publication"])
    index = data["publication_index"]
    publication = Publication.objects.filter(agency=task.plan.agency, index_number=index).first()
    if publication is None:
        raise DomainError(f"本机关没有索引号为“{index}”的政府信息，请核对")
    return publication


@TASK.step(title="添加佐证材料", may=permissions.can_report_progress, prefix="evidence",
           bind=lambda task, *, data, files, prefix: _evidence_form(task, data=data, prefix=prefix))
def task_evidence(request, task, data):
    services.evidence_add(
        actor=request.user, task=task, kind=data["kind"],
        publication=_chosen_publication(task, data) if data["kind"] == "publication" else None,
        consultation=(_object_or_none(Consultation, data["consultation"])
                      if data["kind"] == "consultation" else None),
        report_id=data["report_id"], url=data["url"], label=data["label"])
    return "已添加佐证材料。"


@TASK.step(title="删除佐证材料", may=lambda user, task: permissions.can_manage(user, task.plan.agency),
           bind=_bind(forms.EvidenceRemoveForm), prefix="remove")
def task_evidence_remove(request, task, data):
    evidence = task.evidence.filter(pk=data["evidence"]).first()
    if evidence is None:
        raise DomainError("佐证材料不存在")
    services.evidence_remove(actor=request.user, evidence=evidence, reason=data["reason"])
    return "已删除佐证材料。"


@TASK.step(title="督办", may=permissions.can_supervise, bind=_bind(forms.SupervisionForm), prefix="supervise")
def task_supervise(request, task, data):
    services.supervision_issue(actor=request.user, task=task, note=data["note"], reply_by=data["reply_by"])
    return "已督办，并通知责任部门和公开办。"


@TASK.step(title="反馈督办", may=permissions.can_reply, bind=_bind(forms.ReplyForm), prefix="reply")
def task_reply(request, task, data):
    supervision = task.supervisions.filter(pk=data["supervision"]).first()
    if supervision is None:
        raise DomainError("督办不存在")
    services.supervision_reply(actor=request.user, supervision=supervision, reply=data["reply"])
    return "已反馈督办。"


# --- tasks set from above ---------------------------------------------------------------------------


def _assign_form(user, data=None):
    from_agencies = permissions.setting_agencies(user)
    q = Q(pk__in=[])
    for a in from_agencies:
        q |= Q(path__startswith=a.path) & ~Q(pk=a.pk)
    subordinates = Agency.objects.filter(q, is_active=True).order_by("path")
    return forms.AssignForm(data, from_agencies=from_agencies, subordinates=subordinates,
                            initial={"year": clock.today().year})


@staff_required
@require_http_methods(["GET", "POST"])
def assign(request):
    if not permissions.setting_agencies(request.user):
        if permissions.can_view_area(request.user):
            raise PermissionDenied("只有上级机关的公开办或主管部门可以向下级机关部署任务。")
        raise Http404(NOT_HERE)
    form = _assign_form(request.user, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                parent = services.tasks_assign(actor=request.user, **data)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"已向{len(data['agencies'])}个机关部署第{parent.number}项任务。")
                return redirect("staff:workplan-task", pk=parent.pk)
    return render(request, "workplans/staff/assign.html", {"form": form}, status=status)


@staff_required
@require_GET
def assignments(request):
    """Per task set from above: how many agencies are done, in progress, overdue."""
    _require_area(request.user)
    agency = _chosen_agency(request)
    if agency is None:
        raise Http404(NOT_HERE)
    rows = selectors.task_rows(selectors.assignments_for(agency=agency))
    return render(request, "workplans/staff/assignments.html", {"agency": agency, "rows": rows})


# --- queues ------------------------------------------------------------------------------------------


@staff_required
@require_GET
def task_queue(request):
    """Open tasks in a queue (the desk's links): ``?queue=due_soon|overdue|mine``,
    ``&agency=``, ``&subtree=1`` for a supervising office."""
    _require_area(request.user)
    queue = request.GET.get("queue", "overdue")
    if queue not in selectors.QUEUES:
        raise Http404("队列不存在")
    agency = _chosen_agency(request)
    if agency is None:
        raise Http404(NOT_HERE)
    membership = request.membership
    tasks = selectors.queue_tasks(user=request.user, queue=queue, agency=agency, membership=membership,
                                  subtree=request.GET.get("subtree") == "1")
    return render(request, "workplans/staff/queue.html", {
        "agency": agency, "queue_label": selectors.QUEUES[queue], "rows": selectors.task_rows(tasks)})
