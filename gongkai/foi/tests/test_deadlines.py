"""Tests for gongkai.foi.deadlines (pure Python, no database, the real calendar).

Expected dates are counted by hand from the State Council schedules as carried by
chinesecalendar; test_calendar_facts pins every holiday and make-up day they rely on, so a
data change shows up there first. A day-by-day reference walk cross-checks the fast path.
"""

import datetime
import random
from datetime import date

import chinese_calendar
import pytest
from chinese_calendar import constants as cc

from gongkai.core.workdays import PACKAGE_YEARS, WorkingDayCalendar, default_calendar
from gongkai.foi.deadlines import (
    CORRECTION_NOTICE_DAYS,
    FEE_PAYMENT_DAYS,
    MAX_EXTENSION_DAYS,
    REPLY_LIMIT_DAYS,
    THIRD_PARTY_REPLY_DAYS,
    ClockEvent,
    ClockEventKind,
    DeadlineState,
    PauseReason,
    correction_notice_deadline,
    fee_payment_deadline,
    reply_deadline,
    third_party_reply_deadline,
)

D = date
K = ClockEventKind
CAL = default_calendar()

needs_2027_unscheduled = pytest.mark.skipif(
    2027 in PACKAGE_YEARS, reason="chinesecalendar now ships a 2027 schedule"
)


def received(on):
    return ClockEvent(K.RECEIVED, on)


def correction_requested(on):
    return ClockEvent(K.CORRECTION_REQUESTED, on)


def correction_received(on):
    return ClockEvent(K.CORRECTION_RECEIVED, on)


def pause_started(on, key="c1", label="", reason=PauseReason.THIRD_PARTY):
    return ClockEvent(K.PAUSE_STARTED, on, key=key, label=label, reason=reason)


def pause_ended(on, key="c1"):
    return ClockEvent(K.PAUSE_ENDED, on, key=key)


def extended(on, days=20, label=""):
    return ClockEvent(K.EXTENDED, on, days=days, label=label)


def deadline(*events, as_of, calendar=None):
    return reply_deadline(list(events), as_of=as_of, calendar=calendar)


# --------------------------------------------------------------------------
# Calendar facts the hand-counted expectations depend on
# --------------------------------------------------------------------------

MAKEUP_DAYS = [
    D(2024, 9, 29),
    D(2024, 10, 12),
    D(2025, 1, 26),
    D(2025, 2, 8),
    D(2025, 4, 27),
    D(2025, 9, 28),
    D(2025, 10, 11),
]
WEEKDAY_HOLIDAYS = [
    *(D(2024, 10, d) for d in (1, 2, 3, 4, 7)),
    *(D(2025, 1, d) for d in (28, 29, 30, 31)),
    D(2025, 2, 3),
    D(2025, 2, 4),
    D(2025, 4, 4),
    D(2025, 5, 1),
    D(2025, 5, 2),
    D(2025, 5, 5),
    D(2025, 6, 2),
    *(D(2025, 10, d) for d in (1, 2, 3, 6, 7, 8)),
]


@pytest.mark.parametrize("day", MAKEUP_DAYS)
def test_calendar_facts_makeup_days(day):
    assert day.weekday() >= 5
    assert day in cc.workdays


@pytest.mark.parametrize("day", WEEKDAY_HOLIDAYS)
def test_calendar_facts_weekday_holidays(day):
    assert day.weekday() < 5
    assert day in cc.holidays


def test_calendar_facts_no_other_exceptions_in_the_counted_months():
    months = {
        (2024, 9),
        (2024, 10),
        (2024, 11),
        (2025, 1),
        (2025, 2),
        (2025, 3),
        (2025, 4),
        (2025, 5),
        (2025, 6),
        (2025, 7),
        (2025, 9),
        (2025, 10),
        (2026, 11),
        (2026, 12),
    }
    exceptions = {
        d
        for d in (*cc.holidays, *cc.workdays)
        if (d.year, d.month) in months
        and (d.weekday() < 5) == (d in cc.holidays)  # a weekday off or a weekend on
    }
    # Mid-Autumn 2024 (16-17 Sep, make-up 14 Sep) and New Year's Day 2025 are not listed
    # above: they lie before every period counted here.
    expected = (
        set(MAKEUP_DAYS)
        | set(WEEKDAY_HOLIDAYS)
        | {D(2024, 9, 14), D(2024, 9, 16), D(2024, 9, 17), D(2025, 1, 1)}
    )
    assert exceptions == expected


# --------------------------------------------------------------------------
# Reference: a day-by-day walk with chinesecalendar's own API
# --------------------------------------------------------------------------


def naive_due(start, limit, pauses):
    """The day the limit-th working day outside every (lo, hi] pause falls on."""
    day, count = start, 0
    while count < limit:
        day += datetime.timedelta(days=1)
        if chinese_calendar.is_workday(day) and not any(lo < day <= hi for lo, hi in pauses):
            count += 1
    return day


def naive_used(start, as_of, pauses):
    day, count = start, 0
    while day < as_of:
        day += datetime.timedelta(days=1)
        if chinese_calendar.is_workday(day) and not any(lo < day <= hi for lo, hi in pauses):
            count += 1
    return count


def naive_shaping(start, end, pauses):
    """(weekday holidays, weekend make-up days) in (start, end] outside the pauses."""
    holidays, makeups = [], []
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if any(lo < day <= hi for lo, hi in pauses):
            continue
        if day.weekday() < 5 and not chinese_calendar.is_workday(day):
            holidays.append(day)
        elif day.weekday() >= 5 and chinese_calendar.is_workday(day):
            makeups.append(day)
    return tuple(holidays), tuple(makeups)


def test_matches_a_day_by_day_walk_for_random_histories():
    rng = random.Random(20250124)
    for _ in range(400):
        start = D(2024, 1, 2) + datetime.timedelta(days=rng.randrange(600))
        events = [received(start)]
        pauses = []
        for i in range(rng.randrange(4)):
            lo = start + datetime.timedelta(days=rng.randrange(45))
            hi = lo + datetime.timedelta(days=rng.randrange(25))
            events += [pause_started(lo, key=f"p{i}"), pause_ended(hi, key=f"p{i}")]
            pauses.append((lo, hi))
        extension = rng.choice([0, 0, 5, 20])
        if extension:
            events.append(
                extended(start + datetime.timedelta(days=rng.randrange(1, 20)), extension)
            )
        # Latest first: only the order of same-day events may matter (built in a valid order
        # here, and a stable sort keeps it).
        events.sort(key=lambda e: -e.on.toordinal())
        as_of = max(e.on for e in events) + datetime.timedelta(days=rng.randrange(40))

        result = reply_deadline(events, as_of=as_of)

        assert result.state is DeadlineState.RUNNING
        assert result.due_on == naive_due(start, REPLY_LIMIT_DAYS + extension, pauses)
        assert result.original_due_on == naive_due(start, REPLY_LIMIT_DAYS, pauses)
        assert result.days_used == naive_used(start, as_of, pauses)
        assert result.days_left == CAL.working_days_between(as_of, result.due_on)
        assert (result.holidays, result.makeup_days) == naive_shaping(start, result.due_on, pauses)


# --------------------------------------------------------------------------
# Plain receipts around holidays
# --------------------------------------------------------------------------


def test_received_before_spring_festival_2025_is_due_on_27_february():
    result = deadline(received(D(2025, 1, 24)), as_of=D(2025, 1, 24))

    assert result.state is DeadlineState.RUNNING
    assert result.period_start == D(2025, 1, 24)
    assert result.due_on == D(2025, 2, 27)
    assert result.original_due_on == D(2025, 2, 27)
    assert result.limit_days == 20
    assert result.extension_days == 0
    assert result.holidays == (
        D(2025, 1, 28),
        D(2025, 1, 29),
        D(2025, 1, 30),
        D(2025, 1, 31),
        D(2025, 2, 3),
        D(2025, 2, 4),
    )
    assert result.makeup_days == (D(2025, 1, 26), D(2025, 2, 8))
    assert result.days_used == 0
    assert result.days_left == 20
    assert not result.provisional
    assert result.steps[0] == "2025-01-24 收到申请，自次日起计算20个工作日（条例第三十三条）"
    assert result.steps[-2] == (
        "法定节假日顺延：2025-01-28、2025-01-29、2025-01-30、2025-01-31、2025-02-03、2025-02-04；"
        "调休上班日计入：2025-01-26、2025-02-08"
    )
    assert result.steps[-1] == "答复期限：2025-02-27（剩余20个工作日）"


@pytest.mark.parametrize(
    ("received_on", "due_on"),
    [
        (D(2025, 1, 24), D(2025, 2, 27)),  # Friday; Sunday 26 Jan is a make-up day
        (D(2025, 1, 26), D(2025, 2, 28)),  # received on the make-up Sunday itself
        (D(2025, 1, 27), D(2025, 3, 3)),  # last working day before the holiday
        (
            D(2025, 1, 29),
            D(2025, 3, 3),
        ),  # during the holiday: counting starts on 5 Feb, as for 27 Jan
        (D(2024, 9, 27), D(2024, 10, 30)),  # Friday before National Day; 29 Sep make-up
        (D(2024, 9, 29), D(2024, 10, 31)),  # the make-up Sunday
        (D(2024, 9, 30), D(2024, 11, 1)),  # last working day before the holiday
        (D(2024, 10, 3), D(2024, 11, 1)),  # during the holiday
        (D(2025, 5, 6), D(2025, 6, 4)),  # Labour Day just over; Dragon Boat Monday 2 June
    ],
)
def test_due_date_around_holidays(received_on, due_on):
    result = deadline(received(received_on), as_of=received_on)

    assert result.due_on == due_on
    assert CAL.working_days_between(received_on, due_on) == 20


def test_holiday_on_a_weekend_is_not_listed_as_pushing_the_date():
    result = deadline(received(D(2024, 9, 27)), as_of=D(2024, 9, 27))

    assert result.holidays == (
        D(2024, 10, 1),
        D(2024, 10, 2),
        D(2024, 10, 3),
        D(2024, 10, 4),
        D(2024, 10, 7),
    )
    assert result.makeup_days == (D(2024, 9, 29), D(2024, 10, 12))


# --------------------------------------------------------------------------
# days_left, due_soon, overdue
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "days_used", "days_left", "due_soon", "overdue"),
    [
        (D(2025, 1, 24), 0, 20, False, False),  # the receipt day is not counted
        (D(2025, 1, 25), 0, 20, False, False),  # Saturday
        (D(2025, 1, 26), 1, 19, False, False),  # make-up Sunday counts
        (D(2025, 1, 30), 2, 18, False, False),  # inside the Spring Festival holiday
        (D(2025, 2, 21), 16, 4, False, False),
        (D(2025, 2, 22), 16, 4, False, False),  # Saturday
        (D(2025, 2, 24), 17, 3, True, False),
        (D(2025, 2, 27), 20, 0, True, False),  # the due day itself
        (D(2025, 2, 28), 21, -1, False, True),
        (D(2025, 3, 1), 21, -1, False, True),  # Saturday after
        (D(2025, 3, 3), 22, -2, False, True),
    ],
)
def test_days_left_due_soon_and_overdue(as_of, days_used, days_left, due_soon, overdue):
    result = deadline(received(D(2025, 1, 24)), as_of=as_of)

    assert result.due_on == D(2025, 2, 27)
    assert result.days_used == days_used
    assert result.days_left == days_left
    assert result.due_soon is due_soon
    assert result.overdue is overdue


def test_due_soon_counts_working_days_across_a_holiday():
    # Due 2024-10-08 when received 2024-09-09 (Mid-Autumn 16-17 Sep, make-up 14 Sep):
    # on 30 Sep only one working day is left, the holiday week is not counted.
    result = deadline(received(D(2024, 9, 9)), as_of=D(2024, 9, 30))

    assert result.due_on == naive_due(D(2024, 9, 9), 20, [])
    assert result.days_left == CAL.working_days_between(D(2024, 9, 30), result.due_on)
    assert result.due_soon is (0 <= result.days_left <= 3)


def test_steps_say_due_today_and_overdue():
    today = deadline(received(D(2025, 1, 24)), as_of=D(2025, 2, 27))
    late = deadline(received(D(2025, 1, 24)), as_of=D(2025, 3, 3))

    assert today.steps[-1] == "答复期限：2025-02-27（今日到期）"
    assert late.steps[-1] == "答复期限：2025-02-27（已逾期2个工作日）"


# --------------------------------------------------------------------------
# Correction (Art. 30)
# --------------------------------------------------------------------------

CORRECTION = (
    received(D(2025, 3, 3)),
    correction_requested(D(2025, 3, 5)),
    correction_received(D(2025, 3, 20)),
)


def test_correction_restarts_the_period_from_the_corrected_request():
    result = deadline(*CORRECTION, as_of=D(2025, 3, 20))

    assert result.state is DeadlineState.RUNNING
    assert result.period_start == D(2025, 3, 20)
    # 20 working days after Thursday 20 March; Qingming (Friday 4 April) is skipped.
    assert result.due_on == D(2025, 4, 18)
    assert result.holidays == (D(2025, 4, 4),)
    assert result.days_used == 0
    assert result.steps[:3] == (
        "2025-03-03 收到申请，自次日起计算20个工作日（条例第三十三条）",
        "2025-03-05 书面告知申请人补正（第三十条），答复期限停止计算",
        "2025-03-20 收到补正后的申请，自次日起重新计算20个工作日（第三十条）",
    )


@pytest.mark.parametrize("as_of", [D(2025, 3, 5), D(2025, 3, 10), D(2025, 3, 19)])
def test_waiting_for_correction_stops_the_clock(as_of):
    result = deadline(*CORRECTION, as_of=as_of)

    assert result.state is DeadlineState.STOPPED_FOR_CORRECTION
    assert result.correction_requested_on == D(2025, 3, 5)
    assert result.period_start == D(2025, 3, 3)
    assert result.due_on is None
    assert result.days_left is None
    assert not result.overdue
    assert not result.due_soon
    assert "等待申请人补正" in result.steps[-1]


def test_correction_discards_earlier_pauses_and_extension():
    result = deadline(
        received(D(2025, 3, 3)),
        pause_started(D(2025, 3, 4)),
        pause_ended(D(2025, 3, 4)),
        extended(D(2025, 3, 4), 10),
        correction_requested(D(2025, 3, 5)),
        correction_received(D(2025, 3, 20)),
        as_of=D(2025, 3, 21),
    )

    assert result.due_on == D(2025, 4, 18)
    assert result.limit_days == 20
    assert result.extension_days == 0
    assert result.pauses == ()
    assert result.steps[2].endswith("此前的中止和延期不再适用")


def test_correction_notice_deadline_is_seven_working_days_after_receipt():
    assert CORRECTION_NOTICE_DAYS == 7
    assert correction_notice_deadline(D(2025, 3, 3)) == D(2025, 3, 12)
    # Across the Spring Festival: 26 Jan (make-up), 27 Jan, then 5, 6, 7, 8 (Sat), 10 Feb.
    assert correction_notice_deadline(D(2025, 1, 24)) == D(2025, 2, 10)


# --------------------------------------------------------------------------
# Pauses: consultations (Art. 32, 33(3)) and fee notices
# --------------------------------------------------------------------------

UNPAUSED_DUE = D(2025, 4, 29)  # received 2025-04-01; 4 Apr off, Sunday 27 Apr worked


def test_third_party_consultation_pushes_the_date_by_the_working_days_inside_it():
    result = deadline(
        received(D(2025, 4, 1)),
        pause_started(D(2025, 4, 3), label="征求第三方意见（某公司）"),
        pause_ended(D(2025, 4, 18)),
        as_of=D(2025, 4, 18),
    )

    assert deadline(received(D(2025, 4, 1)), as_of=D(2025, 4, 1)).due_on == UNPAUSED_DUE
    assert result.state is DeadlineState.RUNNING
    (pause,) = result.pauses
    assert (pause.started_on, pause.ended_on, pause.working_days) == (
        D(2025, 4, 3),
        D(2025, 4, 18),
        10,
    )
    assert result.due_on == D(2025, 5, 16)
    assert CAL.working_days_between(UNPAUSED_DUE, result.due_on) == pause.working_days
    assert result.days_used == 2  # 2 and 3 April: the day the letter goes out counts
    assert result.days_left == 18
    # The Qingming holiday fell inside the pause, so it did not push the date.
    assert result.holidays == (D(2025, 5, 1), D(2025, 5, 2), D(2025, 5, 5))
    assert result.makeup_days == (D(2025, 4, 27),)
    assert result.steps[1] == (
        "2025-04-03 至 2025-04-18 征求第三方意见（某公司），"
        "期间不计入答复期限（第三十二条、第三十三条第三款）：不计10个工作日"
    )


@pytest.mark.parametrize("as_of", [D(2025, 4, 3), D(2025, 4, 10), D(2025, 4, 17)])
def test_open_consultation_freezes_the_count(as_of):
    result = deadline(received(D(2025, 4, 1)), pause_started(D(2025, 4, 3)), as_of=as_of)

    assert result.state is DeadlineState.PAUSED
    assert result.due_on is None
    assert result.days_used == 2
    assert result.days_left == 18
    assert not result.overdue
    assert not result.due_soon
    (pause,) = result.pauses
    assert pause.is_open
    assert pause.working_days == CAL.working_days_between(D(2025, 4, 3), as_of)
    assert result.due_on_if_resumed_today == naive_due(D(2025, 4, 1), 20, [(D(2025, 4, 3), as_of)])
    assert result.steps[-1].startswith("答复期限中止计算：已用2个工作日，剩余18个工作日")


def test_open_consultation_reports_the_date_if_resumed_today():
    result = deadline(received(D(2025, 4, 1)), pause_started(D(2025, 4, 3)), as_of=D(2025, 4, 10))

    # Counting resumes on 11 April: 3rd day; 27 April (Sunday) is worked; Labour Day skipped.
    assert result.due_on_if_resumed_today == D(2025, 5, 8)


def test_pause_opened_and_closed_on_one_day_excludes_nothing():
    result = deadline(
        received(D(2025, 4, 1)),
        pause_started(D(2025, 4, 8)),
        pause_ended(D(2025, 4, 8)),
        as_of=D(2025, 4, 8),
    )

    assert result.due_on == UNPAUSED_DUE
    assert result.pauses[0].working_days == 0


def test_overlapping_consultations_exclude_shared_days_once():
    events = [
        received(D(2025, 4, 1)),
        pause_started(D(2025, 4, 3), key="tp", label="征求第三方意见（某公司）"),
        pause_started(
            D(2025, 4, 9), key="ag", label="征求某局意见", reason=PauseReason.OTHER_AGENCY
        ),
        pause_ended(D(2025, 4, 11), key="tp"),
        pause_ended(D(2025, 4, 18), key="ag"),
    ]

    still_open = reply_deadline(events, as_of=D(2025, 4, 14))
    done = reply_deadline(events, as_of=D(2025, 4, 18))

    assert still_open.state is DeadlineState.PAUSED  # one of the two is still open
    assert still_open.days_left == 18
    assert done.state is DeadlineState.RUNNING
    # Union (3 Apr, 18 Apr] is the same as one long consultation.
    assert done.due_on == D(2025, 5, 16)
    assert [p.working_days for p in done.pauses] == [5, 7]
    assert "第三十三条第三款）：不计7个工作日" in done.steps[2]
    assert "合计不计10个工作日" in done.steps[3]


def test_fee_notice_pauses_until_payment():
    result = deadline(
        received(D(2025, 6, 3)),
        pause_started(D(2025, 6, 10), key="fee:1", label="收费通知", reason=PauseReason.FEE),
        pause_ended(D(2025, 6, 16), key="fee:1"),
        as_of=D(2025, 6, 16),
    )

    assert deadline(received(D(2025, 6, 3)), as_of=D(2025, 6, 3)).due_on == D(2025, 7, 1)
    assert result.pauses[0].working_days == 4  # 11, 12, 13, 16 June
    assert result.due_on == D(2025, 7, 7)
    assert result.steps[1] == (
        "2025-06-10 至 2025-06-16 收费通知，期间不计入答复期限"
        "（国办函〔2020〕109号及本机关规定）：不计4个工作日"
    )


def test_unpaid_fee_notice_freezes_the_count():
    result = deadline(
        received(D(2025, 6, 3)),
        pause_started(D(2025, 6, 10), key="fee:1", reason=PauseReason.FEE),
        as_of=D(2025, 7, 1),
    )

    assert result.state is DeadlineState.PAUSED
    assert result.days_used == 5
    assert result.days_left == 15
    assert result.pauses[0].label == "收费通知至缴费"


def test_pause_started_after_the_due_date_does_not_revive_the_deadline():
    result = deadline(
        received(D(2025, 1, 24)),
        pause_started(D(2025, 3, 3), key="fee:1", reason=PauseReason.FEE),
        pause_ended(D(2025, 3, 5), key="fee:1"),
        as_of=D(2025, 3, 6),
    )

    assert result.due_on == D(2025, 2, 27)
    assert result.overdue
    assert "不影响答复期限" in result.steps[1]


def test_events_after_as_of_are_not_yet_facts():
    events = [received(D(2025, 4, 1)), pause_started(D(2025, 4, 3)), pause_ended(D(2025, 4, 18))]

    before_receipt = reply_deadline(events, as_of=D(2025, 3, 31))
    during = reply_deadline(events, as_of=D(2025, 4, 15))

    assert before_receipt.state is DeadlineState.NOT_STARTED
    assert during.state is DeadlineState.PAUSED


def test_third_party_reply_deadline_is_fifteen_working_days():
    assert THIRD_PARTY_REPLY_DAYS == 15
    assert third_party_reply_deadline(D(2025, 4, 3)) == D(2025, 4, 25)
    # Across National Day 2024: 29 Sep (make-up), 30 Sep, then 8 Oct onwards; 12 Oct worked.
    assert third_party_reply_deadline(D(2024, 9, 27)) == D(2024, 10, 23)


def test_fee_payment_deadline_is_twenty_working_days_from_the_day_after_the_notice():
    assert FEE_PAYMENT_DAYS == 20
    assert fee_payment_deadline(D(2025, 6, 10)) == D(2025, 7, 8)
    # 27 April 2025 (Sunday) is worked; Labour Day 1-5 May is not.
    assert fee_payment_deadline(D(2025, 4, 25)) == D(2025, 5, 27)
    # National Day 2025: 28 Sep and 11 Oct worked, 1-8 Oct off.
    assert fee_payment_deadline(D(2025, 9, 26)) == D(2025, 10, 30)


# --------------------------------------------------------------------------
# Extension (Art. 33(2))
# --------------------------------------------------------------------------


def test_extension_adds_twenty_working_days_and_keeps_the_original_date():
    result = deadline(received(D(2025, 5, 6)), extended(D(2025, 5, 28), 20), as_of=D(2025, 5, 28))

    assert result.original_due_on == D(2025, 6, 4)
    assert result.due_on == D(2025, 7, 2)
    assert result.limit_days == 40
    assert result.extension_days == 20
    assert result.holidays == (D(2025, 6, 2),)  # Dragon Boat; 31 May/1 June are a weekend
    assert result.steps[1] == "2025-05-28 经批准延长答复期限20个工作日（第三十三条第二款）"
    assert "原答复期限：2025-06-04" in result.steps[2]


def test_extension_may_be_granted_in_two_steps_up_to_twenty_days():
    result = deadline(
        received(D(2025, 5, 6)),
        extended(D(2025, 5, 20), 5),
        extended(D(2025, 6, 3), 15),
        as_of=D(2025, 6, 3),
    )

    assert result.extension_days == MAX_EXTENSION_DAYS
    assert result.due_on == D(2025, 7, 2)
    assert result.original_due_on == D(2025, 6, 4)


def test_extension_after_the_original_deadline_is_flagged():
    result = deadline(received(D(2025, 5, 6)), extended(D(2025, 6, 5), 10), as_of=D(2025, 6, 5))

    assert "原答复期限2025-06-04已届满" in result.steps[1]


def test_extension_and_pause_combine():
    result = deadline(
        received(D(2025, 4, 1)),
        pause_started(D(2025, 4, 3)),
        pause_ended(D(2025, 4, 18)),
        extended(D(2025, 5, 6), 20),
        as_of=D(2025, 5, 6),
    )

    assert result.original_due_on == D(2025, 5, 16)
    assert result.due_on == CAL.add_working_days(D(2025, 5, 16), 20)


# --------------------------------------------------------------------------
# Provisional years
# --------------------------------------------------------------------------


@needs_2027_unscheduled
def test_deadline_in_an_unscheduled_year_is_provisional():
    result = deadline(received(D(2026, 12, 15)), as_of=D(2026, 12, 15))

    # No 2027 schedule: the holiday law makes 1 January 2027 (Friday, 元旦) a rest day.
    assert result.due_on == D(2027, 1, 13)
    assert result.provisional
    assert result.provisional_years == (2027,)
    assert result.holidays == (D(2027, 1, 1),)
    assert "暂定：2027年节假日安排尚未公布，按《全国年节及纪念日放假办法》的节日和补假推算" in (
        result.steps[-1])
    # 13 January is 12 days after 元旦: far enough from it not to be moved by the 调休.
    assert result.may_shift == ""


@needs_2027_unscheduled
@pytest.mark.parametrize(
    "received_on,due_on,may_shift",
    [
        # 春节 5-8 February 2027 (除夕 to 初三) with 补假 9-10 February: due the day after.
        (D(2027, 1, 8), D(2027, 2, 11), "春节"),
        # Counting across the same break but landing two weeks after it.
        (D(2027, 1, 20), D(2027, 2, 23), ""),
        # Due the day before 国庆节 (1-3 October, 补假 4-5 October).
        (D(2027, 9, 1), D(2027, 9, 30), "国庆节"),
        # Due 5 days after 元旦 2027, then 10 days after it (outside the week).
        (D(2026, 12, 8), D(2027, 1, 6), "元旦"),
        (D(2026, 12, 11), D(2027, 1, 11), ""),
    ],
)
def test_provisional_due_date_near_a_holiday_may_shift(received_on, due_on, may_shift):
    result = deadline(received(received_on), as_of=received_on)

    assert result.due_on == due_on
    assert result.provisional
    assert result.may_shift == may_shift
    assert any("可能因调休变动" in step for step in result.steps) is bool(may_shift)


@needs_2027_unscheduled
def test_paused_deadline_near_a_holiday_may_shift_and_a_schedule_ends_it():
    events = [received(D(2027, 1, 8)), pause_started(D(2027, 1, 8))]

    paused = deadline(*events, as_of=D(2027, 1, 8))
    assert paused.due_on_if_resumed_today == D(2027, 2, 11)
    assert paused.may_shift == "春节"

    final = deadline(*events, as_of=D(2027, 1, 8),
                     calendar=WorkingDayCalendar(scheduled_years=[2027]))
    assert not final.provisional and final.may_shift == ""


def test_overdue_date_in_a_scheduled_year_does_not_shift():
    # Due 30 November 2026 (scheduled); as of January 2027 the count is provisional, but
    # the due date itself cannot move.
    walked = deadline(received(D(2026, 11, 2)), as_of=D(2027, 1, 5))
    assert walked.may_shift == ""


@needs_2027_unscheduled
def test_declaring_the_year_makes_it_final_and_moves_the_date():
    calendar = WorkingDayCalendar(overrides={D(2027, 1, 1): False}, scheduled_years=[2027])

    result = deadline(received(D(2026, 12, 15)), as_of=D(2026, 12, 15), calendar=calendar)

    assert result.due_on == D(2027, 1, 13)
    assert not result.provisional
    assert result.holidays == (D(2027, 1, 1),)
    assert "暂定" not in result.steps[-1]


@needs_2027_unscheduled
def test_overdue_count_into_an_unscheduled_year_is_provisional():
    known = deadline(received(D(2026, 11, 2)), as_of=D(2026, 12, 1))
    walked = deadline(received(D(2026, 11, 2)), as_of=D(2027, 1, 5))

    assert known.due_on == walked.due_on == D(2026, 11, 30)
    assert not known.provisional
    assert walked.overdue
    assert walked.provisional


# --------------------------------------------------------------------------
# Ordering, empty histories
# --------------------------------------------------------------------------


def test_no_events_means_not_started():
    result = reply_deadline([], as_of=D(2025, 1, 1))

    assert result.state is DeadlineState.NOT_STARTED
    assert result.due_on is None
    assert result.days_left is None
    assert not result.overdue


def test_events_are_taken_in_date_order():
    events = [pause_ended(D(2025, 4, 18)), received(D(2025, 4, 1)), pause_started(D(2025, 4, 3))]

    assert reply_deadline(events, as_of=D(2025, 4, 18)).due_on == D(2025, 5, 16)


def test_same_day_events_keep_their_given_order():
    same_day = [received(D(2025, 4, 1)), pause_started(D(2025, 4, 1)), pause_ended(D(2025, 4, 1))]

    assert reply_deadline(same_day, as_of=D(2025, 4, 1)).due_on == UNPAUSED_DUE
    with pytest.raises(ValueError, match="no open pause"):
        reply_deadline([same_day[0], same_day[2], same_day[1]], as_of=D(2025, 4, 1))


def test_pause_from_the_receipt_day_excludes_everything_until_it_ends():
    result = deadline(
        received(D(2025, 4, 1)),
        pause_started(D(2025, 4, 1)),
        pause_ended(D(2025, 4, 7)),
        as_of=D(2025, 4, 7),
    )

    assert result.days_used == 0
    assert result.due_on == naive_due(D(2025, 4, 7), 20, [])


# --------------------------------------------------------------------------
# Inconsistent histories
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("events", "message"),
    [
        ([received(D(2025, 4, 1)), pause_ended(D(2025, 4, 3))], "no open pause"),
        (
            [received(D(2025, 4, 1)), pause_started(D(2025, 4, 2)), pause_started(D(2025, 4, 3))],
            "already open",
        ),
        ([received(D(2025, 4, 1)), extended(D(2025, 4, 2), 0)], "must be 1..20"),
        ([received(D(2025, 4, 1)), extended(D(2025, 4, 2), 21)], "must be 1..20"),
        (
            [received(D(2025, 4, 1)), extended(D(2025, 4, 2), 15), extended(D(2025, 4, 9), 10)],
            "total 25",
        ),
        ([pause_started(D(2025, 3, 31)), received(D(2025, 4, 1))], "before the request"),
        ([correction_received(D(2025, 3, 31)), received(D(2025, 4, 1))], "before the request"),
        ([received(D(2025, 4, 1)), received(D(2025, 4, 2))], "second RECEIVED"),
        (
            [received(D(2025, 4, 1)), correction_received(D(2025, 4, 8))],
            "without a correction request",
        ),
        (
            [
                received(D(2025, 4, 1)),
                correction_requested(D(2025, 4, 2)),
                correction_requested(D(2025, 4, 3)),
            ],
            "already waiting",
        ),
        (
            [received(D(2025, 4, 1)), correction_requested(D(2025, 4, 2)), extended(D(2025, 4, 3))],
            "while waiting",
        ),
        (
            [
                received(D(2025, 4, 1)),
                correction_requested(D(2025, 4, 2)),
                pause_started(D(2025, 4, 3)),
            ],
            "while waiting",
        ),
        (
            [
                received(D(2025, 4, 1)),
                pause_started(D(2025, 4, 2)),
                correction_requested(D(2025, 4, 3)),
            ],
            "pauses are open",
        ),
        (
            [received(D(2025, 4, 1)), ClockEvent(K.PAUSE_STARTED, D(2025, 4, 2), key="x", days=3)],
            "carries days",
        ),
    ],
)
def test_inconsistent_history_raises(events, message):
    with pytest.raises(ValueError, match=message):
        reply_deadline(events, as_of=D(2025, 5, 1))


def test_inconsistent_event_after_as_of_still_raises():
    events = [received(D(2025, 4, 1)), pause_ended(D(2025, 4, 20))]

    with pytest.raises(ValueError, match="no open pause"):
        reply_deadline(events, as_of=D(2025, 4, 2))


def test_datetime_instead_of_date_is_refused():
    with pytest.raises(TypeError):
        reply_deadline([received(D(2025, 4, 1))], as_of=datetime.datetime(2025, 4, 2, 9))
    with pytest.raises(TypeError):
        reply_deadline([received(datetime.datetime(2025, 4, 1, 9))], as_of=D(2025, 4, 2))


def test_original_date_during_a_pause_is_the_earliest_it_can_still_be():
    # An extension may be decided during a consultation: the original date has not passed.
    result = deadline(received(D(2025, 4, 1)), pause_started(D(2025, 4, 3)), as_of=D(2025, 4, 28))

    assert result.state is DeadlineState.PAUSED
    assert result.original_due_on > result.as_of
    assert result.original_due_on == naive_due(D(2025, 4, 1), 20, [(D(2025, 4, 3), D(2025, 4, 28))])


def test_pause_opened_after_the_due_date_stays_overdue():
    result = deadline(
        received(D(2025, 1, 24)),
        pause_started(D(2025, 3, 3), key="fee:1", reason=PauseReason.FEE),
        as_of=D(2025, 3, 10),
    )

    assert result.state is DeadlineState.PAUSED
    assert result.original_due_on == result.due_on_if_resumed_today == D(2025, 2, 27)
    assert result.days_used == 22  # 28 Feb and 3 Mar counted, then paused
    assert result.days_left == -2
    assert result.overdue
    assert not result.due_soon
    assert (
        result.steps[-1]
        == "答复期限中止计算，但答复期限2025-02-27在中止前已届满（已逾期2个工作日）"
    )


def test_pause_without_a_reason_cites_no_article():
    result = deadline(
        received(D(2025, 4, 1)),
        pause_started(D(2025, 4, 3), label="征求意见", reason=None),
        pause_ended(D(2025, 4, 18)),
        as_of=D(2025, 4, 18),
    )

    assert (
        result.steps[1] == "2025-04-03 至 2025-04-18 征求意见，期间不计入答复期限：不计10个工作日"
    )


def test_open_pause_step_reports_days_excluded_so_far():
    result = deadline(received(D(2025, 4, 1)), pause_started(D(2025, 4, 3)), as_of=D(2025, 4, 10))

    assert result.steps[1] == (
        "2025-04-03 起 征求第三方意见，尚未结束，"
        "期间不计入答复期限（第三十二条、第三十三条第三款）：目前不计4个工作日"  # 4 Apr is Qingming
    )
