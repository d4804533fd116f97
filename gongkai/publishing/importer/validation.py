"""Validating an import file before anything is written: each row checked and mapped to the
values of a Publication, the legacy index numbers checked against the agency's series, and
the plan of what writing will need (see ``gongkai.publishing.importer``)."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from gongkai.core import clock
from gongkai.core.models import Agency, SequenceCounter
from gongkai.publishing.importer.reading import FIELDS, Reader, RetryEncoding
from gongkai.publishing.importer.report import ImportReport, RowError
from gongkai.publishing.models import Column, DisclosureAttribute, Publication, Topic, Validity

_PLAIN_FIELDS = tuple(key for key in FIELDS if key not in ("columns", "body"))  # stripped text
_LIMITS = tuple((key, label, limit) for key, (label, limit) in FIELDS.items() if limit)

_DATE = re.compile(
    r"(\d{4})(?:-(\d{1,2})-(\d{1,2})|/(\d{1,2})/(\d{1,2})|年(\d{1,2})月(\d{1,2})日)"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"  # old systems often export "2017-12-08 00:00:00"
)
_INDEX_NUMBER = re.compile(r"([0-9A-Za-z]+)/([0-9]{4})-([0-9]+)")
_LIST_SEPARATOR = re.compile(r"[;；]")
_PATH_SEPARATOR = re.compile(r"[/／]")
MAX_SEQUENCE = 2_147_483_647  # SequenceCounter.value is a PositiveIntegerField
FIRST_YEAR = 1949


@dataclass
class Plan:
    """What validation learnt that writing needs, per year: the highest legacy sequence in
    the file, the highest already used by the agency's items, and how many numbers to
    generate."""

    highest: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    existing: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    generate: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    cleaner: Cleaner | None = None

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
def parse_date(text: str) -> dt.date | str:
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


class Cleaner:
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
            parsed = parse_date(values[key])
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


def validate(reader: Reader, *, agency: Agency, report: ImportReport, max_errors: int) -> Plan:
    """Read every row once; collect errors, the legacy numbers' high-water marks and how
    many numbers each year needs. Reads the database three times whatever the size."""
    for _attempt in range(2):
        try:
            return _validate_pass(reader, agency=agency, report=report, max_errors=max_errors)
        except RetryEncoding:
            reader.encoding = "gb18030"
    raise AssertionError("unreachable")


def _validate_pass(
    reader: Reader, *, agency: Agency, report: ImportReport, max_errors: int
) -> Plan:
    plan = Plan()
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
    cleaner: Cleaner | None = None
    for number, raw in rows:
        if cleaner is None:  # after the header, which names the fields in messages
            if reader.missing:  # every row would fail the same way: the header says it once
                break
            cleaner = Cleaner(agency, reader.labels)
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


def series_scope(agency: Agency) -> str:
    return f"publishing.index.{agency.pk}"  # the series of services.drafting.new_index_number


def series_preview(agency: Agency, plan: Plan) -> dict[int, tuple[int, int]]:
    current = dict(
        SequenceCounter.objects.filter(scope=series_scope(agency), year__in=plan.years).values_list(
            "year", "value"
        )
    )
    return {
        year: (current.get(year, 0), plan.counter_after(year, current.get(year, 0)))
        for year in plan.years
    }
