"""The two directories' pages (两库) in the back office: the entity directory (paged,
filtered, searched), the inspector directory, imports with their result pages, the import
templates, an inspector's page (add, edit, take out of or back into the draws, declared
conflicts).

Inspectors' phone and ID numbers are masked on every page, the edit page included (its
inputs start empty, meaning "unchanged"); the agency's office sees them in full only by a
separate POST with a reason (``inspector_reveal``), written to the audit trail without the
values, once, in that response."""

from __future__ import annotations

from functools import wraps
from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongkai.core.errors import DomainError
from gongkai.core.views.actions import ActionPage, require
from gongkai.core.views.base import chosen_agency, posted_agency, staff_required
from gongkai.random_inspections import importer, permissions
from gongkai.random_inspections.forms.directories import (
    ConflictForm,
    EntityFilterForm,
    ImportForm,
    InspectorEditForm,
    InspectorFilterForm,
    InspectorForm,
    ReasonForm,
)
from gongkai.random_inspections.forms.matters import AgencyFilterForm
from gongkai.random_inspections.models import DirectoryImport
from gongkai.random_inspections.selectors import directories as selectors
from gongkai.random_inspections.selectors.matters import agency_get_for_user
from gongkai.random_inspections.services import directories as services

PAGE_SIZE = 50
NOT_THIS_ROLE = "检查对象名录库和执法检查人员名录库由本机关公开办维护，执法人员和主管部门可以查看。"
Kind = DirectoryImport.Kind


def _require_area(user) -> None:
    require(permissions.can_view_area(user), NOT_THIS_ROLE)


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _agency_page(request):
    """(agency or None, chooser form or None) for a list page."""
    user = request.user
    _require_area(user)
    agency = chosen_agency(request)
    chooser = (AgencyFilterForm(initial={"agency": agency}, agencies=permissions.agencies_readable_by(user))
               if permissions.reads_several_agencies(user) else None)
    require(agency is None or permissions.can_view_agency(user, agency), NOT_THIS_ROLE)
    return agency, chooser


def _managed_agency(request):
    """The agency a change is made in (``agency`` of the form or query, else the active
    membership's), for its office only."""
    _require_area(request.user)
    agency = posted_agency(request, agency_get_for_user)
    require(permissions.can_manage(request.user, agency), importer.NOT_OFFICE)
    return agency


# --- entities ---------------------------------------------------------------------------------

@staff_required
@require_GET
def entity_list(request):
    agency, chooser = _agency_page(request)
    if agency is None:
        return render(request, "random_inspections/directories/entities.html",
                      {"agency": None, "filter_form": chooser})
    values = selectors.entity_filter_values(agency)
    form = EntityFilterForm(request.GET or None, values=values)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.entity_search(agency, **{k: filters.get(k, "") for k in
                                            ("q", "kind", "industry", "region", "risk_grade", "active")})
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "random_inspections/directories/entities.html", {
        "agency": agency, "filter_form": chooser, "form": form, "page": page,
        "query": _query_without_page(request), "counts": selectors.entity_counts(agency),
        "imports": selectors.imports_for(agency, Kind.ENTITIES)[:5],
        "can_manage": permissions.can_manage(request.user, agency),
    })


# --- imports ----------------------------------------------------------------------------------

def _import(request, kind: str):
    agency = _managed_agency(request)
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                # Kept and queued: a worker imports it, the record's page says how it went.
                record = services.directory_import_queue(actor=request.user, agency=agency, kind=kind,
                                                         file_name=upload.name or "", data=upload.read())
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("staff:ri-directory-import", pk=record.pk)
    return render(request, "random_inspections/directories/import.html", {
        "agency": agency, "kind": Kind(kind), "form": form, "columns": importer.COLUMNS[kind],
        "max_mb": importer.MAX_WEB_DIRECTORY_BYTES // (1024 * 1024),
        "list_url": reverse("staff:ri-entities" if kind == Kind.ENTITIES else "staff:ri-inspectors"),
    }, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def entity_import(request):
    return _import(request, Kind.ENTITIES)


@staff_required
@require_http_methods(["GET", "POST"])
def inspector_import(request):
    return _import(request, Kind.INSPECTORS)


IMPORT_REFRESH_SECONDS = 3


@staff_required
@require_GET
def import_detail(request, pk: int):
    """An import's page: while a worker imports the file, one that refreshes itself; then
    its counts and refused rows, or why the file was not imported."""
    record = selectors.import_get_for_user(user=request.user, pk=pk)
    return render(request, "random_inspections/directories/import_result.html", {
        "record": record, "agency": record.agency, "refresh": IMPORT_REFRESH_SECONDS,
        "refused": record.refused_rows,
        "more_refused": max(record.refused_count - len(record.refused_rows), 0),
        "list_url": reverse("staff:ri-entities" if record.kind == Kind.ENTITIES else "staff:ri-inspectors"),
    })


@staff_required
@require_GET
def template_download(request, kind: str):
    _require_area(request.user)
    if kind not in Kind.values:
        raise Http404("没有这种名录")
    filename = f"{Kind(kind).label}导入模板.csv"
    response = HttpResponse(importer.template_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename=\"{kind}.csv\"; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- inspectors -------------------------------------------------------------------------------

@staff_required
@require_GET
def inspector_list(request):
    agency, chooser = _agency_page(request)
    if agency is None:
        return render(request, "random_inspections/directories/inspectors.html",
                      {"agency": None, "filter_form": chooser})
    form = InspectorFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.inspector_search(agency, q=filters.get("q", ""), active=filters.get("active", ""))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(i, selectors.masked_phone(i), selectors.masked_id_number(i)) for i in page.object_list]
    return render(request, "random_inspections/directories/inspectors.html", {
        "agency": agency, "filter_form": chooser, "form": form, "page": page, "rows": rows,
        "query": _query_without_page(request), "imports": selectors.imports_for(agency, Kind.INSPECTORS)[:5],
        "can_manage": permissions.can_manage(request.user, agency),
    })


def inspector_url(inspector) -> str:
    return reverse("staff:ri-inspector", args=[inspector.pk])


@staff_required
@require_http_methods(["GET", "POST"])
def inspector_new(request):
    agency = _managed_agency(request)
    form = InspectorForm(request.POST) if request.method == "POST" else InspectorForm()
    if request.method == "POST":
        if form.is_valid():
            try:
                inspector = services.inspector_create(actor=request.user, agency=agency, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"已添加执法人员“{inspector.name}”。")
                return redirect(inspector_url(inspector))
        return render(request, "random_inspections/directories/inspector_form.html",
                      {"agency": agency, "form": form, "inspector": None}, status=400)
    return render(request, "random_inspections/directories/inspector_form.html",
                  {"agency": agency, "form": form, "inspector": None})


def _render_inspector(request, inspector, *, bound=None, error="", revealed=None, status=200):
    bound = bound or {}
    can_manage = permissions.can_manage(request.user, inspector.agency)
    conflicts = list(selectors.conflicts_of(inspector))
    names = selectors.entity_names(inspector.agency, [c.credit_code for c in conflicts])
    return render(request, "random_inspections/directories/inspector.html", {
        "inspector": inspector, "agency": inspector.agency, "can_manage": can_manage,
        "phone": selectors.masked_phone(inspector), "id_number": selectors.masked_id_number(inspector),
        "conflicts": [(c, names.get(c.credit_code, "")) for c in conflicts],
        "conflict_form": (bound.get("conflict") or ConflictForm(prefix="conflict")) if can_manage else None,
        "status_form": (bound.get("status") or ReasonForm(prefix="status")) if can_manage else None,
        "withdraw_form": ReasonForm(prefix="withdraw") if can_manage else None,
        "reveal_form": (bound.get("reveal") or ReasonForm(prefix="reveal"))
        if can_manage and (inspector.phone or inspector.id_number) and revealed is None else None,
        "revealed": revealed,
        "error": error,
    }, status=status)


@staff_required
@require_GET
def inspector_detail(request, pk: int):
    return _render_inspector(request, selectors.inspector_get_for_user(user=request.user, pk=pk))


def _office_only(user, inspector) -> bool:
    """403 with this area's message for anyone but the agency's office."""
    require(permissions.can_manage(user, inspector.agency), importer.NOT_OFFICE)
    return True


def _inspector_for_change(request, pk: int):
    inspector = selectors.inspector_get_for_user(user=request.user, pk=pk)
    _office_only(request.user, inspector)
    return inspector


def _masked(inspector) -> dict[str, str]:
    return {"phone": selectors.masked_phone(inspector), "id_number": selectors.masked_id_number(inspector)}


@staff_required
@require_http_methods(["GET", "POST"])
def inspector_edit(request, pk: int):
    inspector = _inspector_for_change(request, pk)
    context = {"agency": inspector.agency, "inspector": inspector, "masked": _masked(inspector)}
    if request.method != "POST":
        # Phone and ID number masked, their inputs empty ("unchanged"): never in full here.
        form = InspectorEditForm(masked=context["masked"], initial={f: getattr(inspector, f) for f in (
            "name", "certificate_number", "department_name", "region", "grid", "expertise")})
        return render(request, "random_inspections/directories/inspector_form.html", context | {"form": form})
    form = InspectorEditForm(request.POST, masked=context["masked"])
    if form.is_valid():
        try:
            services.inspector_update(actor=request.user, inspector=inspector, **form.service_values())
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "已保存。")
            return redirect(inspector_url(inspector))
    # never echo a typed phone or ID number back into the page
    form.data = form.data.copy()
    for field in ("phone", "id_number"):
        form.data.pop(field, None)
    return render(request, "random_inspections/directories/inspector_form.html", context | {"form": form},
                  status=400)


@staff_required
@require_POST
def inspector_reveal(request, pk: int):
    """The phone and ID number in full, for the agency's office only, shown once in this
    response and written to the audit trail with the reason given (not the values)."""
    inspector = _inspector_for_change(request, pk)
    form = ReasonForm(request.POST, prefix="reveal")
    if form.is_valid():
        try:
            services.inspector_record_personal_data_view(actor=request.user, inspector=inspector,
                                                         reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form.add_error("reason", exc.message)
        else:
            response = _render_inspector(request, inspector, revealed={
                "phone": inspector.phone, "id_number": inspector.id_number})
            response["Cache-Control"] = "no-store"
            return response
    return _render_inspector(request, inspector, bound={"reveal": form}, status=400)


INSPECTOR = ActionPage("staff:ri-inspector", load=selectors.inspector_get_for_user, render=_render_inspector)


def _reason_form(inspector, *, data, files, prefix) -> ReasonForm:
    return ReasonForm(data=data, prefix=prefix)


@INSPECTOR.step(title="设为不在岗", may=_office_only, bind=_reason_form, prefix="status")
def inspector_deactivate(request, inspector, data):
    services.inspector_set_active(actor=request.user, inspector=inspector, active=False, reason=data["reason"])
    return "已设为不在岗，不再被抽取。"


@INSPECTOR.step(title="恢复在岗", may=_office_only, bind=_reason_form, prefix="status")
def inspector_activate(request, inspector, data):
    services.inspector_set_active(actor=request.user, inspector=inspector, active=True, reason=data["reason"])
    return "已恢复在岗，可被抽取。"


def _at_conflicts(view):
    """The step's redirect lands on the page's conflicts section."""
    @wraps(view)
    def at_conflicts(request, pk: int):
        response = view(request, pk)
        if response.status_code == 302:
            response["Location"] += "#conflicts"
        return response
    return at_conflicts


@_at_conflicts
@INSPECTOR.step(title="登记回避申报", may=_office_only, prefix="conflict",
                bind=lambda inspector, *, data, files, prefix: ConflictForm(data=data, prefix=prefix))
def conflict_declare(request, inspector, data):
    services.conflict_declare(actor=request.user, inspector=inspector, **data)
    return "已登记回避申报。"


@staff_required
@require_POST
def conflict_withdraw(request, pk: int):
    conflict = selectors.conflict_get_for_user(user=request.user, pk=pk)
    inspector = conflict.inspector
    _office_only(request.user, inspector)
    form = ReasonForm(request.POST, prefix="withdraw")
    services.conflict_withdraw(actor=request.user, conflict=conflict,
                               reason=form.cleaned_data["reason"] if form.is_valid() else "")
    messages.success(request, "已撤销回避申报。")
    return redirect(inspector_url(inspector) + "#conflicts")


staff_patterns: list = [
    path("random-inspections/entities/", entity_list, name="ri-entities"),
    path("random-inspections/entities/import/", entity_import, name="ri-entities-import"),
    path("random-inspections/inspectors/", inspector_list, name="ri-inspectors"),
    path("random-inspections/inspectors/import/", inspector_import, name="ri-inspectors-import"),
    path("random-inspections/inspectors/new/", inspector_new, name="ri-inspector-new"),
    path("random-inspections/inspectors/<int:pk>/", inspector_detail, name="ri-inspector"),
    path("random-inspections/inspectors/<int:pk>/edit/", inspector_edit, name="ri-inspector-edit"),
    path("random-inspections/inspectors/<int:pk>/reveal/", inspector_reveal, name="ri-inspector-reveal"),
    path("random-inspections/inspectors/<int:pk>/deactivate/", inspector_deactivate,
         name="ri-inspector-deactivate"),
    path("random-inspections/inspectors/<int:pk>/activate/", inspector_activate, name="ri-inspector-activate"),
    path("random-inspections/inspectors/<int:pk>/conflicts/", conflict_declare, name="ri-conflict-declare"),
    path("random-inspections/conflicts/<int:pk>/withdraw/", conflict_withdraw, name="ri-conflict-withdraw"),
    path("random-inspections/directory-imports/<int:pk>/", import_detail, name="ri-directory-import"),
    path("random-inspections/directory-templates/<str:kind>.csv", template_download, name="ri-directory-template"),
]
public_patterns: list = []
