"""The clock-event model of a request's reply deadline: the dated events that start, stop,
pause or lengthen the clock, the pauses, and the ``Deadline`` computed from them (see
``gongkai.foi.deadlines``)."""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass, field


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


PAUSE_DEFAULT_LABELS = {
    PauseReason.THIRD_PARTY: "征求第三方意见",
    PauseReason.OTHER_AGENCY: "征求其他机关意见",
    PauseReason.FEE: "收费通知至缴费",
    None: "中止计算",
}
PAUSE_CITATIONS = {
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
    ``may_shift`` names the holiday (computed from the holiday law) that a provisional
    (resumed) due date lies within a week of, where the State Council's 调休 can still move
    it either way ("可能因调休变动"); empty otherwise.
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
    may_shift: str = ""
