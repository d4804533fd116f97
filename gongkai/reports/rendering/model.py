"""What every renderer prints: the report's sections, paragraphs and tables as cells with
their printed text, spans and notes. Built from a ``ReportDocument`` and the table
layouts; the HTML partials, the DOCX and the PDF all print from it, so they agree on every
label, number and merged cell.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from gongkai.reports.document import ReportDocument
from gongkai.reports.formats import Section, Table
from gongkai.reports.layout import TableLayout, table_layout
from gongkai.reports.rendering.values import amount_unit, format_value


@dataclass(frozen=True)
class PrintedCell:
    text: str
    row: int  # grid row within its part (header or body)
    col: int
    colspan: int = 1
    rowspan: int = 1
    kind: str = "value"  # title | corner | group | column (header); rowgroup | label | value (body)
    scope: str = ""  # th scope (col, colgroup, row, rowgroup); "" for a data cell
    ref: str = ""  # value cells: "table/row/column"
    # label cells: the number of the note saying where the row's hand-typed figures came
    # from. Never on a value cell, which holds the number alone (a reader or the checker
    # must not see "0注1").
    note: int | None = None

    @property
    def is_header(self) -> bool:
        return bool(self.scope)

    @property
    def numeric(self) -> bool:
        return self.kind == "value"

    @property
    def short(self) -> bool:
        """A heading of a few characters (总计, 其他): kept on one line."""
        return self.is_header and len(self.text) <= 4


@dataclass(frozen=True)
class PrintedTable:
    table: Table
    layout: TableLayout
    caption: str
    header_rows: tuple[tuple[PrintedCell, ...], ...]
    body_rows: tuple[tuple[PrintedCell, ...], ...]
    notes: tuple[tuple[int, str], ...]  # (number, text): where hand-typed figures came from

    @property
    def html_id(self) -> str:
        return "report-table-" + self.table.key.replace(".", "-")

    @property
    def width(self) -> int:
        return self.layout.width


@dataclass(frozen=True)
class PrintedSection:
    section: Section
    paragraphs: tuple[str, ...]
    tables: tuple[PrintedTable, ...]


def _caption(doc: ReportDocument, table: Table) -> str:
    heading = next((s.title for s in doc.format.sections if s.number == table.section), "")
    heading = heading.split("、", 1)[-1]
    return f"{heading}：{table.title}" if table.title else heading


def printed_table(doc: ReportDocument, table: Table) -> PrintedTable:
    layout = table_layout(table)
    header = tuple(
        tuple(PrintedCell(c.text, c.row, c.col, c.colspan, c.rowspan, c.kind, c.scope)
              for c in row)
        for row in layout.header_rows
    )
    notes: list[tuple[int, str]] = []
    body_rows = []
    for row in layout.body_rows:
        cells = []
        typed = []  # (label, source) of the row's hand-typed figures
        for c in row:
            if c.kind != "value":
                kind = "rowgroup" if c.kind == "group" else "label"
                cells.append(PrintedCell(c.text, c.row, c.col, c.colspan, c.rowspan, kind, c.scope))
                continue
            value = doc.value(c.ref)
            text = format_value(value, c.value_type)
            if text and c.value_type == "amount":
                text += amount_unit(table.column(c.column))
            source = doc.manual_sources.get(c.ref)
            if source is not None:
                typed.append((doc.format.label_of(c.ref), source or "未注明"))
            cells.append(PrintedCell(text, c.row, c.col, kind="value", ref=c.ref))
        if typed:
            number = len(notes) + 1
            notes.append((number, "；".join(f"{label}为人工填报，来源：{source}" for label, source in typed)))
            # the marker goes on the row's own label (the last label cell of the line)
            for i in range(len(cells) - 1, -1, -1):
                if cells[i].kind == "label":
                    cells[i] = replace(cells[i], note=number)
                    break
        body_rows.append(tuple(cells))
    return PrintedTable(table, layout, _caption(doc, table), header, tuple(body_rows),
                        tuple(notes))


def printed_sections(doc: ReportDocument) -> list[PrintedSection]:
    """Every section of the format in order, with its prose or its tables."""
    out = []
    for section in doc.format.sections:
        paragraphs = tuple(doc.paragraphs(section.key)) if section.kind == "prose" else ()
        tables = tuple(printed_table(doc, t) for t in doc.format.tables_in(section.number))
        out.append(PrintedSection(section, paragraphs, tables))
    return out


def preamble_paragraphs(doc: ReportDocument) -> list[str]:
    return [line.strip() for line in doc.preamble.splitlines() if line.strip()]


def chinese_date(day: dt.date | None) -> str:
    """2026年1月20日 (the form printed under a report's signature)."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""
