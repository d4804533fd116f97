"""One file, or a batch of files, through the checker: read, extract, check the rules.

Exit statuses of ``gongkai report check`` follow :attr:`FileResult.status`: 0 every rule
holds, 1 a rule is broken, 2 the file could not be read or no report format was
recognised in it (for a batch, the worst wins).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from gongkai.reports.checker.extract import Extraction, Unplaced, extract
from gongkai.reports.checker.readers import MAX_INPUT_BYTES, UnreadableFile, read_document
from gongkai.reports.formats import split_ref
from gongkai.reports.normalise import normalise_label
from gongkai.reports.rules import CheckResult, Violation, check_cells

OK, BROKEN, UNREADABLE = 0, 1, 2


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

    @property
    def status(self) -> int:
        if self.error or self.extraction is None or self.extraction.format is None:
            return UNREADABLE
        return BROKEN if self.check and self.check.violations else OK

    @property
    def format(self):
        return self.extraction.format if self.extraction else None

    @property
    def violations(self) -> list[Violation]:
        return self.check.violations if self.check else []

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
                 "cells": [self.format.label_of(ref) for ref in v.cells]} for v in self.violations]

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
        result.error_zh = f"文件无法读取（{exc.message}）。请上传HTML、DOCX、带文字层的PDF或纯文本文件。"
        return result
    result.kind = document.kind
    result.warnings = list(document.warnings)
    result.extraction = extract(document)
    if result.extraction.format is None:
        result.error = "no annual report format recognised (no table of the 2021, 2019 or legacy format found)"
        result.error_zh = "未识别出年度报告格式：文件中没有找到2021年版、2019年版或2019年以前附表格式的表格。"
        return result
    result.check = check_cells(result.extraction.format, result.extraction.cells)
    return result


def check_files(files: list[tuple[str, bytes]]) -> list[FileResult]:
    """Check every file; where two reports of one agency are for consecutive years, the
    later one is also checked against the earlier one (this year's 二 = last year's 四)."""
    results = [check_bytes(name, data) for name, data in files]
    readable = [r for r in results if r.status != UNREADABLE and r.extraction.year and r.extraction.agency
                and any(t.key == "3" for t in r.format.tables)]
    by_agency_year = {(normalise_label(r.extraction.agency), r.extraction.year): r for r in readable}
    for result in readable:
        previous = by_agency_year.get((normalise_label(result.extraction.agency), result.extraction.year - 1))
        if previous is None:
            continue
        result.check = check_cells(result.format, result.extraction.cells, previous=previous.extraction.cells)
        result.previous = previous.name
    return results


def batch_status(results: list[FileResult]) -> int:
    return max((r.status for r in results), default=OK)
