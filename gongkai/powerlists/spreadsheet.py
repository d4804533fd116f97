"""Power lists in and out of XLSX: the import, the template and the export.

The import reads a file by its content, never its name: it must be a ZIP holding
``xl/workbook.xml``, whose declared sizes are checked before anything is inflated (a
ZIP bomb is refused unread); openpyxl then streams the sheets in read-only mode, and
the list is the first of the first few sheets with a header (a 说明 sheet may come first).
The header row is the first of the top rows that names the required columns, each by
its documented header or a common variant (:data:`COLUMNS`; spaces, ``*`` and
full-width forms and a bracketed note ignored). Every row is checked and every problem reported with its row
number; one problem and nothing is imported (:class:`ImportRefused`).

Real lists are typed for print: a title row above the header, a header of two rows
whose cells are merged (权力事项 over 主项名称 | 子项名称), and an item's cells (序号,
权力类型, 事项名称, 实施主体 …) merged down over its sub-items or over the items of one
kind. The merged ranges are read from the sheet's XML (read-only openpyxl does not give
them) and each merged cell takes the value of the range's first cell; a row whose name
cell is the continuation of a merged name, or a row with no name but a sub-item,
continues the item above it (keeping what the row adds: its sub-item, and a basis,
duties or remarks of its own); its other cells are not copied into the sub-item, nor is
a merge across columns (a name merged over the 子项 column). Formulas are refused, never evaluated; a text cell that
merely starts with ``=`` is text.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from typing import NoReturn

from gongkai.core.errors import DomainError
from gongkai.powerlists import kinds, levels

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 80 * 1024 * 1024  # the members together, as the ZIP declares
MAX_ROWS = 20000
MAX_COLUMNS = 40
HEADER_SEARCH_ROWS = 10
SHEETS_SEARCHED = 5  # the list may follow a 说明 sheet
MAX_REPORTED_ERRORS = 50
MAX_MERGED_RANGES = 20000
MAX_MERGED_CELLS = 400000  # cells filled from merged ranges, within the rows read

NAME_MAX, CODE_MAX, DEPARTMENT_MAX = 300, 64, 200


@dataclass(frozen=True)
class Column:
    field: str
    label: str  # the header of the template and the export
    aliases: tuple[str, ...]
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("code", "事项编码", ("编码", "权力编码", "基本编码", "事项代码", "权力事项编码", "职权编码")),
    Column("kind", "权力类型", ("事项类别", "权力类别", "事项类型", "职权类别", "职权类型", "类别", "类型"),
           required=True),
    Column("name", "事项名称", ("权力名称", "权力事项名称", "职权名称", "主项名称", "项目名称", "名称",
                                "权力事项", "主项", "事项"),
           required=True),
    Column("sub_items", "子项", ("子项名称", "子项事项", "子项目")),
    Column("basis", "设定依据", ("实施依据", "法律依据", "依据", "设定和实施依据", "法定依据"),
           required=True),
    Column("department", "实施主体", ("承办机构", "责任科室", "承办科室", "责任处室", "实施机构",
                                      "内设机构", "承办处室", "责任主体", "实施部门")),
    Column("level", "行使层级", ("层级", "实施层级", "行使层次")),
    Column("duties", "责任事项", ("责任事项内容", "职责", "追责情形")),
    Column("remarks", "备注", ("说明",)),
)
TEMPLATE_EXAMPLE = {
    "code": "", "kind": "行政许可", "name": "食品经营许可", "sub_items": "",
    "basis": "《中华人民共和国食品安全法》第三十五条", "department": "食品经营监管科",
    "level": "市级、县级", "duties": "1.受理责任：……\n2.审查责任：……", "remarks": "",
}


class ImportRefused(DomainError):
    """The file or some of its rows cannot be imported; ``errors`` lists each problem
    (with its row number) and ``message`` sums them up. Nothing was saved."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        shown = errors[:MAX_REPORTED_ERRORS]
        more = f"（另有{len(errors) - len(shown)}处问题未列出）" if len(errors) > len(shown) else ""
        super().__init__("未导入任何事项：" + "；".join(shown) + more)


@dataclass
class ParsedItem:
    row: int
    kind: str
    name: str
    code: str = ""
    sub_items: list[str] = field(default_factory=list)
    basis: str = ""
    department: str = ""
    level: str = ""
    duties: str = ""
    remarks: str = ""


def normalise_header(text) -> str:
    """A header as matched: NFKC, no spaces, ``*`` or colon, and no trailing note in
    brackets ("设定依据（法律法规规章）", "事项名称(必填)")."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    text = re.sub(r"[\s*＊:：\u200b\ufeff]", "", text)
    return re.sub(r"\([^()]*\)$", "", text).lower()


_HEADERS: dict[str, str] = {}
for _c in COLUMNS:
    for _h in (_c.label, *_c.aliases):
        _HEADERS[normalise_header(_h)] = _c.field


def _refuse(message: str) -> NoReturn:
    raise ImportRefused([message])


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    return _INVISIBLE.sub("", text).strip()


_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")  # zero-width marks pasted from web pages


def _open_workbook(data: bytes):
    """The workbook (openpyxl, read-only, formulas not evaluated) and its ZIP archive,
    after the checks that need no inflating."""
    if not data:
        _refuse("文件是空的")
    if len(data) > MAX_FILE_BYTES:
        _refuse(f"文件超过{MAX_FILE_BYTES // (1024 * 1024)}MB的大小上限")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        _refuse("不支持旧版Excel（.xls）文件，请在Excel中另存为.xlsx后再导入")
    if not data.startswith(b"PK\x03\x04"):
        _refuse("文件不是XLSX表格（请上传Excel 2007及以上版本保存的.xlsx文件）")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        declared = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        _refuse("XLSX文件已损坏，无法读取")
    if "xl/workbook.xml" not in names:
        _refuse("压缩文件不是XLSX表格")
    if declared > MAX_UNCOMPRESSED_BYTES:
        _refuse("XLSX文件解压后过大，请删除无关的工作表或分批导入")
    import openpyxl  # only here

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many types for a malformed or hostile workbook
        _refuse("XLSX文件无法读取（文件损坏或不是Excel工作簿）")
    return workbook, archive


_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})\"")


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + (letter - 64)
    return index - 1


def _merged_ranges(archive: zipfile.ZipFile, sheet_path: str | None) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges as (first row, first column index, last row, last column
    index), rows numbered from 1, columns from 0. Read by streaming the sheet's XML (the
    member's size was checked before); a sheet without them gives []."""
    if not sheet_path:
        return []
    try:
        member = archive.open(sheet_path.lstrip("/"))
    except (KeyError, zipfile.BadZipFile, OSError, ValueError):
        return []
    ranges: list[tuple[int, int, int, int]] = []
    tail = b""
    with member:
        while chunk := member.read(1024 * 1024):
            text = tail + chunk
            last = 0
            for match in _MERGE_REF.finditer(text):
                c1, r1, c2, r2 = match.groups()
                ranges.append((int(r1), _column_index(c1), int(r2), _column_index(c2)))
                last = match.end()
                if len(ranges) > MAX_MERGED_RANGES:
                    _refuse(f"合并单元格超过{MAX_MERGED_RANGES}处，请取消合并后再导入")
            tail = text[max(last, len(text) - 512):]
    return ranges


def _fill_merged(rows: list[list], ranges, *, merged: set[tuple[int, int]]) -> None:
    """Give the cells below a merged range's first cell, in its first column, that cell's
    value, and add them (row number, column index) to ``merged``. A range's other
    columns stay empty: a name merged across the 子项 column of an item without
    sub-items is not a sub-item."""
    filled = 0
    for r1, c1, r2, _c2 in ranges:
        if r1 < 1 or r1 > len(rows) or c1 < 0 or c1 >= MAX_COLUMNS:
            continue
        first_row = rows[r1 - 1]
        value = first_row[c1] if c1 < len(first_row) else None
        for number in range(r1 + 1, min(r2, len(rows)) + 1):
            filled += 1
            if filled > MAX_MERGED_CELLS:
                _refuse("合并单元格范围过大，请取消合并后再导入")
            cells = rows[number - 1]
            while len(cells) <= c1:
                cells.append(None)
            cells[c1] = value
            merged.add((number, c1))


def _header_mapping(cells: list) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for index, value in enumerate(cells):
        field_name = _HEADERS.get(normalise_header(value))
        if field_name and field_name not in mapping.values():
            mapping[index] = field_name
    return mapping


def _is_sub_header(cells: list) -> bool:
    """A row every filled cell of which is a header (the second row of a two-row header)."""
    texts = [normalise_header(v) for v in cells if _cell_text(v) and not isinstance(v, _Formula)]
    return bool(texts) and all(t in _HEADERS or t == "序号" for t in texts)


def _find_header(rows: list[tuple[int, list]]) -> tuple[int, dict[int, str]]:
    """The header's last row number and its columns' fields. A header of two rows (the
    second naming columns the first merges, as 主项名称 | 子项名称 under 权力事项) is read
    as one: the lower row's names win for its columns."""
    required = {c.field for c in COLUMNS if c.required}
    best: dict[int, str] = {}
    for position, (number, cells) in enumerate(rows):
        mapping = _header_mapping(cells)
        last = number
        if mapping and position + 1 < len(rows) and _is_sub_header(rows[position + 1][1]):
            lower = _header_mapping(rows[position + 1][1])
            combined = {i: f for i, f in mapping.items() if f not in lower.values() and i not in lower}
            combined.update(lower)
            if lower and set(combined.values()) >= set(mapping.values()):
                mapping, last = combined, rows[position + 1][0]
        if required <= set(mapping.values()):
            return last, mapping
        if len(mapping) > len(best):
            best = mapping
    found = set(best.values())
    missing = [c.label for c in COLUMNS if c.required and c.field not in found]
    variants = "；".join(f"{c.label}（或{'、'.join(c.aliases[:3])}）" for c in COLUMNS if c.required)
    raise ImportRefused([f"未找到表头：缺少“{'”“'.join(missing)}”列。表头须包含{variants}"])


def _sheet_rows(sheet, archive) -> tuple[list[list], set[tuple[int, int]]]:
    """A sheet's rows (cell values, a formula as ``_Formula``) with its merged cells filled,
    and the filled cells' (row number, column index)."""
    cells_by_row: list[list] = []
    for number, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
        if number > MAX_ROWS + HEADER_SEARCH_ROWS:
            _refuse(f"超过{MAX_ROWS}行的上限，请分批导入")
        cells = []
        for cell in row:
            value = getattr(cell, "value", None)
            if getattr(cell, "data_type", None) == "f":
                value = _Formula()
            cells.append(value)
        cells_by_row.append(cells)
    merged: set[tuple[int, int]] = set()
    _fill_merged(cells_by_row, _merged_ranges(archive, getattr(sheet, "_worksheet_path", None)), merged=merged)
    return cells_by_row, merged


def read_items(data: bytes) -> list[ParsedItem]:
    """The items of an XLSX power list, or :class:`ImportRefused` with every problem. The
    list is the first of the workbook's first sheets whose top rows hold the header (a
    说明 sheet may come first)."""
    workbook, archive = _open_workbook(data)
    first_refusal: ImportRefused | None = None
    try:
        if not workbook.worksheets:
            _refuse("XLSX文件中没有工作表")
        for sheet in workbook.worksheets[:SHEETS_SEARCHED]:
            cells_by_row, merged = _sheet_rows(sheet, archive)
            rows = list(enumerate(cells_by_row, start=1))
            try:
                header_row, mapping = _find_header(rows[:HEADER_SEARCH_ROWS])
            except ImportRefused as exc:
                first_refusal = first_refusal or exc
                continue
            break
        else:
            raise first_refusal
    except ImportRefused:
        raise
    except Exception:
        _refuse("XLSX文件无法读取（文件损坏或不是Excel工作簿）")
    finally:
        workbook.close()
        archive.close()
    return _parse_rows([r for r in rows if r[0] > header_row], mapping, merged=merged)


class _Formula:
    pass


def _append_text(existing: str, more: str) -> str:
    """``existing`` with ``more`` on a new line, unless it already says it."""
    if not more or more in existing:
        return existing
    return f"{existing}\n{more}" if existing else more


def _parse_rows(rows: list[tuple[int, list]], mapping: dict[int, str], *,
                merged: set[tuple[int, int]] = frozenset()) -> list[ParsedItem]:
    items: list[ParsedItem] = []
    errors: list[str] = []
    name_column = next(i for i, f in mapping.items() if f == "name")
    code_column = next((i for i, f in mapping.items() if f == "code"), None)
    for number, cells in rows:
        values: dict[str, str] = {}
        own: set[str] = set()  # the fields whose cell is not a copy of a merged cell above
        formula = False
        for index, field_name in mapping.items():
            value = cells[index] if index < len(cells) else None
            if isinstance(value, _Formula):
                formula = True
                value = None
            values[field_name] = _cell_text(value)
            if (number, index) not in merged:
                own.add(field_name)
        if formula:
            errors.append(f"第{number}行含有公式，请将公式转为数值后再导入")
            continue
        if not any(values.get(f) for f in own):
            continue  # a blank row, or one whose cells are all merged from above
        name_continues = (number, name_column) in merged and bool(values.get("name"))
        code_continues = code_column is None or (number, code_column) in merged or not values.get("code")
        if items and code_continues and (name_continues or (not values.get("name") and values.get("sub_items"))):
            # The item above goes on: a sub-item, and anything this row adds to it.
            item = items[-1]
            if values.get("sub_items") and "sub_items" in own:
                item.sub_items.extend(s.strip() for s in values["sub_items"].splitlines() if s.strip())
            for field_name in ("basis", "duties", "remarks"):
                if field_name in own:
                    setattr(item, field_name, _append_text(getattr(item, field_name), values.get(field_name, "")))
            continue
        if not values.get("name"):
            errors.append(f"第{number}行：事项名称为空")
            continue
        row_errors = []
        kind = kinds.kind_from_text(values.get("kind", ""))
        if not values.get("kind"):
            row_errors.append(f"第{number}行：权力类型为空")
        elif kind is None:
            row_errors.append(f"第{number}行：权力类型“{values['kind']}”无法识别"
                              f"（应为{'、'.join(kinds.labels())}之一）")
        if not values.get("basis"):
            row_errors.append(f"第{number}行：设定依据为空")
        try:
            level = levels.normalise(values.get("level", ""))
        except levels.UnknownLevel as exc:
            row_errors.append(f"第{number}行：行使层级“{exc}”无法识别（应为{'、'.join(levels.choices())}）")
            level = ""
        values["name"] = " ".join(values["name"].split())
        values["department"] = " ".join(values.get("department", "").split())
        for field_name, limit, label in (("name", NAME_MAX, "事项名称"), ("code", CODE_MAX, "事项编码"),
                                         ("department", DEPARTMENT_MAX, "实施主体")):
            if len(values.get(field_name, "")) > limit:
                row_errors.append(f"第{number}行：{label}超过{limit}字")
        if row_errors:
            errors.extend(row_errors)
            continue
        items.append(ParsedItem(
            row=number, kind=kind, name=values["name"], code=values.get("code", ""),
            sub_items=[s.strip() for s in values.get("sub_items", "").splitlines() if s.strip()],
            basis=values["basis"], department=values["department"], level=level,
            duties=values.get("duties", ""), remarks=values.get("remarks", "")))
    if errors:
        raise ImportRefused(errors)
    if not items:
        raise ImportRefused(["表格中没有事项（表头以下没有数据行）"])
    codes: dict[str, int] = {}
    for item in items:
        if item.code:
            if item.code in codes:
                errors.append(f"第{item.row}行：事项编码“{item.code}”与第{codes[item.code]}行重复")
            codes.setdefault(item.code, item.row)
    if errors:
        raise ImportRefused(errors)
    return items


# --- writing ---------------------------------------------------------------------------------

def _as_text(sheet, row_number: int) -> None:
    """Keep the row's text cells text: openpyxl takes a string starting with ``=`` for a
    formula, which a spreadsheet would run. (No apostrophe is added, so "-" stays "-"
    and the export imports back as it was.)"""
    for cell in sheet[row_number]:
        if cell.data_type == "f":
            cell.data_type = "s"


def _workbook(rows: list[dict], *, title: str):
    import openpyxl
    from openpyxl.styles import Alignment, Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title[:31] or "权责清单"
    sheet.append(["序号", *[c.label for c in COLUMNS]])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, row in enumerate(rows, start=1):
        sheet.append([number, *[row.get(c.field, "") or "" for c in COLUMNS]])
        _as_text(sheet, number + 1)
    widths = {"序号": 6, "事项编码": 16, "权力类型": 12, "事项名称": 30, "子项": 24, "设定依据": 50,
              "实施主体": 18, "行使层级": 14, "责任事项": 40, "备注": 16}
    for index, cell in enumerate(sheet[1], start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = widths.get(cell.value, 14)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    return workbook


def _bytes(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def item_row(item) -> dict:
    """A ``PowerItem`` as a row of the export."""
    return {
        "code": item.code, "kind": kinds.label_of(item.kind), "name": item.name,
        "sub_items": item.sub_items, "basis": item.basis, "department": item.department_name,
        "level": item.level, "duties": item.duties, "remarks": item.remarks,
    }


def export_items(items, *, title: str = "权责清单") -> bytes:
    """The items as an XLSX workbook in the template's columns (it imports back as is)."""
    return _bytes(_workbook([item_row(i) for i in items], title=title))


def template() -> bytes:
    """The import template: the header row, one example row, and a sheet of notes."""
    workbook = _workbook([TEMPLATE_EXAMPLE], title="权责清单")
    notes = workbook.create_sheet("填写说明")
    notes.append(["列", "是否必填", "可用的其他表头", "说明"])
    explanations = {
        "kind": "填写" + "、".join(kinds.labels()) + "之一（也可写简称，如“许可”）",
        "code": "可选；填写后，各版本之间按编码识别同一事项",
        "sub_items": "一个单元格内每行一个子项；或在事项下方另起一行只填子项",
        "level": "省级、市级、县级、乡镇级，多个以“、”分隔",
    }
    for c in COLUMNS:
        notes.append([c.label, "必填" if c.required else "可选", "、".join(c.aliases), explanations.get(c.field, "")])
    return _bytes(workbook)
