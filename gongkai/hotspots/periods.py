"""The periods of the analysis: ISO weeks (Monday to Sunday) and calendar months, each
named by its first day, and the periods it is compared with.

- the **previous period**: the week before, or the month before;
- the **same period last year**: the ISO week with the same number in the previous ISO
  year (week 53 falls back to week 52 when that year has none), or the same month a
  year before.

ISO weeks, because a 12315 weekly brief runs Monday to Sunday and week 1 is the week
with the year's first Thursday; the week of 1 January may belong to the year before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

WEEK = "W"
MONTH = "M"
GRAINS = {WEEK: "周", MONTH: "月"}


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def start_of(grain: str, day: dt.date) -> dt.date:
    return week_start(day) if grain == WEEK else month_start(day)


def shift(grain: str, start: dt.date, periods: int) -> dt.date:
    """The start of the period ``periods`` periods after (negative: before) ``start``."""
    if grain == WEEK:
        return start + dt.timedelta(weeks=periods)
    months = start.year * 12 + start.month - 1 + periods
    return dt.date(months // 12, months % 12 + 1, 1)


def end_of(grain: str, start: dt.date) -> dt.date:
    """The last day of the period starting ``start``."""
    return shift(grain, start, 1) - dt.timedelta(days=1)


def same_period_last_year(grain: str, start: dt.date) -> dt.date:
    if grain == MONTH:
        return start.replace(year=start.year - 1)
    iso_year, iso_week, _ = start.isocalendar()
    try:
        return dt.date.fromisocalendar(iso_year - 1, iso_week, 1)
    except ValueError:  # week 53 in a year of 52 weeks
        return dt.date.fromisocalendar(iso_year - 1, 52, 1)


def last_complete(grain: str, today: dt.date) -> dt.date:
    """The latest period that has ended before ``today``: last week, or last month."""
    return shift(grain, start_of(grain, today), -1)


@dataclass(frozen=True)
class Period:
    grain: str
    start: dt.date

    @property
    def end(self) -> dt.date:
        return end_of(self.grain, self.start)

    @property
    def previous(self) -> Period:
        return Period(self.grain, shift(self.grain, self.start, -1))

    @property
    def next(self) -> Period:
        return Period(self.grain, shift(self.grain, self.start, 1))

    @property
    def last_year(self) -> Period:
        return Period(self.grain, same_period_last_year(self.grain, self.start))

    def back(self, n: int) -> Period:
        return Period(self.grain, shift(self.grain, self.start, -n))

    @property
    def label(self) -> str:
        """``2026年第10周（3月2日—3月8日）`` or ``2026年3月``."""
        if self.grain == MONTH:
            return f"{self.start.year}年{self.start.month}月"
        iso_year, iso_week, _ = self.start.isocalendar()
        end = self.end
        return (f"{iso_year}年第{iso_week}周（{self.start.month}月{self.start.day}日—"
                f"{end.month}月{end.day}日）")

    @property
    def short_label(self) -> str:
        """For a chart's axis: ``第10周`` / ``3月``, with the year when it is January or
        week 1."""
        if self.grain == MONTH:
            return f"{self.start.year}年{self.start.month}月" if self.start.month == 1 else f"{self.start.month}月"
        iso_year, iso_week, _ = self.start.isocalendar()
        return f"{iso_year}年第{iso_week}周" if iso_week == 1 else f"第{iso_week}周"

    @property
    def param(self) -> str:
        """The period in a URL: ``2026-W10`` or ``2026-03``."""
        if self.grain == MONTH:
            return f"{self.start.year:04d}-{self.start.month:02d}"
        iso_year, iso_week, _ = self.start.isocalendar()
        return f"{iso_year:04d}-W{iso_week:02d}"

    @classmethod
    def parse(cls, grain: str, value: str) -> Period | None:
        """The inverse of :attr:`param`; None for anything else."""
        value = (value or "").strip()
        try:
            if grain == WEEK:
                year, _, week = value.upper().partition("-W")
                return cls(WEEK, dt.date.fromisocalendar(int(year), int(week), 1))
            year, _, month = value.partition("-")
            return cls(MONTH, dt.date(int(year), int(month), 1))
        except (ValueError, TypeError):
            return None
