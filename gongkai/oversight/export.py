"""The compliance table as an XLSX workbook: the same rows as the page shows (filters and
sort applied, every page), then the total row; marks as words, never colour only."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from gongkai.oversight import rules
from gongkai.oversight.selectors import Row, Table

ROW_KIND = {"agency": "", "subtotal": "含下级合计", "total": "合计"}


def _value(cell):
    if cell.key == "report_missing":
        return cell.text
    return cell.value if cell.value is not None else ""


def _line(row: Row) -> list:
    line = [row.agency.name, ROW_KIND[row.kind], row.agency.get_level_display(), row.agency.get_kind_display()]
    for cell in row.cells:
        line.append(_value(cell))
        if rules.BY_KEY[cell.key].marked:
            line.append(cell.mark.label)
    return line


def table_xlsx(table: Table) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("政务公开监督")
    bold = Font(bold=True)
    header = ["机关", "行", "层级", "类型"]
    for col in rules.COLUMNS:
        header.append(col.label)
        if col.marked:
            header.append(f"{col.label}（标识）")
    ws.append([f"{table.root.name} 政务公开合规情况（{table.year}年；年度报告为{table.report_year}年度；"
               f"截至{table.as_of:%Y-%m-%d}）"])
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for text in header:
        c = WriteOnlyCell(ws, value=text)
        c.font = bold
        cells.append(c)
    ws.append(cells)
    for row in table.rows:
        ws.append(_line(row))
    ws.append(_line(table.total))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
