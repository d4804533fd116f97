"""What an import found and did: the report, its errors and the CSV of errors a spreadsheet
opens (see ``gongkai.publishing.importer``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from gongkai.core.errors import DomainError

Format = Literal["csv", "json"]
Mode = Literal["dry_run", "atomic", "batch_commit"]
MODE_LABELS = {
    "dry_run": "试导入（只校验，不写入）",
    "atomic": "单一事务（全部成功或全部不写入）",
    "batch_commit": "分批提交（先完整校验，再每批单独提交）",
}


class ImportFileError(DomainError):
    """The file cannot be read at all (encoding, syntax, shape); nothing was checked."""


class ImportConflict(DomainError):
    """The database changed under the import (an index number was taken meanwhile)."""


@dataclass(frozen=True)
class RowError:
    """One problem in the file. ``row`` counts as a spreadsheet does for CSV (the header
    is row 1, the first item row 2) and from 1 for the objects of a JSON list; 0 is the
    file as a whole. ``field`` is the column as the file names it."""

    row: int
    field: str
    message: str


@dataclass
class ImportReport:
    agency_code: str
    fmt: str
    mode: Mode
    sha256: str = ""
    rows: int = 0  # item rows read (blank lines skipped)
    valid_rows: int = 0
    imported: int = 0  # items written: 0 for a dry run and whenever there are errors
    kept_numbers: int = 0  # legacy index numbers kept
    generated_numbers: int = 0  # index numbers given to rows without one
    series: dict[int, tuple[int, int]] = field(default_factory=dict)  # year → (before, after)
    errors: list[RowError] = field(default_factory=list)  # the first MAX_ERRORS
    error_count: int = 0
    validate_seconds: float = 0.0
    write_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def mode_label(self) -> str:
        return MODE_LABELS[self.mode]

    def audit_summary(self) -> dict[str, Any]:
        return {
            "format": self.fmt,
            "mode": self.mode,
            "sha256": self.sha256,
            "rows": self.rows,
            "imported": self.imported,
            "index_numbers_kept": self.kept_numbers,
            "index_numbers_generated": self.generated_numbers,
            "series": {str(year): list(span) for year, span in sorted(self.series.items())},
        }


def write_error_report(errors: Iterable[RowError], out: io.TextIOBase) -> None:
    """The errors as a CSV a spreadsheet opens (行号, 字段, 错误信息)."""
    writer = csv.writer(out)
    writer.writerow(["行号", "字段", "错误信息"])
    for error in errors:
        writer.writerow([error.row, error.field, error.message])
