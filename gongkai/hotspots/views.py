"""Pages of the hot-spot area (back office only): the analysis with its charts, the weekly
brief as DOCX, and the import of 12315 exports (upload, map the columns, a page that
waits while a worker imports, result).

Views are thin: the wrong role gets 403 before any input is read, a foreign or missing
object 404 (selectors), the importer and the services check the rules."""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from gongkai.core.errors import DomainError, InvalidTransition
from gongkai.core.views.base import staff_required
from gongkai.hotspots import brief, importer, permissions, selectors, services
from gongkai.hotspots.analysis import EMERGING_MIN_COUNT, EMERGING_MIN_Z, EMERGING_RATIO, SOURCES
from gongkai.hotspots.charts import charts_for
from gongkai.hotspots.columns import FIELDS
from gongkai.hotspots.forms import AnalysisForm, MappingForm, UploadForm
from gongkai.hotspots.models import StagedFileState
from gongkai.hotspots.periods import Period


def _require_area(request) -> None:
    if not permissions.can_view_hotspots(request.user):
        raise PermissionDenied("只有政府信息公开工作机构和主管部门可以查看投诉举报热点分析。")


def _require_importer(request) -> None:
    if not permissions.agencies_importable_by(request.user).exists():
        raise PermissionDenied("只有政府信息公开工作人员可以导入投诉举报数据。")


def _analysis_request(request):
    """(form, scope, period, sources, error) from the query string."""
    visible = permissions.agencies_for_analysis(request.user)
    data = request.GET.copy()
    membership = request.membership
    if not request.GET:  # the first visit: a supervisor sees its subtree summed
        agency = visible.filter(pk=getattr(membership, "agency_id", None)).first() or visible.first()
        if agency is not None and permissions.supervises(request.user, agency):
            data["subtree"] = "on"
    form = AnalysisForm(data, agencies=visible)
    agency_pk = None
    if request.GET.get("agency", ""):
        if not request.GET["agency"].isdigit():
            raise Http404("机关不存在")
        agency_pk = int(request.GET["agency"])
    form.is_valid()
    cleaned = form.cleaned_data
    scope = selectors.scope_for(user=request.user, agency_pk=agency_pk,
                                subtree=bool(cleaned.get("subtree")),
                                default_agency_id=getattr(membership, "agency_id", None))
    grain = cleaned.get("grain") or "W"
    period, error = selectors.default_period(grain), ""
    if cleaned.get("period"):
        parsed = Period.parse(grain, cleaned["period"])
        if parsed is None:
            error = "期间格式不正确：周如2026-W10，月如2026-03。已显示上一个完整周期。"
        else:
            period = parsed
    return form, scope, period, cleaned.get("sources") or "all", error


def _query(scope, period, sources, **changes) -> str:
    from urllib.parse import urlencode

    params = {"grain": period.grain, "period": period.param, "sources": sources,
              "agency": scope.agency.pk}
    if scope.subtree:
        params["subtree"] = "on"
    params.update(changes)
    return urlencode(params)


@staff_required
@require_GET
def analysis(request):
    _require_area(request)
    form, scope, period, sources, error = _analysis_request(request)
    result = selectors.analysis_for(scope=scope, period=period, sources=sources)
    charts = charts_for(result)
    return render(request, "hotspots/staff/analysis.html", {
        "form": form, "scope": scope, "period": period, "a": result, "error": error,
        "charts": charts, "charts_json": [c.as_json() for c in charts],
        "sources_label": SOURCES[sources],
        "can_import": permissions.agencies_importable_by(request.user).exists(),
        "query": _query(scope, period, sources),
        "previous_query": _query(scope, period.previous, sources),
        "next_query": _query(scope, period.next, sources),
        "show_subtree": permissions.supervises_any(request.user),
        "rule": {"min": EMERGING_MIN_COUNT, "ratio": EMERGING_RATIO, "z": EMERGING_MIN_Z},
    })


@staff_required
@require_GET
def brief_docx(request):
    _require_area(request)
    _, scope, period, sources, _ = _analysis_request(request)
    result = selectors.analysis_for(scope=scope, period=period, sources=sources)
    data = brief.render_docx(result, agency_name=scope.agency.name, scope=scope.label)
    response = HttpResponse(data, content_type=brief.DOCX_MEDIA_TYPE)
    kind = "周报" if period.grain == "W" else "月报"
    from urllib.parse import quote

    filename = f"投诉举报热点{kind}-{period.param}.docx"
    response["Content-Disposition"] = (f"attachment; filename=hotspots-{period.param}.docx; "
                                       f"filename*=UTF-8''{quote(filename)}")
    return response


def _import_page(request, form, *, status=200):
    agencies = permissions.agencies_importable_by(request.user)
    membership = request.membership
    agency = agencies.filter(pk=getattr(membership, "agency_id", None)).first() or agencies.first()
    return render(request, "hotspots/staff/import.html", {
        "form": form, "fields": FIELDS, "max_rows": importer.MAX_ROWS,
        "imports": selectors.imports_for(user=request.user, agency=agency) if agency else [],
    }, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def upload(request):
    """Step one: upload; the file is read for its header and kept (encrypted) for the
    mapping step. Nothing else is saved."""
    _require_importer(request)
    if request.method != "POST":
        membership = request.membership
        initial = {"agency": getattr(membership, "agency", None)} if membership else {}
        return _import_page(request, UploadForm(user=request.user, initial=initial))
    form = UploadForm(request.POST, request.FILES, user=request.user)
    if not form.is_valid():
        return _import_page(request, form, status=400)
    try:
        staged = services.staged_file_create(actor=request.user, agency=form.cleaned_data["agency"],
                                             upload=form.cleaned_data["file"])
    except importer.FileRefused as refused:
        form.add_error("file", refused.message)
        return _import_page(request, form, status=400)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _import_page(request, form, status=400)
    return redirect("staff:hotspots-import-mapping", pk=staged.pk)


def _mapping_page(request, staged, form, *, status=200):
    return render(request, "hotspots/staff/mapping.html",
                  {"staged": staged, "form": form}, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def mapping(request, pk: int):
    """Step two: the office says which column is which (guessed, or the agency's last
    mapping) and confirms; a worker then imports the rows (good rows kept, bad rows
    listed) while the status page waits."""
    _require_importer(request)
    staged = services.staged_file_get(actor=request.user, pk=pk)
    if staged is None:
        raise Http404("待导入的文件不存在或已过期，请重新上传。")
    if staged.state != StagedFileState.STAGED:  # confirmed already (back button, double click)
        return redirect("staff:hotspots-import-status", pk=staged.pk)
    samples = importer.inspect(_staged_bytes(staged)).samples
    if request.method != "POST":
        from gongkai.hotspots.columns import guess_mapping

        guessed = guess_mapping(staged.headers, services.remembered_mapping(staged.agency))
        form = MappingForm(headers=staged.headers, samples=samples,
                           initial={name: str(i) for name, i in guessed.items()})
        return _mapping_page(request, staged, form)
    form = MappingForm(request.POST, headers=staged.headers, samples=samples)
    if not form.is_valid():
        return _mapping_page(request, staged, form, status=400)
    try:
        # Confirmed twice at once: the first one's page says how it went.
        with contextlib.suppress(InvalidTransition):
            services.complaints_import_confirm(actor=request.user, staged=staged,
                                               mapping=form.mapping())
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _mapping_page(request, staged, form, status=400)
    return redirect("staff:hotspots-import-status", pk=staged.pk)


IMPORT_REFRESH_SECONDS = 3


@staff_required
@require_GET
def import_status(request, pk: int):
    """Step three: while the worker imports, a page that refreshes itself; then the
    import's result page with what was imported, or why nothing was."""
    _require_importer(request)
    staged = services.staged_file_get(actor=request.user, pk=pk)
    if staged is None:
        raise Http404("该导入文件不存在或已过期，请重新上传。")
    if staged.state == StagedFileState.STAGED:
        return redirect("staff:hotspots-import-mapping", pk=staged.pk)
    if staged.state == StagedFileState.DONE:
        messages.success(request, services.import_outcome_message(staged.outcome))
        return redirect("staff:hotspots-import-detail", pk=staged.outcome["batch"])
    return render(request, "hotspots/staff/import_status.html", {
        "staged": staged, "refresh": IMPORT_REFRESH_SECONDS,
        "refused": staged.state == StagedFileState.REFUSED,
    })


def _staged_bytes(staged) -> bytes:
    import base64

    return base64.b64decode(staged.content)


@staff_required
@require_GET
def import_detail(request, pk: int):
    _require_area(request)
    batch = selectors.import_get_for_user(user=request.user, pk=pk)
    problems = [importer.Problem(*p) for p in batch.problems]
    return render(request, "hotspots/staff/import_detail.html", {
        "batch": batch, "problems": problems,
        "problems_not_listed": max(0, batch.bad - len([p for p in problems if p.row])),
        "analysis_url": reverse("staff:hotspots-analysis") + f"?agency={batch.agency_id}",
    })
