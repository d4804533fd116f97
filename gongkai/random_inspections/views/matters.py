"""The list of inspection matters' pages. Back office: the versions of an agency, a draft
with its matters (add, edit, remove), publishing, discarding. Public: an agency's current
list and each earlier published version.

Thin views: the same 404 for a missing and a foreign version or matter (selectors); 403
for the wrong role before any input is read; the services for the rules."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongkai.core.errors import DomainError
from gongkai.core.views.actions import ActionPage, require
from gongkai.core.views.base import chosen_agency, posted_agency, staff_required
from gongkai.random_inspections import permissions
from gongkai.random_inspections.forms.matters import (
    AgencyFilterForm,
    MatterForm,
    MatterListCreateForm,
    MatterListForm,
    PublishForm,
    RemoveForm,
)
from gongkai.random_inspections.selectors import matters as selectors
from gongkai.random_inspections.services import matters as services

NOT_THIS_ROLE = "随机抽查事项清单由本机关公开办维护，执法人员和主管部门可以查看。"


def list_url(agency_id: int | None = None) -> str:
    return reverse("staff:ri-matters") + (f"?{urlencode({'agency': agency_id})}" if agency_id else "")


def version_url(matter_list) -> str:
    return reverse("staff:ri-matterlist", args=[matter_list.pk])


def _require_area(user) -> None:
    require(permissions.can_view_area(user), NOT_THIS_ROLE)


def _posted_agency(request):
    return posted_agency(request, selectors.agency_get_for_user)


# --- back office: versions --------------------------------------------------------------------

def _render_list(request, agency, *, create_form=None, status=200):
    user = request.user
    filter_form = (AgencyFilterForm(initial={"agency": agency}, agencies=permissions.agencies_readable_by(user))
                   if permissions.reads_several_agencies(user) else None)
    if agency is None:
        return render(request, "random_inspections/matters/list.html", {"agency": None, "filter_form": filter_form},
                      status=status)
    require(permissions.can_view_agency(user, agency), NOT_THIS_ROLE)
    can_manage = permissions.can_manage(user, agency)
    return render(request, "random_inspections/matters/list.html", {
        "agency": agency, "filter_form": filter_form, "versions": list(selectors.matter_lists_for(agency)),
        "current": selectors.current_matter_list(agency), "can_manage": can_manage,
        "create_form": (create_form or MatterListCreateForm()) if can_manage else None,
    }, status=status)


@staff_required
@require_GET
def matterlist_list(request):
    _require_area(request.user)
    return _render_list(request, chosen_agency(request))


@staff_required
@require_POST
def matterlist_new(request):
    _require_area(request.user)
    agency = _posted_agency(request)
    require(permissions.can_manage(request.user, agency), services.NOT_OFFICE)
    form = MatterListCreateForm(request.POST)
    if form.is_valid():
        try:
            matter_list = services.matterlist_create(actor=request.user, agency=agency, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已新建草稿“{matter_list.title}”。")
            return redirect(version_url(matter_list))
    return _render_list(request, agency, create_form=form, status=400)


def _render_version(request, matter_list, *, bound=None, error="", status=200):
    bound = bound or {}
    can_edit = matter_list.is_draft and permissions.can_manage(request.user, matter_list.agency)
    return render(request, "random_inspections/matters/version.html", {
        "matter_list": matter_list, "agency": matter_list.agency, "matters": selectors.matters_of(matter_list),
        "can_edit": can_edit, "current": selectors.current_matter_list(matter_list.agency),
        "version_form": (bound.get("version") or MatterListForm(prefix="version", initial={
            "title": matter_list.title, "adopted_by": matter_list.adopted_by, "note": matter_list.note}))
        if can_edit else None,
        "publish_form": (bound.get("publish") or PublishForm(prefix="publish", initial={
            "adopted_by": matter_list.adopted_by})) if can_edit else None,
        "delete_form": RemoveForm(prefix="delete") if can_edit else None,
        "error": error,
    }, status=status)


@staff_required
@require_GET
def matterlist_detail(request, pk: int):
    return _render_version(request, selectors.matter_list_get_for_user(user=request.user, pk=pk))


def _office_only(user, matter_list) -> bool:
    """403 with this area's message for anyone but the agency's office."""
    require(permissions.can_manage(user, matter_list.agency), services.NOT_OFFICE)
    return True


def _for_change(request, pk: int):
    matter_list = selectors.matter_list_get_for_user(user=request.user, pk=pk)
    _office_only(request.user, matter_list)
    return matter_list


VERSION = ActionPage("staff:ri-matterlist", load=selectors.matter_list_get_for_user, render=_render_version)


@VERSION.step(title="修改版本信息", may=_office_only, prefix="version",
              bind=lambda matter_list, *, data, files, prefix: MatterListForm(data=data, prefix=prefix))
def matterlist_edit(request, matter_list, data):
    services.matterlist_update(actor=request.user, matter_list=matter_list, **data)
    return "已保存。"


@VERSION.step(title="发布随机抽查事项清单", may=_office_only, prefix="publish",
              bind=lambda matter_list, *, data, files, prefix: PublishForm(data=data, prefix=prefix))
def matterlist_publish(request, matter_list, data):
    published = services.matterlist_publish(actor=request.user, matter_list=matter_list, **data)
    return f"已发布“{published.title}”，成为现行随机抽查事项清单。"


@staff_required
@require_POST
def matterlist_delete(request, pk: int):
    matter_list = _for_change(request, pk)
    form = RemoveForm(request.POST, prefix="delete")
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.matterlist_delete(actor=request.user, matter_list=matter_list, reason=reason)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(version_url(matter_list))
    messages.success(request, "已删除该草稿。")
    return redirect(list_url(matter_list.agency_id))


# --- back office: matters ---------------------------------------------------------------------

def _render_matter_form(request, matter_list, form, matter=None, status=200):
    return render(request, "random_inspections/matters/matter_form.html", {
        "matter_list": matter_list, "agency": matter_list.agency, "form": form, "matter": matter,
        "remove_form": RemoveForm() if matter else None}, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def matter_new(request, pk: int):
    matter_list = _for_change(request, pk)
    if request.method != "POST":
        return _render_matter_form(request, matter_list, MatterForm())
    form = MatterForm(request.POST)
    if form.is_valid():
        try:
            matter = services.matter_add(actor=request.user, matter_list=matter_list, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已添加“{matter.name}”。")
            return redirect(version_url(matter_list) + f"#matter-{matter.pk}")
    return _render_matter_form(request, matter_list, form, status=400)


@staff_required
@require_http_methods(["GET", "POST"])
def matter_edit(request, pk: int):
    matter = selectors.matter_get_for_user(user=request.user, pk=pk)
    matter_list = matter.matter_list
    _office_only(request.user, matter_list)
    if request.method != "POST":
        form = MatterForm(initial={f: getattr(matter, f) for f in services.MATTER_FIELDS})
        return _render_matter_form(request, matter_list, form, matter)
    form = MatterForm(request.POST)
    if form.is_valid():
        try:
            services.matter_update(actor=request.user, matter=matter, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已保存“{form.cleaned_data['name']}”。")
            return redirect(version_url(matter_list) + f"#matter-{matter.pk}")
    return _render_matter_form(request, matter_list, form, matter, status=400)


@staff_required
@require_POST
def matter_remove(request, pk: int):
    matter = selectors.matter_get_for_user(user=request.user, pk=pk)
    matter_list = matter.matter_list
    _office_only(request.user, matter_list)
    form = RemoveForm(request.POST)
    try:
        services.matter_remove(actor=request.user, matter=matter,
                               reason=form.cleaned_data["reason"] if form.is_valid() else "")
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已删除“{matter.name}”。")
    return redirect(version_url(matter_list))


# --- public -----------------------------------------------------------------------------------

def _public_page(request, agency, matter_list):
    versions = list(selectors.published_matter_lists(agency))
    return render(request, "random_inspections/matters/public.html", {
        "agency": agency, "matter_list": matter_list, "matters": selectors.matters_of(matter_list),
        "versions": versions, "current": versions[0] if versions else None})


@require_GET
def public_current(request, code: str):
    agency = selectors.public_agency(code=code)
    matter_list = selectors.current_matter_list(agency)
    if matter_list is None:
        return render(request, "random_inspections/matters/public_none.html", {"agency": agency})
    return _public_page(request, agency, matter_list)


@require_GET
def public_version(request, code: str, pk: int):
    agency = selectors.public_agency(code=code)
    return _public_page(request, agency, selectors.public_matter_list(agency=agency, pk=pk))


staff_patterns: list = [
    path("random-inspections/matters/", matterlist_list, name="ri-matters"),
    path("random-inspections/matters/new/", matterlist_new, name="ri-matterlist-new"),
    path("random-inspections/matters/<int:pk>/", matterlist_detail, name="ri-matterlist"),
    path("random-inspections/matters/<int:pk>/edit/", matterlist_edit, name="ri-matterlist-edit"),
    path("random-inspections/matters/<int:pk>/publish/", matterlist_publish, name="ri-matterlist-publish"),
    path("random-inspections/matters/<int:pk>/delete/", matterlist_delete, name="ri-matterlist-delete"),
    path("random-inspections/matters/<int:pk>/add/", matter_new, name="ri-matter-new"),
    path("random-inspections/matter-items/<int:pk>/", matter_edit, name="ri-matter-edit"),
    path("random-inspections/matter-items/<int:pk>/remove/", matter_remove, name="ri-matter-remove"),
]
public_patterns: list = [
    path("agencies/<str:code>/random-inspections/matters/", public_current, name="ri-matters"),
    path("agencies/<str:code>/random-inspections/matters/versions/<int:pk>/", public_version,
         name="ri-matters-version"),
]
