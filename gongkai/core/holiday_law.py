"""The holidays the law fixes, for years whose State Council schedule is not out yet.

《全国年节及纪念日放假办法》 (as amended by 国务院令第795号, from 2025) names the holidays
for everyone (Art. 2: 元旦 1 day, 春节 4 days from 除夕, 清明节, 劳动节 2 days, 端午节,
中秋节, 国庆节 3 days) and says that one of them falling on a Saturday or Sunday is made up
on a working day (Art. 6, 补假). Every December the State Council's notice fixes the next
year's exact days, adding 调休 (weekend days worked to join a break to a weekend), which
the law does not predict.

``core.workdays`` uses this module for a *provisional* year (no package data, no schedule
loaded by an administrator): the year's holidays and make-up days are computed here, so a
provisional deadline skips 春节 instead of counting it. The holidays are data
(``data/holiday_law.toml``); lunar dates and solar terms come from ``lunar-python``.
Make-up days are placed provisionally on the first working days right after the holiday
block (weekends and other holidays skipped).

No Django imports: ``core.workdays`` is plain Python and imports this module.

``python -m gongkai.core.holiday_law --exactness 2025 2026`` measures how often a
20-working-day deadline computed this way matches the real schedule (see
:func:`measure_exactness`).
"""

from __future__ import annotations

import argparse
import datetime
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from importlib import resources

from lunar_python import Lunar

from gongkai.core.rules import rule

__all__ = [
    "HolidayBlock",
    "HolidayLaw",
    "HolidaySpec",
    "LawYear",
    "default_law",
    "law_year",
    "load_law",
    "makeup_days",
    "measure_exactness",
    "statutory_holidays",
]

_ONE_DAY = datetime.timedelta(days=1)
_ANCHORS = frozenset({"solar", "lunar", "solar_term"})


class HolidayLawError(ValueError):
    """``holiday_law.toml`` does not describe the holidays completely."""


@dataclass(frozen=True)
class HolidaySpec:
    """One holiday of Art. 2: where it starts in a year, and how many days it has."""

    name: str
    provision: str
    anchor: str  # solar | lunar | solar_term
    days: int
    month: int = 0
    day: int = 0
    offset: int = 0
    term: str = ""

    def first_day(self, year: int) -> datetime.date:
        if self.anchor == "solar":
            start = datetime.date(year, self.month, self.day)
        elif self.anchor == "lunar":
            # Lunar.fromYmd takes the ordinary (non-leap) month; lunar year N's 正月 to
            # 八月 all fall in Gregorian year N.
            solar = Lunar.fromYmd(year, self.month, self.day).getSolar()
            start = datetime.date(solar.getYear(), solar.getMonth(), solar.getDay())
        else:
            # The solar-term table of lunar year N holds the terms of Gregorian year N
            # (清明 is always in early April).
            solar = Lunar.fromYmd(year, 1, 1).getJieQiTable()[self.term]
            start = datetime.date(solar.getYear(), solar.getMonth(), solar.getDay())
        return start + datetime.timedelta(days=self.offset)

    def dates(self, year: int) -> tuple[datetime.date, ...]:
        first = self.first_day(year)
        return tuple(first + datetime.timedelta(days=i) for i in range(self.days))


@dataclass(frozen=True)
class HolidayBlock:
    """Holidays whose days overlap or touch (中秋节 next to 国庆节 is one block), with
    the make-up days (补假) they owe. ``days`` are the holiday dates, distinct and sorted."""

    names: tuple[str, ...]
    days: tuple[datetime.date, ...]
    makeup_days: tuple[datetime.date, ...]

    @property
    def name(self) -> str:
        return "、".join(self.names)

    @property
    def first(self) -> datetime.date:
        return self.days[0]

    @property
    def last(self) -> datetime.date:
        """Last rest day of the block, make-up days included."""
        return max((*self.days, *self.makeup_days))

    @property
    def rest_days(self) -> tuple[datetime.date, ...]:
        return tuple(sorted({*self.days, *self.makeup_days}))


@dataclass(frozen=True)
class LawYear:
    """A year's rest days under the law: the holiday blocks in date order."""

    year: int
    blocks: tuple[HolidayBlock, ...]

    @property
    def holidays(self) -> frozenset[datetime.date]:
        return frozenset(d for b in self.blocks for d in b.days)

    @property
    def makeup_days(self) -> frozenset[datetime.date]:
        return frozenset(d for b in self.blocks for d in b.makeup_days)

    @property
    def rest_days(self) -> frozenset[datetime.date]:
        """Weekdays and weekend days alike that are not worked: holidays plus make-up days."""
        return self.holidays | self.makeup_days


@dataclass(frozen=True)
class HolidayLaw:
    """The holidays for everyone and the make-up rule, as loaded from the data file.

    ``makeup`` switches Art. 6 off (only used to measure what it adds); hashable, so each
    law's years are computed once.
    """

    title: str
    amended_by: str
    effective_year: int
    holidays: tuple[HolidaySpec, ...]
    makeup: bool = True
    coinciding_made_up: bool = True

    def applies_to(self, year: int) -> bool:
        return year >= self.effective_year

    def year(self, year: int) -> LawYear:
        """The year's blocks; empty before ``effective_year`` (an older law applied)."""
        return law_year(year, self)

    def without_makeup(self) -> HolidayLaw:
        return replace(self, makeup=False)


def load_law(text: str) -> HolidayLaw:
    """Parse and check a ``holiday_law.toml`` document."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise HolidayLawError(f"holiday_law.toml: {exc}") from exc
    try:
        source = data["source"]
        specs = []
        for entry in data["holidays"]:
            spec = HolidaySpec(
                name=entry["name"],
                provision=entry["provision"],
                anchor=entry["anchor"],
                days=entry["days"],
                month=entry.get("month", 0),
                day=entry.get("day", 0),
                offset=entry.get("offset", 0),
                term=entry.get("term", ""),
            )
            if spec.anchor not in _ANCHORS:
                raise HolidayLawError(f"holiday_law.toml: {spec.name}: unknown anchor {spec.anchor!r}")
            if not 1 <= spec.days <= 7:
                raise HolidayLawError(f"holiday_law.toml: {spec.name}: days must be 1..7")
            if spec.anchor == "solar_term" and not spec.term:
                raise HolidayLawError(f"holiday_law.toml: {spec.name}: a solar_term needs `term`")
            specs.append(spec)
        makeup = data.get("makeup")
        return HolidayLaw(
            title=source["title"],
            amended_by=source["amended_by"],
            effective_year=int(source["effective_year"]),
            holidays=tuple(specs),
            makeup=makeup is not None,
            coinciding_made_up=bool(makeup and makeup.get("coinciding_made_up", False)),
        )
    except KeyError as exc:
        raise HolidayLawError(f"holiday_law.toml: missing key {exc}") from exc


@cache
def default_law() -> HolidayLaw:
    """The law as shipped in ``data/holiday_law.toml``, parsed once."""
    text = resources.files("gongkai.core").joinpath("data", "holiday_law.toml").read_text(
        encoding="utf-8"
    )
    return load_law(text)


@rule
def statutory_holidays(
    year: int, law: HolidayLaw | None = None
) -> tuple[tuple[str, tuple[datetime.date, ...]], ...]:
    """The holidays for everyone in a year, each with its dates: 元旦 1 day, 春节 4 days
    (除夕 to 正月初三), 清明节, 劳动节 2 days, 端午节, 中秋节, 国庆节 3 days; lunar dates and
    the solar term 清明 from lunar-python.

    依据：放假办法第二条
    """
    law = law or default_law()
    if not law.applies_to(year):
        return ()
    return tuple((spec.name, spec.dates(year)) for spec in law.holidays)


def _blocks(
    holidays: Sequence[tuple[str, tuple[datetime.date, ...]]],
) -> list[tuple[list[str], list[datetime.date], int]]:
    """Holidays merged where their days overlap or touch: (names, distinct days, number
    of holiday days counted with repetition)."""
    merged: list[tuple[list[str], list[datetime.date], int]] = []
    for name, dates in sorted(holidays, key=lambda h: h[1][0]):
        if merged and dates[0] <= merged[-1][1][-1] + _ONE_DAY:
            names, days, owed = merged[-1]
            names.append(name)
            days[:] = sorted({*days, *dates})
            merged[-1] = (names, days, owed + len(dates))
        else:
            merged.append(([name], sorted(dates), len(dates)))
    return merged


@rule
def makeup_days(
    year: int, law: HolidayLaw | None = None
) -> tuple[tuple[str, tuple[datetime.date, ...]], ...]:
    """The make-up days (补假) of a year's holiday blocks, provisionally: a holiday day on a
    Saturday or Sunday (or on another holiday's day, as when 中秋节 falls within 国庆节) is
    made up on the first working days right after its block, skipping weekends, other
    holidays and earlier make-up days.

    依据：放假办法第六条
    """
    return tuple((block.name, block.makeup_days) for block in law_year(year, law).blocks)


@lru_cache(maxsize=256)
def _law_year(year: int, law: HolidayLaw) -> LawYear:
    holidays = statutory_holidays(year, law)
    all_holidays = {d for _, dates in holidays for d in dates}
    taken: set[datetime.date] = set()
    blocks = []
    for names, days, owed in _blocks(holidays):
        weekdays_off = sum(1 for d in days if d.weekday() < 5)
        if not law.makeup:
            due = 0
        elif law.coinciding_made_up:
            due = owed - weekdays_off
        else:
            due = sum(1 for _, dates in holidays for d in dates if d in days and d.weekday() >= 5)
        made_up: list[datetime.date] = []
        cursor = days[-1]
        while len(made_up) < due:
            cursor += _ONE_DAY
            if cursor.weekday() < 5 and cursor not in all_holidays and cursor not in taken:
                made_up.append(cursor)
                taken.add(cursor)
        blocks.append(HolidayBlock(names=tuple(names), days=tuple(days), makeup_days=tuple(made_up)))
    return LawYear(year=year, blocks=tuple(blocks))


def law_year(year: int, law: HolidayLaw | None = None) -> LawYear:
    """A year's holiday blocks and make-up days under ``law`` (default: the shipped law);
    computed once per law and year."""
    return _law_year(year, law or default_law())


# --------------------------------------------------------------------------
# Exactness: how close does the law alone come to the State Council's schedule?
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Exactness:
    """For one year: of ``total`` start dates, how many 20-working-day deadlines match the
    real schedule when counted Monday-Friday only, with Art. 2, and with Art. 2 + Art. 6."""

    year: int
    total: int
    weekdays_only: int
    holidays_only: int
    with_makeup: int

    def percent(self, hits: int) -> float:
        return 100.0 * hits / self.total


def measure_exactness(years: Iterable[int], *, n: int = 20) -> list[Exactness]:
    """Hide the package schedules and compare, for every start date 1 January - 30
    November of each year, ``add_working_days(start, n)`` under the three provisional
    rules with the real (package) result."""
    from gongkai.core.workdays import WorkingDayCalendar, default_calendar

    law = default_law()
    real = default_calendar()
    # Without package data every year is provisional; a start in January - November plus
    # 20 working days stays inside its year, so only the measured year is involved.
    rules = (
        WorkingDayCalendar(use_package_data=False, holiday_law=None),
        WorkingDayCalendar(use_package_data=False, holiday_law=law.without_makeup()),
        WorkingDayCalendar(use_package_data=False, holiday_law=law),
    )
    results = []
    for year in years:
        if year not in real.known_years:
            raise ValueError(f"{year}: the package has no schedule to compare with")
        hits = [0, 0, 0]
        total = 0
        start = datetime.date(year, 1, 1)
        while start <= datetime.date(year, 11, 30):
            expected = real.add_working_days(start, n)
            total += 1
            for i, cal in enumerate(rules):
                hits[i] += cal.add_working_days(start, n) == expected
            start += _ONE_DAY
        results.append(Exactness(year, total, *hits))
    return results


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m gongkai.core.holiday_law",
        description="Provisional holidays under the holiday law.",
    )
    parser.add_argument("--exactness", nargs="+", type=int, metavar="YEAR",
                        help="measure 20-working-day deadlines against the package schedule")
    parser.add_argument("--year", type=int, help="print a year's holidays and make-up days")
    args = parser.parse_args(argv)
    if args.year:
        for block in law_year(args.year).blocks:
            days = "、".join(d.isoformat() for d in block.days)
            made = "、".join(d.isoformat() for d in block.makeup_days) or "无"
            print(f"{block.name}：{days}；补假：{made}")
    if args.exactness:
        print("year  start dates  Mon-Fri  Art.2  Art.2+6")
        for r in measure_exactness(args.exactness):
            print(f"{r.year}  {r.total:11d}  {r.percent(r.weekdays_only):6.1f}%"
                  f"  {r.percent(r.holidays_only):5.1f}%  {r.percent(r.with_makeup):6.1f}%")
    if not (args.year or args.exactness):
        parser.print_help()


if __name__ == "__main__":  # pragma: no cover
    # Run as a script this file is ``__main__``, a second copy; use the imported module so
    # that the law objects are the ones ``core.workdays`` knows.
    from gongkai.core.holiday_law import main as _main

    _main()
