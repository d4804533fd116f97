"""Working-day (工作日) arithmetic for statutory disclosure time limits.

Every time limit in the Regulations on the Disclosure of Government Information
(《政府信息公开条例》) is expressed in working days: Art. 33 (reply within 20
working days of receipt, extendable by at most 20 more; time spent consulting
third parties is not counted), Art. 30 (7 working days to ask for a
correction), Art. 32 (15 working days for a third party's opinion). A working
day is Monday-Friday, minus statutory holidays, plus the weekend days the
State Council declares working days (调休 make-up days).

Counting rule: the day of the triggering event (receipt, supplement, ...) is
not counted; the period ends on the N-th working day after it.

Data sources, in order of precedence for a single date:

1. administrator overrides (date -> working or not);
2. the ``chinesecalendar`` package schedule, for the years it carries (a year
   whose schedule an administrator loaded has its days as overrides, and
   Monday-Friday for the rest);
3. in a provisional year (below) only: the holidays of 《全国年节及纪念日放假办法》
   Art. 2 and their make-up days (补假, Art. 6), computed by
   :mod:`gongkai.core.holiday_law` from ``core/data/holiday_law.toml`` and
   ``lunar-python``;
4. the plain Monday-Friday rule.

A year with neither package data nor an administrator-declared schedule is
*provisional*: results are computed with the holiday law (plus any overrides)
and flagged so the UI can warn that the deadline may move once the State
Council publishes that year's notice (its 调休 cannot be predicted);
:meth:`WorkingDayCalendar.provisional_holiday_near` names the computed holiday a
provisional date is close enough to for that to matter.

This module is deliberately free of Django imports: the Django layer builds a
:class:`WorkingDayCalendar` from its override/schedule tables and passes it in.
"""

from __future__ import annotations

import codecs
import datetime
import enum
import re
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from chinese_calendar import constants as _cc

from gongkai.core.holiday_law import HolidayBlock, HolidayLaw, default_law
from gongkai.core.rules import rule

__all__ = [
    "MAX_WORKING_DAYS",
    "PACKAGE_YEARS",
    "DayKind",
    "ParsedSchedule",
    "ScheduleEntry",
    "ScheduleError",
    "WorkingDayCalendar",
    "WorkingDaySpan",
    "add_working_days",
    "default_calendar",
    "parse_schedule_file",
    "working_days_between",
]

# No statutory limit comes anywhere near this (the longest are 20 + 20 working
# days); the guard stops a typo or a corrupted value from walking for minutes.
MAX_WORKING_DAYS = 100_000

# Spans longer than this (~420 years) are refused for the same reason: every
# year touched gets a lazily built table. It still admits MAX_WORKING_DAYS in
# provisional years: the holiday law leaves at least 247 working days a year.
_MAX_SPAN_DAYS = 153_400

_MIN_YEAR = datetime.MINYEAR
_MAX_YEAR = datetime.MAXYEAR


class DayKind(enum.Enum):
    """Why a date is, or is not, a working day."""

    WORKDAY = "workday"  # ordinary Monday-Friday
    WEEKEND = "weekend"  # ordinary Saturday/Sunday
    HOLIDAY = "holiday"  # statutory holiday period (any day of it, weekends included)
    MAKEUP_WORKDAY = "makeup_workday"  # weekend day declared a working day (调休)
    OVERRIDE_WORKDAY = "override_workday"  # administrator override: working
    OVERRIDE_REST = "override_rest"  # administrator override: not working

    @property
    def is_working(self) -> bool:
        return self in _WORKING_KINDS

    @property
    def label(self) -> str:
        """Short Chinese label for display."""
        return _KIND_LABELS[self]


_WORKING_KINDS = frozenset({DayKind.WORKDAY, DayKind.MAKEUP_WORKDAY, DayKind.OVERRIDE_WORKDAY})
_KIND_LABELS = {
    DayKind.WORKDAY: "工作日",
    DayKind.WEEKEND: "周末",
    DayKind.HOLIDAY: "法定节假日",
    DayKind.MAKEUP_WORKDAY: "调休上班日",
    DayKind.OVERRIDE_WORKDAY: "人工设定工作日",
    DayKind.OVERRIDE_REST: "人工设定休息日",
}


# --------------------------------------------------------------------------
# Package data
# --------------------------------------------------------------------------

# The package itself treats a year as supported when it falls within the range
# of its holiday table; every supported year has at least New Year's Day in it,
# so the set of years with a holiday entry is the same thing without relying
# on the range being contiguous.
PACKAGE_YEARS: frozenset[int] = frozenset(d.year for d in _cc.holidays)


@cache
def _package_year(year: int) -> tuple[frozenset[datetime.date], frozenset[datetime.date]]:
    """(holidays, make-up workdays) of one package year, read from the raw dicts.

    The package's own is_workday() raises for unsupported years and does a
    range check per call, so we index its constant tables directly.
    """
    holidays = frozenset(d for d in _cc.holidays if d.year == year)
    workdays = frozenset(d for d in _cc.workdays if d.year == year)
    return holidays, workdays


# --------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------


def _check_date(value: object, name: str) -> datetime.date:
    # datetime is a subclass of date; comparing one with a date is always
    # unequal and mixes time zones in, so refuse it loudly.
    if isinstance(value, datetime.datetime):
        raise TypeError(
            f"{name} must be a datetime.date, not a datetime.datetime; call .date() first"
        )
    if not isinstance(value, datetime.date):
        raise TypeError(f"{name} must be a datetime.date, got {type(value).__name__}")
    return value


def _check_n(n: object) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise ValueError(f"n must be a non-negative int, got {type(n).__name__} {n!r}")
    if n < 0:
        raise ValueError(f"n must be a non-negative int, got {n}")
    if n > MAX_WORKING_DAYS:
        raise ValueError(f"n={n} exceeds the maximum of {MAX_WORKING_DAYS} working days")
    return n


def _check_year(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"scheduled year must be an int, got {type(value).__name__} {value!r}")
    if not _MIN_YEAR <= value <= _MAX_YEAR:
        raise ValueError(f"scheduled year {value} is out of range")
    return value


# --------------------------------------------------------------------------
# Calendar
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkingDaySpan:
    """The result of adding ``days`` working days to ``start``, with its reasons.

    ``holidays`` and ``makeup_days`` only list dates that changed the outcome
    relative to the plain Monday-Friday rule, so they can be shown to the
    requester when explaining a deadline.
    """

    start: datetime.date
    days: int
    end: datetime.date
    provisional: bool
    provisional_years: tuple[int, ...]
    holidays: tuple[datetime.date, ...]
    makeup_days: tuple[datetime.date, ...]


@dataclass(frozen=True, slots=True)
class _YearTable:
    jan1: int  # ordinal of 1 January
    kinds: tuple[DayKind, ...]  # one per day of the year
    # cum[i] = working days among the first i days of the year; len(kinds) + 1 entries.
    cum: array

    @property
    def total(self) -> int:
        return self.cum[-1]


class WorkingDayCalendar:
    """Working-day calendar with administrator overrides and schedule tracking.

    Instances are immutable after construction; per-year lookup tables are
    built lazily on first use and cached on the instance, so one calendar can
    serve a whole dashboard of deadlines cheaply.

    ``holiday_law`` gives the rest days of provisional years (default: the
    shipped law); ``None`` counts them Monday-Friday only.
    """

    def __init__(
        self,
        *,
        overrides: Mapping[datetime.date, bool] | None = None,
        scheduled_years: Iterable[int] = (),
        use_package_data: bool = True,
        holiday_law: HolidayLaw | None = default_law(),  # noqa: B008 - immutable, loaded once
    ) -> None:
        clean: dict[datetime.date, bool] = {}
        for day, working in (overrides or {}).items():
            _check_date(day, "override date")
            if not isinstance(working, bool):
                # A str such as "休" would be truthy; insist on a real bool.
                raise TypeError(f"override for {day} must be a bool, got {type(working).__name__}")
            clean[day] = working
        by_year: dict[int, dict[datetime.date, bool]] = {}
        for day, working in clean.items():
            by_year.setdefault(day.year, {})[day] = working

        self._overrides = MappingProxyType(clean)
        self._overrides_by_year = by_year
        self._use_package_data = bool(use_package_data)
        self._scheduled_years = frozenset(_check_year(y) for y in scheduled_years)
        self._package_years = PACKAGE_YEARS if self._use_package_data else frozenset()
        self._known_years = self._package_years | self._scheduled_years
        self._holiday_law = holiday_law
        self._tables: dict[int, _YearTable] = {}

    def __repr__(self) -> str:
        return (
            f"WorkingDayCalendar(overrides={len(self._overrides)}, "
            f"scheduled_years={sorted(self._scheduled_years)}, "
            f"use_package_data={self._use_package_data}, "
            f"holiday_law={self._holiday_law is not None})"
        )

    # -- configuration ------------------------------------------------------

    @property
    def known_years(self) -> frozenset[int]:
        """Years with a schedule: package years (if used) plus declared years."""
        return self._known_years

    @property
    def scheduled_years(self) -> frozenset[int]:
        return self._scheduled_years

    @property
    def overrides(self) -> Mapping[datetime.date, bool]:
        return self._overrides

    @property
    def use_package_data(self) -> bool:
        return self._use_package_data

    @property
    def holiday_law(self) -> HolidayLaw | None:
        return self._holiday_law

    def law_blocks(self, year: int) -> tuple[HolidayBlock, ...]:
        """The holiday blocks computed from the law for ``year`` if it is provisional
        (empty for a year with a schedule, or without a law to apply)."""
        if year in self._known_years or self._holiday_law is None:
            return ()
        return self._holiday_law.year(year).blocks

    # -- per-year tables ------------------------------------------------------

    def _table(self, year: int) -> _YearTable:
        table = self._tables.get(year)
        if table is None:
            table = self._build_table(year)
            # Concurrent builders produce identical tables, so a race is harmless.
            self._tables[year] = table
        return table

    def _build_table(self, year: int) -> _YearTable:
        first = datetime.date(year, 1, 1)
        ndays = (datetime.date(year, 12, 31) - first).days + 1
        overrides = self._overrides_by_year.get(year, {})
        if year in self._package_years:
            holidays, makeups = _package_year(year)
        elif year not in self._known_years and self._holiday_law is not None:
            # Provisional: the law's holidays and make-up days (补假) are rest days;
            # the notice's 调休 working weekends are unknown, so there are none.
            holidays, makeups = self._holiday_law.year(year).rest_days, frozenset()
        else:
            holidays = makeups = frozenset()

        kinds: list[DayKind] = []
        cum = array("H", [0])
        count = 0
        for ordinal in range(first.toordinal(), first.toordinal() + ndays):
            day = datetime.date.fromordinal(ordinal)
            weekend = day.weekday() >= 5
            if day in overrides:
                kind = DayKind.OVERRIDE_WORKDAY if overrides[day] else DayKind.OVERRIDE_REST
            elif day in makeups:
                # The package only lists weekend days here; a weekday would be
                # an ordinary workday anyway.
                kind = DayKind.MAKEUP_WORKDAY if weekend else DayKind.WORKDAY
            elif day in holidays:
                kind = DayKind.HOLIDAY
            else:
                kind = DayKind.WEEKEND if weekend else DayKind.WORKDAY
            kinds.append(kind)
            if kind.is_working:
                count += 1
            cum.append(count)
        return _YearTable(jan1=first.toordinal(), kinds=tuple(kinds), cum=cum)

    def _index(self, d: datetime.date) -> tuple[_YearTable, int]:
        table = self._table(d.year)
        return table, d.toordinal() - table.jan1

    def _working_through(self, d: datetime.date) -> tuple[_YearTable, int]:
        """(table, working days from 1 January through d inclusive)."""
        table, i = self._index(d)
        return table, table.cum[i + 1]

    # -- single dates ---------------------------------------------------------

    @rule
    def day_kind(self, d: datetime.date) -> DayKind:
        """Whether ``d`` is a working day, and why: Monday to Friday, minus the statutory
        holidays, plus the weekend days the State Council's yearly notice makes working
        days (调休); an administrator's override wins.

        依据：放假办法第二条；放假办法第六条
        """
        _check_date(d, "d")
        table, i = self._index(d)
        return table.kinds[i]

    def is_working_day(self, d: datetime.date) -> bool:
        return self.day_kind(d).is_working

    def is_known(self, d: datetime.date) -> bool:
        """True if the year of ``d`` has an official schedule (package or declared)."""
        _check_date(d, "d")
        return d.year in self._known_years

    def is_provisional(self, d: datetime.date) -> bool:
        """True if ``d`` was computed from the holiday law (or Monday-Friday) for lack of a
        schedule."""
        return not self.is_known(d)

    def provisional_holiday_near(
        self, d: datetime.date, within_days: int = 7
    ) -> HolidayBlock | None:
        """For a date in a provisional year: the computed holiday block it lies in or
        within ``within_days`` calendar days of (the nearest one); else None.

        The State Council's 调休 moves working days around a holiday (a weekend before or
        after it is worked, the break is lengthened), so a provisional date this close to
        one may still move either way once the notice is out. A date in a year with a
        schedule cannot move, however close the next year's holiday.
        """
        if not self.is_provisional(d):
            return None
        nearest: tuple[int, HolidayBlock] | None = None
        for year in range(max(d.year - 1, _MIN_YEAR), min(d.year + 1, _MAX_YEAR) + 1):
            for block in self.law_blocks(year):
                if d < block.first:
                    distance = (block.first - d).days
                elif d > block.last:
                    distance = (d - block.last).days
                else:
                    distance = 0
                if distance <= within_days and (nearest is None or distance < nearest[0]):
                    nearest = (distance, block)
        return nearest[1] if nearest else None

    # -- arithmetic -------------------------------------------------------------

    @rule
    def add_working_days(self, start: datetime.date, n: int) -> datetime.date:
        """The N-th working day after ``start`` (Art. 33 counting).

        The day of the triggering event is not counted, whether or not it is a
        working day itself; ``n == 0`` returns ``start`` unchanged.

        依据：民法典第二百零一条
        """
        _check_date(start, "start")
        n = _check_n(n)
        if n == 0:
            return start
        table, target = self._working_through(start)
        target += n
        year = start.year
        # Walk whole years using the cumulative counts, then bisect inside the
        # year that contains the answer.
        while target > table.total:
            target -= table.total
            year += 1
            if year > _MAX_YEAR:
                raise ValueError("result is beyond the largest representable date")
            table = self._table(year)
        j = bisect_left(table.cum, target)  # first j with cum[j] >= target, j >= 1
        return datetime.date.fromordinal(table.jan1 + j - 1)

    def explain_add_working_days(self, start: datetime.date, n: int) -> WorkingDaySpan:
        """Like :meth:`add_working_days`, plus what shaped the result.

        Used to show requesters why a reply deadline (Art. 33) falls where it
        does and whether it may still move (provisional years).
        """
        end = self.add_working_days(start, n)
        holidays: list[datetime.date] = []
        makeups: list[datetime.date] = []
        for day, kind in self._iter_kinds(start, end):
            weekend = day.weekday() >= 5
            if kind.is_working and weekend:
                makeups.append(day)
            elif not kind.is_working and not weekend:
                holidays.append(day)
        years = self._provisional_years(start, end)
        return WorkingDaySpan(
            start=start,
            days=n,
            end=end,
            provisional=bool(years),
            provisional_years=years,
            holidays=tuple(holidays),
            makeup_days=tuple(makeups),
        )

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days d with start < d <= end; negated when end < start; 0 when equal.

        ``working_days_between(s, add_working_days(s, n)) == n`` for every n, so
        this gives the days elapsed (or, with today as start, remaining) of a
        statutory period.
        """
        _check_date(start, "start")
        _check_date(end, "end")
        if end < start:
            return -self._count(end, start)
        return self._count(start, end)

    def next_working_day(self, d: datetime.date) -> datetime.date:
        """First working day strictly after ``d``."""
        return self.add_working_days(d, 1)

    def is_span_provisional(self, start: datetime.date, end: datetime.date) -> bool:
        """True if any day in (start, end] lies in a year without a schedule.

        Symmetric: for end < start the span (end, start] is checked, so an
        overdue count is flagged the same way as a remaining one.
        """
        _check_date(start, "start")
        _check_date(end, "end")
        lo, hi = (start, end) if start <= end else (end, start)
        return bool(self._provisional_years(lo, hi))

    # -- internals ------------------------------------------------------------

    def _count(self, lo: datetime.date, hi: datetime.date) -> int:
        """Working days in (lo, hi], lo <= hi."""
        if (hi - lo).days > _MAX_SPAN_DAYS:
            raise ValueError(f"span from {lo} to {hi} is too long to count")
        lo_table, lo_through = self._working_through(lo)
        _, hi_through = self._working_through(hi)
        if lo.year == hi.year:
            return hi_through - lo_through
        middle = sum(self._table(y).total for y in range(lo.year + 1, hi.year))
        return (lo_table.total - lo_through) + middle + hi_through

    def _iter_kinds(
        self, lo: datetime.date, hi: datetime.date
    ) -> Iterator[tuple[datetime.date, DayKind]]:
        """(date, kind) for every date in (lo, hi]."""
        if (hi - lo).days > _MAX_SPAN_DAYS:
            raise ValueError(f"span from {lo} to {hi} is too long to explain")
        for ordinal in range(lo.toordinal() + 1, hi.toordinal() + 1):
            day = datetime.date.fromordinal(ordinal)
            table = self._table(day.year)
            yield day, table.kinds[ordinal - table.jan1]

    def _provisional_years(self, lo: datetime.date, hi: datetime.date) -> tuple[int, ...]:
        """Unscheduled years touched by (lo, hi]; empty when lo >= hi."""
        if hi <= lo:
            return ()
        first = (lo + datetime.timedelta(days=1)).year
        return tuple(y for y in range(first, hi.year + 1) if y not in self._known_years)


_DEFAULT_CALENDAR = WorkingDayCalendar()


def default_calendar() -> WorkingDayCalendar:
    """The shared calendar built from package data only (no overrides)."""
    return _DEFAULT_CALENDAR


def add_working_days(
    start: datetime.date, n: int, *, calendar: WorkingDayCalendar | None = None
) -> datetime.date:
    """Module-level shortcut for :meth:`WorkingDayCalendar.add_working_days`."""
    return (calendar or _DEFAULT_CALENDAR).add_working_days(start, n)


def working_days_between(
    start: datetime.date, end: datetime.date, *, calendar: WorkingDayCalendar | None = None
) -> int:
    """Module-level shortcut for :meth:`WorkingDayCalendar.working_days_between`."""
    return (calendar or _DEFAULT_CALENDAR).working_days_between(start, end)


# --------------------------------------------------------------------------
# Schedule files
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleEntry:
    line: int
    day: datetime.date
    is_working: bool


@dataclass(frozen=True)
class ScheduleError:
    line: int  # 0 for whole-file problems
    message: str  # Simplified Chinese, shown to administrators as-is


@dataclass(frozen=True)
class ParsedSchedule:
    entries: tuple[ScheduleEntry, ...]
    errors: tuple[ScheduleError, ...]
    years: frozenset[int]

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.entries)

    def as_overrides(self) -> dict[datetime.date, bool]:
        """Entries as an ``overrides`` mapping for :class:`WorkingDayCalendar`."""
        return {e.day: e.is_working for e in self.entries}


_MARKERS = {"休": False, "班": True}

# date, then a comma/full-width comma (optionally padded) or whitespace, then the marker.
_LINE_RE = re.compile(r"(?P<date>[^\s,，]+)(?:\s*[,，]\s*|\s+)(?P<marker>[^\s,，]+)")
_DATE_RES = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"),
)
_NEWLINE_RE = re.compile(r"\r\n|\r|\n")


def _decode(data: bytes) -> str | None:
    # A UTF-8 BOM survives decoding as U+FEFF and is stripped by the caller.
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Windows Notepad's "Unicode" encoding.
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # Offices on older Windows installs save as GBK/GB18030 by default.
        return data.decode("gb18030")
    except UnicodeDecodeError:
        return None


def _parse_date(text: str, lineno: int) -> datetime.date | str:
    """The date, or the error message explaining why ``text`` is not one."""
    for pattern in _DATE_RES:
        m = pattern.fullmatch(text)
        if m:
            try:
                return datetime.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return f"第{lineno}行：日期“{text}”无效"
    return f"第{lineno}行：日期“{text}”格式无法识别，应为YYYY-MM-DD、YYYY/MM/DD或YYYY年M月D日"


def parse_schedule_file(data: bytes | str) -> ParsedSchedule:
    """Parse a State Council holiday schedule typed up by an administrator.

    One ``<date> 休|班`` per line; ``#`` starts a comment. Never raises for bad
    content: every problem is reported with its line number so the whole file
    can be fixed in one pass.
    """
    if isinstance(data, bytes | bytearray | memoryview):
        text = _decode(bytes(data))
        if text is None:
            error = ScheduleError(0, "文件编码无法识别，请以UTF-8编码保存后重新上传")
            return ParsedSchedule(entries=(), errors=(error,), years=frozenset())
    elif isinstance(data, str):
        text = data
    else:
        raise TypeError(f"data must be bytes or str, got {type(data).__name__}")
    text = text.removeprefix("\ufeff")

    entries: list[ScheduleEntry] = []
    errors: list[ScheduleError] = []
    seen: dict[datetime.date, int] = {}

    for lineno, raw in enumerate(_NEWLINE_RE.split(text), start=1):
        content = raw.split("#", 1)[0].strip()
        if not content:
            continue
        m = _LINE_RE.fullmatch(content)
        if not m:
            errors.append(
                ScheduleError(
                    lineno, f"第{lineno}行：无法解析“{content}”，应为“日期 休”或“日期 班”"
                )
            )
            continue
        date_text, marker = m["date"], m["marker"]
        line_ok = True
        day = _parse_date(date_text, lineno)
        if isinstance(day, str):
            errors.append(ScheduleError(lineno, day))
            line_ok = False
        elif day in seen:
            errors.append(
                ScheduleError(lineno, f"第{lineno}行：日期“{day.isoformat()}”与第{seen[day]}行重复")
            )
            line_ok = False
        else:
            seen[day] = lineno
        if marker not in _MARKERS:
            errors.append(
                ScheduleError(lineno, f"第{lineno}行：标记“{marker}”无效，应为“休”或“班”")
            )
            line_ok = False
        if line_ok:
            entries.append(ScheduleEntry(line=lineno, day=day, is_working=_MARKERS[marker]))

    if not entries and not errors:
        errors.append(ScheduleError(0, "文件为空：未找到任何日期"))

    return ParsedSchedule(
        entries=tuple(entries),
        errors=tuple(errors),
        years=frozenset(e.day.year for e in entries),
    )
