"""An item's attachments in the back office: naming, removal (a new version) and download."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from gongkai.core.errors import DomainError
from gongkai.core.views.actions import require
from gongkai.core.views.base import staff_required
from gongkai.publishing import forms as f
from gongkai.publishing import permissions, selectors
from gongkai.publishing.services import publications as svc
from gongkai.publishing.views.drafting import render_edit
from gongkai.publishing.views.workflow import render_detail


@staff_required
@require_POST
def attachment_remove(request, pk: int):
    attachment = selectors.attachment_get_for_user(user=request.user, pk=pk)
    publication = attachment.publication
    require(permissions.can_edit(request.user, publication), "您无权修改该信息。")
    form = f.AttachmentRemoveForm(request.POST)
    if not form.is_valid():
        return render_edit(
            request, publication, error="删除附件未完成：删除理由不超过500字。", status=400
        )
    try:
        svc.publication_remove_attachment(
            actor=request.user, attachment=attachment, reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        publication = selectors.publication_get_for_user(user=request.user, pk=publication.pk)
        return render_detail(
            request, publication, error=f"删除附件未完成：{exc.message}", status=400
        )
    messages.success(request, f"已删除附件“{attachment.label}”，形成新版本。")
    return redirect("staff:publishing-edit", pk=publication.pk)


@staff_required
@require_POST
def attachment_rename(request, pk: int):
    """The name readers see for an attachment of a draft."""
    attachment = selectors.attachment_get_for_user(user=request.user, pk=pk)
    publication = attachment.publication
    require(permissions.can_edit(request.user, publication), "您无权修改该信息。")
    form = f.AttachmentRenameForm(request.POST)
    if not form.is_valid():
        return render_edit(
            request, publication, error="附件名称未保存：请填写名称（不超过200字）。", status=400
        )
    try:
        svc.publication_rename_attachment(
            actor=request.user, attachment=attachment,
            display_name=form.cleaned_data["display_name"],
        )
    except DomainError as exc:
        return render_edit(request, publication, error=f"附件名称未保存：{exc.message}", status=400)
    messages.success(request, "已保存附件名称。")
    return redirect("staff:publishing-edit", pk=publication.pk)


@staff_required
def attachment_download(request, pk: int):
    attachment = selectors.attachment_get_for_user(user=request.user, pk=pk)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("附件文件不存在") from None
    return FileResponse(handle, as_attachment=True, filename=attachment.original_name)
