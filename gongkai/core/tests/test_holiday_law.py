"""Provisional years follow the holiday law (《全国年节及纪念日放假办法》, as amended by
国务院令第795号): Art. 2 holidays and Art. 6 make-up days (补假) computed from
``core/data/holiday_law.toml`` and lunar-python, used by ``core.workdays`` for a year
without a schedule; and what a loaded schedule then tells the offices."""

import datetime as dt
import html
from importlib import resources

import pytest
from django.core import mail
from django.urls import reverse
from lunar_python import Lunar, LunarYear

from gongkai.core import holiday_law
from gongkai.core.holiday_law import (
    default_law,
    law_year,
    load_law,
    makeup_days,
    measure_exactness,
    statutory_holidays,
)
from gongkai.core.rules import registry
from gongkai.core.selectors import get_working_day_calendar
from gongkai.core.services import calendar as calendar_services
from gongkai.core.tests.helpers import at
from gongkai.core.tests.test_commands import received_today
from gongkai.core.workdays import (
    PACKAGE_YEARS,
    DayKind,
    WorkingDayCalendar,
    add_working_days,
    default_calendar,
    parse_schedule_file,
)
from gongkai.foi.selectors import request_deadline
from gongkai.foi.services.requests import (
    ApplicantData,
    request_confirm_receipt,
    request_submit_online,
)
from gongkai.portal.tests.data import NATURAL_PERSON

D = dt.date
CAL = default_calendar()

needs_2027_unscheduled = pytest.mark.skipif(
    2027 in PACKAGE_YEARS, reason="chinesecalendar now ships a 2027 schedule"
)


# --- the law as data ----------------------------------------------------------------------


def test_the_data_file_is_package_data_and_names_the_seven_holidays():
    text = resources.files("gongkai.core").joinpath("data", "holiday_law.toml").read_text("utf-8")
    law = load_law(text)

    assert law == default_law()
    assert law.amended_by == "国务院令第795号"
    assert law.effective_year == 2025
    assert [(h.name, h.days) for h in law.holidays] == [
        ("元旦", 1), ("春节", 4), ("清明节", 1), ("劳动节", 2), ("端午节", 1), ("中秋节", 1),
        ("国庆节", 3),
    ]
    assert law.makeup and law.coinciding_made_up


@pytest.mark.parametrize(
    "broken,named",
    [
        ("[source]\ntitle='x'\n", "missing key"),
        ("[source]\ntitle='x'\namended_by='y'\neffective_year=2025\n[[holidays]]\nname='a'\n"
         "provision='p'\nanchor='moon'\ndays=1\n", "unknown anchor"),
        ("not toml [", "holiday_law.toml"),
    ],
)
def test_a_broken_data_file_is_refused(broken, named):
    with pytest.raises(holiday_law.HolidayLawError, match=named):
        load_law(broken)


def test_the_rule_functions_name_their_articles():
    by_name = {r.name: r for r in registry.rules()}
    statutory = by_name["gongkai.core.holiday_law.statutory_holidays"]
    made_up = by_name["gongkai.core.holiday_law.makeup_days"]

    assert [str(s) for s in statutory.sources] == ["放假办法第二条"]
    assert [str(s) for s in made_up.sources] == ["放假办法第六条"]
    assert not statutory.problems and not made_up.problems


# --- Art. 2: the holidays ------------------------------------------------------------------


def test_the_2027_holidays():
    holidays = dict(statutory_holidays(2027))

    assert holidays == {
        "元旦": (D(2027, 1, 1),),
        "春节": (D(2027, 2, 5), D(2027, 2, 6), D(2027, 2, 7), D(2027, 2, 8)),
        "清明节": (D(2027, 4, 5),),
        "劳动节": (D(2027, 5, 1), D(2027, 5, 2)),
        "端午节": (D(2027, 6, 9),),
        "中秋节": (D(2027, 9, 15),),
        "国庆节": (D(2027, 10, 1), D(2027, 10, 2), D(2027, 10, 3)),
    }


@pytest.mark.parametrize("year", [2025, 2026, 2027, 2028, 2030, 2033])
def test_spring_festival_starts_on_the_last_day_of_the_twelfth_lunar_month(year):
    # 除夕 is the 29th or the 30th, whichever ends the twelfth month of the lunar year before.
    last = LunarYear.fromYear(year - 1).getMonth(12).getDayCount()
    eve = Lunar.fromYmd(year - 1, 12, last).getSolar()

    spring = dict(statutory_holidays(year))["春节"]
    assert spring[0] == D(eve.getYear(), eve.getMonth(), eve.getDay())
    assert len(spring) == 4


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_law_agrees_with_the_published_holidays(year):
    # Every Art. 2 holiday the law computes is a rest day in the State Council's schedule.
    for name, dates in statutory_holidays(year):
        for day in dates:
            assert not CAL.is_working_day(day), (name, day)


def test_before_the_amended_law_no_holidays_are_computed():
    assert statutory_holidays(2024) == ()
    assert law_year(2003).blocks == ()
    # 2003 has no package data either: plain Monday-Friday.
    assert CAL.day_kind(D(2003, 10, 1)) is DayKind.WORKDAY


# --- Art. 6: make-up days ------------------------------------------------------------------


def test_the_2027_make_up_days():
    made_up = dict(makeup_days(2027))

    # 初一/初二 (6-7 February) and 国庆 2-3 October fall on weekends; 劳动节 is Sat-Sun.
    assert made_up["春节"] == (D(2027, 2, 9), D(2027, 2, 10))
    assert made_up["国庆节"] == (D(2027, 10, 4), D(2027, 10, 5))
    assert made_up["劳动节"] == (D(2027, 5, 3), D(2027, 5, 4))
    assert made_up["元旦"] == made_up["清明节"] == made_up["中秋节"] == ()


def test_2025_dragon_boat_on_a_saturday_is_made_up_on_monday_as_the_notice_did():
    # The 2025 notice rests 31 May - 2 June; Art. 6 alone gives the same.
    assert dict(makeup_days(2025))["端午节"] == (D(2025, 6, 2),)
    assert not CAL.is_working_day(D(2025, 6, 2))


def test_mid_autumn_inside_national_day_is_one_block_and_its_day_is_made_up():
    # 2028: 中秋节 is 3 October (Tuesday), inside 国庆节 1-3 October (Sunday-Tuesday): four
    # holiday days on three dates, one of them a Sunday, so two make-up days.
    (block,) = [b for b in law_year(2028).blocks if "国庆节" in b.names]
    assert set(block.names) == {"国庆节", "中秋节"}
    assert block.days == (D(2028, 10, 1), D(2028, 10, 2), D(2028, 10, 3))
    assert block.makeup_days == (D(2028, 10, 4), D(2028, 10, 5))


def test_mid_autumn_next_to_national_day_joins_the_block():
    # 2036: 国庆节 1-3 October (Wednesday-Friday), 中秋节 Saturday 4 October: made up on
    # Monday 6 October, after the whole block.
    (block,) = [b for b in law_year(2036).blocks if "国庆节" in b.names]
    assert block.days[-1] == D(2036, 10, 4)
    assert block.makeup_days == (D(2036, 10, 6),)


def test_a_make_up_day_never_lands_on_another_holiday():
    # A made-up law: A on Saturday 1 May 2027, B on Monday 3 May. A's make-up day skips
    # Sunday and B, and lands on Tuesday.
    law = load_law("""
[source]
title = "test"
amended_by = "test"
effective_year = 2025
[[holidays]]
name = "A"
provision = "第二条"
anchor = "solar"
month = 5
day = 1
days = 1
[[holidays]]
name = "B"
provision = "第二条"
anchor = "solar"
month = 5
day = 3
days = 1
[makeup]
provision = "第六条"
""")
    blocks = {b.name: b for b in law.year(2027).blocks}
    assert blocks["A"].makeup_days == (D(2027, 5, 4),)
    assert blocks["B"].makeup_days == ()


@pytest.mark.parametrize("year", range(2025, 2061))
def test_make_up_days_are_weekdays_outside_every_holiday_and_match_the_weekend_days(year):
    law = law_year(year)
    holidays = law.holidays
    for block in law.blocks:
        owed = sum(1 for _, dates in statutory_holidays(year) for d in dates if d in block.days)
        weekdays_off = sum(1 for d in block.days if d.weekday() < 5)
        assert len(block.makeup_days) == owed - weekdays_off
        for day in block.makeup_days:
            assert day.weekday() < 5 and day not in holidays and day.year == year
            assert day > block.days[-1]
    assert len(law.makeup_days) == sum(len(b.makeup_days) for b in law.blocks)


# --- the calendar in a provisional year ---------------------------------------------------


@needs_2027_unscheduled
@pytest.mark.parametrize(
    "start,n,expected",
    [
        (D(2026, 12, 31), 1, D(2027, 1, 4)),  # 元旦 (Friday)
        (D(2027, 2, 4), 1, D(2027, 2, 11)),  # 春节 5-8 Feb, 补假 9-10 Feb
        (D(2027, 9, 30), 1, D(2027, 10, 6)),  # 国庆 1-3 Oct (Fri-Sun), 补假 4-5 Oct
        (D(2027, 12, 31), 1, D(2028, 1, 4)),  # 元旦 2028 (Saturday) made up on 3 January
        (D(2027, 4, 30), 1, D(2027, 5, 5)),  # 劳动节 (Sat-Sun), 补假 3-4 May
    ],
)
def test_acceptance_add_working_days(start, n, expected):
    assert add_working_days(start, n) == expected
    span = CAL.explain_add_working_days(start, n)
    assert span.end == expected and span.provisional


@needs_2027_unscheduled
def test_overrides_win_and_a_declared_schedule_replaces_the_law():
    override = WorkingDayCalendar(overrides={D(2027, 2, 9): True})
    assert override.day_kind(D(2027, 2, 9)) is DayKind.OVERRIDE_WORKDAY
    assert override.add_working_days(D(2027, 2, 4), 1) == D(2027, 2, 9)
    assert override.is_provisional(D(2027, 2, 9))

    declared = WorkingDayCalendar(scheduled_years=[2027])
    assert declared.day_kind(D(2027, 2, 9)) is DayKind.WORKDAY
    assert declared.law_blocks(2027) == ()
    assert not declared.is_provisional(D(2027, 2, 9))

    weekdays_only = WorkingDayCalendar(holiday_law=None)
    assert weekdays_only.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 1)
    assert weekdays_only.is_provisional(D(2027, 1, 1))


def test_package_years_ignore_the_law():
    # 2026's package schedule (春节 15-23 February) wins over the law's 16-19 February.
    assert CAL.law_blocks(2026) == ()
    assert CAL.day_kind(D(2026, 2, 14)) is DayKind.MAKEUP_WORKDAY


@needs_2027_unscheduled
@pytest.mark.parametrize(
    "day,name",
    [
        (D(2027, 2, 11), "春节"),  # the day after the 补假
        (D(2027, 2, 17), "春节"),  # 7 days after 10 February
        (D(2027, 2, 18), None),
        (D(2027, 1, 29), "春节"),  # 7 days before 除夕
        (D(2027, 1, 28), None),
        (D(2027, 9, 24), "国庆节"),  # 中秋 (15 Sep) is 9 days away, 国庆 7
        (D(2026, 12, 28), None),  # near 2027's 元旦, but 2026 is scheduled: cannot move
        (D(2027, 1, 5), "元旦"),
        (D(2027, 7, 20), None),
    ],
)
def test_provisional_holiday_near(day, name):
    block = CAL.provisional_holiday_near(day)
    assert (block.name if block else None) == name


def test_provisional_holiday_near_reaches_across_the_year_end():
    cal = WorkingDayCalendar(use_package_data=False)
    block = cal.provisional_holiday_near(D(2025, 12, 27))
    assert block is not None and block.name == "元旦" and block.first == D(2026, 1, 1)


def test_law_years_are_computed_once_and_tables_lazily():
    cal = WorkingDayCalendar(use_package_data=False)
    assert cal._tables == {}
    cal.add_working_days(D(2031, 3, 2), 5)
    assert set(cal._tables) == {2031}
    assert law_year(2031) is law_year(2031)


# --- exactness against the real schedules --------------------------------------------------


def test_exactness_against_the_2025_and_2026_schedules(capsys):
    results = {r.year: r for r in measure_exactness([2025, 2026])}

    for year, r in results.items():
        assert r.total == (D(year, 11, 30) - D(year, 1, 1)).days + 1
        weekdays, art2, art6 = (r.percent(r.weekdays_only), r.percent(r.holidays_only),
                                r.percent(r.with_makeup))
        assert art6 >= 75, (year, art6)
        assert art6 > weekdays, (year, weekdays, art6)
        assert art6 >= art2 > weekdays, (year, art2)

    holiday_law.main(["--exactness", "2025"])
    out = capsys.readouterr().out
    assert "2025" in out and f"{results[2025].percent(results[2025].with_makeup):6.1f}%" in out


def test_exactness_needs_a_real_schedule():
    with pytest.raises(ValueError, match="no schedule"):
        measure_exactness([2999])


# --- loading the real schedule: the calendar-change notice ---------------------------------


@needs_2027_unscheduled
def test_loading_a_schedule_reports_the_days_that_differ_from_the_holiday_law(
        platform_admin, bureau, office, django_capture_on_commit_callbacks):
    # Received 25 March 2027: under the law 清明节 (Monday 5 April) is a rest day, so the
    # provisional due date is 23 April. The loaded notice (a fictional one) lists only New
    # Year and Spring Festival; 5 April becomes a working day and the due date 22 April.
    request = received_today(bureau, office, D(2027, 3, 25))
    before = request_deadline(request)
    assert before.due_on == D(2027, 4, 23) and before.provisional

    told: list[frozenset] = []
    calendar_services.calendar_change_listeners.append(told.append)
    try:
        schedule = parse_schedule_file(
            "2027-01-01 休\n2027-02-05 休\n2027-02-06 休\n2027-02-07 休\n2027-02-08 休\n"
            "2027-02-09 休\n2027-02-10 休\n2027-02-11 休\n2027-02-20 班\n")
        with django_capture_on_commit_callbacks(execute=True):
            calendar_services.calendar_load_schedule(
                actor=platform_admin, schedule=schedule, source="国办发明电〔2026〕99号")
    finally:
        calendar_services.calendar_change_listeners.remove(told.append)

    (days,) = told
    # Compared with the holiday-law calendar, not Monday-Friday: 1 January and 5-10
    # February were rest days already and are not changes; 11 February (rest), 20 February
    # (worked) and the law's days the notice leaves out (清明, 劳动节 补假, ...) are.
    assert D(2027, 1, 1) not in days and D(2027, 2, 5) not in days and D(2027, 2, 9) not in days
    assert {D(2027, 2, 11), D(2027, 2, 20), D(2027, 4, 5), D(2027, 5, 3), D(2027, 10, 4)} <= days
    assert all(day.year == 2027 for day in days)

    after = request_deadline(request)
    assert after.due_on == D(2027, 4, 22) and not after.provisional
    assert get_working_day_calendar().is_working_day(D(2027, 4, 5))

    (notice,) = [m for m in mail.outbox if "工作日历已调整" in m.body]
    assert notice.to == [office.email]
    assert request.tracking_number in notice.body
    assert "答复期限 2027-04-22" in notice.body
    assert "2027-04-05" in notice.body and "2027-02-05" not in notice.body


# --- "可能因调休变动" where the deadline is shown ----------------------------------------------


@needs_2027_unscheduled
def test_a_provisional_due_date_next_to_spring_festival_is_marked_where_it_is_shown(
        client, client_for, bureau, office):
    # Received Friday 8 January 2027: due 11 February, the day after the law's 补假.
    at(D(2027, 1, 8))
    request, secret = request_submit_online(agency=bureau, data=ApplicantData(**NATURAL_PERSON))
    request_confirm_receipt(actor=office, request=request)

    status = client.post(reverse("portal:status"),
                         {"tracking_number": request.tracking_number, "secret": secret})
    page = html.unescape(status.content.decode())
    assert "2027年2月11日" in page and "可能因调休变动" in page

    staff = client_for(office)
    dashboard = html.unescape(staff.get(reverse("staff:foi-dashboard")).content.decode())
    assert "可能因调休变动" in dashboard
    detail = html.unescape(
        staff.get(reverse("staff:foi-detail", args=[request.pk])).content.decode())
    assert "可能因调休变动" in detail and "临近春节" in detail


@needs_2027_unscheduled
def test_a_provisional_due_date_far_from_any_holiday_is_not_marked(client, bureau, office):
    at(D(2027, 6, 21))  # due 19 July: no holiday within a week
    request, secret = request_submit_online(agency=bureau, data=ApplicantData(**NATURAL_PERSON))
    request_confirm_receipt(actor=office, request=request)

    page = client.post(reverse("portal:status"),
                       {"tracking_number": request.tracking_number, "secret": secret})
    text = page.content.decode()
    assert "2027年7月19日" in text and "暂定" in text and "可能因调休变动" not in text
