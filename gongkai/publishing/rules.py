"""The time limit of proactive disclosure (Art. 26), computed in one place.

Information that falls under proactive disclosure is published within 20 working days of
being made or changed (条例第二十六条). The staff list, the item's page, the office's
statistics and the guide on the portal all ask these functions; none counts the days
itself.

The period is counted as every statutory period is (``core.workdays``): the day the
information was made (its 成文日期) is not counted and the period ends on the 20th
working day after it. Publication on any later day is late, a holiday included: an item
made on Thursday 2025-03-06 is due by Thursday 2025-04-03, and published on Friday
2025-04-04 (清明) it is late although only 20 working days have passed, since the
holiday is not one of them.

Plain Python: dates and the working-day calendar; no database, no HTTP.
"""

from __future__ import annotations

import datetime as dt

from gongkai.core.rules import rule
from gongkai.core.workdays import WorkingDayCalendar, default_calendar

__all__ = [
    "PUBLICATION_LIMIT_DAYS",
    "is_publication_overdue",
    "is_published_late",
    "publication_deadline",
]

PUBLICATION_LIMIT_DAYS = 20  # 条例第二十六条


@rule
def publication_deadline(
    written_on: dt.date, *, calendar: WorkingDayCalendar | None = None
) -> dt.date:
    """The last day to publish proactive information made or changed on ``written_on``:
    the 20th working day after it.

    依据：条例第二十六条
    """
    return (calendar or default_calendar()).add_working_days(written_on, PUBLICATION_LIMIT_DAYS)


@rule
def is_published_late(
    written_on: dt.date, published_on: dt.date, *, calendar: WorkingDayCalendar | None = None
) -> bool:
    """Published after the Art. 26 deadline (a defect to report, not a reason to refuse).

    依据：条例第二十六条
    """
    return published_on > publication_deadline(written_on, calendar=calendar)


@rule
def is_publication_overdue(
    written_on: dt.date, *, today: dt.date, calendar: WorkingDayCalendar | None = None
) -> bool:
    """Not yet published and the Art. 26 deadline has passed (on the last day it is
    still on time).

    依据：条例第二十六条
    """
    return today > publication_deadline(written_on, calendar=calendar)
