"""The back office's checker for published annual reports: a supervising office (or an
agency's office) uploads a batch of reports other systems produced and gets, per file,
the format, year, agency, figures placed, rules broken, findings and text that could not
be placed. The files are read one at a time in the request and not kept.

The results page offers them as CSV without a second upload: the CSV text (a few KB) is
kept in the user's session under a random token, for the last few batches only, and
served by ``report-checker-csv``. Not a ``data:`` URL: the site's Content-Security-Policy
(``core.middleware``) leaves navigation to such URLs to the browser, and Chromium blocks
top-level ``data:`` navigations; and nothing needs to be stored outside the session.
"""

from __future__ import annotations

import csv
import io
import secrets

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from gongkai.core.views.base import staff_required
from gongkai.reports.checker.access import can_use_checker
from gongkai.reports.checker.check import FileResult, check_files
from gongkai.reports.checker.forms import MAX_FILE_BYTES, CheckerUploadForm

TEMPLATE = "reports/checker.html"
SESSION_KEY = "reports_checker_csv"
KEPT_BATCHES = 3  # CSVs kept in the session: the last few batches (a few KB each)
REFUSED = "只有政务公开主管部门、机关政务公开办公室或平台管理员可以使用年报检查。"


def _refusal(name: str, upload) -> FileResult | None:
    """A result row for a file too large or empty to check, else None."""
    if upload.size > MAX_FILE_BYTES:
        return FileResult(name, error="file too large",
                          error_zh=f"文件超过{MAX_FILE_BYTES // (1024 * 1024)}MB的大小限制，未检查。")
    if upload.size == 0:
        return FileResult(name, error="empty file", error_zh="空文件，未检查。")
    return None


def _results(form: CheckerUploadForm) -> list[FileResult]:
    """One result per uploaded file, in the order they were chosen; each file is read
    only when the checker comes to it and closed (its temporary file removed) after."""
    uploads = form.cleaned_data["files"]
    refused: dict[int, FileResult] = {}

    def readable():
        for i, upload in enumerate(uploads):
            name = (upload.name or "未命名文件")[:200]
            refusal = _refusal(name, upload)
            if refusal is not None:
                refused[i] = refusal
                upload.close()
                continue
            try:
                data = upload.read(MAX_FILE_BYTES + 1)
            finally:
                upload.close()
            yield name, data

    checked = iter(check_files(readable()))
    return [refused[i] if i in refused else next(checked) for i in range(len(uploads))]


CSV_HEADER = ["文件", "读取方式", "格式", "年度", "机关", "已定位单元格", "应有单元格", "问题数",
              "违反规则及格式问题", "未定位文本数", "跨年核对所用文件", "结论"]
_CONCLUSION = {0: "全部规则成立", 1: "存在不符合规则的数据或格式问题", 2: "无法检查"}


def _safe(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def results_csv(results: list[FileResult]) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with a BOM
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for r in results:
        ex = r.extraction
        writer.writerow([_safe(v) for v in (
            r.name, r.kind, r.format.name if r.format else "", ex.year if ex else "",
            ex.agency if ex else "", r.placed, r.expected_cells, len(r.violations),
            "；".join(f"[{v.rule}] {v.describe()}" for v in r.violations) if r.check else r.error_zh,
            len(r.unplaced), r.previous, _CONCLUSION[r.status],
        )])
    return buffer.getvalue()


def _keep_csv(request, text: str) -> str:
    token = secrets.token_urlsafe(12)
    kept = [item for item in request.session.get(SESSION_KEY, []) if item.get("token") != token]
    request.session[SESSION_KEY] = [*kept[-(KEPT_BATCHES - 1):], {"token": token, "csv": text}]
    return token


@staff_required
@require_http_methods(["GET", "POST"])
def report_checker(request):
    if not can_use_checker(request.user):
        raise PermissionDenied(REFUSED)
    posted = request.method == "POST"
    form = CheckerUploadForm(request.POST, request.FILES) if posted else CheckerUploadForm()
    results = _results(form) if posted and form.is_valid() else None
    token = _keep_csv(request, results_csv(results)) if results else None
    return render(request, TEMPLATE, {
        "form": form,
        "results": results,
        "csv_token": token,
        "broken": sum(1 for r in results or () if r.status == 1),
        "unreadable": sum(1 for r in results or () if r.status == 2),
    }, status=400 if posted and not form.is_valid() else 200)


@staff_required
@require_GET
def report_checker_csv(request, token: str):
    """The CSV of a batch checked in this session (no second upload)."""
    if not can_use_checker(request.user):
        raise PermissionDenied(REFUSED)
    text = next((item["csv"] for item in request.session.get(SESSION_KEY, [])
                 if item.get("token") == token), None)
    if text is None:
        raise Http404("检查结果已过期，请重新上传文件检查。")
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, "年报检查结果.csv")
    return response
