"""Rules of the message board (留言办理): the reply deadline and the inspection's alerts.

The national website inspection (《政府网站与政务新媒体检查指标》, 国办秘函〔2019〕19号,
attachment) fails a site outright ("单项否决") when a valid question from the public stays
unanswered for more than three months; the platform warns at two months and marks the
message at three. The reply period itself is not fixed by a national instrument: it is the
agency's own commitment (``AgencyMessageSettings.reply_working_days``), 5 working days by
default, counted like every other period of the platform (the day of receipt not counted).

No Django here: dates in, dates out.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import enum

from gongkai.core.rules import rule
from gongkai.core.workdays import WorkingDayCalendar, default_calendar

DEFAULT_REPLY_WORKING_DAYS = 5
MAX_REPLY_WORKING_DAYS = 60
# An extension is for the hard case, not a second period: at most this many working days
# in all per message (the platform's limit; the leader approves each one).
MAX_EXTENSION_WORKING_DAYS = 20
WARNING_MONTHS = 2
VETO_MONTHS = 3
# The desk's "due soon" window for the reply deadline, in working days.
DUE_SOON_WORKING_DAYS = 2


class Alert(enum.Enum):
    NONE = "none"
    TWO_MONTHS = "two_months"
    THREE_MONTHS = "three_months"

    @property
    def label(self) -> str:
        return {"none": "", "two_months": "超过2个月未答复",
                "three_months": "超过3个月未答复（网站检查单项否决）"}[self.value]


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later (the month's last day when it has
    no such day: 30 November + 3 months is 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


@rule
def reply_working_days(agency_setting: int | None = None) -> int:
    """The reply period of a message in working days: the agency's own setting, else 5.
    No national instrument fixes it; the website inspection requires that messages be
    answered, and fails a site that leaves one unanswered for over three months.

    依据：国办秘函〔2019〕19号附件
    """
    if agency_setting is not None and agency_setting > 0:
        return int(agency_setting)
    return DEFAULT_REPLY_WORKING_DAYS


@rule
def reply_due_on(received_on: dt.date, *, working_days: int, extension_days: int = 0,
                 calendar: WorkingDayCalendar | None = None) -> dt.date:
    """The last day to reply to a message received on ``received_on``: the
    ``working_days``-th working day after it, plus the approved extensions.

    依据：国办秘函〔2019〕19号附件
    """
    return (calendar or default_calendar()).add_working_days(
        received_on, working_days + max(extension_days, 0))


@rule
def two_month_warning_on(received_on: dt.date) -> dt.date:
    """The first day a still unanswered message counts as unanswered for over two months
    (the platform's warning before the inspection's veto).

    依据：国办秘函〔2019〕19号附件
    """
    return add_months(received_on, WARNING_MONTHS) + dt.timedelta(days=1)


@rule
def inspection_veto_on(received_on: dt.date) -> dt.date:
    """The first day a still unanswered valid message counts as unanswered for over three
    months: the website inspection's single veto (单项否决) of the whole site.

    依据：国办秘函〔2019〕19号附件
    """
    return add_months(received_on, VETO_MONTHS) + dt.timedelta(days=1)


def unanswered_alert(received_on: dt.date, today: dt.date) -> Alert:
    """The alert an open message carries today."""
    if today >= inspection_veto_on(received_on):
        return Alert.THREE_MONTHS
    if today >= two_month_warning_on(received_on):
        return Alert.TWO_MONTHS
    return Alert.NONE
