"""Building XLSX files for the import tests."""

from __future__ import annotations

import io

import openpyxl

HEADER = ["序号", "权力类型", "事项名称", "子项", "设定依据", "实施主体", "行使层级", "责任事项", "备注"]
LAW = "《中华人民共和国食品安全法》第三十五条"


def xlsx(rows: list[list], *, header: list | None = HEADER, before: list[list] | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in before or []:
        sheet.append(row)
    if header is not None:
        sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def row(n, kind="行政许可", name="食品经营许可", sub="", basis=LAW, dept="食品经营监管科", level="市级、县级",
        duties="受理责任", remarks=""):
    return [n, kind, name, sub, basis, dept, level, duties, remarks]
