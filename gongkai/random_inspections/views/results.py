"""Results (一公开) in the back office and on the portal.

Staff: a task's results page (each drawn target with its inspectors, the result form,
the record, publication, the due date, the exchange CSV, follow-up cases), one POST URL
per action; the tasks whose results are due (the desk's link); the year's figures.
Portal: an agency's published results by task (the joint tasks it took part in as a
partner too, marked 联合 and naming the lead), with who actually inspected and the reason
of a replacement, and the exchange CSV — no summary, no record, no personal data.

Thin: selectors read (same 404 for missing and foreign), permissions decide (403 before
any input is read), services change."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from gongkai.core import clock
from gongkai.core.errors import DomainError
from gongkai.core.selectors import agency_get_public
from gongkai.core.views.base import chosen_agency, staff_required
from gongkai.random_inspections import exchange, figures, findings, permissions, rules
from gongkai.random_inspections.forms import results as forms
from gongkai.random_inspections.selectors import results as selectors
from gongkai.random_inspections.services import results as services

CSV_TYPE = "text/csv; charset=utf-8"


def _csv(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=CSV_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def results_url(task) -> str:
    return reverse("staff:ri-task-results", kwargs={"pk": task.pk})


def _year(request, default: int) -> int:
    form = forms.YearForm(request.GET)
    if form.is_valid() and form.cleaned_data["year"]:
        return form.cleaned_data["year"]
    if request.GET.get("year"):
        raise Http404("年度无效")
    return default


# --- a task's results -----------------------------------------------------------------------


def _render_task(request, task, *, error: str = "", forms_by_target=None, status: int = 200):
    user = request.user
    draw = selectors.current_draw(task)
    targets = selectors.task_targets(task, draw)
    deadline = selectors.task_deadline(task, targets)
    may_enter = permissions.can_enter_results(user, task)
    may_publish = permissions.can_publish_results(user, task)
    forms_by_target = forms_by_target or {}
    decisions = selectors.penalty_decisions_by_party(task, targets) if may_publish else {}
    for t in targets:
        r = t.result_or_none
        t.decisions = decisions.get(t.credit_code, [])
        t.form = forms_by_target.get(t.pk)
        if t.form is None and may_enter and (r is None or r.published_on is None):
            initial = ({"finding": r.finding, "inspected_on": r.inspected_on, "summary": r.summary,
                        "substitution_reason": r.substitution_reason} if r
                       else {"inspected_on": min(clock.today(), task.ends_on)})
            for n, person in enumerate(t.actual_or_drawn, start=1):
                initial[f"inspector_{n}"] = person.certificate_number
            t.form = forms.ResultForm(initial=initial, prefix=f"t{t.pk}",
                                      slots=max(len(t.drawn_list), len(t.actual_or_drawn)))
        t.may_download = r is not None and bool(r.record) and permissions.can_access_record(user, r)
        t.may_follow_up = (may_publish and r is not None
                           and (findings.get(r.finding) and (findings.get(r.finding).follow_up
                                                             or findings.get(r.finding).problem)))
    unpublished = sum(1 for t in targets if t.result_or_none and t.result_or_none.published_on is None)
    return render(request, "random_inspections/results/task.html", {
        "task": task, "draw": draw, "targets": targets, "deadline": deadline, "error": error,
        "may_enter": may_enter, "may_publish": may_publish, "unpublished": unpublished,
        "limit_days": rules.RESULTS_PUBLICATION_WORKING_DAYS,
        "open_form": forms.FollowUpOpenForm(initial={"opened_on": clock.today()}),
        "close_form": forms.FollowUpCloseForm(initial={"closed_on": clock.today()}),
    }, status=status)


@staff_required
@require_GET
def task_results(request, pk: int):
    task = selectors.task_get_for_results(user=request.user, pk=pk)
    return _render_task(request, task)


def _task_for_action(request, pk: int, allowed):
    task = selectors.task_get_for_results(user=request.user, pk=pk)
    if not allowed(request.user, task):
        raise PermissionDenied("您不能办理该任务的检查结果。")
    return task


def _done(request, task, message: str):
    messages.success(request, message)
    return redirect(results_url(task))


@staff_required
@require_POST
def result_enter(request, pk: int, target: int):
    task = _task_for_action(request, pk, permissions.can_enter_results)
    drawn = selectors.target_get_for_task(task=task, pk=target)
    existing = getattr(drawn, "result", None)
    slots = drawn.inspectors.count()
    if existing is not None:
        slots = max(slots, existing.actual_inspectors.count())
    form = forms.ResultForm(request.POST, request.FILES, prefix=f"t{drawn.pk}", slots=slots)
    if not form.is_valid():
        return _render_task(request, task, error="检查结果填写有误，请检查后重新提交。",
                            forms_by_target={drawn.pk: form}, status=400)
    data = form.cleaned_data
    try:
        if existing is None:
            services.result_enter(actor=request.user, target=drawn, finding=data["finding"],
                                  inspected_on=data["inspected_on"], summary=data["summary"],
                                  record=data["record"], date_reason=data["date_reason"],
                                  actual_inspectors=form.certificates(),
                                  substitution_reason=data["substitution_reason"])
        else:
            services.result_update(actor=request.user, result=existing, finding=data["finding"],
                                   inspected_on=data["inspected_on"], summary=data["summary"],
                                   record=data["record"], date_reason=data["date_reason"],
                                   actual_inspectors=form.certificates(),
                                   substitution_reason=data["substitution_reason"])
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _render_task(request, task, error=exc.message, forms_by_target={drawn.pk: form}, status=400)
    return _done(request, task, f"已保存“{drawn.name}”的检查结果。")


@staff_required
@require_GET
def result_record(request, pk: int, result: int):
    task = selectors.task_get_for_results(user=request.user, pk=pk)
    found = selectors.result_get_for_task(task=task, pk=result)
    if not found.record or not permissions.can_access_record(request.user, found):
        raise Http404("检查记录不存在")
    handle = found.record.open("rb")
    return FileResponse(handle, as_attachment=True, filename=found.record_name or "检查记录")


@staff_required
@require_POST
def results_publish(request, pk: int):
    task = _task_for_action(request, pk, permissions.can_publish_results)
    try:
        n = services.results_publish(actor=request.user, task=task)
    except DomainError as exc:
        return _render_task(request, task, error=exc.message, status=400)
    return _done(request, task, f"已公示{n}户的检查结果。")


@staff_required
@require_GET
def results_export(request, pk: int):
    task = selectors.task_get_for_results(user=request.user, pk=pk)
    return _csv(exchange.task_csv(task), f"random-inspection-results-{task.pk}.csv")


@staff_required
@require_POST
def followup_open(request, pk: int, result: int):
    task = _task_for_action(request, pk, permissions.can_publish_results)
    found = selectors.result_get_for_task(task=task, pk=result)
    form = forms.FollowUpOpenForm(request.POST)
    if not form.is_valid():
        return _render_task(request, task, error="请填写案件编号和立案日期。", status=400)
    try:
        services.followup_open(actor=request.user, result=found, **form.cleaned_data)
    except DomainError as exc:
        return _render_task(request, task, error=exc.message, status=400)
    return _done(request, task, "已登记后续处置。")


@staff_required
@require_POST
def followup_close(request, pk: int, case: int):
    task = _task_for_action(request, pk, permissions.can_publish_results)
    found = selectors.case_get_for_task(task=task, pk=case)
    form = forms.FollowUpCloseForm(request.POST)
    if not form.is_valid():
        return _render_task(request, task, error="请填写办结日期。", status=400)
    try:
        services.followup_close(actor=request.user, case=found, **form.cleaned_data)
    except DomainError as exc:
        return _render_task(request, task, error=exc.message, status=400)
    return _done(request, task, f"案件“{found.case_number}”已办结。")


@staff_required
@require_POST
def followup_link(request, pk: int, case: int):
    task = _task_for_action(request, pk, permissions.can_publish_results)
    found = selectors.case_get_for_task(task=task, pk=case)
    form = forms.LinkDecisionForm(request.POST)
    decision = None
    if form.is_valid():
        decision = selectors.penalty_decision_get(task=task, pk=form.cleaned_data["decision"])
    if decision is None:
        return _render_task(request, task, error="请选择本机关已公示的行政处罚决定。", status=400)
    try:
        services.followup_link_decision(actor=request.user, case=found, decision=decision)
    except DomainError as exc:
        return _render_task(request, task, error=exc.message, status=400)
    return _done(request, task, f"案件“{found.case_number}”已关联处罚决定。")


# --- due tasks (the desk's link) and the year's figures -----------------------------------------


QUEUES = {"overdue": "抽查结果逾期未公示的任务", "due_soon": "即将到期应公示结果的任务"}


@staff_required
@require_GET
def results_due(request):
    agency = chosen_agency(request)
    if agency is None or not permissions.can_view_agency(request.user, agency):
        raise Http404("机关不存在")
    queue = request.GET.get("queue", "overdue")
    if queue not in QUEUES:
        raise Http404("没有这个列表")
    overdue, soon = selectors.tasks_awaiting_results(agency_ids=[agency.pk])
    return render(request, "random_inspections/results/due.html", {
        "agency": agency, "queue": queue, "title": QUEUES[queue],
        "tasks": overdue if queue == "overdue" else soon, "limit_days": rules.RESULTS_PUBLICATION_WORKING_DAYS,
    })


@staff_required
@require_GET
def year_figures(request):
    agency = chosen_agency(request)
    if agency is None or not permissions.can_view_agency(request.user, agency):
        raise Http404("机关不存在")
    year = _year(request, clock.today().year)
    return render(request, "random_inspections/results/figures.html", {
        "agency": agency, "year": year, "figures": figures.year_figures([agency.pk], year),
        "years": list(range(clock.today().year, clock.today().year - 6, -1)),
        "limit_days": rules.RESULTS_PUBLICATION_WORKING_DAYS,
    })


# --- portal ------------------------------------------------------------------------------------


@require_GET
def public_results(request, code: str):
    agency = agency_get_public(code=code)
    years = selectors.public_years(agency)
    year = _year(request, years[0] if years else clock.today().year)
    return render(request, "random_inspections/results/public.html", {
        "agency": agency, "year": year, "years": years,
        "tasks": selectors.public_results(agency=agency, year=year),
    })


@require_GET
def public_results_csv(request, code: str, year: int):
    agency = agency_get_public(code=code)
    return _csv(exchange.agency_year_csv([agency.pk], year), f"random-inspection-results-{agency.code}-{year}.csv")


staff_patterns: list = [
    path("random-inspections/tasks/<int:pk>/results/", task_results, name="ri-task-results"),
    path("random-inspections/tasks/<int:pk>/results/targets/<int:target>/", result_enter, name="ri-result-enter"),
    path("random-inspections/tasks/<int:pk>/results/<int:result>/record/", result_record, name="ri-result-record"),
    path("random-inspections/tasks/<int:pk>/results/publish/", results_publish, name="ri-results-publish"),
    path("random-inspections/tasks/<int:pk>/results/export.csv", results_export, name="ri-results-export"),
    path("random-inspections/tasks/<int:pk>/results/<int:result>/cases/", followup_open, name="ri-followup-open"),
    path("random-inspections/tasks/<int:pk>/cases/<int:case>/close/", followup_close, name="ri-followup-close"),
    path("random-inspections/tasks/<int:pk>/cases/<int:case>/decision/", followup_link, name="ri-followup-link"),
    path("random-inspections/results/due/", results_due, name="ri-results-due"),
    path("random-inspections/figures/", year_figures, name="ri-figures"),
]
public_patterns: list = [
    path("agencies/<str:code>/random-inspections/results/", public_results, name="ri-results"),
    path("agencies/<str:code>/random-inspections/results/<int:year>.csv", public_results_csv,
         name="ri-results-csv"),
]
