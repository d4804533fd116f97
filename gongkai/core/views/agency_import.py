"""Importing the agency tree from a file (platform administrators, issue 21): upload, the
dry run, then apply. The uploaded file is kept on the server under ``VAR_DIR`` by its
SHA-256 digest; the dry run and the apply both re-read that file (the browser only names
the digest), so what is applied is what the administrator saw planned, checked again
against the database at that moment."""

import re
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gongkai.core import agency_import as rules
from gongkai.core import clock, permissions
from gongkai.core.errors import DomainError
from gongkai.core.services.agencies import agency_import
from gongkai.core.views.base import staff_required

_DIGEST = re.compile(r"[0-9a-f]{64}")
_NAME = re.compile(r"[^\w.\-（）()]+")
SHOWN = 500  # rows a preview lists of each kind (3,000 new agencies need no 3,000-row page)
KEEP_SECONDS = 7 * 24 * 3600  # an upload never applied is removed at a later upload after this


class UploadForm(forms.Form):
    file = forms.FileField(label="机关名录文件", help_text="CSV（UTF-8或GBK编码）或XLSX；第一行为列名，可下载模板对照")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > rules.MAX_FILE_BYTES:
            raise forms.ValidationError(f"文件过大：不应超过{rules.MAX_FILE_BYTES // (1024 * 1024)}MB。")
        return upload


def _require_admin(request) -> None:
    if not permissions.is_platform_admin(request.user):
        raise PermissionDenied("只有平台管理员可以导入机关名录")


def _store() -> Path:
    return Path(settings.VAR_DIR) / "agency_imports"


def _stored(digest: str) -> tuple[bytes, str]:
    """The stored upload and its file name; 404 for a digest not stored (or malformed)."""
    if not _DIGEST.fullmatch(digest):
        raise Http404("导入文件不存在")
    data_path = _store() / digest
    if not data_path.is_file():
        raise Http404("导入文件不存在或已导入")
    name_path = data_path.with_suffix(".name")
    return data_path.read_bytes(), (name_path.read_text("utf-8") if name_path.is_file() else digest[:12])


def _remove_stale() -> None:
    oldest = clock.now().timestamp() - KEEP_SECONDS
    for path in _store().iterdir():
        if path.stat().st_mtime < oldest:
            path.unlink(missing_ok=True)


@staff_required
def agency_import_upload(request):
    _require_admin(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        name = _NAME.sub("_", Path(form.cleaned_data["file"].name).name)[-100:] or "upload"
        try:
            rules.read_rows(data)  # an unreadable file is said at once, not stored
        except rules.FileRefused as exc:
            form.add_error("file", exc.message)
        else:
            digest = rules.digest(data)
            _store().mkdir(parents=True, exist_ok=True)
            _remove_stale()
            (_store() / digest).write_bytes(data)
            (_store() / f"{digest}.name").write_text(name, "utf-8")
            return redirect("staff:agency-import-preview", digest=digest)
    return render(request, "core/agency_import.html", {"form": form},
                  status=400 if form.errors else 200)


@staff_required
def agency_import_preview(request, digest: str):
    _require_admin(request)
    data, name = _stored(digest)
    try:
        plan = agency_import(actor=request.user, data=data, file_name=name, dry_run=True)
    except rules.FileRefused as exc:
        return render(request, "core/agency_import.html",
                      {"form": UploadForm(), "refused": exc.message}, status=400)
    return render(request, "core/agency_import_preview.html", {
        "plan": plan, "digest": digest, "counts": plan.counts(), "pending": plan.pending,
        "changes": plan.pending[:SHOWN], "bad": plan.bad[:SHOWN], "shown": SHOWN,
    })


@require_POST
@staff_required
def agency_import_apply(request, digest: str):
    _require_admin(request)
    data, name = _stored(digest)
    try:
        plan = agency_import(actor=request.user, data=data, file_name=name)
    except rules.FileRefused as exc:
        messages.error(request, exc.message)
        return redirect("staff:agency-import")
    except (DomainError, ValidationError) as exc:
        # The database changed since the dry run in a way the plan made now did not catch
        # (another administrator at the same moment): nothing was written.
        messages.error(request, "导入未完成，未写入任何变化：" + "；".join(getattr(exc, "messages", [str(exc)])))
        return redirect("staff:agency-import-preview", digest=digest)
    except IntegrityError:
        # The same code saved by someone else between the plan and the insert.
        messages.error(request, "导入未完成，未写入任何变化：导入期间另有相同机关代码的机关被保存，请重新试导入。")
        return redirect("staff:agency-import-preview", digest=digest)
    for path in (_store() / digest, _store() / f"{digest}.name"):
        path.unlink(missing_ok=True)
    counts = plan.counts()
    messages.success(
        request,
        f"已导入“{name}”：新增{counts['create']}个，修改{counts['update']}个，调整上级{counts['move']}个，"
        f"{counts['unchanged']}个不变" + (f"；{counts['bad']}行有错误，未导入" if counts["bad"] else "") + "。",
    )
    return redirect("staff:agency-list")


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
