"""Importing the agency tree from a file (platform administrators, issue 21): upload, the
dry run, then apply by a worker. The uploaded file is kept in the database
(``AgencyImport``, addressed by its id); the dry run and the apply both read that file
(the browser only names the upload), so what is applied is what the administrator saw
planned, checked again against the database when the worker applies it. Any platform
administrator may open any upload: they all may import."""

import contextlib
import re
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from gongkai.core import agency_import as rules
from gongkai.core import permissions
from gongkai.core.errors import InvalidTransition
from gongkai.core.models import AgencyImport, AgencyImportState
from gongkai.core.services.agencies import (
    IMPORT_ADMINS_ONLY,
    agency_import,
    agency_import_confirm,
    agency_import_stage,
)
from gongkai.core.views.base import staff_required

_NAME = re.compile(r"[^\w.\-（）()]+")
SHOWN = 500  # rows a preview lists of each kind (3,000 new agencies need no 3,000-row page)
REFRESH_SECONDS = 3  # the status page asks again while the worker applies


class UploadForm(forms.Form):
    file = forms.FileField(label="机关名录文件", help_text="CSV（UTF-8或GBK编码）或XLSX；第一行为列名，可下载模板对照")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > rules.MAX_FILE_BYTES:
            raise forms.ValidationError(f"文件过大：不应超过{rules.MAX_FILE_BYTES // (1024 * 1024)}MB。")
        return upload


def _require_admin(request) -> None:
    if not permissions.is_platform_admin(request.user):
        raise PermissionDenied(IMPORT_ADMINS_ONLY)


def _upload(pk: int) -> AgencyImport:
    upload = AgencyImport.objects.filter(pk=pk).first()
    if upload is None:
        raise Http404("导入文件不存在或已过期，请重新上传")
    return upload


def summary(upload: AgencyImport) -> str:
    """What an applied upload did, as the agency list reports it."""
    counts = upload.outcome["counts"]
    return (
        f"已导入“{upload.file_name}”：新增{counts['create']}个，修改{counts['update']}个，"
        f"调整上级{counts['move']}个，{counts['unchanged']}个不变"
        + (f"；{counts['bad']}行有错误，未导入" if counts["bad"] else "") + "。"
    )


@staff_required
def agency_import_upload(request):
    _require_admin(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        name = _NAME.sub("_", Path(form.cleaned_data["file"].name).name)[-100:] or "upload"
        try:
            upload = agency_import_stage(actor=request.user, data=data, file_name=name)
        except rules.FileRefused as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("staff:agency-import-preview", pk=upload.pk)
    return render(request, "core/agency_import.html", {"form": form},
                  status=400 if form.errors else 200)


@staff_required
@require_GET
def agency_import_preview(request, pk: int):
    _require_admin(request)
    upload = _upload(pk)
    if upload.state != AgencyImportState.STAGED:  # confirmed: its file is the worker's
        return redirect("staff:agency-import-status", pk=upload.pk)
    try:
        plan = agency_import(actor=request.user, data=bytes(upload.content),
                             file_name=upload.file_name, dry_run=True)
    except rules.FileRefused as exc:
        return render(request, "core/agency_import.html",
                      {"form": UploadForm(), "refused": exc.message}, status=400)
    return render(request, "core/agency_import_preview.html", {
        "plan": plan, "upload": upload, "counts": plan.counts(), "pending": plan.pending,
        "changes": plan.pending[:SHOWN], "bad": plan.bad[:SHOWN], "shown": SHOWN,
    })


@require_POST
@staff_required
def agency_import_apply(request, pk: int):
    """Confirm: a worker applies the file; the status page says how it went."""
    _require_admin(request)
    upload = _upload(pk)
    # Confirmed twice (a double click, the back button): the first one's page tells.
    with contextlib.suppress(InvalidTransition):
        agency_import_confirm(actor=request.user, upload=upload)
    return redirect("staff:agency-import-status", pk=upload.pk)


@staff_required
@require_GET
def agency_import_status(request, pk: int):
    """While the worker applies: a page that refreshes itself. Done: the agency list with
    what was imported. Refused: the reason (nothing was written)."""
    _require_admin(request)
    upload = _upload(pk)
    if upload.state == AgencyImportState.STAGED:  # not confirmed: its dry run
        return redirect("staff:agency-import-preview", pk=upload.pk)
    if upload.state == AgencyImportState.DONE:
        messages.success(request, summary(upload))
        return redirect("staff:agency-list")
    return render(request, "core/agency_import_status.html", {
        "upload": upload, "refresh": REFRESH_SECONDS,
        "refused": upload.state == AgencyImportState.REFUSED,
    })


@staff_required
def agency_import_template(request, fmt: str):
    _require_admin(request)
    if fmt not in ("csv", "xlsx"):
        raise Http404("没有该格式的模板")
    if fmt == "xlsx":
        response = HttpResponse(
            rules.template_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        response = HttpResponse(rules.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="agency-import-template.{fmt}"'
    return response
