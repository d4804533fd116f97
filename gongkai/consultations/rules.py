"""Rules of law of consultations on drafts (意见征集 / 决策预公开).

How long a draft is open for comment: 《重大行政决策程序暂行条例》 Art. 15 — "征求意见的期限
一般不少于30日" ("generally not less than 30 days"). The same period is the platform's
default for every kind of draft; an agency may set its own per kind
(``AgencyConsultationSettings``), and a draft may be open for less than the minimum only
with a recorded reason, shown to the public (the regulation says "generally": the
exception is allowed, never silent).

A period in days is counted from the day after the first day (民法典 Art. 201): a draft
opened on 1 March and closing on 31 March is open for 30 days.

No Django here: dates in, numbers and dates out.
"""

from __future__ import annotations

import datetime as dt

from gongkai.core.rules import rule
from gongkai.core.workdays import WorkingDayCalendar, default_calendar

DEFAULT_MINIMUM_PERIOD_DAYS = 30
# Not set by any national instrument: how many working days after the close the adoption
# feedback (采纳情况) is due. The platform's default; agencies set their own per kind.
DEFAULT_FEEDBACK_WORKING_DAYS = 20


@rule
def minimum_period_days(kind: str, agency_setting: int | None = None) -> int:
    """The minimum comment period in days for a draft of ``kind``: the agency's own setting
    for that kind when it has one, else 30 days.

    依据：重大行政决策程序暂行条例第十五条
    """
    del kind  # the national default is the same for every kind; agencies differ per kind
    if agency_setting is not None and agency_setting > 0:
        return int(agency_setting)
    return DEFAULT_MINIMUM_PERIOD_DAYS


@rule
def period_days(opens_on: dt.date, closes_on: dt.date) -> int:
    """How many days a draft is open for comment: the first day is not counted, the
    closing day is.

    依据：民法典第二百零一条
    """
    return (closes_on - opens_on).days


def is_shorter_than_minimum(opens_on: dt.date, closes_on: dt.date, minimum: int) -> bool:
    return period_days(opens_on, closes_on) < minimum


def feedback_due_on(closes_on: dt.date, working_days: int, *,
                    calendar: WorkingDayCalendar | None = None) -> dt.date:
    """The last day to publish the adoption feedback: ``working_days`` working days after
    the close (the agency's setting; ``DEFAULT_FEEDBACK_WORKING_DAYS`` by default)."""
    return (calendar or default_calendar()).add_working_days(closes_on, working_days)


def adoption_rate(adopted: int, partly: int, total: int) -> float | None:
    """The share of opinions adopted in whole or in part, in percent (one decimal);
    None when there were no opinions."""
    if not total:
        return None
    return round((adopted + partly) * 100 / total, 1)
