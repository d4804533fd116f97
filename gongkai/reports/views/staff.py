"""The annual report's back office: the list (with the Art. 49 reminder), one report
(tables with provenance, the check, the history), prose editing beside last year's
problems, typed figures, and one POST per workflow step; the supervising office's view.

Thin views: selectors fetch (the same 404 for missing and foreign reports), services
decide; a wrong role is 403 before any input is read, a refused step a Chinese message.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongkai.core import clock
from gongkai.core.errors import DomainError
from gongkai.core.views.base import staff_required
from gongkai.reports import forms, permissions, reminders, selectors, services
from gongkai.reports.drafting import DRAFT_MARKER
from gongkai.reports.models import ReportState
from gongkai.reports.views.public import download_response, version_download
from gongkai.reports.workflow import Action, allowed_actions


def _require_compile(request, report) -> None:
    if not permissions.can_compile(request.user, report.agency):
        raise PermissionDenied("只有本机关的政府信息公开工作机构（公开办）可以办理年度报告。")


# --- the list ---------------------------------------------------------------------------------

@staff_required
@require_GET
def report_list(request):
    if not permissions.can_view_reports_area(request.user):
        raise PermissionDenied
    today = clock.today()
    compiled = list(permissions.agencies_compiled_by(request.user))
    banners = [r for r in (reminders.reminder_for(a, today) for a in compiled) if r is not None]
    # The desk's links narrow the list to what a queue counted: ?state= and ?agency=.
    state = request.GET.get("state", "")
    state = state if state in ReportState.values else ""
    agency_id = request.GET.get("agency", "")
    agency_id = int(agency_id) if agency_id.isdigit() else None
    return render(request, "reports/staff/list.html", {
        "reports": selectors.reports_for_user(user=request.user, state=state, agency_id=agency_id),
        "state_label": ReportState(state).label if state else "",
        "start_form": forms.StartForm(user=request.user) if compiled else None,
        "banners": banners,
        "can_supervise": permissions.can_supervise(request.user),
    })


@staff_required
@require_POST
def report_start(request):
    if not permissions.agencies_compiled_by(request.user).exists():
        raise PermissionDenied("只有政府信息公开工作机构（公开办）可以编制年度报告。")
    form = forms.StartForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            report = services.report_start(actor=request.user, agency=form.cleaned_data["agency"],
                                           year=form.cleaned_data["year"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已创建{report.year}年度报告，表格已按办理记录计算。")
            return redirect("staff:report-detail", pk=report.pk)
    return render(request, "reports/staff/list.html", {
        "reports": selectors.reports_for_user(user=request.user),
        "start_form": form, "banners": [],
        "can_supervise": permissions.can_supervise(request.user),
    }, status=400)


# --- one report --------------------------------------------------------------------------------

def _detail_context(request, report, **extra) -> dict:
    user = request.user
    fmt = report.format
    published_view = report.state == ReportState.PUBLISHED
    figures = selectors.current_figures(report)
    if published_view:
        version = report.published_version
        cells = selectors.version_cells(version)
        provenance, sources = version.provenance, version.manual_sources
        recorded = version.check_result
    else:
        cells = selectors.report_cells(report, figures)
        provenance, sources = report.computed_provenance, selectors.manual_sources(report, figures)
        recorded = report.check_result if report.state != ReportState.DRAFT else None
    # Records entered or corrected since the last computation: the cells that moved, until
    # the office recomputes; no check result is vouched for meanwhile.
    moved = selectors.moved_cells(report)
    live = live_cross_year = None
    if report.state == ReportState.DRAFT:
        live, live_cross_year = selectors.report_check(report)
    # A recorded "全部N项勾稽关系成立" holds only for the figures it was checked on.
    digest = (recorded or {}).get("cells_digest")
    recorded_current = bool(recorded) and not moved and (digest is None or digest == selectors.cells_digest(cells))
    actions = set(allowed_actions(report.state))
    compiles = permissions.can_compile(user, report.agency)
    override = services.current_override(report)
    recorded_violations = (recorded or {}).get("violations", [])
    manual_choices = _figure_choices(report)
    replaced = [(ref, fmt.label_of(ref), figures[ref], report.computed_cells.get(ref))
                for ref in selectors.replaceable_refs(report) if ref in figures]
    context = {
        "report": report,
        "fmt": fmt,
        "grid": selectors.report_grid(fmt, cells=cells, provenance=provenance, sources=sources,
                                      manual_refs=report.computed_manual_refs),
        "recorded": recorded,
        "recorded_current": recorded_current,
        "moved": moved,
        "draft_marker": DRAFT_MARKER,
        "prose": (report.published_version.prose if published_view
                  else selectors.rendered_prose(report, cells)),
        "recorded_lines": selectors.violation_lines(fmt, recorded_violations),
        "live": live,
        "live_lines": selectors.violation_lines(fmt, [v.as_dict() for v in live.violations]) if live else [],
        "live_cross_year": live_cross_year,
        "missing": [fmt.label_of(ref) for ref in selectors.missing_manual_refs(report, figures)],
        "override": override,
        "override_covers": bool(recorded_violations) and services.override_covers(override, recorded_violations),
        "override_lines": selectors.violation_lines(fmt, override.violations) if override else [],
        "events": report.events.select_related("actor").order_by("-id"),
        "figures": selectors.figure_history(report),
        "versions": selectors.report_versions(report),
        "previous_problems": selectors.previous_problems(report),
        "can_edit": compiles and Action.EDIT_PROSE in actions,
        "can_submit": compiles and Action.SUBMIT in actions,
        "can_override": compiles and Action.OVERRIDE in actions and bool(recorded_violations),
        "can_sign_off": permissions.can_sign_off(user, report.agency) and Action.SIGN_OFF in actions,
        "can_return": permissions.can_return(user, report.agency) and Action.RETURN in actions,
        "can_publish": compiles and Action.PUBLISH in actions,
        "can_correct": compiles and Action.CORRECT in actions,
        "figure_form": forms.FigureForm(refs=manual_choices) if manual_choices else None,
        "replaced": replaced,
        "override_form": forms.ReasonForm(),
        "return_form": forms.ReasonForm(),
        "correct_form": forms.ReasonForm(),
        "sign_off_form": forms.OptionalReasonForm(),
        "draft_form": forms.DraftProseForm(),
    }
    context.update(extra)
    return context


def _figure_choices(report) -> list[tuple[str, str]]:
    """Cells the office may type: the manual ones, then the computed cells of table 二 it
    may replace (decision counts another system holds)."""
    fmt = report.format
    return ([(ref, fmt.label_of(ref)) for ref in report.computed_manual_refs]
            + [(ref, f"{fmt.label_of(ref)}（替换计算值）") for ref in selectors.replaceable_refs(report)])


@staff_required
@require_GET
def report_detail(request, pk: int):
    report = selectors.report_get_for_user(user=request.user, pk=pk)
    return render(request, "reports/staff/detail.html", _detail_context(request, report))


def _step(request, pk: int, run, success: str, *, check=_require_compile):
    """Run one workflow step: fetch (404), check the role (403), call the service; a
    refusal is shown as a message on the report."""
    report = selectors.report_get_for_user(user=request.user, pk=pk)
    check(request, report)
    try:
        run(report)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("staff:report-detail", pk=report.pk)


def _reasoned_step(request, pk: int, service, success: str, *, check=_require_compile):
    report = selectors.report_get_for_user(user=request.user, pk=pk)
    check(request, report)
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        try:
            service(actor=request.user, report=report, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, success)
    else:
        messages.error(request, "请填写理由。")
    return redirect("staff:report-detail", pk=report.pk)


@staff_required
@require_POST
def report_recompute(request, pk: int):
    def run(report):
        changed = services.report_recompute(actor=request.user, report=report)
        if changed:
            messages.info(request, f"{len(changed)}个单元格按最新办理记录发生变化。")
    return _step(request, pk, run, "已按办理记录重新计算。")


@staff_required
@require_POST
def report_figure(request, pk: int):
    report = selectors.report_get_for_user(user=request.user, pk=pk)
    _require_compile(request, report)
    fmt = report.format
    form = forms.FigureForm(request.POST, refs=_figure_choices(report))
    if form.is_valid():
        try:
            services.report_figure_set(actor=request.user, report=report, ref=form.cleaned_data["ref"],
                                       value=form.cleaned_data["value"], source=form.cleaned_data["source"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已录入 {fmt.label_of(form.cleaned_data['ref'])}。")
            return redirect("staff:report-detail", pk=report.pk)
    return render(request, "reports/staff/detail.html",
                  _detail_context(request, report, figure_form=form), status=400)


@staff_required
@require_POST
def report_figure_revert(request, pk: int):
    """Put the computed figure back into a replaced cell of table 二."""
    form = forms.RevertForm(request.POST)
    ref = form.cleaned_data["ref"] if form.is_valid() else ""
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _step(request, pk, lambda r: services.report_figure_revert(actor=request.user, report=r, ref=ref,
                                                                      reason=reason),
                 "已恢复为按记录计算的数值。")


@staff_required
@require_http_methods(["GET", "POST"])
def report_prose(request, pk: int):
    """Edit the prose parts, with last year's 五 beside this year's."""
    report = selectors.report_get_for_user(user=request.user, pk=pk)
    _require_compile(request, report)
    if request.method == "POST":
        form = forms.ProseForm(request.POST)
        if form.is_valid():
            try:
                changed = services.report_prose_update(actor=request.user, report=report, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "正文已保存。" if changed else "正文没有变化。")
                return redirect("staff:report-detail", pk=report.pk)
        status = 400
    else:
        form = forms.ProseForm(initial={name: getattr(report, name) for name in services.PROSE_FIELDS})
        status = 200
    return render(request, "reports/staff/prose.html", {
        "report": report, "form": form, "previous_problems": selectors.previous_problems(report),
        "previous_year": report.year - 1, "draft_marker": DRAFT_MARKER,
        "can_edit": Action.EDIT_PROSE in allowed_actions(report.state),
    }, status=status)


@staff_required
@require_POST
def report_draft_prose(request, pk: int):
    replace = forms.DraftProseForm(request.POST)
    replace = replace.is_valid() and replace.cleaned_data["replace"]

    def run(report):
        filled = services.report_draft_prose(actor=request.user, report=report, replace=replace)
        if not filled:
            raise DomainError("正文各部分均已有文字，未作替换（如需替换请勾选“替换已有文字”）。")
    return _step(request, pk, run, "已按数据生成初稿，请修改完善。")


@staff_required
@require_POST
def report_submit(request, pk: int):
    def run(report):
        result = services.report_submit(actor=request.user, report=report)
        if result["violations"]:
            messages.warning(request, f"核对发现{len(result['violations'])}处不符合勾稽关系，"
                                      "发布前须纠正或记录带问题发布的理由。")
    return _step(request, pk, run, "已核对并提交领导签发。")


@staff_required
@require_POST
def report_override(request, pk: int):
    return _reasoned_step(request, pk, services.report_override, "已记录带问题发布的理由。")


def _require_leader(request, report) -> None:
    if not permissions.can_sign_off(request.user, report.agency):
        raise PermissionDenied("只有本机关领导可以签发年度报告。")


def _require_return(request, report) -> None:
    if not permissions.can_return(request.user, report.agency):
        raise PermissionDenied("只有本机关领导或公开办可以退回年度报告。")


@staff_required
@require_POST
def report_sign_off(request, pk: int):
    form = forms.OptionalReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _step(request, pk, lambda r: services.report_sign_off(actor=request.user, report=r, reason=reason),
                 "已签发。", check=_require_leader)


@staff_required
@require_POST
def report_return(request, pk: int):
    return _reasoned_step(request, pk, services.report_return, "已退回修改。", check=_require_return)


@staff_required
@require_POST
def report_publish(request, pk: int):
    return _step(request, pk, lambda r: services.report_publish(actor=request.user, report=r),
                 "已在门户网站发布。")


@staff_required
@require_POST
def report_correct(request, pk: int):
    return _reasoned_step(request, pk, services.report_correct,
                          "已重新打开为新版本；更正版发布前，网站继续显示原发布版本。")


@staff_required
@require_GET
def report_download(request, pk: int, kind: str):
    """The report as it stands as DOCX or PDF: in the published state, the files stored
    at publication; otherwise the working copy, marked 草稿 (its PDF rendered by a
    worker and kept by its content: ``download_response``)."""
    report = selectors.report_get_for_user(user=request.user, pk=pk)
    back_url = reverse("staff:report-detail", args=[report.pk])
    if report.state == ReportState.PUBLISHED and report.published_version is not None:
        return version_download(report.published_version, kind, html_url=back_url)
    return download_response(request, selectors.build_document(report), kind, back_url=back_url)


# --- the supervising office ---------------------------------------------------------------------

@staff_required
@require_GET
def report_supervision(request):
    if not permissions.can_supervise(request.user):
        raise PermissionDenied("只有主管部门可以查看下级机关的年度报告汇总。")
    roots = permissions.agencies_supervised_by(request.user)
    today = clock.today()
    initial = {"agency": roots.first(), "year": today.year - (0 if today.month == 12 else 1)}
    form = forms.SupervisionForm(request.GET or None, user=request.user, initial=initial)
    if request.GET and not form.is_valid():
        return render(request, "reports/staff/supervision.html", {"form": form, "view": None}, status=400)
    data = form.cleaned_data if request.GET else initial
    if data["agency"] is None:
        raise Http404("机关不存在")
    view = selectors.supervision(user=request.user, root=data["agency"], year=data["year"])
    grid = selectors.report_grid(view.format, cells=view.cells, provenance=view.provenance,
                                 sources={}, manual_refs=view.manual_refs)
    draft_grid = selectors.report_grid(view.format, cells=view.draft_cells, provenance=view.draft_provenance,
                                       sources={}, manual_refs=view.draft_manual_refs)
    live_grid = selectors.report_grid(view.format, cells=view.live_cells, provenance=view.live_provenance,
                                      sources={}, manual_refs=view.live_manual_refs)
    return render(request, "reports/staff/supervision.html",
                  {"form": form, "view": view, "grid": grid, "draft_grid": draft_grid, "live_grid": live_grid})
