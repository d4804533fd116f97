"""One file, or a batch of files, through the checker: read, extract, check the rules.

Besides the format's arithmetic rules, the check reports what keeps a report from being
checked in full, as findings listed with the violations (rule ids starting ``格式.``):

* ``格式.缺少单元格`` — a row of the format whose figures were not found (a deleted or
  mislabelled row, a 2021-style sub-row in a 2019 report); one finding per row;
* ``格式.无法核对`` — a rule that could not be checked because a cell it reads is blank
  or missing;
* ``格式.年度不符`` — the format found is not the one the stated year prescribes.

A format may allow missing and blank cells (the legacy appendix: ``cells_required =
false``). Exit statuses of ``gongkai report check`` follow :attr:`FileResult.status`: 0
every rule holds and nothing is missing, 1 a rule is broken or a finding is reported, 2 the
file could not be read or no report format was recognised in it (for a batch, the worst
wins).

Blank cells. A blank cell (an empty one, or a mark such as ``—``, ``/``, ``无``) is read
as ``None`` (:func:`gongkai.reports.normalise.parse_number`). In a format that requires
every cell, many published reports leave a cell empty where the figure is 0; the empty
cells of a table are read as 0 for the check (:func:`blanks_read_as_zero`) when

* the report prints at least one figure, and
* no row of that table prints a mark (``—``, ``-``, ``/``, ``无``…) in a cell: a report
  that prints marks may mean "not applicable" by them and by its empty cells, and its
  blanks stay blank (rules reading them are ``格式.无法核对``). A mark on a line that is
  not a placed row (unplaced figures, a continuation line, or any line while the
  extractor records no placements) counts for every table.

The cells stay blank in the output (``tables``); the note "N个空白单元格按0核对" (and
``blanks_as_zero`` in the JSON) says how many cells read by a rule were taken as 0. Formats
that allow blanks (legacy) keep their own rule (their rules count a blank as 0). Whatever
the policy, a total printed blank over printed parts that do not sum to 0 is a violation
of its rule (found 0), not ``格式.无法核对``.

Digit runs. A row whose figures ran together (``Extraction.digit_runs``) is split by
:mod:`gongkai.reports.checker.digits` before the rules are checked: placed (marked
``inferred`` in ``placements``, with a note) when exactly one split agrees with the rules
it may use, unplaced with its candidates otherwise.

The JSON object of one file (:meth:`FileResult.as_dict`) keeps its keys; issue 19 added
``blanks_as_zero``, ``placements`` (where each placed row came from, ``inferred`` for a
split digit run) and ``digit_runs`` (each run, its split or its candidates). The notes are
in Chinese; :attr:`FileResult.notes_en` has the checker's own notes in English (the CLI).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from gongkai.reports.checker.digits import RunOutcome, infer_digit_runs
from gongkai.reports.checker.extract import Extraction, Unplaced, extract, prescribed_format
from gongkai.reports.checker.readers import (
    MAX_INPUT_BYTES,
    Document,
    Line,
    UnreadableFile,
    read_document,
)
from gongkai.reports.checker.titleblock import match_rank
from gongkai.reports.formats import ReportFormat, split_ref
from gongkai.reports.normalise import (
    NotANumber,
    is_blank,
    normalise_cell,
    parse_number,
)
from gongkai.reports.rules import CheckResult, Violation, check_cells

logger = logging.getLogger(__name__)

OK, BROKEN, UNREADABLE = 0, 1, 2
MISSING_CELLS, UNCHECKED_RULE, WRONG_FORMAT = "格式.缺少单元格", "格式.无法核对", "格式.年度不符"


@dataclass(frozen=True)
class Finding:
    """Something that keeps a report from being checked in full (a missing row, a rule
    with blank cells, the wrong format for the year); reported with the rule violations,
    in the same shape (rule, cells, expected, found)."""

    rule: str
    text: str
    label: str = ""
    cells: tuple[str, ...] = ()
    expected: int | str | None = None
    found: int | str | None = None

    def as_dict(self) -> dict:
        return {"rule": self.rule, "text": self.text, "label": self.label, "cells": list(self.cells),
                "expected": self.expected, "found": self.found}

    def describe(self) -> str:
        where = f"（{self.label}）" if self.label else ""
        return f"{self.text}{where}：应为 {self.expected}，实为 {self.found}"


def format_findings(fmt: ReportFormat, extraction: Extraction, check) -> list[Finding]:
    """The findings of one extracted and checked report (see the module docstring)."""
    out: list[Finding] = []
    year = extraction.year
    prescribed = prescribed_format(year) if year else None
    if prescribed is not None and prescribed.id != fmt.id:
        out.append(Finding(WRONG_FORMAT, f"{year}年度报告应采用“{prescribed.name}”", "", (),
                           prescribed.name, fmt.name))
    if fmt.cells_required:
        cells = extraction.cells
        for table in fmt.tables:
            for row in table.numbered_rows:
                refs = [f"{table.key}/{row.key}/{c.key}" for c in table.columns]
                missing = tuple(ref for ref in refs if ref not in cells)
                if missing:
                    label = row.label or (table.title or f"表{table.section}")
                    out.append(Finding(MISSING_CELLS, "本格式规定的单元格未在文件中找到（缺行、行标签不符或数字个数不符）",
                                       label, missing, len(refs), len(refs) - len(missing)))
        if check is not None:
            for name, blank in zip(check.unchecked, check.unchecked_cells, strict=True):
                out.append(Finding(UNCHECKED_RULE, "单元格空白或缺失，勾稽关系无法核对", name, blank,
                                   "数字", "空白或缺失"))
    return out


@dataclass
class FileResult:
    name: str
    kind: str = ""  # text | html | docx | pdf ("" when unreadable)
    extraction: Extraction | None = None
    check: CheckResult | None = None
    error: str = ""  # English, one line (CLI)
    error_zh: str = ""  # the same for the back office
    previous: str = ""  # the file whose report was used for the cross-year rule
    warnings: list[str] = field(default_factory=list)
    zero_blanks: tuple[str, ...] = ()  # blank cells read by a rule that were checked as 0
    runs: list[RunOutcome] = field(default_factory=list)  # what became of each digit run
    previous_result: FileResult | None = field(default=None, repr=False)  # the report ``previous`` names
    unpaired_en: str = ""  # why no earlier report was used for the cross-year rule (English)

    def checked_cells(self) -> dict:
        """The cells the rules read: the placed cells, with :attr:`zero_blanks` as 0."""
        if self.extraction is None:
            return {}
        cells = self.extraction.cells
        return {**cells, **{ref: 0 for ref in self.zero_blanks if cells.get(ref) is None}}

    @property
    def notes_en(self) -> list[str]:
        """The checker's own notes in English (the CLI's); the Chinese ones are in ``notes``."""
        out = []
        if self.zero_blanks:
            out.append(f"{len(self.zero_blanks)} blank cells checked as 0")
        for run in self.runs:
            if run.inferred:
                out.append(f"digits run together ({run.run.digits}) in {run.run.table}/{run.run.row}: "
                           f"inferred as {'/'.join(map(str, run.values))} from rules {', '.join(run.rules) or '-'}")
        if self.unpaired_en:
            out.append(self.unpaired_en)
        return out

    @property
    def status(self) -> int:
        if self.error or self.extraction is None or self.extraction.format is None:
            return UNREADABLE
        return BROKEN if self.violations else OK

    @property
    def format(self):
        return self.extraction.format if self.extraction else None

    @property
    def rule_violations(self) -> list[Violation]:
        return self.check.violations if self.check else []

    @property
    def findings(self) -> list[Finding]:
        if self.format is None:
            return []
        return format_findings(self.format, self.extraction, self.check)

    @property
    def violations(self) -> list[Violation | Finding]:
        """Broken rules, then findings (missing cells, unchecked rules, wrong format)."""
        return [*self.rule_violations, *self.findings]

    @property
    def unplaced(self) -> list[Unplaced]:
        return self.extraction.unplaced if self.extraction else []

    @property
    def placed(self) -> int:
        return len(self.extraction.cells) if self.extraction else 0

    @property
    def expected_cells(self) -> int:
        return len(self.format.cell_refs()) if self.format else 0

    def tables(self) -> dict[str, dict[str, dict[str, int | float | None]]]:
        """Placed cells keyed by table, row and column, in the format's order."""
        out: dict[str, dict[str, dict]] = {}
        if self.format is None:
            return out
        cells = self.extraction.cells
        for ref in self.format.cell_refs():
            if ref in cells:
                table, row, column = split_ref(ref)
                out.setdefault(table, {}).setdefault(row, {})[column] = _plain(cells[ref])
        return out

    def placed_by_table(self) -> list[dict]:
        """For the back office's detail view: each table's placed figures with labels."""
        if self.format is None:
            return []
        cells = self.extraction.cells
        out = []
        for table in self.format.tables:
            refs = [ref for ref in table.cell_refs() if ref in cells]
            if refs:
                out.append({
                    "title": table.title or f"表{table.section}",
                    "cells": [{"ref": ref, "label": self.format.label_of(ref), "value": _plain(cells[ref])}
                              for ref in refs],
                })
        return out

    def violation_rows(self) -> list[dict]:
        """Violations in Chinese, with the cells each one reads."""
        return [{"rule": v.rule, "text": v.describe(),
                 "cells": [self.format.label_of(ref) for ref in v.cells[:12]]
                 + ([f"等{len(v.cells)}个单元格"] if len(v.cells) > 12 else [])} for v in self.violations]

    def as_dict(self) -> dict:
        if self.status == UNREADABLE:
            return {"file": self.name, "error": self.error or "no annual report format recognised",
                    "format": None, "year": self.extraction.year if self.extraction else None,
                    "agency": (self.extraction.agency or None) if self.extraction else None}
        ex = self.extraction
        return {
            "file": self.name,
            "read_as": self.kind,
            "format": self.format.id,
            "format_name": self.format.name,
            "year": ex.year,
            "agency": ex.agency or None,
            "tables": self.tables(),
            "cells_placed": self.placed,
            "cells_expected": self.expected_cells,
            "missing": ex.missing,
            "violations": [v.as_dict() for v in self.violations],
            "rules_checked": self.check.checked,
            "rules_unchecked": self.check.unchecked,
            "cross_year_with": self.previous or None,
            "unplaced": [u.as_dict() for u in ex.unplaced],
            "notes": ex.notes + self.warnings,
            # added by issue 19 (the keys above keep their meaning)
            "blanks_as_zero": len(self.zero_blanks),
            "placements": [p.as_dict() for p in ex.placements],
            "digit_runs": [r.as_dict() for r in self.runs],
        }


def _plain(value) -> int | float | None:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def check_bytes(name: str, data: bytes) -> FileResult:
    """Read and check one file on its own (no cross-year rule)."""
    result = FileResult(name)
    if len(data) > MAX_INPUT_BYTES:
        result.error = f"file larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB"
        result.error_zh = f"文件超过{MAX_INPUT_BYTES // (1024 * 1024)}MB，无法读取。"
        return result
    try:
        document = read_document(data, filename=name)
    except UnreadableFile as exc:
        result.error = exc.message
        result.error_zh = chinese_error(exc.message)
        return result
    result.kind = document.kind
    result.warnings = list(document.warnings)
    result.extraction = extract(document)
    if result.extraction.format is None:
        result.error = "no annual report format recognised (no table of the 2021, 2019 or legacy format found)"
        result.error_zh = "未识别出年度报告格式：文件中没有找到2021年版、2019年版或2019年以前附表格式的表格。"
        return result
    ex = result.extraction
    result.zero_blanks = blanks_read_as_zero(ex, document)
    result.runs = infer_digit_runs(ex, result.checked_cells())
    if result.zero_blanks:
        ex.notes.append(f"{len(result.zero_blanks)}个空白单元格按0核对")
    result.check = check_cells(ex.format, result.checked_cells(), blank_total_breaks=True)
    return result


FAILED = "the checker failed on this file"
FAILED_ZH = "检查此文件时程序出错，未能检查。这是本系统的问题，已记录，请稍后再试或改用其他格式的文件。"


def check_guarded(name: str, data: bytes) -> FileResult:
    """:func:`check_bytes`, with a failure of the checker itself (a bug, a recursion too
    deep, memory) turned into this file's error: the other files of the batch are still
    checked, and the failure is logged with its traceback."""
    try:
        return check_bytes(name, data)
    except Exception as exc:  # noqa: BLE001 - one file's failure must not lose the batch
        logger.exception("report checker failed on %s", name)
        return FileResult(name, error=f"{FAILED} ({type(exc).__name__})", error_zh=FAILED_ZH)


def _is_figure(text: str) -> bool:
    try:
        return parse_number(text) is not None
    except NotANumber:
        return False


_RULER = re.compile(r":?-{3,}:?")


def _is_mark(text: str) -> bool:
    """A blank mark that is not empty: ``—``, ``-``, ``/``, ``无``… (not a markdown
    table's ``---`` separator)."""
    text = text.strip()
    return (0 < len(text) <= 4 and not text.isdigit() and is_blank(text)
            and _RULER.fullmatch(text) is None)


def _marked_tables(extraction: Extraction, lines: list[Line]) -> set[str] | None:
    """The tables one of whose placed rows prints a blank mark; None when a mark is on a
    line of a table that is not a placed row (a line with figures or with two marks, or a
    mark alone on its line beside figures): it counts for every table."""
    placed = {where: p.table for p in extraction.placements for where in p.where.split(" + ")}
    out: set[str] = set()
    for i, line in enumerate(lines):
        if not any(_is_mark(c) for c in line.cells):
            continue
        if line.where in placed:
            out.add(placed[line.where])
            continue
        if not any(_is_figure(c) for c in line.cells) and sum(map(_is_mark, line.cells)) < 2:
            # a mark alone on its line, among lines of figures (one cell per line)
            lone = len(line.cells) == 1 and len(normalise_cell(line.cells[0])) <= 2
            beside = [lines[j] for j in (i - 1, i + 1) if 0 <= j < len(lines)]
            if not (lone and any(any(_is_figure(c) for c in other.cells) for other in beside)):
                continue
        return None
    return out


def blanks_read_as_zero(extraction: Extraction, document: Document) -> tuple[str, ...]:
    """The blank cells read by a rule that the check takes as 0 (policy: the module
    docstring)."""
    fmt, cells = extraction.format, extraction.cells
    if fmt is None or not fmt.cells_required or all(v is None for v in cells.values()):
        return ()
    read = {ref for i in (*fmt.rule_instances(), *fmt.rule_instances(cross_year=True)) for ref in i.left + i.right}
    blanks = [ref for ref in fmt.cell_refs() if ref in read and ref in cells and cells[ref] is None]
    if not blanks:
        return ()
    marked = _marked_tables(extraction, document.lines)
    if marked is None:
        return ()
    if any(_UNPLACED_FIGURES.search(u.text) for u in extraction.unplaced):
        # a line of figures that was not placed may be a blank cell's figure printed apart:
        # reading that blank as 0 would invent a figure (the rules stay 无法核对 instead)
        return ()
    return tuple(ref for ref in blanks if split_ref(ref)[0] not in marked)


# two figures on a line (a table row's figures), not a lone page number ("— 3 —")
_UNPLACED_FIGURES = re.compile(r"\d\D+\d|^\s*\d+\s*$")


def check_files(files: Iterable[tuple[str, bytes]]) -> list[FileResult]:
    """Check every file, one at a time (``files`` may be a generator that reads each file
    only when asked: no more than one file's bytes are held at once, results keep only
    the extracted figures); where two reports of one agency are for consecutive years,
    the later one is also checked against the earlier one (this year's 二 = last year's
    四; :func:`consecutive_years`)."""
    results = []
    for name, data in files:
        results.append(check_guarded(name, data))
        del data  # release this file's bytes before the next is read
    for earlier, later in consecutive_years(results):
        check_against_previous(later, earlier)
    return results


def _pairable(result: FileResult) -> bool:
    ex = result.extraction
    return (result.check is not None and ex is not None and ex.format is not None and bool(ex.year)
            and bool(ex.agency) and bool(ex.format.rule_instances(cross_year=True)))


def consecutive_years(results: list[FileResult]) -> list[tuple[FileResult, FileResult]]:
    """(earlier, later): the reports of one agency for consecutive years, in the order of
    the later reports. Each report's candidates are ranked by how closely the names match
    (:func:`titleblock.match_rank`: the same chain of places first, "鼓楼区" only after
    "福州市鼓楼区"); a pair is made when the two are each other's only best candidate.
    Where two fit equally (two copies of one report, or a bare "鼓楼区" beside "南京市鼓楼区"
    and "徐州市鼓楼区"), or the earlier report fits another report of this year better,
    nothing is paired and the later report says why."""
    readable = [r for r in results if _pairable(r)]

    def best(result: FileResult, year: int) -> list[FileResult]:
        ranked = [(match_rank(other.extraction.agency, result.extraction.agency), other) for other in readable
                  if other is not result and other.extraction.year == year]
        top = max((rank for rank, _ in ranked), default=0)
        return [other for rank, other in ranked if rank and rank == top]

    pairs = []
    for later in readable:
        earlier = best(later, later.extraction.year - 1)
        if not earlier:
            continue
        if len(earlier) > 1:
            names = [r.name for r in earlier[:5]]
            later.warnings.append(f"有多份上一年度报告同样相符（{'、'.join(names)}），无法确定对照哪一份，"
                                  "未核对跨年度勾稽关系")
            later.unpaired_en = (f"several reports of the year before fit equally ({', '.join(names)}): "
                                 "the cross-year rule was not checked")
            continue
        followers = best(earlier[0], later.extraction.year)
        if followers == [later]:
            pairs.append((earlier[0], later))
            continue
        others = [r.name for r in followers if r is not later][:5]
        if later in followers:
            later.warnings.append(f"上一年度报告“{earlier[0].name}”与本年度的另一份报告（{'、'.join(others)}）"
                                  "同样相符，无法确定对照哪一份，未核对跨年度勾稽关系")
            later.unpaired_en = (f"the report of the year before ({earlier[0].name}) fits another report of this "
                                 f"year equally ({', '.join(others)}): the cross-year rule was not checked")
        else:
            later.warnings.append(f"上一年度报告“{earlier[0].name}”与本年度的“{others[0]}”更相符，"
                                  "已与其对照，本报告未核对跨年度勾稽关系")
            later.unpaired_en = (f"the report of the year before ({earlier[0].name}) fits {others[0]} better "
                                 "and was paired with it: the cross-year rule was not checked here")
    return pairs


def check_against_previous(later: FileResult, earlier: FileResult) -> None:
    """Check ``later`` again, with the cross-year rule against ``earlier`` (both read with
    their blanks as 0 where they were checked so)."""
    later.check = check_cells(later.format, later.checked_cells(), previous=earlier.checked_cells(),
                              blank_total_breaks=True)
    later.previous, later.previous_result = earlier.name, earlier


# Reader errors (English, for the CLI) in Chinese for the back office: (pattern, text).
_ERRORS_ZH: list[tuple[re.Pattern, str]] = [(re.compile(p, re.I), zh) for p, zh in (
    (r"^file larger than (\d+) MB", "文件超过{0}MB，无法读取。"),
    (r"^image file", "这是图片文件，没有可读取的文字（不支持文字识别）。请上传HTML、DOCX或带文字层的PDF。"),
    (r"^legacy or password-protected Office", "这是旧版或加密的办公文档（DOC、XLS格式），请另存为DOCX后上传。"),
    (r"^archive \(|ZIP archive that is neither|empty or split ZIP", "这是压缩包，不是年度报告文件，请解压后上传其中的报告。"),
    (r"^a spreadsheet", "这是电子表格，不是已发布的年度报告，请上传网页（HTML）、DOCX或PDF。"),
    (r"^encrypted PDF", "PDF文件已加密，需要密码才能打开，请上传未加密的版本。"),
    (r"^PDF with more than (\d+) pages", "PDF超过{0}页，不像是年度报告。"),
    (r"^PDF without a text layer", "PDF没有文字层（可能是扫描件），无法读取文字（不支持文字识别）。"),
    (r"encrypted ZIP member|zip bomb|declares a DTD|with more than \d+ members",
     "文件结构异常（加密、解压后过大或含有不安全的内容），出于安全考虑未读取。"),
    (r"^corrupt (\w+)", "文件已损坏，无法按{0}格式读取。"),
    (r"binary file of unknown type|not a file's content", "无法识别的二进制文件，请上传HTML、DOCX、带文字层的PDF或纯文本文件。"),
    (r"unknown encoding|not valid .* after its BOM", "文本文件的编码无法识别（应为UTF-8或GB18030）。"),
    (r"^more than \d+ (?:lines|characters)", "文件文字过多，不像是年度报告。"),
    (r"^table (?:larger|row wider) than", "文件中的表格过大，不像是年度报告。"),
    (r"^cannot read", "文件无法打开。"),
)]
UNREADABLE_ZH = "文件无法读取，请上传HTML、DOCX、带文字层的PDF或纯文本文件。"


def chinese_error(message: str) -> str:
    """A reader's English error in Chinese for the back office (never English inside)."""
    for pattern, text in _ERRORS_ZH:
        match = pattern.search(message or "")
        if match:
            return text.format(*(g.upper() if g.isalpha() else g for g in match.groups()))
    return UNREADABLE_ZH


def batch_status(results: list[FileResult]) -> int:
    return max((r.status for r in results), default=OK)
