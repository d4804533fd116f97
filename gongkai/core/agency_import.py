"""The province's agency tree from a CSV or XLSX file (issue 21): the rules, no HTTP.

``read_rows`` reads the file by its content with the platform's reader (``core.tabular``:
XLSX read by openpyxl in read-only mode, formulas never evaluated, a row with one refused;
anything else CSV text in UTF-8 with or without BOM, or GB18030/GBK as Excel on a Chinese
Windows saves it). A file that cannot be read raises :class:`FileRefused` with a Chinese
message.

``make_plan`` compares the rows with the agencies in the database and says, row by row,
what importing would do: create, update (the fields that change, old → new), move (a new
parent; field changes may come with it), unchanged, or why a row is bad. Columns missing
from the file leave those fields as they are; agencies missing from the file are left
alone; importing the same file twice changes nothing the second time. A row is bad when
its own values are (the model's validators: agency code, region code, e-mail …), when
its code appears twice in the file, when its parent is neither in the file nor in the
database, when its parent is a bad row, or when the tree would contain a cycle. The good
rows are applied (``core.services.agencies.agency_import_apply``), the bad ones listed.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from gongkai.core.identifiers import normalise_id_number, validate_agency_code
from gongkai.core.models import Agency, AgencyKind, AgencyLevel
from gongkai.core.tabular import CellError, FileRefused, Formula, read_table

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000

# field → the header the template uses first, then the other names accepted (compared
# without spaces, case-insensitively).
COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("机关代码", "代码", "统一社会信用代码", "code", "agency_code"),
    "name": ("机关名称", "名称", "name"),
    "short_name": ("简称", "short_name"),
    "parent": ("上级机关代码", "上级代码", "parent_code", "parent"),
    "kind": ("机关类别", "类别", "kind"),
    "level": ("层级", "级别", "level"),
    "region_code": ("行政区划代码", "区划代码", "region_code"),
    "address": ("办公地址", "地址", "address"),
    "postal_code": ("邮政编码", "邮编", "postal_code"),
    "phone": ("咨询电话", "电话", "phone"),
    "fax": ("传真", "fax"),
    "email": ("电子邮箱", "邮箱", "email"),
    "office_hours": ("办公时间", "office_hours"),
    "accepts_requests": ("受理申请", "受理政府信息公开申请", "accepts_requests"),
}
REQUIRED = ("code", "name", "level")
TEXT_FIELDS = ("name", "short_name", "region_code", "address", "postal_code", "phone", "fax",
               "email", "office_hours")
# The fields an import sets, in the order a change lists them.
FIELDS = ("name", "short_name", "kind", "level", "region_code", "address", "postal_code", "phone",
          "fax", "email", "office_hours", "accepts_requests")
LABELS = {name: Agency._meta.get_field(name).verbose_name for name in FIELDS} | {"parent": "上级机关"}

_YES = {"是", "受理", "y", "yes", "true", "1"}
_NO = {"否", "不受理", "n", "no", "false", "0"}


# --- reading -----------------------------------------------------------------------------------


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_rows(data: bytes) -> list[tuple[int, list[str], list[int]]]:
    """(row number, cell texts, the positions of formula cells) of the file's non-empty
    rows, read by content (``core.tabular``: XLSX or CSV in UTF-8/GB18030). Raises
    FileRefused. A formula is never taken as data: its row is refused."""
    table = read_table(data, max_bytes=MAX_FILE_BYTES)
    rows = []
    for number, cells in table.rows:
        if number > MAX_ROWS + 1:
            raise FileRefused(f"文件超过{MAX_ROWS}行的上限，请分批导入。")
        formulas = [i for i, value in enumerate(cells) if isinstance(value, Formula | CellError)]
        texts = ["" if i in formulas else _cell(value) for i, value in enumerate(cells)]
        if any(texts) or formulas:
            rows.append((number, texts, formulas))
    return rows


class NumberCell(str):
    """The text of a cell the spreadsheet held as a number: any leading zero is gone."""


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a code typed as a number in Excel
        return NumberCell(value)
    return str(value).strip()


def _header_key(text: str) -> str:
    return "".join(text.split()).lower().lstrip("*")


_ALIASES = {_header_key(alias): name for name, aliases in COLUMNS.items() for alias in aliases}


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, text in enumerate(header):
        name = _ALIASES.get(_header_key(text))
        if name is not None and name not in found:
            found[name] = index
    missing = [COLUMNS[name][0] for name in REQUIRED if name not in found]
    if missing:
        raise FileRefused(f"第一行缺少必填列：{'、'.join(missing)}（可下载模板对照）。")
    return found


# --- the plan ---------------------------------------------------------------------------------

CREATE, UPDATE, MOVE, UNCHANGED = "create", "update", "move", "unchanged"
ACTION_LABELS = {CREATE: "新增", UPDATE: "修改", MOVE: "调整上级", UNCHANGED: "不变"}


@dataclass
class Change:
    row: int
    code: str
    name: str
    action: str
    values: dict  # the row's fields (those in the file), cleaned
    parent_code: str | None  # resulting parent ("" none, None: the file does not say)
    diffs: dict = field(default_factory=dict)  # field → (old, new), labels for display
    depth: int = 0  # in the resulting tree: parents are applied before their children

    @property
    def action_label(self) -> str:
        return ACTION_LABELS[self.action]


@dataclass
class BadRow:
    row: int
    code: str
    reasons: list[str]


@dataclass
class Plan:
    file_name: str
    digest: str
    changes: list[Change]
    bad: list[BadRow]

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(ACTION_LABELS, 0)
        for change in self.changes:
            out[change.action] += 1
        return out | {"bad": len(self.bad)}

    @property
    def pending(self) -> list[Change]:
        return [c for c in self.changes if c.action != UNCHANGED]


def _choice(value: str, choices) -> str | None:
    """A kind or level by its code (``city``) or its label (``市级``, or ``市`` for short)."""
    key = _header_key(value)
    for code, label in choices:
        if key in (code, _header_key(label), _header_key(label).rstrip("级")):
            return code
    return None


def _clean(cells: list[str], columns: dict[str, int]) -> tuple[dict, list[str]]:
    """The row's values by field, and what is wrong with them (Chinese)."""
    get = {name: (cells[i] if i < len(cells) else "") for name, i in columns.items()}
    values: dict = {}
    errors: list[str] = []
    code = normalise_id_number(get["code"])
    if not code:
        errors.append("机关代码为空")
    else:
        try:
            validate_agency_code(code)
        except ValidationError as exc:
            errors.append(f"机关代码“{get['code']}”无效：{'；'.join(exc.messages)}")
    values["code"] = code
    if "parent" in get:
        values["parent"] = normalise_id_number(get["parent"])
    for name in TEXT_FIELDS:
        if name in get:
            values[name] = get[name]
    # A number cell drops leading zeros: a postal code (010010 in Inner Mongolia) is six
    # digits again; a phone's area code (0571…) cannot be told apart, so the row is refused.
    if isinstance(get.get("postal_code"), NumberCell) and get["postal_code"].isdigit():
        values["postal_code"] = get["postal_code"].zfill(6)
    for name in ("phone", "fax"):
        if isinstance(get.get(name), NumberCell):
            errors.append(f"{LABELS[name]}“{get[name]}”是数字格式，开头的0可能已丢失，"
                          "请把该列设为文本格式后重新填写")
    for name, choices in (("level", AgencyLevel.choices), ("kind", AgencyKind.choices)):
        if get.get(name):
            values[name] = _choice(get[name], choices)
            if values[name] is None:
                errors.append(f"{LABELS[name]}“{get[name]}”无效，可填："
                              f"{'、'.join(label for _, label in choices)}")
        elif name == "level":
            errors.append("层级为空")
    if get.get("accepts_requests"):
        flag = _header_key(get["accepts_requests"])
        if flag in _YES or flag in _NO:
            values["accepts_requests"] = flag in _YES
        else:
            errors.append(f"受理申请“{get['accepts_requests']}”无效，请填“是”或“否”")
    if not values.get("name"):
        errors.append("机关名称为空")
    probe = Agency(**{k: v for k, v in values.items() if k in FIELDS and v is not None}, code=code or "0")
    try:
        probe.clean_fields(exclude=["path", "parent", "code", "depth", *(
            f for f in FIELDS if f not in values or values[f] is None)])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors += [f"{LABELS.get(name, name)}：{m}" for m in messages]
    return values, errors


def _display(name: str, value) -> str:
    if name == "level":
        return AgencyLevel(value).label if value else ""
    if name == "kind":
        return AgencyKind(value).label if value else ""
    if name == "accepts_requests":
        return "是" if value else "否"
    return value or ""


def make_plan(data: bytes, *, file_name: str) -> Plan:
    """What importing the file would do (read-only). Raises FileRefused."""
    rows = read_rows(data)
    if not rows:
        raise FileRefused("文件中没有内容。")
    columns = _columns(rows[0][1])
    existing = {a.code: a for a in Agency.objects.select_related("parent").only(
        "code", "path", "parent__code", *FIELDS)}
    cleaned: dict[str, tuple[int, dict]] = {}
    bad: dict[int, BadRow] = {}
    seen: dict[str, list[int]] = {}
    header = rows[0][1]
    for number, cells, formulas in rows[1:]:
        values, errors = _clean(cells, columns)
        # The formula first: it is why a field reads as empty.
        errors = [f"“{header[i] if i < len(header) else i + 1}”列是公式，请在表格中粘贴为数值后再导入"
                  for i in formulas] + errors
        code = values["code"]
        if code:
            seen.setdefault(code, []).append(number)
        if errors:
            bad[number] = BadRow(number, code, errors)
        elif code not in cleaned:
            cleaned[code] = (number, values)
    for code, numbers in seen.items():
        if len(numbers) > 1:
            for number in numbers:
                reason = f"机关代码{code}在文件中重复（第{'、'.join(map(str, numbers))}行）"
                bad.setdefault(number, BadRow(number, code, [])).reasons.append(reason)
            cleaned.pop(code, None)
    bad_codes = {b.code: b.row for b in bad.values() if b.code}

    def parent_of(code: str) -> str:
        if code in cleaned and "parent" in cleaned[code][1]:
            return cleaned[code][1]["parent"]
        agency = existing.get(code)
        return agency.parent.code if agency is not None and agency.parent_id else ""

    # Parents: known, good, and no cycles; a row whose parent (or an ancestor) is bad is bad.
    depth: dict[str, int] = {}
    reasons: dict[str, str] = {}

    def resolve(code: str) -> None:
        chain: list[str] = []
        node = code
        while node and node not in depth and node not in reasons:
            if node in chain:
                cycle = chain[chain.index(node):]
                for member in cycle:
                    reasons[member] = "上级机关关系形成循环：" + " → ".join(cycle + [node])
                break
            chain.append(node)
            parent = parent_of(node)
            if parent in bad_codes and parent not in cleaned:
                reasons[node] = f"上级机关{parent}所在的第{bad_codes[parent]}行有错误"
                break
            if parent and parent not in cleaned and parent not in existing:
                reasons[node] = f"上级机关代码{parent}不存在（文件和系统中都没有）"
                break
            if not parent:
                depth[node] = 0
                break
            node = parent
        for member in reversed(chain):
            if member in reasons or member in depth:
                continue
            parent = parent_of(member)
            if parent in reasons:
                reasons[member] = f"上级机关{parent}有错误：{reasons[parent]}"
            else:
                depth[member] = depth[parent] + 1

    def label(code: str) -> str:
        if not code:
            return "（无）"
        name = cleaned[code][1]["name"] if code in cleaned else existing[code].name
        return f"{name}（{code}）"

    changes: list[Change] = []
    for code, (number, values) in cleaned.items():
        resolve(code)
        if code in reasons:
            bad[number] = BadRow(number, code, [reasons[code]])
            continue
        parent_code = values.get("parent")
        agency = existing.get(code)
        if agency is None:
            diffs = {LABELS[f]: ("", _display(f, values[f])) for f in FIELDS
                     if values.get(f) not in (None, "")}
            if parent_code:
                diffs[LABELS["parent"]] = ("", label(parent_code))
            action = CREATE
        else:
            diffs = {LABELS[f]: (_display(f, getattr(agency, f)), _display(f, values[f]))
                     for f in FIELDS if values.get(f) is not None and values[f] != getattr(agency, f)}
            current_parent = agency.parent.code if agency.parent_id else ""
            moved = parent_code is not None and parent_code != current_parent
            if moved:
                diffs[LABELS["parent"]] = (label(current_parent), label(parent_code))
            action = MOVE if moved else UPDATE if diffs else UNCHANGED
        changes.append(Change(row=number, code=code, name=values["name"], action=action,
                              values=values, parent_code=parent_code, diffs=diffs, depth=depth[code]))
    return Plan(file_name=file_name, digest=digest(data), changes=changes,
                bad=sorted(bad.values(), key=lambda b: b.row))


def template_rows() -> list[list[str]]:
    """The header and two example rows (the province's government and a city under it)."""
    return [
        [aliases[0] for aliases in COLUMNS.values()],
        ["113300000024821570", "云泽省人民政府", "省政府", "", "人民政府", "省级", "330000",
         "云泽省云泽市政府路1号", "310000", "0571-00000000", "", "gk@example.gov.cn",
         "工作日 9:00-17:00", "是"],
        ["113301000024821588", "云泽市人民政府", "", "113300000024821570", "人民政府", "市级",
         "330100", "", "", "", "", "", "", "是"],
    ]


def template_csv() -> bytes:
    """``template_rows`` as CSV, UTF-8 with BOM (Excel opens it as UTF-8)."""
    out = io.StringIO()
    csv.writer(out).writerows(template_rows())
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def template_xlsx() -> bytes:
    """``template_rows`` as XLSX, every cell text (so codes keep their digits)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "机关名录"
    for row in template_rows():
        sheet.append(row)
    for row in sheet.iter_rows():
        for cell in row:
            cell.number_format = "@"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
