"""The power list's pages. Back office: the versions of an agency, a new draft or an
import, a draft's items (add, edit, remove), comparing two versions, publishing. Public:
the platform's index, an agency's current list (grouped by kind, searchable), its change
log and each version's itemised changes, one item, and the XLSX download.

Views are thin: the same 404 for a missing and a foreign agency, version or item
(selectors); 403 for the wrong role before any input is read; the services for the rules."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongkai.core.errors import DomainError
from gongkai.core.views.base import chosen_agency, posted_agency, staff_required
from gongkai.powerlists import diff, permissions, selectors, services, spreadsheet
from gongkai.powerlists.forms import (
    AgencyFilterForm,
    CompareForm,
    ImportForm,
    ItemForm,
    PublishForm,
    RemoveForm,
    SearchForm,
    VersionCreateForm,
    VersionForm,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename=\"powerlist.xlsx\"; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def list_url(agency_id: int | None = None) -> str:
    return reverse("staff:powerlist-list") + (f"?{urlencode({'agency': agency_id})}" if agency_id else "")


def version_url(version) -> str:
    return reverse("staff:powerlist-version", args=[version.pk])


def _require_area(user) -> None:
    if not permissions.can_view_area(user):
        raise PermissionDenied(selectors.NOT_THIS_ROLE)


def _posted_agency(request):
    return posted_agency(request, selectors.agency_get_for_user)


# --- back office: versions -------------------------------------------------------------------

def _render_list(request, agency, *, create_form=None, status=200):
    user = request.user
    filter_form = (AgencyFilterForm(initial={"agency": agency}, agencies=permissions.agencies_readable_by(user))
                   if permissions.reads_several_agencies(user) else None)
    if agency is None:
        return render(request, "powerlists/staff/list.html", {"agency": None, "filter_form": filter_form},
                      status=status)
    if not permissions.can_view_agency_lists(user, agency):
        raise PermissionDenied(selectors.NOT_THIS_ROLE)
    versions = list(selectors.versions_for(agency))
    can_manage = permissions.can_manage(user, agency)
    return render(request, "powerlists/staff/list.html", {
        "agency": agency, "filter_form": filter_form, "versions": versions,
        "current": selectors.current_version(agency),
        "can_manage": can_manage,
        "create_form": (create_form or VersionCreateForm()) if can_manage else None,
        "compare_form": CompareForm(versions=versions) if len(versions) >= 2 else None,
    }, status=status)


@staff_required
@require_GET
def version_list(request):
    _require_area(request.user)
    return _render_list(request, chosen_agency(request))


@staff_required
@require_POST
def version_new(request):
    _require_area(request.user)
    agency = _posted_agency(request)
    if not permissions.can_manage(request.user, agency):
        raise PermissionDenied(services.NOT_OFFICE)
    form = VersionCreateForm(request.POST)
    if form.is_valid():
        try:
            version = services.version_create(
                actor=request.user, agency=agency, title=form.cleaned_data["title"],
                copy_from=selectors.current_version(agency) if form.cleaned_data["copy_current"] else None)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已新建草稿“{version.title}”。")
            return redirect(version_url(version))
    return _render_list(request, agency, create_form=form, status=400)


@staff_required
@require_http_methods(["GET", "POST"])
def version_import(request):
    _require_area(request.user)
    agency = _posted_agency(request)
    if not permissions.can_manage(request.user, agency):
        raise PermissionDenied(services.NOT_OFFICE)
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                version = services.version_import(
                    actor=request.user, agency=agency, title=form.cleaned_data["title"],
                    data=upload.read(), file_name=upload.name or "")
            except spreadsheet.ImportRefused as exc:
                errors = exc.errors
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"已导入{version.items.count()}项事项，生成草稿“{version.title}”。")
                return redirect(version_url(version))
    return render(request, "powerlists/staff/import.html", {
        "agency": agency, "form": form, "errors": errors[:spreadsheet.MAX_REPORTED_ERRORS],
        "more_errors": max(len(errors) - spreadsheet.MAX_REPORTED_ERRORS, 0),
        "columns": spreadsheet.COLUMNS,
    }, status=status)


@staff_required
@require_GET
def template_download(request):
    _require_area(request.user)
    return _xlsx(spreadsheet.template(), "权责清单导入模板.xlsx")


def _render_version(request, version, *, version_form=None, publish_form=None, status=200):
    items = selectors.items_of(version)
    can_edit = version.is_draft and permissions.can_manage(request.user, version.agency)
    current = selectors.current_version(version.agency)
    basis_version = version.previous if not version.is_draft else current
    change = diff.compare_versions(selectors.items_of(basis_version), items) if basis_version else None
    return render(request, "powerlists/staff/version.html", {
        "version": version, "agency": version.agency, "groups": selectors.grouped(items),
        "item_count": len(items), "can_edit": can_edit, "current": current,
        "basis_version": basis_version, "change": change,
        "duplicates": diff.duplicates(diff.entry_of(i) for i in items),
        "version_form": (version_form or VersionForm(prefix="version", initial={
            "title": version.title, "effective_on": version.effective_on,
            "adopted_by": version.adopted_by, "note": version.note})) if can_edit else None,
        "publish_form": (publish_form or PublishForm(prefix="publish", initial={
            "effective_on": version.effective_on, "adopted_by": version.adopted_by})) if can_edit else None,
    }, status=status)


@staff_required
@require_GET
def version_detail(request, pk: int):
    return _render_version(request, selectors.version_get_for_user(user=request.user, pk=pk))


@staff_required
@require_GET
def version_export(request, pk: int):
    version = selectors.version_get_for_user(user=request.user, pk=pk)
    data = spreadsheet.export_items(selectors.items_of(version), title=version.title)
    return _xlsx(data, f"{version.agency.name}权责清单（{version.title}）.xlsx")


def _draft_for_change(request, pk: int):
    version = selectors.version_get_for_user(user=request.user, pk=pk)
    if not permissions.can_manage(request.user, version.agency):
        raise PermissionDenied(services.NOT_OFFICE)
    return version


@staff_required
@require_POST
def version_edit(request, pk: int):
    version = _draft_for_change(request, pk)
    form = VersionForm(request.POST, prefix="version")
    if form.is_valid():
        try:
            services.version_update(actor=request.user, version=version, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "已保存。")
            return redirect(version_url(version))
    return _render_version(request, version, version_form=form, status=400)


@staff_required
@require_POST
def version_publish(request, pk: int):
    version = _draft_for_change(request, pk)
    form = PublishForm(request.POST, prefix="publish")
    if form.is_valid():
        try:
            published = services.version_publish(actor=request.user, version=version, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            summary = published.diff.summary if published.diff else f"首次发布，共{published.version.added_count}项"
            messages.success(request, f"已发布“{published.version.title}”，成为现行清单（{summary}）。")
            return redirect(version_url(published.version))
    return _render_version(request, version, publish_form=form, status=400)


@staff_required
@require_POST
def version_delete(request, pk: int):
    version = _draft_for_change(request, pk)
    agency_id = version.agency_id
    try:
        services.version_delete(actor=request.user, version=version, reason=request.POST.get("reason", "")[:500])
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(version_url(version))
    messages.success(request, "已删除该草稿。")
    return redirect(list_url(agency_id))


# --- back office: items ----------------------------------------------------------------------

def _render_item_form(request, version, form, item=None, status=200):
    return render(request, "powerlists/staff/item_form.html", {
        "version": version, "agency": version.agency, "form": form, "item": item,
        "remove_form": RemoveForm() if item else None}, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def item_new(request, pk: int):
    version = _draft_for_change(request, pk)
    form = ItemForm(request.POST) if request.method == "POST" else ItemForm()
    if request.method == "POST":
        if form.is_valid():
            try:
                item = services.item_add(actor=request.user, version=version, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"已添加“{item.name}”。")
                return redirect(version_url(version) + f"#item-{item.pk}")
        return _render_item_form(request, version, form, status=400)
    return _render_item_form(request, version, form)


@staff_required
@require_http_methods(["GET", "POST"])
def item_edit(request, pk: int):
    item = selectors.item_get_for_user(user=request.user, pk=pk)
    version = item.version
    if not permissions.can_manage(request.user, version.agency):
        raise PermissionDenied(services.NOT_OFFICE)
    if request.method == "POST":
        form = ItemForm(request.POST)
        if form.is_valid():
            try:
                services.item_update(actor=request.user, item=item, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"已保存“{form.cleaned_data['name']}”。")
                return redirect(version_url(version) + f"#item-{item.pk}")
        return _render_item_form(request, version, form, item, status=400)
    form = ItemForm(initial={f: getattr(item, f) for f in services.ITEM_FIELDS})
    return _render_item_form(request, version, form, item)


@staff_required
@require_POST
def item_remove(request, pk: int):
    item = selectors.item_get_for_user(user=request.user, pk=pk)
    version = item.version
    if not permissions.can_manage(request.user, version.agency):
        raise PermissionDenied(services.NOT_OFFICE)
    form = RemoveForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.item_remove(actor=request.user, item=item, reason=reason)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已删除“{item.name}”。")
    return redirect(version_url(version))


# --- back office: compare -------------------------------------------------------------------

@staff_required
@require_GET
def version_compare(request):
    _require_area(request.user)
    raw_old, raw_new = request.GET.get("old", ""), request.GET.get("new", "")
    if not (raw_old.isdigit() and raw_new.isdigit()) or len(raw_old) > 18 or len(raw_new) > 18:
        raise Http404("版本不存在")
    old = selectors.version_get_for_user(user=request.user, pk=int(raw_old))
    new = selectors.version_get_for_user(user=request.user, pk=int(raw_new))
    if old.agency_id != new.agency_id:
        raise Http404("只能比较同一机关的清单版本")
    versions = list(selectors.versions_for(old.agency))
    return render(request, "powerlists/staff/compare.html", {
        "agency": old.agency, "old": old, "new": new, "change": selectors.compare(old, new),
        "compare_form": CompareForm(versions=versions, initial={"old": old.pk, "new": new.pk}),
    })


# --- public -------------------------------------------------------------------------------

@require_GET
def public_index(request):
    return render(request, "powerlists/portal/index.html", {
        "rows": selectors.agencies_with_published_lists(), "hide_agency_bar": True})


def _public_list(request, agency, version, *, template: str, extra=None):
    departments = selectors.departments_of(version)
    form = SearchForm(request.GET or None, departments=departments)
    filters = form.cleaned_data if form.is_valid() else {}
    searching = any(filters.get(k) for k in ("q", "kind", "department"))
    items = selectors.search(version, q=filters.get("q", ""), kind=filters.get("kind", ""),
                             department=filters.get("department", "")) if searching else selectors.items_of(version)
    kind_counts = selectors.kind_counts(version)
    return render(request, template, {
        "agency": agency, "version": version, "form": form, "searching": searching,
        "groups": selectors.grouped(items), "result_count": len(items),
        "kind_counts": kind_counts, "total": sum(n for _, _, n in kind_counts),
        "current": selectors.current_version(agency), **(extra or {}),
    })


@require_GET
def public_agency_list(request, code: str):
    agency = selectors.public_agency(code=code)
    version = selectors.current_version(agency)
    if version is None:
        return render(request, "powerlists/portal/none.html", {"agency": agency})
    return _public_list(request, agency, version, template="powerlists/portal/list.html")


@require_GET
def public_version(request, code: str, pk: int):
    agency = selectors.public_agency(code=code)
    version = selectors.public_version(agency=agency, pk=pk)
    return _public_list(request, agency, version, template="powerlists/portal/list.html")


@require_GET
def public_changes(request, code: str):
    agency = selectors.public_agency(code=code)
    versions = list(selectors.published_versions(agency))
    if not versions:
        return render(request, "powerlists/portal/none.html", {"agency": agency})
    return render(request, "powerlists/portal/changes.html", {
        "agency": agency, "versions": versions, "current": versions[0]})


@require_GET
def public_version_changes(request, code: str, pk: int):
    agency = selectors.public_agency(code=code)
    version = selectors.public_version(agency=agency, pk=pk)
    change = selectors.compare(version.previous, version) if version.previous else None
    return render(request, "powerlists/portal/version_changes.html", {
        "agency": agency, "version": version, "change": change,
        "first_items": selectors.items_of(version) if change is None else None})


@require_GET
def public_item(request, code: str, pk: int):
    agency = selectors.public_agency(code=code)
    item = selectors.public_item(agency=agency, pk=pk)
    return render(request, "powerlists/portal/item.html", {
        "agency": agency, "item": item, "version": item.version,
        "current": selectors.current_version(agency)})


@require_GET
def public_download(request, code: str, pk: int):
    agency = selectors.public_agency(code=code)
    version = selectors.public_version(agency=agency, pk=pk)
    data = spreadsheet.export_items(selectors.items_of(version), title=version.title)
    return _xlsx(data, f"{agency.name}权责清单（{version.title}）.xlsx")

