"""The rules of a work plan's tasks, with no HTTP in them: where a task stands on a day
(its phase, derived from the stored facts: its state, completion date and due date), and
how many days before its due date the responsible side is reminded.

Nothing here is stored by a job: 逾期 is computed from the due date every time it is asked.
The reminder window is data (``data/reminders.toml``), which an agency's office may
override (``AgencyWorkplanSettings``)."""

from __future__ import annotations

import datetime as dt
import tomllib
from functools import cache
from pathlib import Path

from django.db import models

DATA = Path(__file__).resolve().parent / "data" / "reminders.toml"


class TaskState(models.TextChoices):
    """What the responsible side has recorded (a fact); 逾期 is never stored."""

    NOT_STARTED = "not_started", "未开始"  # nobody has reported progress yet
    IN_PROGRESS = "in_progress", "进行中"  # progress reported, not finished
    DONE = "done", "已完成"  # finished on ``completed_on``


class Phase(models.TextChoices):
    """Where a task stands on a given day (state and due date together)."""

    NOT_STARTED = "not_started", "未开始"
    IN_PROGRESS = "in_progress", "进行中"
    DONE = "done", "已完成"
    OVERDUE = "overdue", "逾期"


@cache
def _reminder_data() -> dict:
    with DATA.open("rb") as f:
        return tomllib.load(f)


def default_days_before() -> int:
    """How many days before its due date a task is first reminded, unless the agency set
    its own (督查督办：到期前提醒)."""
    return int(_reminder_data()["days_before"])


def days_before_bounds() -> tuple[int, int]:
    data = _reminder_data()
    return int(data["least_days_before"]), int(data["most_days_before"])


def days_before(configured: int | None) -> int:
    """The agency's setting when it made one, else the default."""
    return default_days_before() if configured is None else int(configured)


def phase(*, state: str, completed_on: dt.date | None, due_on: dt.date, as_of: dt.date,
          at_close: bool = False) -> Phase:
    """The task's phase on ``as_of``: done when completed by then; 逾期 when not done and
    its due date has passed (during the due date itself it is still in time); otherwise its
    state. ``at_close``: as the day ``as_of`` stood once it was over (the year-end count of
    the annual report): a task due that day and not done by then is 逾期."""
    if state == TaskState.DONE and completed_on is not None and completed_on <= as_of:
        return Phase.DONE
    if due_on < as_of or (at_close and due_on == as_of):
        return Phase.OVERDUE
    if state == TaskState.NOT_STARTED:
        return Phase.NOT_STARTED
    return Phase.IN_PROGRESS


def reminder_kind(*, state: str, due_on: dt.date, today: dt.date, window: int) -> str | None:
    """Which reminder a task gets on ``today``: "overdue" past its due date, "due_soon"
    within ``window`` days of it (the due date included), None otherwise or when done."""
    if state == TaskState.DONE:
        return None
    if due_on < today:
        return "overdue"
    if (due_on - today).days <= window:
        return "due_soon"
    return None
