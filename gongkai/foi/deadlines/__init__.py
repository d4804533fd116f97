"""The reply deadline of a request for information, derived from its clock events.

The due date is never stored: it is a pure function of the request's dated events and the
working-day calendar (``gongkai.core.workdays``), so a late calendar correction (a 2027
schedule typed in by an administrator) moves every open deadline at once.

Rules implemented (《政府信息公开条例》 as revised in 2019, "Art."):

- Art. 31: the receipt date starts the clock.
- Art. 33(2): reply within 20 working days of receipt; the head of the disclosure office
  may extend by at most 20 working days (in one or more steps, 20 in total).
- Art. 30: a request for correction stops the clock; a fresh 20-working-day period runs
  from the day the corrected request is received. Pauses and extensions of the earlier
  period belong to the old request and are discarded. The correction notice itself is due
  within 7 working days of receipt.
- Art. 33(3) with Art. 32: time spent consulting a third party or another agency does not
  count. A third party has 15 working days to answer (Art. 32).
- Fee measures (国办函〔2020〕109号): the applicant pays within 20 working days counted
  from the day after receiving the fee notice. Whether the time from the notice to payment
  pauses the reply clock is an agency setting (default: it does); the services decide
  whether to record a pause, this module only counts it.

Counting conventions:

- The day of the triggering event is not counted: a period of N working days ends on the
  N-th working day after it (receipt, corrected request, fee notice, consultation letter).
- A pause excludes the working days d with ``started_on < d <= ended_on``: the day the
  consultation letter (or fee notice) goes out still counts, the day the answer (or
  payment) arrives does not, and counting resumes the next day. The regulation does not
  say whether the boundary days count; we apply the same rule as for every other event
  (the event's own day belongs to what came before it), so that a pause opened and closed
  on one day excludes nothing, and a pause is exactly "the period that starts the day after
  the letter and ends on the day of the answer" - the same shape as every statutory period.
- Pauses may overlap (two consultations); the clock is stopped while any of them is open.
  A pause that starts on or after the due date changes nothing: the period has run out.
- Events after ``as_of`` are not yet facts: the deadline is computed as it stood on
  ``as_of`` (the whole history is still checked for consistency).

An inconsistent history (a pause ended that never started, an extension beyond 20 days,
an event before receipt, ...) raises ``ValueError``: events are written by our own
services, so an impossible history is a bug to surface, not something to guess around.

The package: the rule functions and the replay of the events are here; ``model`` holds
the clock-event model and the ``Deadline``, ``counting`` the working-day arithmetic,
``explanation`` the lines that explain a deadline.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from gongkai.core.rules import rule
from gongkai.core.workdays import WorkingDayCalendar, default_calendar
from gongkai.foi.deadlines.counting import (
    due_date,
    merge,
    near_holiday,
    paused_working_days,
    provisional_years,
    shaping_days,
)
from gongkai.foi.deadlines.explanation import explain
from gongkai.foi.deadlines.model import (
    PAUSE_DEFAULT_LABELS,
    ClockEvent,
    ClockEventKind,
    Deadline,
    DeadlineState,
    PausePeriod,
    PauseReason,
)

__all__ = [
    "CORRECTION_NOTICE_DAYS",
    "DUE_SOON_DAYS",
    "FEE_PAYMENT_DAYS",
    "MAX_EXTENSION_DAYS",
    "REPLY_LIMIT_DAYS",
    "THIRD_PARTY_REPLY_DAYS",
    "ClockEvent",
    "ClockEventKind",
    "Deadline",
    "DeadlineState",
    "PausePeriod",
    "PauseReason",
    "correction_notice_deadline",
    "extension_days_left",
    "fee_payment_deadline",
    "reply_deadline",
    "third_party_reply_deadline",
]

REPLY_LIMIT_DAYS = 20  # Art. 33(2)
MAX_EXTENSION_DAYS = 20  # Art. 33(2)
CORRECTION_NOTICE_DAYS = 7  # Art. 30
THIRD_PARTY_REPLY_DAYS = 15  # Art. 32
FEE_PAYMENT_DAYS = 20  # Fee measures
DUE_SOON_DAYS = 3  # dashboard warning: this many working days left or fewer


# --------------------------------------------------------------------------
# Replaying the events
# --------------------------------------------------------------------------


@dataclass
class _Pause:
    key: str
    label: str
    reason: PauseReason | None
    started_on: datetime.date
    ended_on: datetime.date | None = None


@dataclass
class _Clock:
    """The clock's state after replaying events in order."""

    received_on: datetime.date | None = None
    period_start: datetime.date | None = None
    correction_requested_on: datetime.date | None = None
    extension_days: int = 0
    extensions: list[ClockEvent] = field(default_factory=list)
    pauses: list[_Pause] = field(default_factory=list)
    open_pauses: dict[str, _Pause] = field(default_factory=dict)
    # Receipt and correction lines, in order: they survive a fresh period.
    history: list[str] = field(default_factory=list)

    def apply(self, event: ClockEvent) -> None:
        kind, on = event.kind, event.on
        if kind is ClockEventKind.RECEIVED:
            if self.received_on is not None:
                raise ValueError(
                    f"second RECEIVED on {on}; the request was received on {self.received_on}"
                )
            self.received_on = self.period_start = on
            self.history.append(
                f"{on} 收到申请，自次日起计算{REPLY_LIMIT_DAYS}个工作日（条例第三十三条）"
            )
            return
        if self.received_on is None:
            raise ValueError(f"{kind.name} on {on} before the request was received")

        if kind is ClockEventKind.CORRECTION_REQUESTED:
            if self.correction_requested_on is not None:
                raise ValueError(
                    f"CORRECTION_REQUESTED on {on} while already waiting for the correction "
                    f"requested on {self.correction_requested_on}"
                )
            if self.open_pauses:
                # A correction is asked for within 7 working days of receipt, before any
                # consultation; a pause still open across a fresh period has no meaning.
                raise ValueError(
                    f"CORRECTION_REQUESTED on {on} while pauses are open: {sorted(self.open_pauses)}"
                )
            self.correction_requested_on = on
            self.history.append(f"{on} 书面告知申请人补正（第三十条），答复期限停止计算")
        elif kind is ClockEventKind.CORRECTION_RECEIVED:
            if self.correction_requested_on is None:
                raise ValueError(f"CORRECTION_RECEIVED on {on} without a correction request")
            discarded = bool(self.pauses or self.extensions)
            self.period_start = on
            self.correction_requested_on = None
            self.extension_days = 0
            self.extensions = []
            self.pauses = []
            line = f"{on} 收到补正后的申请，自次日起重新计算{REPLY_LIMIT_DAYS}个工作日（第三十条）"
            if discarded:
                line += "，此前的中止和延期不再适用"
            self.history.append(line)
        elif kind is ClockEventKind.PAUSE_STARTED:
            self._check_running(event)
            if event.key in self.open_pauses:
                raise ValueError(f"PAUSE_STARTED on {on}: pause {event.key!r} is already open")
            label = event.label or PAUSE_DEFAULT_LABELS[event.reason]
            pause = _Pause(key=event.key, label=label, reason=event.reason, started_on=on)
            self.pauses.append(pause)
            self.open_pauses[event.key] = pause
        elif kind is ClockEventKind.PAUSE_ENDED:
            pause = self.open_pauses.pop(event.key, None)
            if pause is None:
                raise ValueError(f"PAUSE_ENDED on {on}: no open pause with key {event.key!r}")
            pause.ended_on = on
        elif kind is ClockEventKind.EXTENDED:
            self._check_running(event)
            if not 1 <= event.days <= MAX_EXTENSION_DAYS:
                raise ValueError(
                    f"EXTENDED on {on} by {event.days} days; must be 1..{MAX_EXTENSION_DAYS}"
                )
            if self.extension_days + event.days > MAX_EXTENSION_DAYS:
                raise ValueError(
                    f"EXTENDED on {on}: extensions would total "
                    f"{self.extension_days + event.days} days, more than {MAX_EXTENSION_DAYS}"
                )
            self.extension_days += event.days
            self.extensions.append(event)
        else:  # pragma: no cover - exhaustive over ClockEventKind
            raise ValueError(f"unknown event kind {kind!r}")

    def _check_running(self, event: ClockEvent) -> None:
        if self.correction_requested_on is not None:
            raise ValueError(
                f"{event.kind.name} on {event.on} while waiting for the correction requested "
                f"on {self.correction_requested_on}"
            )


def _check_date(value: object, name: str) -> datetime.date:
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise TypeError(f"{name} must be a datetime.date, got {type(value).__name__}")
    return value


def _check_event(event: object) -> ClockEvent:
    if not isinstance(event, ClockEvent):
        raise TypeError(f"expected a ClockEvent, got {type(event).__name__}")
    if not isinstance(event.kind, ClockEventKind):
        raise TypeError(f"event kind must be a ClockEventKind, got {event.kind!r}")
    _check_date(event.on, "event date")
    if isinstance(event.days, bool) or not isinstance(event.days, int):
        raise ValueError(f"{event.kind.name} on {event.on}: days must be an int")
    if event.kind is not ClockEventKind.EXTENDED and event.days:
        raise ValueError(f"{event.kind.name} on {event.on} carries days={event.days}")
    return event


def _replay(events: Sequence[ClockEvent]) -> _Clock:
    clock = _Clock()
    for event in events:
        clock.apply(event)
    return clock


def _not_counting(
    state: DeadlineState,
    *,
    as_of: datetime.date,
    steps: tuple[str, ...],
    period_start: datetime.date | None = None,
    correction_requested_on: datetime.date | None = None,
) -> Deadline:
    """A deadline with no clock running: not received yet, or waiting for a correction."""
    return Deadline(
        state=state,
        as_of=as_of,
        period_start=period_start,
        limit_days=REPLY_LIMIT_DAYS,
        extension_days=0,
        due_on=None,
        original_due_on=None,
        due_on_if_resumed_today=None,
        days_used=0,
        days_left=None,
        overdue=False,
        due_soon=False,
        provisional=False,
        provisional_years=(),
        correction_requested_on=correction_requested_on,
        pauses=(),
        holidays=(),
        makeup_days=(),
        steps=steps,
    )


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


@rule
def reply_deadline(
    events: Sequence[ClockEvent],
    *,
    as_of: datetime.date,
    calendar: WorkingDayCalendar | None = None,
) -> Deadline:
    """The reply deadline (Art. 33) of a request with these clock events, as of ``as_of``.

    Events are taken in date order; events on the same date keep their given order.
    Raises ``ValueError`` for an inconsistent history (see the module docstring). Cost:
    a few calendar look-ups per pause plus one pass over the days of the period.

    依据：条例第三十三条；条例第三十条；条例第三十一条；条例第三十二条
    """
    cal = calendar or default_calendar()
    _check_date(as_of, "as_of")
    ordered = sorted((_check_event(e) for e in events), key=lambda e: e.on)
    _replay(ordered)  # the whole history must be consistent, not just its past part
    clock = _replay([e for e in ordered if e.on <= as_of])

    if clock.period_start is None:
        return _not_counting(
            DeadlineState.NOT_STARTED,
            as_of=as_of,
            steps=("尚未确认收到申请，答复期限尚未开始计算（第三十一条）",),
        )
    if clock.correction_requested_on is not None:
        waiting = (
            f"等待申请人补正：收到补正后的申请之日起重新计算{REPLY_LIMIT_DAYS}个工作日（第三十条）"
        )
        return _not_counting(
            DeadlineState.STOPPED_FOR_CORRECTION,
            as_of=as_of,
            steps=(*clock.history, waiting),
            period_start=clock.period_start,
            correction_requested_on=clock.correction_requested_on,
        )

    start = clock.period_start
    limit = REPLY_LIMIT_DAYS + clock.extension_days
    state = DeadlineState.PAUSED if clock.open_pauses else DeadlineState.RUNNING
    # Open pauses are counted up to as_of: that is what has been excluded so far, and
    # closing them on as_of gives the "if resumed today" date.
    paused = merge([(p.started_on, p.ended_on or as_of) for p in clock.pauses])

    due = due_date(cal, start, limit, paused)
    original_due = due_date(cal, start, REPLY_LIMIT_DAYS, paused)
    excluded = paused_working_days(cal, paused, as_of)
    days_used = cal.working_days_between(start, as_of) - excluded
    if state is DeadlineState.PAUSED:
        days_left = limit - days_used
    else:
        days_left = cal.working_days_between(as_of, due)
    holidays, makeups = shaping_days(cal, start, due, paused)
    years = provisional_years(cal, start, max(due, as_of))
    may_shift = near_holiday(cal, due) if years else ""
    pauses = tuple(
        PausePeriod(
            key=p.key,
            label=p.label,
            started_on=p.started_on,
            ended_on=p.ended_on,
            working_days=cal.working_days_between(p.started_on, p.ended_on or as_of),
            reason=p.reason,
        )
        for p in clock.pauses
    )
    steps = explain(
        clock,
        state=state,
        pauses=pauses,
        excluded=excluded,
        due=due,
        original_due=original_due,
        limit=limit,
        days_used=days_used,
        days_left=days_left,
        holidays=holidays,
        makeups=makeups,
        years=years,
        may_shift=may_shift,
    )

    running = state is DeadlineState.RUNNING
    return Deadline(
        state=state,
        as_of=as_of,
        period_start=start,
        limit_days=limit,
        extension_days=clock.extension_days,
        due_on=due if running else None,
        original_due_on=original_due,
        due_on_if_resumed_today=None if running else due,
        days_used=days_used,
        days_left=days_left,
        overdue=days_left < 0,
        due_soon=running and 0 <= days_left <= DUE_SOON_DAYS,
        provisional=bool(years),
        provisional_years=years,
        correction_requested_on=None,
        pauses=pauses,
        holidays=holidays,
        makeup_days=makeups,
        steps=steps,
        may_shift=may_shift,
    )


@rule
def extension_days_left(deadline: Deadline) -> int:
    """Working days the reply deadline may still be extended by: at most 20 in all, in one
    or more steps, each approved by the head of the disclosure office.

    依据：条例第三十三条第二款
    """
    return MAX_EXTENSION_DAYS - deadline.extension_days


@rule
def correction_notice_deadline(
    received_on: datetime.date, calendar: WorkingDayCalendar | None = None
) -> datetime.date:
    """Last day to send the one-time correction notice (Art. 30): 7 working days after receipt.

    依据：条例第三十条
    """
    return (calendar or default_calendar()).add_working_days(received_on, CORRECTION_NOTICE_DAYS)


@rule
def third_party_reply_deadline(
    sent_on: datetime.date, calendar: WorkingDayCalendar | None = None
) -> datetime.date:
    """Last day for a third party's opinion (Art. 32): 15 working days.

    Art. 32 counts from the day the third party *receives* the consultation letter
    (收到征求意见书之日). Pass that date when it is known (signed-for post, confirmed
    e-mail); counted from the sending date the period ends earlier than the law's, so a
    third party must not be treated as silent on that date alone.

    依据：条例第三十二条
    """
    return (calendar or default_calendar()).add_working_days(sent_on, THIRD_PARTY_REPLY_DAYS)


@rule
def fee_payment_deadline(
    notice_received_on: datetime.date, calendar: WorkingDayCalendar | None = None
) -> datetime.date:
    """Last day to pay the processing fee: 20 working days counted from the day after the
    applicant receives the fee notice (Fee measures); unpaid by then, the request is
    treated as abandoned.

    依据：国办函〔2020〕109号第六条
    """
    return (calendar or default_calendar()).add_working_days(notice_received_on, FEE_PAYMENT_DAYS)
