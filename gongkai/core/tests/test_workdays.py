"""Tests for gongkai.core.workdays (pure Python, no database).

Expected dates are worked out by hand from the State Council notices as carried
by chinesecalendar; test_package_facts pins the facts they rely on, so a data
change in the package shows up there first.
"""

import codecs
import datetime
from datetime import date

import chinese_calendar
import pytest
from chinese_calendar import constants as cc

from gongkai.core.workdays import (
    MAX_WORKING_DAYS,
    PACKAGE_YEARS,
    DayKind,
    ParsedSchedule,
    ScheduleEntry,
    ScheduleError,
    WorkingDayCalendar,
    WorkingDaySpan,
    add_working_days,
    default_calendar,
    parse_schedule_file,
    working_days_between,
)

D = date
CAL = default_calendar()

needs_2027_unscheduled = pytest.mark.skipif(
    2027 in PACKAGE_YEARS, reason="chinesecalendar now ships a 2027 schedule"
)


def naive_add(start: date, n: int) -> date:
    """Reference implementation using the package's own per-day API."""
    d = start
    while n:
        d += datetime.timedelta(days=1)
        if chinese_calendar.is_workday(d):
            n -= 1
    return d


# --------------------------------------------------------------------------
# Package facts the hand-computed expectations below depend on
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [
        D(2024, 9, 29),  # Sunday, National Day make-up
        D(2024, 10, 12),  # Saturday, National Day make-up
        D(2025, 1, 26),  # Sunday, Spring Festival make-up
        D(2025, 2, 8),  # Saturday, Spring Festival make-up
        D(2025, 4, 27),  # Sunday, Labour Day make-up
        D(2025, 9, 28),  # Sunday, National Day make-up
        D(2025, 10, 11),  # Saturday, National Day make-up
        D(2026, 1, 4),  # Sunday, New Year make-up
    ],
)
def test_package_facts_makeup_days(day):
    assert day in cc.workdays
    assert day.weekday() >= 5


@pytest.mark.parametrize(
    "first,last",
    [
        (D(2024, 10, 1), D(2024, 10, 7)),
        (D(2025, 1, 28), D(2025, 2, 4)),
        (D(2025, 10, 1), D(2025, 10, 8)),
        (D(2026, 1, 1), D(2026, 1, 3)),
    ],
)
def test_package_facts_holiday_periods(first, last):
    day = first
    while day <= last:
        assert day in cc.holidays
        day += datetime.timedelta(days=1)
    assert first - datetime.timedelta(days=1) not in cc.holidays
    assert last + datetime.timedelta(days=1) not in cc.holidays


def test_package_years_derived_from_data():
    assert {d.year for d in cc.holidays} == PACKAGE_YEARS
    assert set(range(2004, 2027)) <= PACKAGE_YEARS
    assert isinstance(PACKAGE_YEARS, frozenset)


# --------------------------------------------------------------------------
# DayKind
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day,kind",
    [
        (D(2025, 3, 3), DayKind.WORKDAY),  # ordinary Monday
        (D(2025, 3, 1), DayKind.WEEKEND),  # ordinary Saturday
        (D(2025, 3, 2), DayKind.WEEKEND),  # ordinary Sunday
        (D(2025, 1, 28), DayKind.HOLIDAY),  # Spring Festival, Tuesday
        (D(2025, 2, 1), DayKind.HOLIDAY),  # Spring Festival, Saturday inside the period
        (D(2025, 1, 26), DayKind.MAKEUP_WORKDAY),  # Sunday make-up
        (D(2025, 2, 8), DayKind.MAKEUP_WORKDAY),  # Saturday make-up
        (D(2024, 10, 7), DayKind.HOLIDAY),  # National Day, Monday
        (D(2015, 9, 3), DayKind.HOLIDAY),  # one-off 70th anniversary holiday
        (D(2015, 9, 6), DayKind.MAKEUP_WORKDAY),
        (D(2027, 1, 1), DayKind.HOLIDAY),  # 元旦 in an unscheduled year: the holiday law
        (D(2027, 2, 9), DayKind.HOLIDAY),  # 补假 for 初一 (Saturday) in an unscheduled year
        (D(2027, 2, 11), DayKind.WORKDAY),
        (D(2003, 10, 1), DayKind.WORKDAY),  # before the package's data (and the law): Mon-Fri
    ],
)
def test_day_kind_real_calendar(day, kind):
    if day.year == 2027 and 2027 in PACKAGE_YEARS:
        pytest.skip("chinesecalendar now ships a 2027 schedule")
    assert CAL.day_kind(day) is kind
    assert CAL.is_working_day(day) is kind.is_working


@pytest.mark.parametrize(
    "kind,working",
    [
        (DayKind.WORKDAY, True),
        (DayKind.WEEKEND, False),
        (DayKind.HOLIDAY, False),
        (DayKind.MAKEUP_WORKDAY, True),
        (DayKind.OVERRIDE_WORKDAY, True),
        (DayKind.OVERRIDE_REST, False),
    ],
)
def test_day_kind_is_working(kind, working):
    assert kind.is_working is working
    assert kind.label  # every kind has a display label


def test_day_kind_agrees_with_package_for_every_package_day():
    for year in (2020, 2024, 2025, 2026):
        day = D(year, 1, 1)
        while day.year == year:
            assert CAL.is_working_day(day) == chinese_calendar.is_workday(day), day
            day += datetime.timedelta(days=1)


# --------------------------------------------------------------------------
# add_working_days against the real calendar
# --------------------------------------------------------------------------


def test_legal_digest_example():
    # Received Friday 2025-01-24; 20 working days; 01-26 is a make-up Sunday,
    # 01-28..02-04 Spring Festival.
    assert add_working_days(D(2025, 1, 24), 20) == D(2025, 2, 27)
    span = CAL.explain_add_working_days(D(2025, 1, 24), 20)
    assert span == WorkingDaySpan(
        start=D(2025, 1, 24),
        days=20,
        end=D(2025, 2, 27),
        provisional=False,
        provisional_years=(),
        holidays=(
            D(2025, 1, 28),
            D(2025, 1, 29),
            D(2025, 1, 30),
            D(2025, 1, 31),
            D(2025, 2, 3),
            D(2025, 2, 4),
        ),
        makeup_days=(D(2025, 1, 26), D(2025, 2, 8)),
    )


@pytest.mark.parametrize(
    "start,n,expected",
    [
        # Before 2024 National Day (10-01..10-07 off; 09-29 Sun and 10-12 Sat worked).
        (D(2024, 9, 27), 1, D(2024, 9, 29)),  # Sat rest, Sun make-up counts
        (D(2024, 9, 27), 2, D(2024, 9, 30)),
        (D(2024, 9, 27), 3, D(2024, 10, 8)),
        (D(2024, 9, 27), 7, D(2024, 10, 12)),  # make-up Saturday is the 7th
        (D(2024, 9, 27), 20, D(2024, 10, 30)),
        (D(2024, 9, 28), 1, D(2024, 9, 29)),  # received on a rest Saturday
        (D(2024, 9, 29), 1, D(2024, 9, 30)),  # received on the make-up Sunday
        (D(2024, 9, 29), 2, D(2024, 10, 8)),
        (D(2024, 9, 30), 1, D(2024, 10, 8)),
        (D(2024, 9, 30), 15, D(2024, 10, 25)),
        (D(2024, 9, 30), 20, D(2024, 11, 1)),
        # Before 2025 Spring Festival (01-28..02-04 off; 01-26 Sun, 02-08 Sat worked).
        (D(2025, 1, 24), 1, D(2025, 1, 26)),
        (D(2025, 1, 24), 2, D(2025, 1, 27)),
        (D(2025, 1, 24), 3, D(2025, 2, 5)),
        (D(2025, 1, 25), 1, D(2025, 1, 26)),
        (D(2025, 1, 26), 1, D(2025, 1, 27)),
        (D(2025, 1, 27), 1, D(2025, 2, 5)),
        (D(2025, 1, 27), 4, D(2025, 2, 8)),
        (D(2025, 1, 27), 7, D(2025, 2, 12)),
        # Counting from a holiday: the holiday itself is the (uncounted) event day.
        (D(2024, 10, 1), 1, D(2024, 10, 8)),
        (D(2024, 10, 3), 5, D(2024, 10, 12)),
        (D(2025, 1, 30), 1, D(2025, 2, 5)),
        (D(2025, 2, 1), 4, D(2025, 2, 8)),
        (D(2025, 10, 4), 1, D(2025, 10, 9)),
        # Counting from an ordinary weekend.
        (D(2025, 3, 1), 1, D(2025, 3, 3)),
        (D(2025, 3, 2), 1, D(2025, 3, 3)),
        (D(2025, 3, 2), 5, D(2025, 3, 7)),
        (D(2025, 3, 1), 20, D(2025, 3, 28)),
        # n = 1 over an ordinary weekend.
        (D(2025, 3, 7), 1, D(2025, 3, 10)),
        (D(2025, 3, 7), 2, D(2025, 3, 11)),
        # Make-up working days counted.
        (D(2025, 2, 7), 1, D(2025, 2, 8)),
        (D(2025, 4, 25), 1, D(2025, 4, 27)),  # Sat 04-26 rest, Sun 04-27 worked
        (D(2025, 9, 26), 1, D(2025, 9, 28)),
        (D(2025, 9, 30), 1, D(2025, 10, 9)),  # 10-01..10-08 off
        (D(2025, 10, 10), 1, D(2025, 10, 11)),
        # Across a year boundary.
        (D(2024, 12, 31), 1, D(2025, 1, 2)),
        (D(2025, 12, 31), 1, D(2026, 1, 4)),  # 01-01..03 off, Sun 01-04 worked
        (D(2025, 12, 31), 2, D(2026, 1, 5)),
        (D(2025, 12, 1), 20, D(2025, 12, 29)),
    ],
)
def test_add_working_days_real_calendar(start, n, expected):
    assert add_working_days(start, n) == expected
    assert CAL.add_working_days(start, n) == expected
    assert naive_add(start, n) == expected


@pytest.mark.parametrize(
    "start,n,holidays,makeups",
    [
        (
            D(2024, 9, 27),
            20,
            (D(2024, 10, 1), D(2024, 10, 2), D(2024, 10, 3), D(2024, 10, 4), D(2024, 10, 7)),
            (D(2024, 9, 29), D(2024, 10, 12)),
        ),
        (D(2024, 9, 27), 2, (), (D(2024, 9, 29),)),
        (D(2025, 3, 7), 1, (), ()),
        (D(2025, 12, 31), 1, (D(2026, 1, 1), D(2026, 1, 2)), (D(2026, 1, 4),)),
        # The make-up day before the start is not part of the span.
        (
            D(2025, 1, 26),
            3,
            (
                D(2025, 1, 28),
                D(2025, 1, 29),
                D(2025, 1, 30),
                D(2025, 1, 31),
                D(2025, 2, 3),
                D(2025, 2, 4),
            ),
            (),
        ),
    ],
)
def test_explain_lists_holidays_and_makeups(start, n, holidays, makeups):
    span = CAL.explain_add_working_days(start, n)
    assert span.end == CAL.add_working_days(start, n)
    assert span.holidays == holidays
    assert span.makeup_days == makeups
    assert span.provisional is False


@pytest.mark.parametrize("start", [D(2025, 1, 24), D(2025, 2, 1), D(2025, 3, 1), D(2027, 6, 5)])
def test_n_zero_returns_start(start):
    assert CAL.add_working_days(start, 0) == start
    span = CAL.explain_add_working_days(start, 0)
    assert span == WorkingDaySpan(start, 0, start, False, (), (), ())


@pytest.mark.parametrize("start", [D(2025, 1, 24), D(2025, 1, 31), D(2025, 3, 7), D(2024, 9, 28)])
def test_next_working_day(start):
    assert CAL.next_working_day(start) == CAL.add_working_days(start, 1)
    assert CAL.is_working_day(CAL.next_working_day(start))


# Every 5th day across 2023-2025 compared with the package's own per-day API.
_SAMPLE_STARTS = [D(2023, 1, 1) + datetime.timedelta(days=i) for i in range(0, 3 * 365, 5)]


@pytest.mark.parametrize("start", _SAMPLE_STARTS, ids=str)
def test_matches_reference_implementation(start):
    for n in (1, 2, 3, 5, 7, 10, 15, 20, 30, 40, 60):
        end = CAL.add_working_days(start, n)
        assert end == naive_add(start, n), n
        assert CAL.working_days_between(start, end) == n
        assert CAL.working_days_between(end, start) == -n
        assert CAL.is_working_day(end)


# --------------------------------------------------------------------------
# working_days_between
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start,end,expected",
    [
        (D(2025, 1, 24), D(2025, 2, 27), 20),
        (D(2025, 2, 27), D(2025, 1, 24), -20),
        (D(2025, 1, 24), D(2025, 1, 24), 0),
        (D(2025, 2, 1), D(2025, 2, 1), 0),  # equal dates on a holiday
        (D(2024, 9, 27), D(2024, 10, 8), 3),
        (D(2024, 10, 8), D(2024, 9, 27), -3),
        (D(2024, 10, 1), D(2024, 10, 7), 0),  # entirely inside a holiday period
        (D(2024, 9, 30), D(2024, 10, 7), 0),
        (D(2024, 9, 28), D(2024, 9, 29), 1),  # end on a make-up day counts
        (D(2024, 9, 29), D(2024, 9, 28), -1),
        (D(2025, 3, 7), D(2025, 3, 9), 0),  # over a weekend
        (D(2025, 3, 7), D(2025, 3, 10), 1),
        (D(2024, 12, 31), D(2025, 1, 2), 1),
        (D(2025, 12, 31), D(2026, 1, 5), 2),
        (D(2024, 1, 1), D(2025, 1, 1), 251),  # 2024 had 251 working days after 01-01
        (D(2023, 6, 1), D(2026, 6, 1), None),  # multi-year: checked against the reference
    ],
)
def test_working_days_between(start, end, expected):
    if expected is None:
        lo, hi = sorted((start, end))
        expected = sum(
            chinese_calendar.is_workday(lo + datetime.timedelta(days=i))
            for i in range(1, (hi - lo).days + 1)
        )
    assert CAL.working_days_between(start, end) == expected
    assert working_days_between(start, end) == expected
    assert working_days_between(end, start) == -expected


def test_count_of_2024_from_package():
    expected = sum(
        chinese_calendar.is_workday(D(2024, 1, 1) + datetime.timedelta(days=i))
        for i in range(1, 367)
    )
    assert expected == 251
    assert CAL.working_days_between(D(2024, 1, 1), D(2025, 1, 1)) == expected


# --------------------------------------------------------------------------
# Overrides
# --------------------------------------------------------------------------


def test_override_rest_on_makeup_day():
    cal = WorkingDayCalendar(overrides={D(2025, 1, 26): False})
    assert cal.day_kind(D(2025, 1, 26)) is DayKind.OVERRIDE_REST
    assert cal.add_working_days(D(2025, 1, 24), 1) == D(2025, 1, 27)
    assert cal.add_working_days(D(2025, 1, 24), 20) == D(2025, 2, 28)
    span = cal.explain_add_working_days(D(2025, 1, 24), 20)
    # A Sunday overridden to rest is not a skipped weekday, and no longer a make-up day.
    assert span.makeup_days == (D(2025, 2, 8),)
    assert D(2025, 1, 26) not in span.holidays
    assert cal.working_days_between(D(2025, 1, 24), D(2025, 2, 27)) == 19
    # The default calendar is untouched.
    assert CAL.add_working_days(D(2025, 1, 24), 20) == D(2025, 2, 27)


def test_override_work_on_holiday():
    cal = WorkingDayCalendar(overrides={D(2025, 1, 28): True})
    assert cal.day_kind(D(2025, 1, 28)) is DayKind.OVERRIDE_WORKDAY
    assert cal.add_working_days(D(2025, 1, 27), 1) == D(2025, 1, 28)
    assert cal.add_working_days(D(2025, 1, 24), 20) == D(2025, 2, 26)
    span = cal.explain_add_working_days(D(2025, 1, 24), 20)
    assert D(2025, 1, 28) not in span.holidays
    assert span.holidays[0] == D(2025, 1, 29)


def test_override_rest_on_weekday_is_listed_as_holiday():
    cal = WorkingDayCalendar(overrides={D(2025, 3, 4): False})
    span = cal.explain_add_working_days(D(2025, 3, 3), 3)
    assert span.end == D(2025, 3, 7)
    assert span.holidays == (D(2025, 3, 4),)
    assert span.makeup_days == ()


def test_override_work_on_ordinary_weekend_is_listed_as_makeup():
    cal = WorkingDayCalendar(overrides={D(2025, 3, 8): True})
    assert cal.day_kind(D(2025, 3, 8)) is DayKind.OVERRIDE_WORKDAY
    span = cal.explain_add_working_days(D(2025, 3, 7), 1)
    assert span.end == D(2025, 3, 8)
    assert span.makeup_days == (D(2025, 3, 8),)


@needs_2027_unscheduled
def test_override_in_provisional_year():
    cal = WorkingDayCalendar(overrides={D(2027, 1, 1): False, D(2027, 2, 6): True})
    assert cal.day_kind(D(2027, 1, 1)) is DayKind.OVERRIDE_REST
    assert cal.day_kind(D(2027, 2, 6)) is DayKind.OVERRIDE_WORKDAY
    # 元旦 is a holiday under the law already; the override restates it.
    assert CAL.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert cal.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert cal.add_working_days(D(2027, 2, 5), 1) == D(2027, 2, 6)
    # An override wins over the holiday law, both ways.
    working_new_year = WorkingDayCalendar(overrides={D(2027, 1, 1): True, D(2027, 2, 9): True})
    assert working_new_year.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 1)
    assert working_new_year.add_working_days(D(2027, 2, 4), 1) == D(2027, 2, 9)
    # Overrides alone do not make a year scheduled.
    assert cal.is_provisional(D(2027, 1, 1))
    span = cal.explain_add_working_days(D(2026, 12, 31), 1)
    assert span.provisional and span.provisional_years == (2027,)
    assert span.holidays == (D(2027, 1, 1),)


@pytest.mark.parametrize(
    "day,working,kind",
    [
        (D(2025, 3, 3), True, DayKind.OVERRIDE_WORKDAY),  # override agrees: still reported
        (D(2025, 3, 3), False, DayKind.OVERRIDE_REST),
        (D(2025, 3, 1), True, DayKind.OVERRIDE_WORKDAY),
        (D(2025, 2, 1), True, DayKind.OVERRIDE_WORKDAY),
        (D(2025, 2, 8), False, DayKind.OVERRIDE_REST),
    ],
)
def test_override_precedence(day, working, kind):
    cal = WorkingDayCalendar(overrides={day: working})
    assert cal.day_kind(day) is kind
    assert cal.is_working_day(day) is working


def test_overrides_are_copied():
    source = {D(2025, 3, 3): False}
    cal = WorkingDayCalendar(overrides=source)
    source[D(2025, 3, 3)] = True
    assert cal.is_working_day(D(2025, 3, 3)) is False
    assert dict(cal.overrides) == {D(2025, 3, 3): False}


def test_without_package_data():
    cal = WorkingDayCalendar(use_package_data=False, holiday_law=None)
    assert cal.known_years == frozenset()
    assert cal.day_kind(D(2025, 1, 28)) is DayKind.WORKDAY
    assert cal.day_kind(D(2025, 1, 26)) is DayKind.WEEKEND
    assert cal.add_working_days(D(2025, 1, 24), 20) == D(2025, 2, 21)
    assert cal.is_provisional(D(2025, 1, 28))
    span = cal.explain_add_working_days(D(2025, 1, 24), 20)
    assert span.provisional_years == (2025,)
    assert span.holidays == () and span.makeup_days == ()


# --------------------------------------------------------------------------
# Provisional years and declared schedules
# --------------------------------------------------------------------------


@needs_2027_unscheduled
def test_span_into_unscheduled_year_is_provisional():
    span = CAL.explain_add_working_days(D(2026, 12, 28), 10)
    # 12-29..31 (3), 2027-01-01 Fri is 元旦 under the holiday law, 01-04..08 (8),
    # 01-11 (9), 01-12 (10).
    assert span.end == D(2027, 1, 12)
    assert span.provisional is True
    assert span.provisional_years == (2027,)
    assert span.holidays == (D(2027, 1, 1),)
    assert CAL.is_span_provisional(D(2026, 12, 28), D(2027, 1, 12))


def test_span_within_scheduled_year_is_not_provisional():
    span = CAL.explain_add_working_days(D(2026, 12, 1), 5)
    assert span.end == D(2026, 12, 8)
    assert span.provisional is False
    assert span.provisional_years == ()
    assert not CAL.is_span_provisional(D(2026, 12, 1), D(2026, 12, 8))


@needs_2027_unscheduled
@pytest.mark.parametrize(
    "start,end,expected",
    [
        (D(2026, 12, 30), D(2026, 12, 31), False),
        (D(2026, 12, 31), D(2027, 1, 1), True),
        (D(2027, 1, 1), D(2026, 12, 31), True),  # symmetric for overdue counts
        (D(2026, 12, 31), D(2026, 12, 31), False),
        (D(2027, 1, 1), D(2027, 1, 1), False),  # empty span
        (D(2027, 1, 1), D(2027, 1, 2), True),
        (D(2003, 12, 31), D(2004, 1, 2), False),  # start excluded
        (D(2003, 12, 30), D(2004, 1, 2), True),
    ],
)
def test_is_span_provisional(start, end, expected):
    assert CAL.is_span_provisional(start, end) is expected


@needs_2027_unscheduled
@pytest.mark.parametrize(
    "day,known",
    [
        (D(2003, 12, 31), False),
        (D(2004, 1, 1), True),
        (D(2026, 12, 31), True),
        (D(2027, 1, 1), False),
        (D(2030, 6, 1), False),
    ],
)
def test_is_known(day, known):
    assert CAL.is_known(day) is known
    assert CAL.is_provisional(day) is (not known)


@needs_2027_unscheduled
def test_scheduled_year_makes_2027_known():
    cal = WorkingDayCalendar(scheduled_years=[2027])
    assert 2027 in cal.known_years
    assert cal.known_years == PACKAGE_YEARS | {2027}
    assert cal.is_known(D(2027, 1, 1))
    span = cal.explain_add_working_days(D(2026, 12, 28), 10)
    assert span.end == D(2027, 1, 11)
    assert span.provisional is False
    assert not cal.is_span_provisional(D(2026, 12, 28), D(2027, 1, 11))
    # Other years are unaffected.
    assert cal.is_provisional(D(2028, 1, 3))


@needs_2027_unscheduled
def test_multi_year_provisional_years():
    span = CAL.explain_add_working_days(D(2026, 12, 1), 300)
    assert span.provisional_years == (2027, 2028)


@needs_2027_unscheduled
def test_loaded_schedule_file_end_to_end():
    parsed = parse_schedule_file(
        "# 国办发明电〔2026〕7号\n2027-01-01 休\n2027-02-06 班\n2027-02-08 休\n"
    )
    assert parsed.ok
    cal = WorkingDayCalendar(overrides=parsed.as_overrides(), scheduled_years=parsed.years)
    span = cal.explain_add_working_days(D(2026, 12, 31), 5)
    # 01-01 rest, then 01-04..08.
    assert span.end == D(2027, 1, 8)
    assert span.provisional is False
    assert span.holidays == (D(2027, 1, 1),)
    assert cal.add_working_days(D(2027, 2, 5), 2) == D(2027, 2, 9)


# --------------------------------------------------------------------------
# Argument validation and guard
# --------------------------------------------------------------------------


@pytest.mark.parametrize("n", [-1, -20, True, False, 1.0, 20.5, "20", None])
def test_bad_n_raises_value_error(n):
    with pytest.raises(ValueError, match="n must be"):
        CAL.add_working_days(D(2025, 1, 24), n)
    with pytest.raises(ValueError):
        add_working_days(D(2025, 1, 24), n)
    with pytest.raises(ValueError):
        CAL.explain_add_working_days(D(2025, 1, 24), n)


@pytest.mark.parametrize("n", [MAX_WORKING_DAYS + 1, 10**9])
def test_absurd_n_is_refused(n):
    with pytest.raises(ValueError, match="exceeds"):
        CAL.add_working_days(D(2025, 1, 24), n)


def test_guard_limit_itself_is_allowed():
    end = CAL.add_working_days(D(2025, 1, 1), MAX_WORKING_DAYS)
    assert CAL.working_days_between(D(2025, 1, 1), end) == MAX_WORKING_DAYS


def test_beyond_max_date_raises_value_error():
    with pytest.raises(ValueError):
        CAL.add_working_days(D(9999, 12, 1), 100)


def test_overlong_between_is_refused():
    with pytest.raises(ValueError, match="too long"):
        CAL.working_days_between(D(1, 1, 1), D(9999, 1, 1))


@pytest.mark.parametrize(
    "bad",
    [datetime.datetime(2025, 1, 24, 9, 30), datetime.datetime(2025, 1, 24), "2025-01-24", None],
)
def test_start_must_be_a_plain_date(bad):
    with pytest.raises(TypeError):
        CAL.add_working_days(bad, 1)
    with pytest.raises(TypeError):
        add_working_days(bad, 1)
    with pytest.raises(TypeError):
        CAL.explain_add_working_days(bad, 1)
    with pytest.raises(TypeError):
        CAL.working_days_between(bad, D(2025, 1, 24))
    with pytest.raises(TypeError):
        CAL.working_days_between(D(2025, 1, 24), bad)
    with pytest.raises(TypeError):
        working_days_between(D(2025, 1, 24), bad)
    with pytest.raises(TypeError):
        CAL.day_kind(bad)
    with pytest.raises(TypeError):
        CAL.is_known(bad)
    with pytest.raises(TypeError):
        CAL.next_working_day(bad)
    with pytest.raises(TypeError):
        CAL.is_span_provisional(bad, D(2025, 1, 24))


def test_datetime_refused_even_for_n_zero():
    with pytest.raises(TypeError, match="datetime"):
        CAL.add_working_days(datetime.datetime(2025, 1, 24), 0)


@pytest.mark.parametrize(
    "overrides",
    [
        {datetime.datetime(2025, 1, 26): False},
        {"2025-01-26": False},
        {D(2025, 1, 26): "休"},
        {D(2025, 1, 26): 0},
    ],
)
def test_bad_overrides_rejected(overrides):
    with pytest.raises(TypeError):
        WorkingDayCalendar(overrides=overrides)


@pytest.mark.parametrize(
    "years,exc", [([True], TypeError), (["2027"], TypeError), ([0], ValueError)]
)
def test_bad_scheduled_years_rejected(years, exc):
    with pytest.raises(exc):
        WorkingDayCalendar(scheduled_years=years)


def test_calendar_argument_is_used_by_module_functions():
    cal = WorkingDayCalendar(overrides={D(2025, 1, 26): False})
    assert add_working_days(D(2025, 1, 24), 1, calendar=cal) == D(2025, 1, 27)
    assert add_working_days(D(2025, 1, 24), 1) == D(2025, 1, 26)
    assert working_days_between(D(2025, 1, 24), D(2025, 1, 27), calendar=cal) == 1
    assert working_days_between(D(2025, 1, 24), D(2025, 1, 27)) == 2


def test_span_is_frozen():
    span = CAL.explain_add_working_days(D(2025, 1, 24), 1)
    with pytest.raises(AttributeError):
        span.end = D(2025, 1, 1)


# --------------------------------------------------------------------------
# Schedule files
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line,day,working",
    [
        ("2027-01-01 休", D(2027, 1, 1), False),
        ("2027-02-06 班", D(2027, 2, 6), True),
        ("2027-01-01\t休", D(2027, 1, 1), False),
        ("2027-01-01 \t  休", D(2027, 1, 1), False),
        ("2027-01-01,休", D(2027, 1, 1), False),
        ("2027-01-01 , 班", D(2027, 1, 1), True),
        ("2027-01-01，休", D(2027, 1, 1), False),
        ("2027-01-01 ， 班", D(2027, 1, 1), True),
        ("2027-01-01\u3000休", D(2027, 1, 1), False),  # full-width space
        ("2027/01/01 休", D(2027, 1, 1), False),
        ("2027/2/6 班", D(2027, 2, 6), True),
        ("2027-2-6 班", D(2027, 2, 6), True),
        ("2027年1月1日 休", D(2027, 1, 1), False),
        ("2027年02月06日，班", D(2027, 2, 6), True),
        ("2027年12月31日\t休", D(2027, 12, 31), False),
        ("   2027-01-01   休   ", D(2027, 1, 1), False),
        ("2027-01-01 休  # 元旦", D(2027, 1, 1), False),  # trailing comment
        ("2028-02-29 班", D(2028, 2, 29), True),  # leap day
    ],
)
def test_schedule_formats(line, day, working):
    parsed = parse_schedule_file(line)
    assert parsed.errors == ()
    assert parsed.entries == (ScheduleEntry(line=1, day=day, is_working=working),)
    assert parsed.years == frozenset({day.year})
    assert parsed.ok


SAMPLE = "# 国办发明电〔2026〕7号\n\n2027-01-01 休\n2027-02-06 班\n   # indented comment\n2027-02-08 休\n"


@pytest.mark.parametrize(
    "data",
    [
        SAMPLE,
        SAMPLE.encode("utf-8"),
        codecs.BOM_UTF8 + SAMPLE.encode("utf-8"),
        "\ufeff" + SAMPLE,
        SAMPLE.replace("\n", "\r\n"),
        SAMPLE.replace("\n", "\r\n").encode("utf-8"),
        codecs.BOM_UTF8 + SAMPLE.replace("\n", "\r\n").encode("utf-8"),
        SAMPLE.replace("\n", "\r"),
        SAMPLE.encode("gb18030"),
        SAMPLE.replace("\n", "\r\n").encode("gbk"),
        SAMPLE.encode("utf-16"),
        bytearray(SAMPLE.encode("utf-8")),
    ],
    ids=[
        "str",
        "utf8",
        "utf8-bom",
        "str-bom",
        "str-crlf",
        "utf8-crlf",
        "utf8-bom-crlf",
        "str-cr",
        "gb18030",
        "gbk-crlf",
        "utf16",
        "bytearray",
    ],
)
def test_schedule_encodings_and_line_numbers(data):
    parsed = parse_schedule_file(data)
    assert parsed == ParsedSchedule(
        entries=(
            ScheduleEntry(3, D(2027, 1, 1), False),
            ScheduleEntry(4, D(2027, 2, 6), True),
            ScheduleEntry(6, D(2027, 2, 8), False),
        ),
        errors=(),
        years=frozenset({2027}),
    )
    assert parsed.ok
    assert parsed.as_overrides() == {
        D(2027, 1, 1): False,
        D(2027, 2, 6): True,
        D(2027, 2, 8): False,
    }


def test_schedule_years_cover_all_entries():
    parsed = parse_schedule_file("2026-12-31 休\n2027-01-01 休\n")
    assert parsed.years == frozenset({2026, 2027})


@pytest.mark.parametrize(
    "line,message",
    [
        # unparseable lines
        ("hello", "第1行：无法解析“hello”，应为“日期 休”或“日期 班”"),
        ("2027-01-01", "第1行：无法解析“2027-01-01”，应为“日期 休”或“日期 班”"),
        ("2027-01-01休", "第1行：无法解析“2027-01-01休”，应为“日期 休”或“日期 班”"),
        ("2027-01-01 休 元旦", "第1行：无法解析“2027-01-01 休 元旦”，应为“日期 休”或“日期 班”"),
        ("2027-01-01,,休", "第1行：无法解析“2027-01-01,,休”，应为“日期 休”或“日期 班”"),
        # invalid dates
        ("2027-02-30 休", "第1行：日期“2027-02-30”无效"),
        ("2027-13-01 班", "第1行：日期“2027-13-01”无效"),
        ("2027/04/31 休", "第1行：日期“2027/04/31”无效"),
        ("2027年2月29日 休", "第1行：日期“2027年2月29日”无效"),
        ("2027-00-10 休", "第1行：日期“2027-00-10”无效"),
        # unrecognised date formats
        (
            "01/02/2027 休",
            "第1行：日期“01/02/2027”格式无法识别，应为YYYY-MM-DD、YYYY/MM/DD或YYYY年M月D日",
        ),
        (
            "20270101 休",
            "第1行：日期“20270101”格式无法识别，应为YYYY-MM-DD、YYYY/MM/DD或YYYY年M月D日",
        ),
        (
            "2027-01/01 休",
            "第1行：日期“2027-01/01”格式无法识别，应为YYYY-MM-DD、YYYY/MM/DD或YYYY年M月D日",
        ),
        # bad markers
        ("2027-01-01 休息", "第1行：标记“休息”无效，应为“休”或“班”"),
        ("2027-01-01 上班", "第1行：标记“上班”无效，应为“休”或“班”"),
        ("2027-01-01 x", "第1行：标记“x”无效，应为“休”或“班”"),
        ("2027-01-01 1", "第1行：标记“1”无效，应为“休”或“班”"),
    ],
)
def test_schedule_line_errors(line, message):
    parsed = parse_schedule_file(line)
    assert parsed.errors == (ScheduleError(1, message),)
    assert parsed.entries == ()
    assert not parsed.ok


def test_schedule_example_message_from_brief():
    parsed = parse_schedule_file("# 通知\n2027-01-01 休\n2027-02-30 休\n")
    assert parsed.errors == (ScheduleError(3, "第3行：日期“2027-02-30”无效"),)


def test_schedule_bad_date_and_marker_on_one_line_both_reported():
    parsed = parse_schedule_file("2027-02-30 休息")
    assert [e.line for e in parsed.errors] == [1, 1]
    assert "无效" in parsed.errors[0].message and "2027-02-30" in parsed.errors[0].message
    assert "休息" in parsed.errors[1].message


@pytest.mark.parametrize(
    "text,dup_line,first_line",
    [
        ("2027-01-01 休\n2027-01-01 休\n", 2, 1),
        ("2027-01-01 休\n# x\n2027-01-01 班\n", 3, 1),  # conflicting markers
        ("2027-01-01 休\n2027/1/1 休\n", 2, 1),  # same date, different format
        ("2027年1月1日 休\n\n\n2027-01-01，休\n", 4, 1),
        ("2027-01-01 休息\n2027-01-01 休\n", 2, 1),  # first occurrence had a bad marker
    ],
)
def test_schedule_duplicate_dates(text, dup_line, first_line):
    parsed = parse_schedule_file(text)
    dup = [e for e in parsed.errors if "重复" in e.message]
    assert dup == [
        ScheduleError(dup_line, f"第{dup_line}行：日期“2027-01-01”与第{first_line}行重复")
    ]
    assert [e.day for e in parsed.entries].count(D(2027, 1, 1)) <= 1
    assert not parsed.ok


@pytest.mark.parametrize(
    "data",
    [b"", "", "\n\n", "\r\n  \r\n", "# only a comment\n", codecs.BOM_UTF8, "\ufeff# 国办发明电\n"],
)
def test_schedule_empty_file(data):
    parsed = parse_schedule_file(data)
    assert parsed.errors == (ScheduleError(0, "文件为空：未找到任何日期"),)
    assert parsed.entries == ()
    assert parsed.years == frozenset()
    assert not parsed.ok


@pytest.mark.parametrize("data", [b"\x80\x81\xff\n", b"2027-01-01 \xff\xfe\xfd\n", b"\xff"])
def test_schedule_undecodable_bytes(data):
    parsed = parse_schedule_file(data)
    assert len(parsed.errors) == 1
    assert parsed.errors[0].line == 0
    assert "编码" in parsed.errors[0].message
    assert parsed.entries == ()
    assert not parsed.ok


def test_schedule_reports_every_error_and_keeps_valid_entries():
    text = "\n".join(
        [
            "# 国办发明电〔2026〕7号",  # 1
            "2027-01-01 休",  # 2
            "garbage",  # 3
            "2027-02-30 休",  # 4
            "2027-02-06 上班",  # 5
            "2027-01-01 班",  # 6
            "2027-02-07 班",  # 7
            "",  # 8
            "31/12/2027 休",  # 9
        ]
    )
    parsed = parse_schedule_file(text)
    assert [e.line for e in parsed.errors] == [3, 4, 5, 6, 9]
    assert all(e.message.startswith(f"第{e.line}行：") for e in parsed.errors)
    assert parsed.entries == (
        ScheduleEntry(2, D(2027, 1, 1), False),
        ScheduleEntry(7, D(2027, 2, 7), True),
    )
    assert parsed.years == frozenset({2027})
    assert not parsed.ok


def test_schedule_rejects_non_text_argument():
    with pytest.raises(TypeError):
        parse_schedule_file(123)
