"""Reading 12315 platform exports (CSV or XLSX) into complaints.

Two steps, as the office sees them:

1. :func:`inspect` reads the file (``core.tabular``: by content, within its size
   limit, a ZIP's declared sizes checked before anything is inflated, formulas never
   evaluated) and finds the header row: the first of the first
   :data:`HEADER_SEARCH_ROWS` rows naming two known fields (a title row above it is
   fine), else the first non-blank row. It returns the headers and a sample value of
   each column, for the mapping step.
2. :func:`check_rows` reads every data row with the office's mapping (field → column)
   and returns the good rows as :class:`ComplaintRow` and the bad ones as
   :class:`Problem` (row number and Chinese reason). Good rows are kept whatever the bad
   ones are; :func:`store` then saves the rows that are not already there.

De-duplication: a row's ``key`` is ``id:`` + the export's 工单号 when the file maps one
and the row has it, else ``h:`` + the SHA-256 of the normalised row (date, every
dimension and the masked summary, NFKC, whitespace removed). A key seen earlier in the
same file, or already stored for the agency, is a duplicate: counted, not imported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from gongkai.core.tabular import MAX_FILE_BYTES, FileRefused, is_blank, read_table
from gongkai.decisions.columns import BLANK_TOKENS, BadValue, as_date, as_text
from gongkai.decisions.importer import read_upload  # noqa: F401  (re-exported for views/services)
from gongkai.hotspots import text
from gongkai.hotspots.columns import FIELDS, LABELS, REQUIRED, looks_like_header
from gongkai.hotspots.models import Complaint
from gongkai.hotspots.periods import month_start, week_start

__all__ = ["MAX_FILE_BYTES", "FileRefused"]

HEADER_SEARCH_ROWS = 10
MAX_ROWS = 50_000
MAX_PROBLEMS_LISTED = 200
SAMPLE_CHARS = 24
EARLIEST_DATE = dt.date(2000, 1, 1)
MAX_SUMMARY_CHARS = 2000
MAX_LENGTHS = {"kind": 20, "category": 50, "subject": 100, "region": 50, "department": 100,
               "source_id": 64}


@dataclass(frozen=True)
class Problem:
    row: int | None  # the file's row number; None for the file as a whole
    column: str
    message: str

    def __str__(self) -> str:
        where = f"第{self.row}行" if self.row else "文件"
        if self.column:
            where += f"“{self.column}”"
        return f"{where}：{self.message}"

    def as_list(self) -> list:
        return [self.row, self.column, self.message]


@dataclass(frozen=True)
class Inspected:
    file_format: str
    header_row: int
    headers: list[str]
    samples: list[str]  # a masked, shortened value of each column, from the first rows


@dataclass
class ComplaintRow:
    """A checked row, with the fields of a Complaint (``agency_id`` set by ``store``)."""

    source_row: int
    key: str
    source_id: str
    received_on: dt.date
    kind: str
    category: str
    subject: str
    region: str
    department: str
    summary: str
    agency_id: int | None = None

    @property
    def week(self) -> dt.date:
        return week_start(self.received_on)

    @property
    def month(self) -> dt.date:
        return month_start(self.received_on)


@dataclass
class Checked:
    rows: list[ComplaintRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    total: int = 0  # data rows in the file (blank rows aside)
    bad: int = 0
    duplicates_in_file: int = 0

    def add(self, row: int | None, column: str, message: str) -> None:
        if row is not None:
            self.bad += 1
        if len(self.problems) < MAX_PROBLEMS_LISTED:
            self.problems.append(Problem(row, column, safe_message(message)))


# A cell quoted in a reason (``日期“2026-02-30”不存在``, ``decisions.columns.as_date``) is
# kept only when it looks like the date it should have been; anything else may be a name,
# a phone or a whole summary of a column mapped by mistake, and the reasons are stored
# with the import and shown.
_QUOTED = re.compile(r"(?<=日期)“([^”]*)”")
_DATE_LIKE = re.compile(r"[0-9０-９\-－/.年月日:：\sTt]{1,30}")


def safe_message(message: str) -> str:
    def quoted(match: re.Match) -> str:
        value = match.group(1)
        if _DATE_LIKE.fullmatch(value):
            return f"“{text.mask_personal_data(value)}”"
        return ""

    return _QUOTED.sub(quoted, message)


# --- step 1: the file and its header --------------------------------------------------------

def _header_text(value) -> str:
    try:
        return as_text(value)
    except BadValue:
        return ""


def inspect(data: bytes) -> Inspected:
    """The file's header row, headers and sample values. Raises :class:`FileRefused`."""
    table = read_table(data)
    rows = iter(table.rows)
    first: tuple[int, list] | None = None
    header: tuple[int, list] | None = None
    for number, cells in rows:
        if all(is_blank(c) for c in cells):
            continue
        first = first or (number, cells)
        if looks_like_header(cells):
            header = (number, cells)
            break
        if number >= HEADER_SEARCH_ROWS:
            break
    header = header or first
    if header is None:
        raise FileRefused("文件中没有数据。")
    number, cells = header
    headers = [_header_text(c) for c in cells]
    while headers and not headers[-1]:
        headers.pop()
    if not any(headers):
        raise FileRefused("未找到表头：请在第一行写明各列的名称。")
    headers = [h or f"第{i + 1}列" for i, h in enumerate(headers)]
    samples = [""] * len(headers)
    # The rows below the header, read again from the start (the reader is a stream).
    for _, row in _after(table_rows=read_table(data).rows, header_row=number, limit=20):
        for i in range(len(headers)):
            if not samples[i] and i < len(row) and not is_blank(row[i]):
                value = text.mask_personal_data(_header_text(row[i]))
                samples[i] = value[:SAMPLE_CHARS] + ("…" if len(value) > SAMPLE_CHARS else "")
    return Inspected(table.file_format, number, headers, samples)


def _after(*, table_rows: Iterable[tuple[int, list]], header_row: int,
           limit: int | None = None) -> Iterator[tuple[int, list]]:
    seen = 0
    for number, cells in table_rows:
        if number <= header_row or all(is_blank(c) for c in cells):
            continue
        yield number, cells
        seen += 1
        if limit is not None and seen >= limit:
            return


# --- step 2: the rows -----------------------------------------------------------------------

def _normalised(value: str) -> str:
    return "".join(unicodedata.normalize("NFKC", value).split())


def row_key(*, source_id: str, received_on: dt.date, values: dict[str, str]) -> str:
    if source_id:
        return f"id:{source_id}"
    parts = [received_on.isoformat()] + [_normalised(values[name]) for name in
                                         ("kind", "category", "subject", "region", "department",
                                          "summary")]
    return "h:" + hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def check_row(number: int, cells: list, mapping: dict[str, int], *, today: dt.date,
              checked: Checked) -> ComplaintRow | None:
    """One row, or None with its problem recorded (one reason a row: the first found)."""

    def raw(name):
        index = mapping.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    def problem(name: str, message: str) -> None:
        checked.add(number, LABELS[name], message)

    try:
        received_on = as_date(raw("received_on"))
    except BadValue as bad:
        problem("received_on", bad.message)
        return None
    if received_on is None:
        problem("received_on", "不能为空")
        return None
    if received_on > today:
        problem("received_on", "日期晚于今天")
        return None
    if received_on < EARLIEST_DATE:
        problem("received_on", f"日期早于{EARLIEST_DATE.year}年，请检查")
        return None
    values: dict[str, str] = {}
    for f in FIELDS:
        if f.name == "received_on":
            continue
        try:
            value = as_text(raw(f.name), multiline=f.name == "summary")
        except BadValue as bad:
            problem(f.name, bad.message)
            return None
        if f.name != "summary" and value.lower() in BLANK_TOKENS:
            value = ""
        limit = MAX_LENGTHS.get(f.name)
        if limit and len(value) > limit:
            problem(f.name, f"超过{limit}个字符")
            return None
        values[f.name] = value
    if not values["summary"]:
        problem("summary", "不能为空")
        return None
    summary = text.mask_personal_data(values["summary"][:MAX_SUMMARY_CHARS])
    values["summary"] = summary
    source_id = values.pop("source_id").replace(" ", "")
    key = row_key(source_id=source_id, received_on=received_on, values=values)
    return ComplaintRow(source_row=number, key=key, source_id=source_id,
                        received_on=received_on, **values)


def check_mapping(mapping: dict[str, int], headers: list[str]) -> list[str]:
    """What is wrong with a mapping, in Chinese (empty: nothing)."""
    errors = [f"请选择“{LABELS[name]}”对应的列" for name in REQUIRED if name not in mapping]
    used: dict[int, str] = {}
    for name, index in mapping.items():
        if not 0 <= index < len(headers):
            errors.append(f"“{LABELS[name]}”对应的列不存在")
        elif index in used:
            errors.append(f"“{headers[index]}”列不能同时作为“{LABELS[used[index]]}”和“{LABELS[name]}”")
        else:
            used[index] = name
    return errors


def check_rows(data: bytes, *, header_row: int, mapping: dict[str, int],
               today: dt.date) -> Checked:
    """Every data row below ``header_row``. Raises :class:`FileRefused` for the file as a
    whole (unreadable, more than :data:`MAX_ROWS` rows)."""
    checked = Checked()
    seen: dict[str, int] = {}
    for number, cells in _after(table_rows=read_table(data).rows, header_row=header_row):
        checked.total += 1
        if checked.total > MAX_ROWS:
            raise FileRefused(f"文件超过{MAX_ROWS}行数据的上限，请按月份分批导出后导入。")
        row = check_row(number, cells, mapping, today=today, checked=checked)
        if row is None:
            continue
        if row.key in seen:
            checked.duplicates_in_file += 1
            continue
        seen[row.key] = number
        checked.rows.append(row)
    return checked


# --- saving ---------------------------------------------------------------------------------

def existing_keys(agency_id: int, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 1000):
        found.update(Complaint.objects.filter(agency_id=agency_id, key__in=keys[start:start + 1000])
                     .values_list("key", flat=True))
    return found


def store(*, agency_id: int, batch_id: int, rows: list[ComplaintRow],
          batch_size: int = 2000) -> int:
    """Save the rows not already stored for the agency and add them to the aggregates, in
    the caller's transaction (which holds the agency's import lock); returns how many were
    saved. The bulk path of both the import and the benchmark."""
    from gongkai.hotspots.aggregates import add_to_aggregates

    known = existing_keys(agency_id, [r.key for r in rows])
    new = [r for r in rows if r.key not in known]
    for r in new:
        r.agency_id = agency_id
    Complaint.objects.bulk_create(
        (Complaint(agency_id=agency_id, batch_id=batch_id, source_row=r.source_row, key=r.key,
                   source_id=r.source_id, received_on=r.received_on, week=r.week, month=r.month,
                   kind=r.kind, category=r.category, subject=r.subject, region=r.region,
                   department=r.department, summary=r.summary) for r in new),
        batch_size=batch_size)
    add_to_aggregates(new)
    return len(new)
