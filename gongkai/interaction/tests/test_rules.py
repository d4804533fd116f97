"""The message board's rules against the real calendar."""

import datetime as dt

from gongkai.core.workdays import default_calendar
from gongkai.interaction import rules

D = dt.date


def test_the_default_reply_period_is_five_working_days_and_an_agency_may_set_its_own():
    assert rules.reply_working_days(None) == 5
    assert rules.reply_working_days(0) == 5
    assert rules.reply_working_days(10) == 10


def test_the_reply_deadline_counts_working_days_from_the_day_after_receipt():
    # Friday 2025-01-24: the Spring Festival holiday (28 Jan – 4 Feb) and the make-up
    # Sunday 26 Jan: five working days are 26, 27 Jan, 5, 6 and 7 Feb.
    calendar = default_calendar()
    assert rules.reply_due_on(D(2025, 1, 24), working_days=5, calendar=calendar) == D(2025, 2, 7)
    assert rules.reply_due_on(D(2025, 3, 3), working_days=5) == D(2025, 3, 10)
    assert rules.reply_due_on(D(2025, 3, 3), working_days=5, extension_days=5) == D(2025, 3, 17)


def test_the_inspection_alerts_come_after_two_and_three_calendar_months():
    received = D(2024, 11, 30)
    assert rules.two_month_warning_on(received) == D(2025, 1, 31)
    assert rules.inspection_veto_on(received) == D(2025, 3, 1)  # 28 Feb is the "same day"
    assert rules.unanswered_alert(received, D(2025, 1, 30)) == rules.Alert.NONE
    assert rules.unanswered_alert(received, D(2025, 1, 31)) == rules.Alert.TWO_MONTHS
    assert rules.unanswered_alert(received, D(2025, 2, 28)) == rules.Alert.TWO_MONTHS
    assert rules.unanswered_alert(received, D(2025, 3, 1)) == rules.Alert.THREE_MONTHS
