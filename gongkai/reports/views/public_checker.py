"""The public checker for published annual reports (年报体检, issue 19 part 7).

Anyone may upload up to five reports (HTML, DOCX, PDF with a text layer, plain text) or
paste a report's text, and gets what ``gongkai report check`` finds: the format, year and
agency read, every figure at its cell of the national format's tables (drawn with the same
layout code as a published report, ``reports.layout`` through ``rendering.model``), the
cells of a broken rule marked, the rules in Chinese, the rows that were missing or could
not be placed with their reasons, and — when two consecutive reports of one agency are
uploaded together — the cross-year rule.

Nothing is stored: the uploads stay in memory (``settings.FILE_UPLOAD_HANDLERS``), are read
one at a time by ``check_files`` and dropped; no model is written, no file saved, the
session is not touched and the page is sent ``no-store`` (never kept by the page cache,
which keeps only anonymous GETs without a CSRF token). The limits are the public request
form's (``foi.forms``): at most ``MAX_ATTACHMENTS`` reports of ``ATTACHMENT_MAX_BYTES``
each, and a per-client allowance of the same size as ``SUBMIT_RATE`` under a scope of its
own (as the message board and the site error report do), so checking reports does not use
up a visitor's allowance for requests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

import pypdf
from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from gongkai.core.ratelimit import Rule
from gongkai.core.views.public_forms import no_store
from gongkai.core.widgets import MultipleFileField, MultipleFileInput
from gongkai.foi.forms import ATTACHMENT_MAX_BYTES, MAX_ATTACHMENTS, SUBMIT_RATE
from gongkai.reports.checker import FileResult, check_files
from gongkai.reports.checker.check import MISSING_CELLS, UNCHECKED_RULE, UNREADABLE
from gongkai.reports.formats import ReportFormat
from gongkai.reports.rendering.model import PrintedCell, printed_table
from gongkai.reports.rendering.values import format_value
from gongkai.reports.rules import Violation

TEMPLATE = "reports/public_checker.html"
CHECK_RATE = Rule("reports.public_check", limit=SUBMIT_RATE.limit,
                  window_seconds=SUBMIT_RATE.window_seconds)
PASTED_NAME = "粘贴的文字"
MAX_NAME_CHARS = 200
# Reading a PDF's tables costs about 0.2 s a page (25 pages: 5 s). The request form has no
# such cost; on a public page one request must not hold a worker for minutes (the reader
# alone accepts 2,000 pages). A published annual report has a few to a dozen pages.
MAX_PDF_PAGES = 30
# Pasted text is a form field, not a file: Django reads it into memory and refuses a form
# whose fields pass DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) before the form sees it. The
# form's own limit stays below that, so that its message (upload the file instead) is the
# one a user meets; a report's text is a few hundred KB.
PASTE_MAX_BYTES = 2 * 1024 * 1024
ACCEPT = ".html,.htm,.shtml,.xhtml,.docx,.pdf,.txt,text/html,text/plain,application/pdf"


def _mb(n: int) -> int:
    return n // (1024 * 1024)


# --- the form ---------------------------------------------------------------------------------


class PublicCheckerForm(forms.Form):
    """Files and/or pasted text: at most ``MAX_ATTACHMENTS`` reports in all, each within
    ``ATTACHMENT_MAX_BYTES`` (the request form's attachment limits). What a file holds is
    judged by the checker, file by file (a broken or hostile file gets its own row)."""

    files = MultipleFileField(
        label="年度报告文件", required=False,
        # a hint for the file picker only: the checker judges a file by its content
        widget=MultipleFileInput(attrs={"accept": ACCEPT}),
        help_text=(f"可多选，最多{MAX_ATTACHMENTS}个，每个不超过{_mb(ATTACHMENT_MAX_BYTES)}MB；"
                   "支持网页（HTML）、Word（DOCX）、带文字层的PDF和纯文本，简体或繁体均可。"),
    )
    text = forms.CharField(
        label="或粘贴年度报告的文字", required=False, strip=True,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=("从网页或文档中复制报告全文（含表格）粘贴到这里，表格各栏可用空格、制表符或竖线“|”分隔；"
                   f"不超过{_mb(PASTE_MAX_BYTES)}MB，更长的请上传文件。"),
    )

    def clean_files(self):
        files = [f for f in self.cleaned_data.get("files") or [] if f]
        if len(files) > MAX_ATTACHMENTS:
            raise ValidationError(f"一次最多检查{MAX_ATTACHMENTS}份报告，本次选择了{len(files)}个文件，请分批检查。")
        for upload in files:
            name = _name(upload)
            if upload.size > ATTACHMENT_MAX_BYTES:
                raise ValidationError(f"文件“{name}”超过{_mb(ATTACHMENT_MAX_BYTES)}MB的大小限制。")
            if upload.size == 0:
                raise ValidationError(f"文件“{name}”是空文件。")
            pages = _pdf_pages(upload)
            if pages is not None and pages > MAX_PDF_PAGES:
                raise ValidationError(f"PDF文件“{name}”有{pages}页，年报体检只检查不超过{MAX_PDF_PAGES}页的报告"
                                      "（年度报告一般只有几页到十几页）。")
        return files

    def clean_text(self):
        text = self.cleaned_data.get("text") or ""
        if len(text.encode("utf-8")) > PASTE_MAX_BYTES:
            raise ValidationError(f"粘贴的文字超过{_mb(PASTE_MAX_BYTES)}MB的大小限制，请把报告保存为文件后上传"
                                  f"（文件可达{_mb(ATTACHMENT_MAX_BYTES)}MB）。")
        return text

    def clean(self):
        data = super().clean()
        files, text = data.get("files"), data.get("text")
        if files is None or text is None:  # already refused above
            return data
        if not files and not text:
            raise ValidationError("请选择年度报告文件，或粘贴年度报告的文字。")
        if len(files) + (1 if text else 0) > MAX_ATTACHMENTS:
            raise ValidationError(f"一次最多检查{MAX_ATTACHMENTS}份报告（上传的文件和粘贴的文字合计），请分批检查。")
        return data

    def reports(self):
        """(name, bytes) of each report, read only when the checker comes to it; each
        upload is closed once read (its bytes are released with it)."""
        for upload in self.cleaned_data["files"]:
            try:
                data = upload.read(ATTACHMENT_MAX_BYTES + 1)
            finally:
                upload.close()
            yield _name(upload), data
        if self.cleaned_data["text"]:
            yield PASTED_NAME, self.cleaned_data["text"].encode("utf-8")


def _pdf_pages(upload) -> int | None:
    """A PDF's page count (the page tree only, no page is read), else None (not a PDF, or
    one the checker will refuse with its own reason)."""
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head != b"%PDF-":
        return None
    try:
        reader = pypdf.PdfReader(upload)
        if reader.is_encrypted and reader.decrypt("") == pypdf.PasswordType.NOT_DECRYPTED:
            return None  # refused by the checker: a password is needed
        return len(reader.pages)  # an empty-password PDF is read, so it is counted too
    except Exception:  # noqa: BLE001 - a broken PDF is reported by the checker, file by file
        return None
    finally:
        upload.seek(0)


def _name(upload) -> str:
    return (upload.name or "未命名文件")[:MAX_NAME_CHARS]


# --- what the page shows ----------------------------------------------------------------------

BROKEN, DOUBT, INFERRED = "broken", "doubt", "inferred"
KIND_ZH = {"text": "纯文本", "html": "网页（HTML）", "docx": "Word文档（DOCX）", "pdf": "PDF（文字层）"}
_WHERE = ((re.compile(r"\bpage (\d+)"), r"第\1页"), (re.compile(r"\btable (\d+)"), r"表格\1"),
          (re.compile(r"\b(?:row|line) (\d+)"), r"第\1行"), (re.compile(r"\bcell (\d+)"), r"第\1格"),
          (re.compile(r"\bparagraph (\d+)"), r"第\1段"), (re.compile(r",\s*"), ""))
_CJK = re.compile(r"[\u4e00-\u9fff]")
_WARNINGS = ((re.compile(r"^(\d+) page\(s\) without a text layer were not read"), "有{0}页没有文字层（可能是扫描件），未读取。"),)


def where_zh(where: str) -> str:
    """A reader's position ("page 1, line 4", "table 2, row 3") in Chinese."""
    text = where
    for pattern, replacement in _WHERE:
        text = pattern.sub(replacement, text)
    return text if not re.search(r"[A-Za-z]", text) else f"位置：{where}"


def warning_zh(warning: str) -> str:
    for pattern, text in _WARNINGS:
        match = pattern.search(warning)
        if match:
            return text.format(*match.groups())
    return f"读取说明（原文）：{warning}"


@dataclass
class Mark:
    number: int  # the finding's number within its report
    kind: str  # broken | doubt | inferred
    anchor: str  # the id of the finding in the list below the tables
    report: str = ""  # another report's finding (the cross-year rule): that report's name

    @property
    def symbol(self) -> str:
        return {BROKEN: "✗", DOUBT: "?", INFERRED: "≈"}[self.kind]

    @property
    def spoken(self) -> str:
        where = f"报告“{self.report}”的" if self.report else ""
        return {BROKEN: f"不符合勾稽关系，见{where}问题{self.number}", DOUBT: f"见{where}问题{self.number}",
                INFERRED: "由连写在一起的数字推断拆分"}[self.kind]


@dataclass
class ShownFinding:
    number: int
    anchor: str
    kind: str  # broken | doubt
    rule: str
    text: str
    cells: list[str]
    note: str = ""


@dataclass
class ShownCell:
    cell: PrintedCell
    state: str = ""  # "" | missing (not found in the file) | blank (found, empty)
    marks: list[Mark] = field(default_factory=list)

    @property
    def worst(self) -> str:
        kinds = {m.kind for m in self.marks}
        return next((k for k in (BROKEN, DOUBT, INFERRED) if k in kinds), "")


@dataclass
class ShownTable:
    html_id: str
    caption: str
    header_rows: tuple
    body_rows: list[list[ShownCell]]
    heading: str = ""  # the section's heading, on the section's first table


@dataclass
class ShownReport:
    number: int
    result: FileResult
    anchor: str
    kind_zh: str = ""
    tables: list[ShownTable] = field(default_factory=list)
    rule_findings: list[ShownFinding] = field(default_factory=list)
    format_findings: list[ShownFinding] = field(default_factory=list)
    unplaced: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    broken_cells: int = 0

    @property
    def status(self) -> int:
        return self.result.status


@dataclass
class CrossYear:
    agency: str
    years: tuple[int, int]
    earlier: ShownReport
    later: ShownReport
    holds: bool | None  # None: could not be checked (blank or missing cells)
    cells: list[dict]


class _Cells:
    """What ``rendering.model.printed_table`` reads of a report: the format, each cell's
    value, and no hand-typed sources."""

    manual_sources: dict = {}

    def __init__(self, fmt: ReportFormat, cells: dict):
        self.format, self._cells = fmt, cells

    def value(self, ref: str):
        return self._cells.get(ref)


def _cross_year_rules(fmt: ReportFormat) -> set[str]:
    return {r.id for r in fmt.rules if r.kind == "cross_year"}


def _cross_year_sides(violation, fmt: ReportFormat) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(this year's cells, last year's cells) of a broken cross-year rule, else None: the
    rule instance with the violation's rule and label."""
    if not isinstance(violation, Violation) or violation.rule not in _cross_year_rules(fmt):
        return None
    for instance in fmt.rule_instances(cross_year=True):
        if instance.rule.id == violation.rule and instance.label == violation.label:
            return instance.left, instance.right
    return None


def _own_cells(violation, fmt: ReportFormat) -> tuple[str, ...]:
    """The cells of this report a violation reads (a cross-year rule's right side is last
    year's report)."""
    sides = _cross_year_sides(violation, fmt)
    return sides[0] if sides is not None else tuple(violation.cells)


def _findings(shown: ShownReport, marks: dict[str, list[Mark]]) -> None:
    r = shown.result
    fmt = r.format
    cross = _cross_year_rules(fmt)
    for number, v in enumerate(r.violations, start=1):
        anchor = f"{shown.anchor}-problem-{number}"
        arithmetic = isinstance(v, Violation)
        kind = BROKEN if arithmetic else DOUBT
        refs = _own_cells(v, fmt)
        labels = [fmt.label_of(ref) for ref in refs if fmt.has_cell(ref)]
        note = ""
        if arithmetic and v.rule in cross:
            note = f"与上一年度报告“{r.previous}”对照。" if r.previous else ""
        elif v.rule == MISSING_CELLS:
            note = "该行的数字未在文件中找到：缺行、行标签与本格式不符，或数字个数不符。"
        elif v.rule == UNCHECKED_RULE:
            note = "所涉单元格空白或未找到，这条勾稽关系无法核对。"
        if v.rule == MISSING_CELLS:
            text = f"{v.text}（{v.label}）：应有{v.expected}个数字，找到{v.found}个"
        elif v.rule == UNCHECKED_RULE:
            text = f"{v.text}（{v.label}）"
        else:
            text = v.describe()
        item = ShownFinding(number, anchor, kind, v.rule, text,
                            labels[:12] + ([f"等{len(labels)}个单元格"] if len(labels) > 12 else []), note)
        (shown.rule_findings if arithmetic else shown.format_findings).append(item)
        for ref in refs:
            marks.setdefault(ref, []).append(Mark(number, kind, anchor))


def _inferred(result: FileResult, marks: dict[str, list[Mark]]) -> None:
    """Rows whose figures were split from digits printed run together (marked ≈)."""
    fmt = result.format
    for placement in getattr(result.extraction, "placements", None) or ():
        if not getattr(placement, "inferred", False):
            continue
        try:
            table = fmt.table(placement.table)
        except KeyError:
            continue
        for column in table.columns:
            marks.setdefault(f"{table.key}/{placement.row}/{column.key}", []).append(Mark(0, INFERRED, ""))


def _tables(shown: ShownReport, marks: dict[str, list[Mark]]) -> None:
    r = shown.result
    fmt, cells = r.format, r.extraction.cells
    doc = _Cells(fmt, cells)
    for section in fmt.sections:
        for n, table in enumerate(fmt.tables_in(section.number)):
            printed = printed_table(doc, table)
            rows = []
            for row in printed.body_rows:
                shown_row = []
                for cell in row:
                    if cell.kind != "value":
                        shown_row.append(ShownCell(cell))
                        continue
                    state = "missing" if cell.ref not in cells else ("blank" if cells[cell.ref] is None else "")
                    one = ShownCell(cell, state, sorted(marks.get(cell.ref, []), key=lambda m: m.number))
                    if one.worst == BROKEN:
                        shown.broken_cells += 1
                    shown_row.append(one)
                rows.append(shown_row)
            shown.tables.append(ShownTable(f"{shown.anchor}-table-{table.key.replace('.', '-')}",
                                           printed.caption, printed.header_rows, rows,
                                           section.title if n == 0 else ""))


def show_report(number: int, result: FileResult) -> ShownReport:
    shown = ShownReport(number, result, f"report-{number}", KIND_ZH.get(result.kind, result.kind))
    if result.status == UNREADABLE:
        shown.notes = _notes(result)
        return shown
    marks: dict[str, list[Mark]] = {}
    _findings(shown, marks)
    _inferred(result, marks)
    _tables(shown, marks)
    shown.unplaced = [{"where": where_zh(u.where), "text": u.text, "reason": u.reason} for u in result.unplaced]
    shown.notes = _notes(result)
    return shown


def _notes(result: FileResult) -> list[str]:
    """The notes ``gongkai report check --json`` prints (the extractor's, in Chinese, and
    the reader's warnings, in English there), all in Chinese."""
    if result.status != UNREADABLE:
        notes = result.as_dict().get("notes") or []
    else:
        notes = [*result.extraction.notes, *result.warnings] if result.extraction else []
    return [note if _CJK.search(note) else warning_zh(note) for note in notes]


def _sum(refs, cells) -> Decimal | None:
    values = [cells.get(ref) for ref in refs]
    if any(v is None for v in values):
        return None
    return sum((Decimal(v) for v in values), Decimal(0))


def cross_year(reports: list[ShownReport]) -> list[CrossYear]:
    """Each later report checked against its agency's report of the year before (paired
    by ``check_files``: ``FileResult.previous``), with the cells the rule compares."""
    out = []
    readable = [s for s in reports if s.status != UNREADABLE]
    for later in readable:
        r = later.result
        if not r.previous:
            continue
        # the very report the checker paired it with (names may repeat: 年度报告.pdf)
        earlier = next((s for s in readable if s.result is r.previous_result), None)
        if earlier is None:
            continue
        fmt = r.format
        rule_ids = _cross_year_rules(fmt)
        broken = {(v.rule, v.label) for v in r.rule_violations if v.rule in rule_ids}
        unchecked = any(u.split("（", 1)[0] in rule_ids for u in r.check.unchecked)
        cells = []
        for instance in fmt.rule_instances(cross_year=True):
            # the cells as the rule read them: blanks read as 0 where the report was checked so
            now = _sum(instance.left, r.checked_cells())
            before = _sum(instance.right, earlier.result.checked_cells())
            label = instance.label or (fmt.label_of(instance.left[0]) if len(instance.left) == 1
                                       else instance.rule.text)
            value_type = fmt.value_type(instance.left[0])
            cells.append({"cell": label,
                          "earlier": "空白或未找到" if before is None else format_value(before, value_type),
                          "later": "空白或未找到" if now is None else format_value(now, value_type),
                          "holds": (instance.rule.id, instance.label) not in broken})
        holds = False if broken else (None if unchecked else True)
        out.append(CrossYear(r.extraction.agency, (r.extraction.year - 1, r.extraction.year),
                             earlier, later, holds, cells))
        if broken:  # the earlier report's cells the broken rule read are marked too
            _mark_earlier(earlier, later, fmt)
    return out


def _mark_earlier(earlier: ShownReport, later: ShownReport, fmt: ReportFormat) -> None:
    """Mark, in the earlier report's tables, the cells a broken cross-year rule of the
    later report compared (they point to the later report's finding)."""
    refs: dict[str, Mark] = {}
    for finding in later.rule_findings:
        sides = _cross_year_sides(later.result.violations[finding.number - 1], fmt)
        if sides is None:
            continue
        for ref in sides[1]:
            refs.setdefault(ref, Mark(finding.number, BROKEN, finding.anchor, later.result.name))
    if not refs:
        return
    for table in earlier.tables:
        for row in table.body_rows:
            for cell in row:
                mark = refs.get(cell.cell.ref)
                if mark is not None and cell.cell.kind == "value":
                    cell.marks.append(mark)


# --- the view ---------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def public_checker(request):
    """年报体检: upload or paste, see the findings (nothing is kept)."""
    if request.method != "POST":
        return no_store(render(request, TEMPLATE, {"form": PublicCheckerForm(), **_limits()}))
    if not CHECK_RATE.allows(request):
        return no_store(render(request, "portal/rate_limited.html", {"what": "检查年度报告"}, status=429))
    form = PublicCheckerForm(request.POST, request.FILES)
    if not form.is_valid():
        return no_store(render(request, TEMPLATE, {"form": form, **_limits()}, status=400))
    results = check_files(form.reports())
    reports = [show_report(i, r) for i, r in enumerate(results, start=1)]
    return no_store(render(request, TEMPLATE, {
        "form": PublicCheckerForm(),
        "reports": reports,
        "pairs": cross_year(reports),
        "broken": sum(1 for r in reports if r.status == 1),
        "unreadable": sum(1 for r in reports if r.status == UNREADABLE),
        **_limits(),
    }))


def _limits() -> dict:
    return {"max_reports": MAX_ATTACHMENTS, "max_mb": _mb(ATTACHMENT_MAX_BYTES),
            "rate_limit": CHECK_RATE.limit, "rate_hours": CHECK_RATE.window_seconds // 3600}
