"""The rules for publishing the results of random inspections (一公开), as plain Python.

国发〔2019〕5号 (the State Council's opinion on joint random inspections in market
supervision): the results of an inspection are made public on the enterprise credit
information system (国家企业信用信息公示系统) within **20 working days** of the
inspection's end. The period here counts from the task's end date (``ends_on``), the day
not counted, in working days of the platform's calendar: the inspections of a task all end
by then, and a result published on the due day is on time.

Not yet in the ``@rule`` index (docs/rules.md), which takes a source only with its article
or item: the provision's part and item were not checked against the published text when
this was written (the issue cites 国发〔2019〕5号; 国办发〔2015〕58号 set the practice), and a
guessed locator would be worse than none. Register both functions once it is confirmed.

No database, no HTTP.
"""

from __future__ import annotations

import datetime as dt

from gongkai.core.workdays import WorkingDayCalendar, default_calendar

# 国发〔2019〕5号: results public within 20 working days of the inspection's end.
RESULTS_PUBLICATION_WORKING_DAYS: int = 20

# The office's desk lists the tasks whose results fall due within this many working days.
DUE_SOON_WORKING_DAYS: int = 5


def results_due(ends_on: dt.date, calendar: WorkingDayCalendar | None = None) -> dt.date:
    """The last day to publish a task's results: 20 working days after the task's end
    date, that day not counted."""
    return (calendar or default_calendar()).add_working_days(ends_on, RESULTS_PUBLICATION_WORKING_DAYS)


def is_result_late(ends_on: dt.date, published_on: dt.date | None, as_of: dt.date,
                   calendar: WorkingDayCalendar | None = None) -> bool:
    """A result published after its due date, or still unpublished once the due date has
    passed (as of ``as_of``)."""
    due = results_due(ends_on, calendar)
    if published_on is not None:
        return published_on > due
    return as_of > due


def working_days_left(ends_on: dt.date, as_of: dt.date, calendar: WorkingDayCalendar | None = None) -> int:
    """Working days from ``as_of`` to the due date (negative once past it)."""
    return (calendar or default_calendar()).working_days_between(as_of, results_due(ends_on, calendar))
