"""Drafting a new item and editing a draft, with its attachments uploaded on the same
form (one item with its files, or nothing)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from gongkai.core.errors import DomainError, InvalidTransition
from gongkai.core.models import Role
from gongkai.core.views.actions import require
from gongkai.core.views.base import staff_required
from gongkai.publishing import forms as f
from gongkai.publishing import permissions, selectors
from gongkai.publishing.models import Publication, PublicationStatus
from gongkai.publishing.services import publications as svc
from gongkai.publishing.views.workflow import render_detail
from gongkai.publishing.workflow import Action, next_status


def may_draft_here(request) -> bool:
    try:
        _drafting_scope(request)
    except PermissionDenied:
        return False
    return True


def _drafting_scope(request):
    """The agency and department a new item is drafted for: the active membership's
    agency; an officer's own department (fixed), the office chooses one."""
    membership = request.membership
    if not membership:
        raise PermissionDenied("请先选择工作岗位。")
    if membership.role == Role.OFFICER:
        require(
            permissions.can_draft(request.user, membership.agency, membership.department),
            "您无权起草政府信息。",
        )
        return membership.agency, membership.department, None
    require(
        membership.role == Role.OFFICE and permissions.can_draft(request.user, membership.agency),
        "只有公开办和科室工作人员可以起草政府信息。",
    )
    return membership.agency, None, selectors.agency_departments(membership.agency)


@staff_required
def publication_create(request):
    agency, department, departments = _drafting_scope(request)
    columns = selectors.columns_for_publication_form(agency)
    form = f.PublicationForm(
        request.POST or None,
        request.FILES or None,
        departments=departments,
        columns=columns,
        initial={"issuing_agency": agency.name, "department": department},
    )
    if request.method == "POST" and form.is_valid():
        fields = form.catalogue_fields()
        chosen = fields.pop("department", department)
        try:
            # One item with its files in its first version, or nothing.
            publication = svc.publication_create(
                actor=request.user,
                agency=agency,
                department=chosen,
                columns=form.cleaned_data["columns"],
                attachments=form.cleaned_data["attachments"],
                **fields,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已保存草稿，索引号 {publication.index_number}。")
            return redirect("staff:publishing-detail", pk=publication.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "publishing/staff/form.html",
        {
            "form": form,
            "agency": agency,
            "fixed_department": department,
            "publication": None,
        },
        status=status,
    )


def _editable(request, publication: Publication) -> str:
    """ "" when the item can be edited now, else why not."""
    try:
        next_status(publication.status, Action.EDIT)
    except InvalidTransition as exc:
        hint = (
            "如需修改，请由审查员、领导或公开办退回。"
            if publication.status != PublicationStatus.WITHDRAWN
            else "如需修改，请由公开办先“撤回后重新编辑”。"
        )
        return f"{exc.message}{hint}"
    return ""


def _edit_form(request, publication: Publication, *, data=None, files=None) -> f.PublicationForm:
    office = permissions.can_publish(request.user, publication)
    return f.PublicationForm(
        data,
        files,
        departments=selectors.agency_departments(publication.agency) if office else None,
        columns=selectors.columns_for_publication_form(publication.agency, publication),
        initial=f.PublicationForm.initial_for(publication),
    )


def render_edit(
    request, publication: Publication, form=None, *, error: str = "", status: int = 200
):
    return render(
        request,
        "publishing/staff/form.html",
        {
            "form": form or _edit_form(request, publication),
            "agency": publication.agency,
            "fixed_department": None
            if permissions.can_publish(request.user, publication)
            else publication.department,
            "publication": publication,
            "attachments": publication.attachments.filter(is_active=True),
            "remove_form": f.AttachmentRemoveForm(),
            "rename_form": f.AttachmentRenameForm(),
            "error": error,
        },
        status=status,
    )


@staff_required
def publication_edit(request, pk: int):
    publication = selectors.publication_get_for_user(user=request.user, pk=pk)
    require(permissions.can_edit(request.user, publication), "您无权修改该信息。")
    refused = _editable(request, publication)
    if refused:
        return render_detail(request, publication, error=refused, status=400)
    if request.method != "POST":
        return render_edit(request, publication)
    form = _edit_form(request, publication, data=request.POST, files=request.FILES)
    if form.is_valid():
        fields = form.catalogue_fields()
        before = svc.current_revision(publication)
        try:
            # The fields and the files of one save: one version (none if nothing changed).
            svc.publication_update(
                actor=request.user,
                publication=publication,
                columns=form.cleaned_data["columns"],
                attachments=form.cleaned_data["attachments"],
                **fields,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            after = svc.current_revision(publication)
            if before is None or after.pk != before.pk:
                messages.success(request, f"已保存，形成第{after.number}版。")
            else:
                messages.info(request, "没有修改。")
            return redirect("staff:publishing-detail", pk=publication.pk)
    publication = selectors.publication_get_for_user(user=request.user, pk=pk)
    return render_edit(request, publication, form, status=400)
