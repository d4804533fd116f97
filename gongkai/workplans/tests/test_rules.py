"""Where a task stands on a day, and which reminder it gets."""

import datetime as dt

import pytest

from gongkai.workplans import rules
from gongkai.workplans.rules import Phase, TaskState

D = dt.date
DUE = D(2026, 6, 30)


@pytest.mark.parametrize(("state", "completed_on", "as_of", "expected"), [
    (TaskState.NOT_STARTED, None, D(2026, 6, 30), Phase.NOT_STARTED),  # the due date is still in time
    (TaskState.NOT_STARTED, None, D(2026, 7, 1), Phase.OVERDUE),
    (TaskState.IN_PROGRESS, None, D(2026, 6, 1), Phase.IN_PROGRESS),
    (TaskState.IN_PROGRESS, None, D(2026, 7, 1), Phase.OVERDUE),
    (TaskState.DONE, D(2026, 7, 5), D(2026, 7, 10), Phase.DONE),  # done late is done
    (TaskState.DONE, D(2026, 7, 5), D(2026, 7, 3), Phase.OVERDUE),  # not yet done on that day
])
def test_phase(state, completed_on, as_of, expected):
    assert rules.phase(state=state, completed_on=completed_on, due_on=DUE, as_of=as_of) == expected


@pytest.mark.parametrize(("today", "state", "expected"), [
    (D(2026, 6, 22), TaskState.NOT_STARTED, None),  # 8 days before
    (D(2026, 6, 23), TaskState.NOT_STARTED, "due_soon"),  # 7 days before
    (D(2026, 6, 30), TaskState.IN_PROGRESS, "due_soon"),  # the due date
    (D(2026, 7, 1), TaskState.IN_PROGRESS, "overdue"),
    (D(2026, 7, 1), TaskState.DONE, None),
])
def test_reminder_kind(today, state, expected):
    assert rules.reminder_kind(state=state, due_on=DUE, today=today, window=7) == expected


def test_the_default_window_is_data():
    assert rules.days_before(None) == rules.default_days_before() == 7
    assert rules.days_before(3) == 3


def test_at_the_close_of_the_due_date_an_unfinished_task_is_late():
    kw = {"state": TaskState.IN_PROGRESS, "completed_on": None, "due_on": DUE}
    assert rules.phase(**kw, as_of=DUE) == Phase.IN_PROGRESS
    assert rules.phase(**kw, as_of=DUE, at_close=True) == Phase.OVERDUE
    assert rules.phase(state=TaskState.DONE, completed_on=DUE, due_on=DUE, as_of=DUE, at_close=True) == Phase.DONE
