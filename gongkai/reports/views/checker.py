"""The back office's checker for published annual reports: a supervising office (or an
agency's office) uploads a batch of reports other systems produced and gets, per file,
the format, year, agency, figures placed, rules broken and text that could not be
placed; the same as CSV. The files are read in the request and not kept."""

from __future__ import annotations

import csv
import io

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST

from gongkai.core.views.base import staff_required
from gongkai.reports.checker.access import can_use_checker
from gongkai.reports.checker.check import FileResult, check_files
from gongkai.reports.checker.forms import MAX_FILE_BYTES, CheckerUploadForm

TEMPLATE = "reports/checker.html"


def _refusal(name: str, upload) -> FileResult | None:
    """A result row for a file too large or empty to check, else None."""
    if upload.size > MAX_FILE_BYTES:
        return FileResult(name, error="file too large",
                          error_zh=f"文件超过{MAX_FILE_BYTES // (1024 * 1024)}MB的大小限制，未检查。")
    if upload.size == 0:
        return FileResult(name, error="empty file", error_zh="空文件，未检查。")
    return None


def _results(form: CheckerUploadForm) -> list[FileResult]:
    """One result per uploaded file, in the order they were chosen."""
    slots: list[FileResult | None] = []
    readable: list[tuple[str, bytes]] = []
    for upload in form.cleaned_data["files"]:
        name = (upload.name or "未命名文件")[:200]
        refused = _refusal(name, upload)
        slots.append(refused)
        if refused is None:
            readable.append((name, upload.read(MAX_FILE_BYTES + 1)))
    checked = iter(check_files(readable))
    return [slot or next(checked) for slot in slots]


@staff_required
@require_http_methods(["GET", "POST"])
def report_checker(request):
    if not can_use_checker(request.user):
        raise PermissionDenied("只有政务公开主管部门、机关政务公开办公室或平台管理员可以使用年报检查。")
    posted = request.method == "POST"
    form = CheckerUploadForm(request.POST, request.FILES) if posted else CheckerUploadForm()
    results = _results(form) if posted and form.is_valid() else None
    return render(request, TEMPLATE, {
        "form": form,
        "results": results,
        "broken": sum(1 for r in results or () if r.status == 1),
        "unreadable": sum(1 for r in results or () if r.status == 2),
    }, status=400 if posted and not form.is_valid() else 200)


CSV_HEADER = ["文件", "读取方式", "格式", "年度", "机关", "已定位单元格", "应有单元格", "违反规则数",
              "违反规则", "未定位文本数", "跨年核对所用文件", "结论"]
_CONCLUSION = {0: "全部规则成立", 1: "存在不符合规则的数据", 2: "无法检查"}


def _safe(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@staff_required
@require_POST
def report_checker_csv(request):
    if not can_use_checker(request.user):
        raise PermissionDenied("只有政务公开主管部门、机关政务公开办公室或平台管理员可以使用年报检查。")
    form = CheckerUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, TEMPLATE, {"form": form, "results": None}, status=400)
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with a BOM
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for r in _results(form):
        ex = r.extraction
        writer.writerow([_safe(v) for v in (
            r.name, r.kind, r.format.name if r.format else "", ex.year if ex else "",
            ex.agency if ex else "", r.placed, r.expected_cells, len(r.violations),
            "；".join(v.describe() for v in r.violations) if r.check else r.error_zh,
            len(r.unplaced), r.previous, _CONCLUSION[r.status],
        )])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, "年报检查结果.csv")
    return response
