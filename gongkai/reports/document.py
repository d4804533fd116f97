"""A report as the renderers see it: plain data, no database.

The back office, the public pages, the DOCX and the PDF all print a ``ReportDocument``,
so the four cannot disagree about a label or a number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from gongkai.reports.formats import ReportFormat


@dataclass
class ReportDocument:
    format: ReportFormat
    agency_name: str
    year: int
    cells: dict[str, int | Decimal | None]  # "table/row/column" -> value (None: not stated)
    prose: dict[str, str] = field(default_factory=dict)  # section key -> text; paragraphs split on newlines
    preamble: str = ""  # the opening paragraph before 一、总体情况
    published_on: dt.date | None = None
    # Cells whose figure was typed in by hand: ref -> its recorded source, printed as a note.
    manual_sources: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"{self.agency_name}{self.year}年政府信息公开工作年度报告"

    def value(self, ref: str) -> int | Decimal | None:
        return self.cells.get(ref)

    def paragraphs(self, section_key: str) -> list[str]:
        text = self.prose.get(section_key, "")
        return [line.strip() for line in text.splitlines() if line.strip()]
