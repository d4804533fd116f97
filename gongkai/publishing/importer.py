"""Bulk import of items already published in an agency's old disclosure system (历史信息迁移).

An agency moving to gongkai brings the catalogue its old site has published for years.
Those items were public there, so they arrive PUBLISHED — with one version, one
``import`` event each, and one audit entry for the whole file — not through the secrecy
review and approval a new item needs (Art. 17 applied when the old system published them).

The file is a CSV export (UTF-8, UTF-8 with BOM or GB18030; the header row in Chinese or
English) or a JSON list of objects with the English keys:

    索引号 index_number   标题 title (required)    发布机构 issuing_agency   文号 doc_number
    成文日期 written_on (required)   发布日期 published_on (required, not before 成文日期)
    主题分类 topic (code or name)    栏目 columns (paths such as 重点领域信息/产品召回信息, several
    separated by ;)   公开属性 disclosure_attribute (主动公开 or blank)   有效性 validity
    正文 body (HTML, sanitised)      关键词 keywords

Index numbers (索引号) are kept when given and well formed (``{agency code}/{year}-{n}``);
rows without one get the next numbers of the series for the year they were published,
after every legacy number of that year. Afterwards each year's counter stands at least at
the highest number imported, so numbers handed out later never collide with legacy ones
and no number is reused.

Nothing is half-imported: the file is validated in full first (every row, every field;
the report lists row, field and a Chinese message) and any error means nothing is
written. The rows are then written in batches of ``bulk_create`` (no query per row).

Two write modes:

- ``atomic`` (default): the whole write is one transaction. Simplest and all-or-nothing
  even against a crash, but on SQLite it holds the database's single write lock for the
  whole write phase — every other writer on the platform waits, and after the 20-second busy
  timeout fails — and the WAL file grows to the size of everything written (~2.5 GB for
  a million items; see bench/README.md). On PostgreSQL one large transaction is fine.
- ``batch_commit``: validation still runs first, so no row error can stop the import half
  way; then the series is reserved in one short transaction and each batch commits on its
  own. Only a crash or a database failure can leave part of a file imported; the audit
  entry is committed with the last batch, or an ``import_interrupted`` entry says how many
  items were committed.

Memory: CSV is read as a stream twice (validate, then write) and never held decoded; what
stays in memory is one batch of rows plus one integer per index number (duplicate
checks). JSON is parsed whole, so use CSV for very large imports.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
import logging
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, BinaryIO, Literal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import OuterRef, Subquery

from gongkai.core import audit, clock
from gongkai.core import permissions as core_permissions
from gongkai.core.errors import DomainError
from gongkai.core.models import Agency, Role, SequenceCounter
from gongkai.publishing.models import (
    Column,
    DisclosureAttribute,
    Publication,
    PublicationEvent,
    PublicationRevision,
    PublicationStatus,
    Topic,
    Validity,
)
from gongkai.publishing.sanitise import sanitise_html

logger = logging.getLogger(__name__)

IMPORT_ACTION = "import"  # PublicationEvent.action of an imported item
BATCH_SIZE = 2000
MAX_ERRORS = 1000  # errors listed in the report; all are counted

Format = Literal["csv", "json"]
Mode = Literal["dry_run", "atomic", "batch_commit"]
MODE_LABELS = {
    "dry_run": "试导入（只校验，不写入）",
    "atomic": "单一事务（全部成功或全部不写入）",
    "batch_commit": "分批提交（先完整校验，再每批单独提交）",
}

# Field → the Chinese header of the catalogue (政府信息公开目录) and the maximum length.
FIELDS: dict[str, tuple[str, int | None]] = {
    "index_number": ("索引号", 64),
    "title": ("标题", 300),
    "issuing_agency": ("发布机构", 200),
    "doc_number": ("文号", 100),
    "written_on": ("成文日期", None),
    "published_on": ("发布日期", None),
    "topic": ("主题分类", None),
    "columns": ("栏目", None),
    "disclosure_attribute": ("公开属性", None),
    "validity": ("有效性", None),
    "body": ("正文", None),
    "keywords": ("关键词", 200),
}
REQUIRED = ("title", "written_on", "published_on", "columns")
_PLAIN_FIELDS = tuple(key for key in FIELDS if key not in ("columns", "body"))  # stripped text
_LIMITS = tuple((key, label, limit) for key, (label, limit) in FIELDS.items() if limit)
_HEADER_ALIASES = {"发布时间": "published_on", "成文时间": "written_on"}  # common in old exports
HEADERS: dict[str, str] = {
    **{label: key for key, (label, _) in FIELDS.items()},
    **{key: key for key in FIELDS},
    **_HEADER_ALIASES,
}

_DATE = re.compile(
    r"(\d{4})(?:-(\d{1,2})-(\d{1,2})|/(\d{1,2})/(\d{1,2})|年(\d{1,2})月(\d{1,2})日)"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"  # old systems often export "2017-12-08 00:00:00"
)
_INDEX_NUMBER = re.compile(r"([0-9A-Za-z]+)/([0-9]{4})-([0-9]+)")
_LIST_SEPARATOR = re.compile(r"[;；]")
_PATH_SEPARATOR = re.compile(r"[/／]")
MAX_SEQUENCE = 2_147_483_647  # SequenceCounter.value is a PositiveIntegerField
FIRST_YEAR = 1949


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


def import_publications(
    *,
    actor,
    agency: Agency,
    source: bytes | BinaryIO,
    fmt: Format,
    dry_run: bool,
    batch_commit: bool = False,
    batch_size: int = BATCH_SIZE,
    max_errors: int = MAX_ERRORS,
) -> ImportReport:
    """Import an old system's published items into ``agency`` (its disclosure office, or a
    platform administrator). ``source`` is the file's bytes or a seekable binary file.

    Returns the report; with any error, or with ``dry_run``, nothing is written and the
    report says what would have happened. Raises ``ImportFileError`` for a file that
    cannot be read, ``PermissionDenied`` for the wrong actor, and ``ImportConflict`` when a
    concurrent change took an index number between validation and writing (nothing
    written in atomic mode).
    """
    if not (
        core_permissions.is_platform_admin(actor)
        or core_permissions.has_role(actor, agency, Role.OFFICE)
    ):
        raise PermissionDenied("只有本机关公开办或平台管理员可以导入历史信息")
    if not agency.is_active:
        raise DomainError("该机关已停用，不能导入信息")
    if fmt not in ("csv", "json"):
        raise ValueError(f"unknown format {fmt!r}")
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    stream = io.BytesIO(source) if isinstance(source, bytes | bytearray | memoryview) else source
    mode: Mode = "dry_run" if dry_run else "batch_commit" if batch_commit else "atomic"
    report = ImportReport(agency_code=agency.code, fmt=fmt, mode=mode, sha256=_sha256(stream))

    started = time.perf_counter()
    reader = _Reader(stream, fmt)
    plan = _validate(reader, agency=agency, report=report, max_errors=max_errors)
    report.validate_seconds = time.perf_counter() - started
    if not report.ok:
        return report
    if dry_run:
        report.series = _series_preview(agency, plan)
        return report

    started = time.perf_counter()
    writer = _Writer(actor=actor, agency=agency, plan=plan, report=report, batch_size=batch_size)
    try:
        if batch_commit:
            writer.write_in_batches(reader)
        else:
            with transaction.atomic():
                writer.write_all(reader)
    except IntegrityError as exc:
        raise ImportConflict(
            "导入期间数据发生了变化（如索引号已被占用），"
            + (
                "本次未导入任何信息，请重新导入"
                if not batch_commit
                else f"已提交{report.imported}条，请核对后处理其余信息"
            )
        ) from exc
    report.write_seconds = time.perf_counter() - started
    return report


# --- reading ---------------------------------------------------------------------------------


def _sha256(stream: BinaryIO) -> str:
    """Identifies the file in the audit trail (which file was imported, byte for byte)."""
    digest = hashlib.sha256()
    stream.seek(0)
    while chunk := stream.read(1 << 20):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


class _Reader:
    """The file's rows as (row number, {field: raw value}), readable more than once:
    CSV is streamed again on each pass, JSON is parsed once."""

    def __init__(self, stream: BinaryIO, fmt: Format):
        self.stream, self.fmt = stream, fmt
        self.encoding = _sniff_encoding(stream) if fmt == "csv" else "utf-8-sig"
        self.labels: dict[str, str] = {key: key for key in FIELDS}  # field → name in the file
        self.missing: list[str] = []  # required CSV columns the header lacks
        self._json: list | None = None

    def rows(
        self, header_errors: list[RowError] | None = None
    ) -> Iterator[tuple[int, dict[str, Any]]]:
        if self.fmt == "json":
            yield from self._json_rows(header_errors)
            return
        try:
            yield from self._csv_rows(header_errors)
        except UnicodeDecodeError:
            if self.encoding == "gb18030":
                raise ImportFileError(
                    "文件编码无法识别，请保存为UTF-8或GB18030编码的CSV文件"
                ) from None
            raise _RetryEncoding from None

    def _csv_rows(self, header_errors):
        self.stream.seek(0)
        text = io.TextIOWrapper(self.stream, encoding=self.encoding, newline="")
        try:
            records = csv.reader(text)
            header = next(records, None)
            if header is None:
                raise ImportFileError("文件为空")
            columns = self._header(header, header_errors)
            width = len(columns)
            for number, record in enumerate(records, start=2):
                if not any(cell.strip() for cell in record):
                    continue
                if len(record) > width and any(cell.strip() for cell in record[width:]):
                    yield number, {"__extra__": True}
                    continue
                yield (
                    number,
                    {
                        key: record[i]
                        for i, key in enumerate(columns)
                        if key is not None and i < len(record)
                    },
                )
        except csv.Error as exc:
            raise ImportFileError(f"CSV文件格式错误（{exc}）") from None
        finally:
            text.detach()  # leave the caller's stream open

    def _header(self, header: list[str], errors: list[RowError] | None) -> list[str | None]:
        columns: list[str | None] = []
        seen: set[str] = set()
        for cell in header:
            name = cell.strip().lstrip("\ufeff").strip()
            key = HEADERS.get(name) or HEADERS.get(name.lower())
            if key is None or key in seen:
                if name and errors is not None:
                    message = "表头重复" if key else "无法识别的表头，可用的表头见导入说明"
                    errors.append(RowError(1, name, message))
                columns.append(None)
                continue
            seen.add(key)
            self.labels[key] = name
            columns.append(key)
        self.missing = [key for key in REQUIRED if key not in seen]
        if errors is not None:
            errors.extend(RowError(1, FIELDS[key][0], "缺少必填列") for key in self.missing)
        return columns

    def _json_rows(self, header_errors):
        if self._json is None:
            self.stream.seek(0)
            try:
                data = json.loads(self.stream.read().decode("utf-8-sig"))
            except UnicodeDecodeError:
                raise ImportFileError("JSON文件应为UTF-8编码") from None
            except json.JSONDecodeError as exc:
                raise ImportFileError(
                    f"JSON格式错误（第{exc.lineno}行第{exc.colno}列：{exc.msg}）"
                ) from None
            if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
                raise ImportFileError("JSON文件应为对象的列表，每个对象是一条信息")
            self._json = data
        for number, item in enumerate(self._json, start=1):
            row = {}
            for key, value in item.items():
                if key not in FIELDS:
                    if header_errors is not None:
                        header_errors.append(RowError(number, str(key), "无法识别的字段"))
                    continue
                row[key] = value
            yield number, row


class _RetryEncoding(Exception):
    """A CSV taken for UTF-8 turned out not to be: read it again as GB18030."""


def _sniff_encoding(stream: BinaryIO) -> str:
    stream.seek(0)
    head = stream.read(1 << 16)
    stream.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileError("不支持UTF-16编码，请保存为UTF-8或GB18030编码的CSV文件")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"  # what Excel saves "CSV" as on a Chinese Windows
    return "utf-8"


# --- validation --------------------------------------------------------------------------------


@dataclass
class _Plan:
    """What validation learnt that writing needs, per year: the highest legacy sequence in
    the file, the highest already used by the agency's items, and how many numbers to
    generate."""

    highest: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    existing: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    generate: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    cleaner: _Cleaner | None = None

    @property
    def years(self) -> list[int]:
        """The years whose series the import touches (and no other)."""
        return sorted(set(self.highest) | set(self.generate))

    def first_generated(self, year: int, counter: int) -> int:
        """Generated numbers start after the counter, every legacy number of the year in
        the file and every number the agency already uses (should the counter lag)."""
        return max(counter, self.highest.get(year, 0), self.existing.get(year, 0)) + 1

    def counter_after(self, year: int, counter: int) -> int:
        return self.first_generated(year, counter) - 1 + self.generate.get(year, 0)


@lru_cache(maxsize=65536)
def _parse_date(text: str) -> dt.date | str:
    """A date in one of the forms old systems export, or the Chinese message why not."""
    match = _DATE.fullmatch(text)
    if match is None:
        return "日期格式不正确，应为YYYY-MM-DD、YYYY/MM/DD或YYYY年M月D日"
    year, *parts = match.groups()
    month, day = (int(p) for p in parts if p is not None)
    try:
        return dt.date(int(year), month, day)
    except ValueError:
        return "日期不存在"


class _Cleaner:
    """Turns one raw row into the values of a Publication, or appends its errors.
    Columns and topics are loaded once (two queries), so rows cost no query."""

    def __init__(self, agency: Agency, labels: dict[str, str]):
        self.agency, self.labels = agency, labels
        self.today = clock.today()
        self.topics: dict[str, int] = {}
        for pk, code, name in Topic.objects.values_list("pk", "code", "name"):
            self.topics[code] = self.topics[name] = pk
        columns = {c.pk: c for c in Column.objects.filter(agency=agency)}
        self.columns: dict[str, tuple[int, bool]] = {}
        for column in columns.values():
            names, node = [], column
            while node is not None:
                names.append(node.name.strip())
                node = columns.get(node.parent_id)
            self.columns["/".join(reversed(names))] = (column.pk, column.is_active)
        self._column_cells: dict[str, tuple[tuple[int, ...], list[str]]] = {}
        self.attributes = {c.label: c.value for c in DisclosureAttribute} | {
            c.value: c.value for c in DisclosureAttribute
        }
        self.validities = {c.label: c.value for c in Validity} | {
            c.value: c.value for c in Validity
        }

    def clean(self, number: int, raw: dict[str, Any], errors: list[RowError]) -> dict | None:
        def fail(key: str, message: str) -> None:
            errors.append(RowError(number, self.labels.get(key, key), message))

        if raw.get("__extra__"):
            fail("", "本行的列数多于表头")
            return None
        before = len(errors)
        values = {key: _text(raw.get(key)) for key in _PLAIN_FIELDS}
        for key, label, limit in _LIMITS:
            if len(values[key]) > limit:
                fail(key, f"{label}不能超过{limit}个字")
        if not values["title"]:
            fail("title", "请填写标题")
        dates = {}
        for key in ("written_on", "published_on"):
            if not values[key]:
                fail(key, f"请填写{FIELDS[key][0]}")
                continue
            parsed = _parse_date(values[key])
            if isinstance(parsed, str):
                fail(key, parsed)
            elif parsed > self.today:
                fail(key, f"{FIELDS[key][0]}不能晚于今天")
            else:
                dates[key] = parsed
        if len(dates) == 2 and dates["published_on"] < dates["written_on"]:
            fail("published_on", "发布日期不能早于成文日期")

        topic_id = None
        if values["topic"]:
            topic_id = self.topics.get(values["topic"])
            if topic_id is None:
                fail("topic", f"主题分类“{values['topic']}”不存在")
        column_ids, problems = self._columns(raw.get("columns"))
        for message in problems:
            fail("columns", message)
        attribute = self.attributes.get(
            values["disclosure_attribute"] or DisclosureAttribute.PROACTIVE
        )
        if attribute is None:
            fail("disclosure_attribute", f"公开属性“{values['disclosure_attribute']}”无效")
        elif attribute != DisclosureAttribute.PROACTIVE:
            fail("disclosure_attribute", "已公开的信息，公开属性应为主动公开")
        validity = self.validities.get(values["validity"] or Validity.VALID)
        if validity is None:
            fail("validity", "有效性应为有效、失效或废止")
        if len(errors) > before:
            return None
        return {
            "index_number": values["index_number"],
            "title": values["title"],
            "issuing_agency": values["issuing_agency"] or self.agency.name,
            "doc_number": values["doc_number"],
            "written_on": dates["written_on"],
            "published_on": dates["published_on"],
            "topic_id": topic_id,
            "column_ids": column_ids,
            "validity": validity,
            "body": _raw_text(raw.get("body")),
            "keywords": values["keywords"],
        }

    def _columns(self, cell: Any) -> tuple[tuple[int, ...], list[str]]:
        paths = [_text(p) for p in cell] if isinstance(cell, list) else None
        key = "；".join(paths) if paths is not None else _text(cell)
        cached = self._column_cells.get(key)
        if cached is not None:
            return cached
        if paths is None:
            paths = _LIST_SEPARATOR.split(key)
        ids: list[int] = []
        problems: list[str] = []
        for path in paths:
            path = "/".join(part.strip() for part in _PATH_SEPARATOR.split(path.strip()))
            if not path:
                continue
            found = self.columns.get(path)
            if found is None:
                problems.append(f"栏目“{path}”不存在")
            elif not found[1]:
                problems.append(f"栏目“{path}”已停用")
            elif found[0] not in ids:
                ids.append(found[0])
        if not ids and not problems:
            problems.append("请填写栏目（主动公开的信息至少要选择一个栏目）")
        result = (tuple(sorted(ids)), problems)
        if len(self._column_cells) < 10000:
            self._column_cells[key] = result
        return result


def _text(value: Any) -> str:
    if value is None:
        return ""
    return (value if isinstance(value, str) else str(value)).strip()


def _raw_text(value: Any) -> str:
    return "" if value is None else value if isinstance(value, str) else str(value)


def _index_key(year: int, sequence: int) -> int:
    """One int per index number for the duplicate checks: "2017-7" and "2017-00007" are
    the same number of the series."""
    return year * 10_000_000_000 + sequence


def _validate(reader: _Reader, *, agency: Agency, report: ImportReport, max_errors: int) -> _Plan:
    """Read every row once; collect errors, the legacy numbers' high-water marks and how
    many numbers each year needs. Reads the database three times whatever the size."""
    for _attempt in range(2):
        try:
            return _validate_pass(reader, agency=agency, report=report, max_errors=max_errors)
        except _RetryEncoding:
            reader.encoding = "gb18030"
    raise AssertionError("unreachable")


def _validate_pass(
    reader: _Reader, *, agency: Agency, report: ImportReport, max_errors: int
) -> _Plan:
    plan = _Plan()
    report.rows = report.valid_rows = report.kept_numbers = report.generated_numbers = 0
    existing: set[int] = set()
    own = re.compile(re.escape(agency.code) + r"/([0-9]{4})-([0-9]+)")
    for number in (
        Publication.objects.filter(agency=agency)
        .values_list("index_number", flat=True)
        .iterator(chunk_size=10000)
    ):
        match = own.fullmatch(number)
        if match:
            year, sequence = int(match[1]), int(match[2])
            existing.add(_index_key(year, sequence))
            plan.existing[year] = max(plan.existing[year], sequence)

    errors: list[RowError] = []
    error_count = 0

    def flush() -> None:
        nonlocal error_count
        error_count += len(errors)
        room = max_errors - len(report.errors)
        report.errors.extend(errors[: max(room, 0)])
        errors.clear()

    seen: dict[int, int] = {}  # index key → row
    rows = reader.rows(errors)
    cleaner: _Cleaner | None = None
    for number, raw in rows:
        if cleaner is None:  # after the header, which names the fields in messages
            if reader.missing:  # every row would fail the same way: the header says it once
                break
            cleaner = _Cleaner(agency, reader.labels)
        report.rows += 1
        cleaned = cleaner.clean(number, raw, errors)
        index_number = _text(raw.get("index_number"))
        if index_number:
            key = _check_index_number(
                index_number, number, agency, own, reader.labels, errors, today=cleaner.today
            )
            if key is not None:
                if key in seen:
                    errors.append(
                        RowError(
                            number, reader.labels["index_number"], f"索引号与第{seen[key]}行重复"
                        )
                    )
                elif key in existing:
                    year, sequence = divmod(key, 10_000_000_000)
                    errors.append(
                        RowError(
                            number,
                            reader.labels["index_number"],
                            f"索引号已存在（本机关{year}年第{sequence}号已被使用）",
                        )
                    )
                else:
                    seen[key] = number
                    if cleaned is not None:
                        year, sequence = divmod(key, 10_000_000_000)
                        plan.highest[year] = max(plan.highest[year], sequence)
                        report.kept_numbers += 1
                        report.valid_rows += 1
        elif cleaned is not None:
            plan.generate[cleaned["published_on"].year] += 1
            report.generated_numbers += 1
            report.valid_rows += 1
        if errors:
            flush()
    rows.close()
    flush()
    if report.rows == 0 and error_count == 0:
        report.errors.append(RowError(0, "", "文件中没有信息"))
        error_count = 1
    report.error_count = error_count
    plan.cleaner = cleaner
    return plan


def _check_index_number(
    value: str,
    number: int,
    agency: Agency,
    own: re.Pattern,
    labels,
    errors: list[RowError],
    *,
    today: dt.date,
) -> int | None:
    label = labels["index_number"]
    match = own.fullmatch(value)
    if match is None:
        general = _INDEX_NUMBER.fullmatch(value)
        if general is not None and general[1] != agency.code:
            errors.append(
                RowError(number, label, f"索引号不属于本机关（应以本机关代码{agency.code}开头）")
            )
        else:
            errors.append(RowError(number, label, f"索引号格式不正确，应为{agency.code}/年份-序号"))
        return None
    year, sequence = int(match[1]), int(match[2])
    if not FIRST_YEAR <= year <= today.year:
        errors.append(RowError(number, label, f"索引号中的年份{year}无效"))
        return None
    if not 1 <= sequence <= MAX_SEQUENCE:
        errors.append(RowError(number, label, "索引号中的序号无效"))
        return None
    return _index_key(year, sequence)


def _scope(agency: Agency) -> str:
    return f"publishing.index.{agency.pk}"  # the series of services.publications.new_index_number


def _series_preview(agency: Agency, plan: _Plan) -> dict[int, tuple[int, int]]:
    current = dict(
        SequenceCounter.objects.filter(scope=_scope(agency), year__in=plan.years).values_list(
            "year", "value"
        )
    )
    return {
        year: (current.get(year, 0), plan.counter_after(year, current.get(year, 0)))
        for year in plan.years
    }


# --- writing ---------------------------------------------------------------------------------


class _Writer:
    def __init__(
        self, *, actor, agency: Agency, plan: _Plan, report: ImportReport, batch_size: int
    ):
        if not connection.features.can_return_rows_from_bulk_insert:
            raise RuntimeError("the import needs a database that returns keys from bulk inserts")
        self.actor, self.agency, self.plan, self.report = actor, agency, plan, report
        self.batch_size = batch_size
        self.next_sequence: dict[int, int] = {}
        self.through = Publication.columns.through
        self.now = clock.now()
        # Same limit bulk_create assumes; the IN list of the published_revision update.
        self.in_chunk = max(1, (connection.features.max_query_params or 10000) - 1)
        from gongkai.publishing.services.publications import visibility_listeners

        self.listeners = visibility_listeners

    def write_all(self, reader: _Reader) -> None:
        self.reserve_series()
        for batch in self.batches(reader):
            self.write_batch(batch)
        self.record()

    def write_in_batches(self, reader: _Reader) -> None:
        """Each batch commits on its own; the audit entry goes with the last one."""
        with transaction.atomic():
            self.reserve_series()
        committed = 0
        try:
            for batch in self.batches(reader):
                with transaction.atomic():
                    self.write_batch(batch)
                    if self.report.imported == self.report.valid_rows:
                        self.record()
                committed = self.report.imported
        except BaseException:
            self.report.imported = committed
            if committed:
                try:
                    with transaction.atomic():
                        audit.record(
                            actor=self.actor,
                            action="publishing.import_interrupted",
                            obj=self.agency,
                            agency=self.agency,
                            after=self.report.audit_summary(),
                        )
                except Exception:  # the database may be what failed; keep the first error
                    logger.exception(
                        "could not record the interrupted import of %s", self.agency.code
                    )
            raise

    def reserve_series(self) -> None:
        """Lock each year's counter and move it past every legacy number plus the numbers
        this import generates, so concurrent drafters carry on after them."""
        plan, scope = self.plan, _scope(self.agency)
        years = plan.years
        if not years:
            return
        SequenceCounter.objects.bulk_create(
            [SequenceCounter(scope=scope, year=year, value=0) for year in years],
            ignore_conflicts=True,
        )
        counters = list(
            SequenceCounter.objects.select_for_update().filter(scope=scope, year__in=years)
        )
        for counter in counters:
            before = counter.value
            self.next_sequence[counter.year] = plan.first_generated(counter.year, before)
            counter.value = plan.counter_after(counter.year, before)
            self.report.series[counter.year] = (before, counter.value)
        SequenceCounter.objects.bulk_update(counters, ["value"])

    def batches(self, reader: _Reader) -> Iterator[list[dict]]:
        cleaner = self.plan.cleaner
        batch: list[dict] = []
        errors: list[RowError] = []
        for number, raw in reader.rows():
            item = cleaner.clean(number, raw, errors)
            if item is None:  # validated a moment ago: the file changed in between
                raise ImportFileError(f"第{number}行在校验后发生变化，已停止导入")
            if not item["index_number"]:
                year = item["published_on"].year
                item["index_number"] = f"{self.agency.code}/{year}-{self.next_sequence[year]:05d}"
                item["generated"] = True
                self.next_sequence[year] += 1
            batch.append(item)
            if len(batch) >= self.batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    def write_batch(self, items: list[dict]) -> None:
        agency_id, actor_id = self.agency.pk, self.actor.pk
        publications = []
        for item in items:
            item["body"] = sanitise_html(item["body"])
            publications.append(
                Publication(
                    agency_id=agency_id,
                    index_number=item["index_number"],
                    status=PublicationStatus.PUBLISHED,
                    title=item["title"],
                    issuing_agency=item["issuing_agency"],
                    doc_number=item["doc_number"],
                    written_on=item["written_on"],
                    published_on=item["published_on"],
                    topic_id=item["topic_id"],
                    disclosure_attribute=DisclosureAttribute.PROACTIVE,
                    validity=item["validity"],
                    body=item["body"],
                    keywords=item["keywords"],
                    created_by_id=actor_id,
                )
            )
        Publication.objects.bulk_create(publications)
        revisions = [
            PublicationRevision(
                publication_id=publication.pk,
                number=1,
                title=item["title"],
                doc_number=item["doc_number"],
                body=item["body"],
                created_by_id=actor_id,
                metadata=_revision_metadata(item),
            )
            for publication, item in zip(publications, items, strict=True)
        ]
        PublicationRevision.objects.bulk_create(revisions)
        ids = [p.pk for p in publications]
        first_revision = PublicationRevision.objects.filter(publication=OuterRef("pk"), number=1)
        for start in range(0, len(ids), self.in_chunk):
            Publication.objects.filter(pk__in=ids[start : start + self.in_chunk]).update(
                published_revision=Subquery(first_revision.values("pk")[:1])
            )
        PublicationEvent.objects.bulk_create(
            [
                PublicationEvent(
                    publication_id=publication.pk,
                    action=IMPORT_ACTION,
                    from_status="",
                    to_status=PublicationStatus.PUBLISHED,
                    at=self.now,
                    actor_id=actor_id,
                    data={
                        "revision": 1,
                        "index_number": "generated" if item.get("generated") else "kept",
                    },
                )
                for publication, item in zip(publications, items, strict=True)
            ]
        )
        self.through.objects.bulk_create(
            [
                self.through(publication_id=publication.pk, column_id=column_id)
                for publication, item in zip(publications, items, strict=True)
                for column_id in item["column_ids"]
            ]
        )
        self.report.imported += len(publications)
        if self.listeners:  # whatever mirrors the public set (search) learns of each item
            for publication, revision in zip(publications, revisions, strict=True):
                publication.published_revision_id = revision.pk
            for listener in list(self.listeners):
                # A listener may take the whole batch at once (``listener.many``), so the
                # query count of an import does not grow with its rows.
                many = getattr(listener, "many", None)
                if many is not None:
                    many(publications, True)
                else:
                    for publication in publications:
                        listener(publication, True)

    def record(self) -> None:
        audit.record(
            actor=self.actor,
            action="publishing.import",
            obj=self.agency,
            agency=self.agency,
            after=self.report.audit_summary(),
        )


def _revision_metadata(item: dict) -> dict:
    """The catalogue fields beside the text, shaped like services.publications._snapshot."""
    return {
        "issuing_agency": item["issuing_agency"],
        "department_id": None,
        "written_on": item["written_on"].isoformat(),
        "topic_id": item["topic_id"],
        "disclosure_attribute": DisclosureAttribute.PROACTIVE.value,
        "validity": item["validity"],
        "keywords": item["keywords"],
        "column_ids": list(item["column_ids"]),
        "attachment_ids": [],
    }


def write_error_report(errors: Iterable[RowError], out: io.TextIOBase) -> None:
    """The errors as a CSV a spreadsheet opens (行号, 字段, 错误信息)."""
    writer = csv.writer(out)
    writer.writerow(["行号", "字段", "错误信息"])
    for error in errors:
        writer.writerow([error.row, error.field, error.message])
