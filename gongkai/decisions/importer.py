"""Import of licensing, penalty and enforcement decisions from the export files of the
agencies' business systems (CSV or XLSX), all or nothing.

``import_decisions(actor=, agency=, file=, dry_run=)`` reads the file (``core.tabular``: by
content, within size and row limits, formulas never evaluated), finds the header row,
checks every row against the column mapping (``columns.COLUMNS``) and returns an
:class:`ImportReport`. With any problem nothing is saved; with ``dry_run`` nothing is
saved either and the report says what would be. A real import is one transaction with
one audit entry.

The header row is the first of the first :data:`HEADER_SEARCH_ROWS` rows naming the
decision number and at least one other known column, so a title row above it is fine;
unknown columns are ignored and listed in the report. Row numbers in the report are the
file's own (row 1 is the first line, or the spreadsheet's row 1).

A row's kind comes from a 决定类别 column, or else from the headers: a file whose
recognised headers speak only of 处罚/违法 holds penalties, only of 许可 licences, only of
强制 enforcement; otherwise the column is required.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from gongkai.core import audit, clock, listeners
from gongkai.core.errors import DomainError
from gongkai.core.identifiers import is_valid_resident_id, is_valid_uscc
from gongkai.core.models import Agency
from gongkai.core.selectors import get_working_day_calendar
from gongkai.core.tabular import MAX_FILE_BYTES, FileRefused, Table, is_blank, read_table
from gongkai.decisions import permissions, rules
from gongkai.decisions.columns import (
    BLANK_TOKENS,
    HEADER_FIELDS,
    KIND_HINTS,
    KIND_VALUES,
    LABELS,
    PARTY_TYPE_VALUES,
    REQUIRED_FIELDS,
    BadValue,
    as_amount,
    as_code,
    as_date,
    as_text,
    normalise_header,
    parse_penalty_types,
)
from gongkai.decisions.models import (
    Decision,
    DecisionKind,
    DecisionStatus,
    ImportBatch,
    PartyType,
)
from gongkai.decisions.rules import PenaltyType

MAX_ROWS = 5000
HEADER_SEARCH_ROWS = 10
MAX_PROBLEMS_LISTED = 200
PREVIEW_ROWS = 10
EARLIEST_DECISION_DATE = dt.date(1990, 1, 1)


# --- the report ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    row: int | None  # the file's row number; None for the file as a whole
    column: str  # the header as written in the file, or our label
    message: str

    def __str__(self) -> str:
        where = f"第{self.row}行" if self.row else "文件"
        if self.column:
            where += f"“{self.column}”"
        return f"{where}：{self.message}"


@dataclass
class ImportReport:
    """What an import did or, for a dry run or a refused file, would have done."""

    file_name: str
    dry_run: bool
    held: bool = False
    file_format: str = ""
    encoding: str = ""
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_total: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    to_publish: int = 0
    to_hold: int = 0
    not_published: int = 0  # warnings only (Order 45 Art. 2)
    late: int = 0  # published (or to be) after the 7/20-working-day limit
    by_kind: dict[str, int] = field(default_factory=dict)
    preview: list[dict] = field(default_factory=list)
    batch: ImportBatch | None = None

    @property
    def ok(self) -> bool:
        return self.problem_total == 0

    @property
    def imported(self) -> bool:
        return self.batch is not None

    @property
    def problems_not_listed(self) -> int:
        return self.problem_total - len(self.problems)

    def add(self, row: int | None, column: str, message: str) -> None:
        self.problem_total += 1
        if len(self.problems) < MAX_PROBLEMS_LISTED:
            self.problems.append(Problem(row, column, message))

    def kind_counts(self) -> list[tuple[str, int]]:
        return [(k.label, self.by_kind[k.value]) for k in DecisionKind if self.by_kind.get(k.value)]


# --- checking rows ------------------------------------------------------------------------------

class _Header:
    def __init__(self, cells: list):
        self.columns: dict[str, int] = {}
        self.names: dict[str, str] = {}  # field → the header as written
        self.ignored: list[str] = []
        self.duplicates: list[tuple[str, str]] = []
        for index, cell in enumerate(cells):
            if not isinstance(cell, str) or not cell.strip():
                continue
            name = cell.strip()
            field_name = HEADER_FIELDS.get(normalise_header(name))
            if field_name is None:
                self.ignored.append(name)
            elif field_name in self.columns:
                self.duplicates.append((self.names[field_name], name))
            else:
                self.columns[field_name] = index
                self.names[field_name] = name

    def looks_like_header(self) -> bool:
        return "number" in self.columns and len(self.columns) >= 2

    def kind_from_headers(self) -> DecisionKind | None:
        hints = {kind for name in self.names.values() for word, kind in KIND_HINTS.items()
                 if word in name}
        return hints.pop() if len(hints) == 1 else None

    def label(self, field_name: str) -> str:
        return self.names.get(field_name, LABELS[field_name])


def _find_header(rows: Iterator[tuple[int, list]]) -> tuple[int, _Header]:
    for number, cells in rows:
        header = _Header(cells)
        if header.looks_like_header():
            return number, header
        if number >= HEADER_SEARCH_ROWS:
            break
    raise FileRefused(f"未找到表头：前{HEADER_SEARCH_ROWS}行中没有包含“决定文书号”等列名的一行。"
                      "请使用本页列出的列名。")


def _check_header(header: _Header, report: ImportReport) -> DecisionKind | None:
    for first, second in header.duplicates:
        report.add(None, second, f"与“{first}”是同一项内容，请只保留一列")
    if "fine_amount" in header.columns and "fine_amount_wan" in header.columns:
        report.add(None, header.label("fine_amount_wan"), "与“罚款金额（元）”重复，请只保留一列")
    for field_name in REQUIRED_FIELDS:
        if field_name not in header.columns:
            report.add(None, LABELS[field_name], "缺少必填列")
    default_kind = None
    if "kind" not in header.columns:
        default_kind = header.kind_from_headers()
        if default_kind is None:
            report.add(None, "决定类别", "无法从表头判断决定类别，请增加“决定类别”列")
    return default_kind


class _RowChecker:
    """Turns one row into the fields of a Decision, collecting every problem. A field that
    failed is remembered, so that checks depending on it stay quiet: one mistake, one
    message."""

    def __init__(self, *, header: _Header, agency: Agency, default_kind, held: bool,
                 today: dt.date, report: ImportReport):
        self.header, self.agency, self.default_kind = header, agency, default_kind
        self.held, self.today, self.report = held, today, report
        self.number = 0
        self.failed: set[str] = set()

    def problem(self, field_name: str, message: str) -> None:
        self.failed.add(field_name)
        self.report.add(self.number, self.header.label(field_name), message)

    def raw(self, cells: list, field_name: str):
        index = self.header.columns.get(field_name)
        return cells[index] if index is not None and index < len(cells) else None

    def get(self, cells: list, field_name: str, convert, *args, **kwargs):
        try:
            return convert(self.raw(cells, field_name), *args, **kwargs)
        except BadValue as bad:
            self.problem(field_name, bad.message)
            return None

    def text(self, cells, field_name: str, *, required: bool, max_length: int,
             multiline: bool = False) -> str:
        value = self.get(cells, field_name, as_text, multiline=multiline)
        if value is None:
            return ""
        if required and not value:
            self.problem(field_name, "不能为空")
        elif len(value) > max_length:
            self.problem(field_name, f"超过{max_length}个字符")
        return value

    def check(self, number: int, cells: list) -> dict | None:
        self.number, self.failed = number, set()
        v: dict = {"source_row": number}
        v["number"] = self.text(cells, "number", required=True, max_length=100).replace(" ", "")
        v["kind"] = self._kind(cells)
        v["party_name"] = self.text(cells, "party_name", required=True, max_length=200)
        v["matter"] = self.text(cells, "matter", required=True, max_length=500)
        v["content"] = self.text(cells, "content", required=True, max_length=5000, multiline=True)
        v["basis"] = self.text(cells, "basis", required=False, max_length=5000, multiline=True)
        v["deciding_body"] = (self.text(cells, "deciding_body", required=False, max_length=200)
                              or self.agency.name)
        self._party(cells, v)
        self._penalty(cells, v)
        self._dates(cells, v)
        return None if self.failed else v

    def _kind(self, cells) -> str | None:
        if "kind" not in self.header.columns:
            return self.default_kind
        text = self.get(cells, "kind", as_text)
        if text is None:
            return None
        kind = KIND_VALUES.get(text.replace(" ", "").lower())
        if kind is None:
            self.problem("kind", f"无法识别的决定类别“{text}”（应为行政许可、行政处罚、行政强制或其他）"
                         if text else "不能为空")
        return kind

    def _party(self, cells, v: dict) -> None:
        uscc = self.get(cells, "party_uscc", as_code) or ""
        id_number = self.get(cells, "party_id_number", as_code) or ""
        party_type = None
        text = self.get(cells, "party_type", as_text) or ""
        if self.failed & {"party_uscc", "party_id_number", "party_type"}:
            return
        if text:
            party_type = PARTY_TYPE_VALUES.get(text.replace(" ", "").lower())
            if party_type is None:
                self.problem("party_type", f"无法识别的行政相对人类别“{text}”（应为自然人、法人及非法人组织或个体工商户）")
                return
        elif uscc and not id_number:
            party_type = PartyType.ORGANISATION
        elif id_number and not uscc:
            party_type = PartyType.NATURAL_PERSON
        else:
            self.problem("party_type", "请填写行政相对人类别（自然人、法人及非法人组织或个体工商户）")
            return
        if uscc and party_type == PartyType.NATURAL_PERSON:
            self.problem("party_uscc", "自然人不应填写统一社会信用代码")
        elif uscc and not is_valid_uscc(uscc):
            self.problem("party_uscc", f"统一社会信用代码“{uscc}”校验不通过")
        elif not uscc and party_type == PartyType.ORGANISATION:
            self.problem("party_uscc", "法人及非法人组织须填写统一社会信用代码")
        if id_number and party_type == PartyType.ORGANISATION:
            # Most likely the legal representative's number in the wrong column: personal
            # data the record has no use for.
            self.problem("party_id_number", "法人及非法人组织不应填写身份证号码")
        elif id_number and not is_valid_resident_id(id_number, today=self.today):
            self.problem("party_id_number", "居民身份证号码校验不通过")
        v.update(party_type=party_type, party_uscc=uscc, party_id_number=id_number)

    def _penalty(self, cells, v: dict) -> None:
        kind = v["kind"]
        text = self.get(cells, "penalty_types", as_text) or ""
        if text.lower() in BLANK_TOKENS:
            text = ""
        wan = "fine_amount_wan" in self.header.columns
        amount_field = "fine_amount_wan" if wan else "fine_amount"
        amount = self.get(cells, amount_field, as_amount, wan=wan)
        types = 0
        if text:
            try:
                types = parse_penalty_types(text)
            except BadValue as bad:
                self.problem("penalty_types", bad.message)
        if kind is None or self.failed & {"penalty_types", amount_field}:
            pass
        elif kind != DecisionKind.PENALTY:
            if text:
                self.problem("penalty_types", "只有行政处罚填写处罚种类")
            if amount:
                self.problem(amount_field, "只有行政处罚填写罚款金额")
            types, amount = 0, None
        elif not types and not text:
            self.problem("penalty_types", "行政处罚须填写处罚种类")
        elif types & PenaltyType.FINE and not amount:
            self.problem(amount_field, "处罚种类含罚款，须填写大于0的罚款金额")
        elif amount and not types & PenaltyType.FINE:
            self.problem("penalty_types", "填写了罚款金额，但处罚种类不含罚款")
        v["penalty_types"] = types
        v["fine_amount"] = amount or None

    def _dates(self, cells, v: dict) -> None:
        decided = self.get(cells, "decision_date", as_date)
        published = self.get(cells, "published_on", as_date)
        ends = self.get(cells, "publication_ends_on", as_date)
        if decided is None:
            if "decision_date" not in self.failed:
                self.problem("decision_date", "不能为空")
        elif decided > self.today:
            self.problem("decision_date", "决定日期不能晚于今天")
        elif decided < EARLIEST_DECISION_DATE:
            self.problem("decision_date", "决定日期早于1990年，请检查")
        if published is not None:
            if self.held:
                self.problem("published_on", "选择“暂不公示”时不能填写公示日期")
            elif published > self.today:
                self.problem("published_on", "公示日期不能晚于今天")
            elif decided and published < decided:
                self.problem("published_on", "公示日期不能早于决定日期")
        if ends is not None and decided and ends < (published or decided):
            self.problem("publication_ends_on", "公示截止日期不能早于公示日期")
        v.update(decision_date=decided, published_on=published, publication_ends_on=ends)


def _check_rows(table: Table, *, agency: Agency, held: bool, today: dt.date,
                report: ImportReport) -> list[dict]:
    rows = iter(table.rows)
    header_row, header = _find_header(rows)
    report.ignored_columns = header.ignored
    default_kind = _check_header(header, report)
    if not report.ok:
        return []
    checker = _RowChecker(header=header, agency=agency, default_kind=default_kind, held=held,
                          today=today, report=report)
    valid: list[dict] = []
    first_seen: dict[str, int] = {}
    for number, cells in rows:
        if all(is_blank(c) for c in cells):
            continue
        report.rows += 1
        if report.rows > MAX_ROWS:
            raise FileRefused(f"文件超过{MAX_ROWS}行数据的上限，请分批导入。")
        values = checker.check(number, cells)
        doc_number = values["number"] if values else None
        if doc_number:
            if doc_number in first_seen:
                report.add(number, header.label("number"),
                           f"决定文书号“{doc_number}”与第{first_seen[doc_number]}行重复")
                continue
            first_seen[doc_number] = number
        if values:
            valid.append(values)
    if report.rows == 0:
        report.add(None, "", f"表头（第{header_row}行）之后没有数据。")
    existing = _existing_numbers(agency, [v["number"] for v in valid])
    for values in valid:
        if values["number"] in existing:
            report.add(values["source_row"], header.label("number"),
                       f"决定文书号“{values['number']}”已在本机关的公示记录中")
    return valid


def _existing_numbers(agency: Agency, numbers: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(numbers), 500):
        chunk = numbers[start:start + 500]
        found.update(Decision.objects.filter(agency=agency, number__in=chunk)
                     .values_list("number", flat=True))
    return found


# --- the import ---------------------------------------------------------------------------------

def read_upload(file) -> bytes:
    """The file's bytes, reading no more than one byte past the size limit."""
    if isinstance(file, bytes | bytearray):
        return bytes(file)
    if hasattr(file, "seek"):
        file.seek(0)
    return file.read(MAX_FILE_BYTES + 1)


def _status_of(values: dict, *, held: bool) -> str:
    if not rules.must_publish(values["kind"], values["penalty_types"]):
        return DecisionStatus.NOT_PUBLISHED
    return DecisionStatus.PENDING if held else DecisionStatus.PUBLISHED


def import_decisions(*, actor, agency: Agency, file, dry_run: bool, held: bool = False,
                     file_name: str = "") -> ImportReport:
    """Import an export file of decisions for ``agency``, all or nothing.

    Published at once (``published_on`` today, or the file's 公示日期 for decisions already
    public elsewhere) unless ``held``, in which case they wait as pending for the office
    to publish them; a warning-only penalty is recorded as not published (Order 45
    Art. 2). ``actor`` must be the agency's disclosure office; ``None`` stands for the
    command line, whose operator has the server in hand anyway.
    """
    if actor is not None and not permissions.can_manage_decisions(actor, agency):
        raise PermissionDenied("只有本机关的政府信息公开工作人员可以导入公示信息")
    if not agency.is_active:
        raise DomainError("该机关已停用")
    name = (file_name or getattr(file, "name", "") or "").rsplit("/", 1)[-1][:200]
    report = ImportReport(file_name=name, dry_run=dry_run, held=held)
    today = clock.today()
    data = read_upload(file)
    try:
        table = read_table(data)
        report.file_format, report.encoding = table.file_format, table.encoding
        valid = _check_rows(table, agency=agency, held=held, today=today, report=report)
    except FileRefused as refused:
        report.add(None, "", refused.message)
        return report
    if not report.ok:
        return report
    _summarise(report, valid, held=held, today=today)
    if dry_run:
        return report
    try:
        report.batch = _save(actor=actor, agency=agency, valid=valid, report=report,
                             sha256=hashlib.sha256(data).hexdigest(), today=today)
    except IntegrityError:
        # Another import of the same numbers committed between our check and our insert.
        report.add(None, "", "导入期间另有相同决定文书号的记录被保存，本次未导入任何记录，请重新导入。")
    return report


def _summarise(report: ImportReport, valid: list[dict], *, held: bool, today: dt.date) -> None:
    calendar = get_working_day_calendar()
    kinds: Counter = Counter()
    for values in valid:
        kinds[values["kind"]] += 1
        status = _status_of(values, held=held)
        if status == DecisionStatus.NOT_PUBLISHED:
            report.not_published += 1
            continue
        if status == DecisionStatus.PENDING:
            report.to_hold += 1
        else:
            report.to_publish += 1
        due = rules.publication_due_on(values["kind"], values["decision_date"], calendar=calendar)
        if (values["published_on"] or today) > due:
            report.late += 1
    report.by_kind = dict(kinds)
    # What the office checks before confirming; never the ID number.
    report.preview = [
        {"row": v["source_row"], "number": v["number"], "kind": DecisionKind(v["kind"]).label,
         "party_name": v["party_name"], "decision_date": v["decision_date"],
         "status": DecisionStatus(_status_of(v, held=held)).label}
        for v in valid[:PREVIEW_ROWS]
    ]


@transaction.atomic
def _save(*, actor, agency: Agency, valid: list[dict], report: ImportReport, sha256: str,
          today: dt.date) -> ImportBatch:
    batch = ImportBatch.objects.create(
        agency=agency, file_name=report.file_name, file_sha256=sha256,
        file_format=report.file_format, row_count=report.rows, held=report.held,
        imported_by=actor if getattr(actor, "is_authenticated", False) else None,
        imported_at=clock.now(),
    )
    decisions = []
    for values in valid:
        status = _status_of(values, held=report.held)
        published_on = (values["published_on"] or today) if status == DecisionStatus.PUBLISHED else None
        decisions.append(Decision(agency=agency, batch=batch, status=status,
                                  published_on=published_on, **{
                                      k: v for k, v in values.items() if k != "published_on"}))
    Decision.objects.bulk_create(decisions, batch_size=500)
    audit.record(
        actor=actor, action="decisions.import", obj=batch, agency=agency,
        after={"file": report.file_name, "sha256": sha256, "format": report.file_format,
               "rows": report.rows, "published": report.to_publish, "held": report.to_hold,
               "not_published": report.not_published, "late": report.late,
               "by_kind": report.by_kind},
    )
    if report.to_publish:
        listeners.emit(listeners.CONTENT_CHANGED)  # the public lists show the new decisions at once
        listeners.emit(listeners.PUBLIC_OBJECT_CHANGED, decisions, True)  # and search finds them
    return batch
