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
"""

from __future__ import annotations

import datetime
import enum
import weakref
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

from gongkai.core.rules import rule
from gongkai.core.workdays import WorkingDayCalendar, default_calendar

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

_ONE_DAY = datetime.timedelta(days=1)


class ClockEventKind(enum.Enum):
    """A dated fact that starts, stops, pauses or lengthens the reply clock."""

    RECEIVED = "received"  # Art. 31 receipt date: the clock starts
    CORRECTION_REQUESTED = "correction_requested"  # Art. 30: the clock stops
    CORRECTION_RECEIVED = "correction_received"  # Art. 30: a fresh 20-day period starts
    PAUSE_STARTED = "pause_started"  # Art. 32/33(3) consultation or fee notice sent
    PAUSE_ENDED = "pause_ended"  # answer received / consultation closed / fee paid
    EXTENDED = "extended"  # Art. 33(2): ``days`` added to the limit


class PauseReason(enum.Enum):
    """Why the clock is paused; only chooses the article cited in the explanation.

    The values match ``ConsultationParty`` so a consultation's party kind can be passed
    through unchanged.
    """

    THIRD_PARTY = "third_party"  # Art. 32, Art. 33(3)
    OTHER_AGENCY = "other_agency"  # Art. 33(3)
    FEE = "fee"  # Fee measures; pausing is an agency setting


_PAUSE_DEFAULT_LABELS = {
    PauseReason.THIRD_PARTY: "征求第三方意见",
    PauseReason.OTHER_AGENCY: "征求其他机关意见",
    PauseReason.FEE: "收费通知至缴费",
    None: "中止计算",
}
_PAUSE_CITATIONS = {
    PauseReason.THIRD_PARTY: "第三十二条、第三十三条第三款",
    PauseReason.OTHER_AGENCY: "第三十三条第三款",
    PauseReason.FEE: "国办函〔2020〕109号及本机关规定",
    None: "",
}


class DeadlineState(enum.Enum):
    NOT_STARTED = "not_started"  # no receipt date yet (online request awaiting confirmation)
    RUNNING = "running"  # the clock is counting; due_on is known
    PAUSED = "paused"  # at least one pause is open; the count is frozen
    STOPPED_FOR_CORRECTION = "stopped_for_correction"  # waiting for the corrected request


@dataclass(frozen=True)
class ClockEvent:
    """One dated event of a request's clock.

    ``key`` matches a PAUSE_ENDED to its PAUSE_STARTED (e.g. ``"consultation:12"``,
    ``"fee:3"``); ``days`` is the length of an EXTENDED; ``label`` is shown in the
    explanation; ``reason`` (PAUSE_STARTED only) picks the article cited.
    """

    kind: ClockEventKind
    on: datetime.date
    key: str = ""
    days: int = 0
    label: str = ""
    reason: PauseReason | None = None


@dataclass(frozen=True)
class PausePeriod:
    """One pause of the current period.

    ``working_days`` are the working days inside it up to ``as_of`` (d with
    ``started_on < d <= min(ended_on, as_of)``), counted per pause: two overlapping pauses
    both count their shared days here, while the deadline excludes them once.
    """

    key: str
    label: str
    started_on: datetime.date
    ended_on: datetime.date | None
    working_days: int
    reason: PauseReason | None = None

    @property
    def is_open(self) -> bool:
        return self.ended_on is None


@dataclass(frozen=True)
class Deadline:
    """The reply deadline of one request as it stood on ``as_of``, with its explanation.

    ``due_on`` is only set while RUNNING. While PAUSED the count is frozen: ``days_left``
    is ``limit_days - days_used`` and ``due_on_if_resumed_today`` is where the deadline
    would land if every open pause ended on ``as_of``. ``original_due_on`` (no extension)
    is what an extension must be decided by (Art. 33(2)); while PAUSED it is the earliest
    it can still be (every open pause ended on ``as_of``), so "has the original deadline
    passed on ``as_of``" is answered correctly in both states. ``holidays`` and
    ``makeup_days`` explain the counted part of the period up to the (resumed) due date.
    """

    state: DeadlineState
    as_of: datetime.date
    period_start: datetime.date | None
    limit_days: int
    extension_days: int
    due_on: datetime.date | None
    original_due_on: datetime.date | None
    due_on_if_resumed_today: datetime.date | None
    days_used: int
    days_left: int | None
    overdue: bool
    due_soon: bool
    provisional: bool
    provisional_years: tuple[int, ...]
    correction_requested_on: datetime.date | None
    pauses: tuple[PausePeriod, ...]
    holidays: tuple[datetime.date, ...]
    makeup_days: tuple[datetime.date, ...]
    steps: tuple[str, ...] = field(repr=False)


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
            label = event.label or _PAUSE_DEFAULT_LABELS[event.reason]
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


# --------------------------------------------------------------------------
# Counting
# --------------------------------------------------------------------------

_Interval = tuple[datetime.date, datetime.date]  # (lo, hi]: days d with lo < d <= hi


def _merge(intervals: list[_Interval]) -> list[_Interval]:
    """Union of (lo, hi] intervals, sorted; empty ones (lo == hi) dropped."""
    merged: list[_Interval] = []
    for lo, hi in sorted(i for i in intervals if i[0] < i[1]):
        if merged and lo <= merged[-1][1]:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


def _due_date(
    cal: WorkingDayCalendar, start: datetime.date, n: int, paused: list[_Interval]
) -> datetime.date:
    """The day the n-th unpaused working day after ``start`` falls on.

    One calendar call per pause, not one per day: free stretches between pauses are
    counted with the calendar's cumulative tables.
    """
    cursor, remaining = start, n
    for lo, hi in paused:
        if lo > cursor:
            free = cal.working_days_between(cursor, lo)
            if free >= remaining:
                return cal.add_working_days(cursor, remaining)
            remaining -= free
        cursor = max(cursor, hi)
    return cal.add_working_days(cursor, remaining)


def _paused_working_days(
    cal: WorkingDayCalendar, paused: list[_Interval], until: datetime.date
) -> int:
    """Working days inside the (merged) pauses, up to and including ``until``."""
    total = 0
    for lo, hi in paused:
        if lo >= until:
            break
        total += cal.working_days_between(lo, min(hi, until))
    return total


# Per calendar and year, the dates that differ from the plain Monday-Friday rule:
# (weekday holidays, weekend make-up days), each sorted. Calendars are immutable, so one scan
# of a year serves every request on a dashboard; a calendar that is dropped takes its entry
# with it.
_EXCEPTIONS: weakref.WeakKeyDictionary[
    WorkingDayCalendar, dict[int, tuple[list[datetime.date], list[datetime.date]]]
] = weakref.WeakKeyDictionary()


def _year_exceptions(
    cal: WorkingDayCalendar, year: int
) -> tuple[list[datetime.date], list[datetime.date]]:
    by_year = _EXCEPTIONS.setdefault(cal, {})
    found = by_year.get(year)
    if found is None:
        holidays: list[datetime.date] = []
        makeups: list[datetime.date] = []
        day = datetime.date(year, 1, 1)
        while day.year == year:
            working = cal.is_working_day(day)
            weekend = day.weekday() >= 5
            if working and weekend:
                makeups.append(day)
            elif not working and not weekend:
                holidays.append(day)
            day += _ONE_DAY
        found = by_year[year] = (holidays, makeups)
    return found


def _shaping_days(
    cal: WorkingDayCalendar, start: datetime.date, end: datetime.date, paused: list[_Interval]
) -> tuple[tuple[datetime.date, ...], tuple[datetime.date, ...]]:
    """(weekday holidays, weekend make-up days) in (start, end] outside the pauses."""

    def pick(days: list[datetime.date]) -> list[datetime.date]:
        inside = days[bisect_right(days, start) : bisect_right(days, end)]
        return [d for d in inside if not any(lo < d <= hi for lo, hi in paused)]

    holidays: list[datetime.date] = []
    makeups: list[datetime.date] = []
    for year in range(start.year, end.year + 1):
        year_holidays, year_makeups = _year_exceptions(cal, year)
        holidays += pick(year_holidays)
        makeups += pick(year_makeups)
    return tuple(holidays), tuple(makeups)


def _provisional_years(
    cal: WorkingDayCalendar, start: datetime.date, end: datetime.date
) -> tuple[int, ...]:
    """Years without a schedule touched by (start, end]."""
    if end <= start:
        return ()
    known = cal.known_years
    return tuple(y for y in range((start + _ONE_DAY).year, end.year + 1) if y not in known)


# --------------------------------------------------------------------------
# Explanation
# --------------------------------------------------------------------------


def _pause_line(pause: PausePeriod, due: datetime.date | None) -> str:
    citation = _PAUSE_CITATIONS[pause.reason]
    rule = f"期间不计入答复期限（{citation}）" if citation else "期间不计入答复期限"
    if pause.ended_on is None:
        line = f"{pause.started_on} 起 {pause.label}，尚未结束，{rule}：目前不计{pause.working_days}个工作日"
    else:
        line = (
            f"{pause.started_on} 至 {pause.ended_on} {pause.label}，{rule}："
            f"不计{pause.working_days}个工作日"
        )
    if due is not None and pause.started_on >= due:
        line += "（答复期限届满后才开始，不影响答复期限）"
    return line


def _dates(days: tuple[datetime.date, ...]) -> str:
    return "、".join(d.isoformat() for d in days)


def _provisional_note(years: tuple[int, ...]) -> str:
    listed = "、".join(f"{y}年" for y in years)
    return f"（暂定：{listed}节假日安排尚未公布，按周一至周五计算）"


def _explain(
    clock: _Clock,
    *,
    state: DeadlineState,
    pauses: tuple[PausePeriod, ...],
    excluded: int,
    due: datetime.date,
    original_due: datetime.date,
    limit: int,
    days_used: int,
    days_left: int,
    holidays: tuple[datetime.date, ...],
    makeups: tuple[datetime.date, ...],
    years: tuple[int, ...],
) -> tuple[str, ...]:
    """Receipt/correction history, this period's pauses and extensions in date order,
    what shaped the date, then the result: one line per fact, citing the rule."""
    dated = [(p.started_on, _pause_line(p, due)) for p in pauses]
    for ext in clock.extensions:
        line = f"{ext.on} 经批准延长答复期限{ext.days}个工作日（第三十三条第二款）"
        if ext.label:
            line += f"：{ext.label}"
        if ext.on > original_due:
            line += f"；注意：原答复期限{original_due}已届满"
        dated.append((ext.on, line))
    dated.sort(key=lambda item: item[0])  # stable: pauses before extensions on one day
    steps = [*clock.history, *(text for _, text in dated)]
    if excluded != sum(p.working_days for p in pauses):
        steps.append(f"中止期间有重叠，重叠的工作日只扣除一次：合计不计{excluded}个工作日")
    if clock.extension_days:
        steps.append(f"原答复期限：{original_due}；延长后共{limit}个工作日")
    shaping = []
    if holidays:
        shaping.append(f"法定节假日顺延：{_dates(holidays)}")
    if makeups:
        shaping.append(f"调休上班日计入：{_dates(makeups)}")
    if shaping:
        steps.append("；".join(shaping))

    note = _provisional_note(years) if years else ""
    if state is DeadlineState.PAUSED and days_left < 0:
        steps.append(
            f"答复期限中止计算，但答复期限{due}在中止前已届满（已逾期{-days_left}个工作日）{note}"
        )
    elif state is DeadlineState.PAUSED:
        steps.append(
            f"答复期限中止计算：已用{days_used}个工作日，剩余{days_left}个工作日；"
            f"如今日恢复计算，答复期限为{due}{note}"
        )
    elif days_left < 0:
        steps.append(f"答复期限：{due}（已逾期{-days_left}个工作日）{note}")
    elif days_left == 0:
        steps.append(f"答复期限：{due}（今日到期）{note}")
    else:
        steps.append(f"答复期限：{due}（剩余{days_left}个工作日）{note}")
    return tuple(steps)


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
    paused = _merge([(p.started_on, p.ended_on or as_of) for p in clock.pauses])

    due = _due_date(cal, start, limit, paused)
    original_due = _due_date(cal, start, REPLY_LIMIT_DAYS, paused)
    excluded = _paused_working_days(cal, paused, as_of)
    days_used = cal.working_days_between(start, as_of) - excluded
    if state is DeadlineState.PAUSED:
        days_left = limit - days_used
    else:
        days_left = cal.working_days_between(as_of, due)
    holidays, makeups = _shaping_days(cal, start, due, paused)
    years = _provisional_years(cal, start, max(due, as_of))
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
    steps = _explain(
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
