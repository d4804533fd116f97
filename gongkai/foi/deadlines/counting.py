"""Counting working days for the reply deadline: the due date past the pauses, the paused
working days, and the holidays and make-up days that shaped the period (see
``gongkai.foi.deadlines`` for the counting conventions)."""

from __future__ import annotations

import datetime
import weakref
from bisect import bisect_right

from gongkai.core.workdays import WorkingDayCalendar

_ONE_DAY = datetime.timedelta(days=1)

Interval = tuple[datetime.date, datetime.date]  # (lo, hi]: days d with lo < d <= hi


def merge(intervals: list[Interval]) -> list[Interval]:
    """Union of (lo, hi] intervals, sorted; empty ones (lo == hi) dropped."""
    merged: list[Interval] = []
    for lo, hi in sorted(i for i in intervals if i[0] < i[1]):
        if merged and lo <= merged[-1][1]:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


def due_date(
    cal: WorkingDayCalendar, start: datetime.date, n: int, paused: list[Interval]
) -> datetime.date:
    """The day the n-th unpaused working day after ``start`` falls on.

    One calendar call per pause, not one per day: free stretches between pauses are
    counted with the calendar's cumulative tables.
    """
    cursor, remaining = start, n
    for lo, hi in paused:
        if lo > cursor:
            free = cal.working_days_between(cursor, lo)
            if free >= remaining:
                return cal.add_working_days(cursor, remaining)
            remaining -= free
        cursor = max(cursor, hi)
    return cal.add_working_days(cursor, remaining)


def paused_working_days(
    cal: WorkingDayCalendar, paused: list[Interval], until: datetime.date
) -> int:
    """Working days inside the (merged) pauses, up to and including ``until``."""
    total = 0
    for lo, hi in paused:
        if lo >= until:
            break
        total += cal.working_days_between(lo, min(hi, until))
    return total


# Per calendar and year, the dates that differ from the plain Monday-Friday rule:
# (weekday holidays, weekend make-up days), each sorted. Calendars are immutable, so one scan
# of a year serves every request on a dashboard; a calendar that is dropped takes its entry
# with it.
_EXCEPTIONS: weakref.WeakKeyDictionary[
    WorkingDayCalendar, dict[int, tuple[list[datetime.date], list[datetime.date]]]
] = weakref.WeakKeyDictionary()


def _year_exceptions(
    cal: WorkingDayCalendar, year: int
) -> tuple[list[datetime.date], list[datetime.date]]:
    by_year = _EXCEPTIONS.setdefault(cal, {})
    found = by_year.get(year)
    if found is None:
        holidays: list[datetime.date] = []
        makeups: list[datetime.date] = []
        day = datetime.date(year, 1, 1)
        while day.year == year:
            working = cal.is_working_day(day)
            weekend = day.weekday() >= 5
            if working and weekend:
                makeups.append(day)
            elif not working and not weekend:
                holidays.append(day)
            day += _ONE_DAY
        found = by_year[year] = (holidays, makeups)
    return found


def shaping_days(
    cal: WorkingDayCalendar, start: datetime.date, end: datetime.date, paused: list[Interval]
) -> tuple[tuple[datetime.date, ...], tuple[datetime.date, ...]]:
    """(weekday holidays, weekend make-up days) in (start, end] outside the pauses."""

    def pick(days: list[datetime.date]) -> list[datetime.date]:
        inside = days[bisect_right(days, start) : bisect_right(days, end)]
        return [d for d in inside if not any(lo < d <= hi for lo, hi in paused)]

    holidays: list[datetime.date] = []
    makeups: list[datetime.date] = []
    for year in range(start.year, end.year + 1):
        year_holidays, year_makeups = _year_exceptions(cal, year)
        holidays += pick(year_holidays)
        makeups += pick(year_makeups)
    return tuple(holidays), tuple(makeups)


def provisional_years(
    cal: WorkingDayCalendar, start: datetime.date, end: datetime.date
) -> tuple[int, ...]:
    """Years without a schedule touched by (start, end]."""
    if end <= start:
        return ()
    known = cal.known_years
    return tuple(y for y in range((start + _ONE_DAY).year, end.year + 1) if y not in known)


# How close (calendar days) a provisional due date may be to a computed holiday before it
# is marked "可能因调休变动": the notice's 调休 usually moves the weekend right before or
# after the break, and may lengthen the break itself.
SHIFT_WINDOW_DAYS = 7


def near_holiday(cal: WorkingDayCalendar, due: datetime.date) -> str:
    """The name of the holiday (computed from the holiday law) that a due date in a
    provisional year lies within ``SHIFT_WINDOW_DAYS`` of, or ""."""
    block = cal.provisional_holiday_near(due, SHIFT_WINDOW_DAYS)
    return block.name if block else ""
