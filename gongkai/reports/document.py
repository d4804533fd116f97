"""A report as the renderers see it: plain data, no database.

The back office, the public pages, the DOCX and the PDF all print a ``ReportDocument``,
so the four cannot disagree about a label or a number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from gongkai.reports.formats import ReportFormat

DRAFT_SUFFIX = "（草稿）"
DRAFT_MARK = "草稿　未经发布"  # printed on every page of a draft's DOCX and PDF


def report_title(agency_name: str, year: int, *, draft: bool = False) -> str:
    return f"{agency_name}{year}年政府信息公开工作年度报告{DRAFT_SUFFIX if draft else ''}"


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
    # Not a published version (the back office's rendering of a draft, a submitted or a
    # signed-off report): the title says "（草稿）" and every page is marked 草稿.
    draft: bool = False

    @property
    def title(self) -> str:
        return report_title(self.agency_name, self.year, draft=self.draft)

    @property
    def draft_mark(self) -> str:
        return DRAFT_MARK if self.draft else ""

    def value(self, ref: str) -> int | Decimal | None:
        return self.cells.get(ref)

    def paragraphs(self, section_key: str) -> list[str]:
        text = self.prose.get(section_key, "")
        return [line.strip() for line in text.splitlines() if line.strip()]


SUMMARY_SUFFIX = "汇总表"
SUMMARY_PROSE_NOTE = "汇总表仅汇总各机关已发布年度报告的表格数据，本部分见各机关的年度报告。"


def summary_title(root_name: str, year: int) -> str:
    """"XX市2025年度政府信息公开工作年度报告汇总表": a supervising office's roll-up."""
    return f"{root_name}{year}年度政府信息公开工作年度报告{SUMMARY_SUFFIX}"


@dataclass
class SummaryDocument(ReportDocument):
    """A supervising office's summary (汇总) in the national format: the tables summed
    from its agencies' published reports, printed by the same renderers as a report. Its
    prose parts say where to read them (each agency's own report); the preamble says
    what was summed and what was left out."""

    @property
    def title(self) -> str:
        return summary_title(self.agency_name, self.year)

    def paragraphs(self, section_key: str) -> list[str]:
        return super().paragraphs(section_key) or [SUMMARY_PROSE_NOTE]
