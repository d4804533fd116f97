"""The back office's pages of the self-inspection (latest result, vetoes, deductions,
warnings and trend per agency; 立即检查; the monthly DOCX report) and of the error reports
(list, one report, reply, close).

Thin views: the same 404 for a missing and a foreign agency or report (selectors); 403 for
the wrong role before any input is read; services for every write."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from gongkai.core import clock
from gongkai.core.views.actions import ActionPage
from gongkai.core.views.base import chosen_agency, staff_required
from gongkai.inspection import indicators, permissions, report_docx, selectors, services
from gongkai.inspection.forms import (
    AgencyFilterForm,
    CloseForm,
    MonthForm,
    ReplyForm,
    ReportFilterForm,
)
from gongkai.inspection.workflow import Action, SiteErrorStatus, allowed_actions

NOT_THIS_ROLE = selectors.NOT_THIS_ROLE
PAGE_SIZE = 50


def index_url(agency_id: int | None = None) -> str:
    return reverse("staff:inspection-index") + (f"?{urlencode({'agency': agency_id})}" if agency_id else "")


def reports_url(agency_id: int | None = None, status: str = "") -> str:
    query = {k: v for k, v in (("agency", agency_id), ("status", status)) if v}
    return reverse("staff:site-error-list") + (f"?{urlencode(query)}" if query else "")


def _agency_from_query(request):
    agency = chosen_agency(request)
    if agency is not None and not permissions.can_read(request.user, agency):
        raise PermissionDenied(NOT_THIS_ROLE)
    return agency


def _trend_points(trend) -> str:
    """The trend as an SVG polyline's points (x: day index, y: score, 0 at the bottom)."""
    if not trend:
        return ""
    step = 300 / max(len(trend) - 1, 1)
    return " ".join(f"{i * step:.1f},{100 - float(c.score):.1f}" for i, c in enumerate(trend))


@staff_required
@require_GET
def inspection_index(request):
    """One agency's latest result and trend; for a supervisor, the subtree's table too."""
    user = request.user
    if not permissions.can_view_area(user):
        raise PermissionDenied(NOT_THIS_ROLE)
    agency = _agency_from_query(request)
    several = permissions.reads_several_agencies(user)
    context = {
        "agency": agency,
        "filter_form": AgencyFilterForm(initial={"agency": agency},
                                        agencies=permissions.agencies_readable_by(user)) if several else None,
        "rows": selectors.latest_by_agency(user=user) if several else None,
        "pass_score": indicators.rules().pass_score,
    }
    if agency is not None:
        trend = selectors.trend(agency)
        today = clock.today()
        context.update({
            "latest": selectors.latest_check(agency),
            "trend": trend,
            "trend_points": _trend_points(trend),
            "can_act": permissions.can_act(user, agency),
            "month": f"{today:%Y-%m}",
            "open_reports": selectors.open_report_count(agency),
        })
    return render(request, "inspection/staff/index.html", context)


@staff_required
@require_POST
def inspection_run(request):
    """立即检查 (the office): the day's result is replaced by a fresh one."""
    raw = request.POST.get("agency", "")
    if not raw.isdigit():
        raise Http404("机关不存在")
    agency = selectors.agency_get_for_user(user=request.user, pk=int(raw))
    if not permissions.can_act(request.user, agency):
        raise PermissionDenied("只有本机关的政府信息公开工作机构可以运行网站自查。")
    row = services.site_check_run(actor=request.user, agency=agency)
    messages.success(request, f"已完成自查：得分{row.score}分，单项否决{len(row.veto)}项，"
                              f"扣分{len(row.deductions)}项，提示{len(row.warnings)}项。")
    return redirect(index_url(agency.pk))


@staff_required
@require_GET
def inspection_report_docx(request):
    """The monthly self-inspection report of ``?agency=`` for ``?month=YYYY-MM``."""
    if not permissions.can_view_area(request.user):
        raise PermissionDenied(NOT_THIS_ROLE)
    agency = _agency_from_query(request)
    if agency is None:
        raise Http404("请选择机关")
    form = MonthForm(request.GET)
    if not form.is_valid():
        return HttpResponse(form.errors["month"][0], status=400, content_type="text/plain; charset=utf-8")
    year, month = (int(x) for x in form.cleaned_data["month"].split("-"))
    checks = selectors.month_checks(agency, year, month)
    reports = selectors.reports_in_month(user=request.user, agency=agency, year=year, month=month)
    data = report_docx.render_month(agency, year, month, checks, reports)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response["Content-Disposition"] = f"attachment; filename=site-check-{agency.code}-{year}-{month:02d}.docx"
    return response


# --- error reports ---------------------------------------------------------------------------------


@staff_required
@require_GET
def site_error_list(request):
    user = request.user
    if not permissions.can_view_area(user):
        raise PermissionDenied(NOT_THIS_ROLE)
    agency = _agency_from_query(request)
    status = request.GET.get("status", "")
    if status not in SiteErrorStatus.values:
        status = ""
    several = permissions.reads_several_agencies(user)
    qs = selectors.reports_for(user=user, agency=agency if (agency or not several) else None, status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "inspection/staff/site_error_list.html", {
        "agency": agency, "status": status, "page": page, "query": query.urlencode(),
        "filter_form": ReportFilterForm(initial={"agency": agency, "status": status},
                                        agencies=permissions.agencies_readable_by(user)),
    })


def render_report(request, report, *, bound=None, error: str = "", status: int = 200):
    bound = bound or {}
    actions = allowed_actions(report.status) if permissions.can_act(request.user, report.agency) else []
    return render(request, "inspection/staff/site_error_detail.html", {
        "report": report,
        "contact": selectors.visible_contact(request.user, report),
        "history": selectors.report_history(report),
        "can_reply": Action.REPLY in actions,
        "can_close": Action.CLOSE in actions,
        "reply_form": bound.get("reply") or ReplyForm(prefix="reply"),
        "close_form": bound.get("close") or CloseForm(prefix="close"),
        "error": error,
    }, status=status)


@staff_required
@require_GET
def site_error_detail(request, pk: int):
    return render_report(request, selectors.report_get_for_user(user=request.user, pk=pk))


PAGE = ActionPage("staff:site-error-detail", load=selectors.report_get_for_user, render=render_report)


def _may_act(user, report) -> bool:
    return permissions.can_act(user, report.agency)


def _bind_reply(report, *, data, files, prefix):
    return ReplyForm(data=data, prefix=prefix)


def _bind_close(report, *, data, files, prefix):
    return CloseForm(data=data, prefix=prefix)


@PAGE.step(title="处理并答复", may=_may_act, bind=_bind_reply, prefix="reply")
def site_error_reply(request, report, data):
    services.site_error_reply(actor=request.user, report=report, reply=data["reply"])
    return f"纠错{report.tracking_number}已处理。"


@PAGE.step(title="关闭", may=_may_act, bind=_bind_close, prefix="close")
def site_error_close(request, report, data):
    services.site_error_close(actor=request.user, report=report, reason=data["reason"])
    return f"纠错{report.tracking_number}已关闭。"
