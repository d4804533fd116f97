"""The compliance figures of every agency of a subtree, in a handful of aggregate queries.

One query (or two) per column reads the whole subtree at once (``agency__path__startswith``)
and the rules of the areas are applied to the rows in memory, with each due date computed
once per distinct start date (memoised), never a query per agency:

- requests: the reply deadline of ``foi.deadlines.reply_deadline`` from each request's
  clock events (``foi.selectors.clock_events``) — open and overdue as the request list's
  ``?due=overdue`` filter counts them; replies of the period on time or not, and the working
  days they took (the deadline as of the day the request was finished);
- publications late under Art. 26 (``publishing.rules.is_published_late``);
- normative documents in force without an interpretation past the agency's limit
  (``publishing.selectors.normative.interpretation_status``);
- decisions published after their limit (``decisions.rules.publication_due_on``);
- stale and blank columns (``publishing.selectors.freshness.freshness_report``), from the
  newest public date each column keeps (``publishing.column_dates``);
- the annual report's state and Art. 49 deadline (``reports.rules.report_deadline``);
- messages finished (办结) and unanswered over three months (``interaction.rules``);
- random-inspection tasks whose results were not all published within 20 working days of
  the task's end (``random_inspections.selectors.results.late_tasks``, one grouped query).

``Figures`` hold numerators and denominators, so a subtree's total is the plain sum of its
agencies' figures and its rates are recomputed from the sums, never averaged.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field, fields
from typing import NamedTuple

from django.db.models import Case, Count, Exists, F, JSONField, OuterRef, Q, When
from django.utils import timezone

from gongkai.core import clock
from gongkai.core.models import Agency
from gongkai.core.selectors import get_working_day_calendar
from gongkai.core.workdays import WorkingDayCalendar
from gongkai.decisions import rules as decision_rules
from gongkai.decisions.models import Decision, DecisionStatus
from gongkai.foi import deadlines
from gongkai.foi.models import AgencyFoiSettings, FoiEvent, FoiRequest
from gongkai.foi.selectors import clock_events
from gongkai.foi.workflow import OPEN_STATUSES as FOI_OPEN
from gongkai.foi.workflow import Action
from gongkai.interaction import rules as message_rules
from gongkai.interaction.models import Message
from gongkai.interaction.workflow import ANSWERED_STATUSES, MessageStatus
from gongkai.interaction.workflow import OPEN_STATUSES as MESSAGE_OPEN
from gongkai.publishing import rules as publishing_rules
from gongkai.publishing.models import (
    Column,
    Interpretation,
    NormativeDocument,
    Publication,
    PublicationStatus,
)
from gongkai.publishing.selectors.freshness import freshness_report
from gongkai.publishing.selectors.normative import (
    InterpretationState,
    interpretation_limits,
    interpretation_status,
)
from gongkai.random_inspections.selectors.results import late_tasks
from gongkai.reports import rules as report_rules
from gongkai.reports.models import AnnualReport, ReportState

log = logging.getLogger(__name__)

CK = deadlines.ClockEventKind
# Fewer calendar days than this cannot hold the working days of the limit, so an item
# published (or a decision made public) sooner is on time without asking the calendar:
# a cheap filter in SQL before the exact rule in memory. 20 working days never fit in 14
# calendar days, 7 never in 5 (even with make-up working days on two weekends).
_ART26_NEVER_LATE_WITHIN = dt.timedelta(days=14)
_DECISION_NEVER_LATE_WITHIN = dt.timedelta(days=5)

REPORT_NONE = "none"
REPORT_STATE_LABELS = {REPORT_NONE: "未编制", **dict(ReportState.choices)}


@dataclass(slots=True)
class Figures:
    """One agency's figures, or a subtree's sums: counts only, so they add up."""

    requests_open: int = 0
    requests_overdue: int = 0
    replied: int = 0  # requests finished in the period (with a receipt date and an outcome)
    replied_on_time: int = 0
    reply_days: int = 0  # working days used, summed over ``replied``
    publications_late: int = 0
    normative_uninterpreted: int = 0
    decisions_late: int = 0
    columns_stale: int = 0
    columns_blank: int = 0
    reports: int = 0  # agencies counted (one report each)
    reports_published: int = 0
    reports_on_time: int = 0
    report_missing: int = 0  # not published past the deadline, or published late
    messages_received: int = 0
    messages_finished: int = 0
    messages_unanswered: int = 0
    ri_results_late: int = 0  # random-inspection tasks with results published late or overdue

    def add(self, other: Figures) -> None:
        # Written out field by field: a table adds thousands of rows (a loop over the
        # fields with getattr/setattr costs several times more). ``test_add_sums_every_field``
        # fails when a field is added here but not below.
        self.requests_open += other.requests_open
        self.requests_overdue += other.requests_overdue
        self.replied += other.replied
        self.replied_on_time += other.replied_on_time
        self.reply_days += other.reply_days
        self.publications_late += other.publications_late
        self.normative_uninterpreted += other.normative_uninterpreted
        self.decisions_late += other.decisions_late
        self.columns_stale += other.columns_stale
        self.columns_blank += other.columns_blank
        self.reports += other.reports
        self.reports_published += other.reports_published
        self.reports_on_time += other.reports_on_time
        self.report_missing += other.report_missing
        self.messages_received += other.messages_received
        self.messages_finished += other.messages_finished
        self.messages_unanswered += other.messages_unanswered
        self.ri_results_late += other.ri_results_late

    @property
    def on_time_rate(self):
        return _pct(self.replied_on_time, self.replied)

    @property
    def avg_reply_days(self):
        return round(self.reply_days / self.replied, 1) if self.replied else None

    @property
    def messages_finish_rate(self):
        return _pct(self.messages_finished, self.messages_received)

    def value(self, key: str):
        return getattr(self, key)


_FIELDS = tuple(f.name for f in fields(Figures))


def _pct(part: int, whole: int):
    return round(100 * part / whole, 1) if whole else None


@dataclass
class AgencyStatus:
    """What is not a count: the annual report's state and its deadline."""

    report_state: str = REPORT_NONE
    report_deadline: dt.date | None = None
    report_published_on: dt.date | None = None

    @property
    def report_state_label(self) -> str:
        return REPORT_STATE_LABELS.get(self.report_state, self.report_state)


@dataclass
class Compliance:
    """Every agency of the subtree (in tree order), its own figures and status."""

    root: Agency
    year: int
    report_year: int
    as_of: dt.date
    agencies: list[Agency]
    figures: dict[int, Figures] = field(default_factory=dict)
    status: dict[int, AgencyStatus] = field(default_factory=dict)

    def subtree_totals(self) -> dict[int, Figures]:
        """Each agency's subtree total (itself and everything below it), by summing the
        children into the parents from the deepest level up."""
        totals = {a.pk: Figures() for a in self.agencies}
        for a in self.agencies:
            totals[a.pk].add(self.figures[a.pk])
        for a in sorted(self.agencies, key=lambda a: -a.depth):
            if a.pk != self.root.pk and a.parent_id in totals:
                totals[a.parent_id].add(totals[a.pk])
        return totals


# --- requests ---------------------------------------------------------------------------------


class _DeadlineMemo:
    """``deadlines.reply_deadline`` once per distinct clock history and day: most requests
    share one (received on a day, nothing else), so thousands of requests cost a few
    hundred computations. A history of one receipt only is counted with the same formula
    the rule uses (no pause, no extension: due on the 20th working day after receipt)."""

    def __init__(self, calendar: WorkingDayCalendar):
        self.calendar = calendar
        self._memo: dict = {}
        self._due: dict[dt.date, dt.date] = {}
        self._receipt: dict[tuple[dt.date, dt.date], tuple[bool, int]] = {}  # (start, as_of)

    def _receipt_only(self, start: dt.date, as_of: dt.date) -> tuple[bool, int]:
        """``reply_deadline``'s own arithmetic for a clock with no pause, no extension and
        no correction: due on the 20th working day after receipt; overdue once a working
        day past it has begun; the working days used since receipt."""
        if start > as_of:
            return (False, 0)
        found = self._receipt.get((start, as_of))
        if found is not None:
            return found
        due = self._due.get(start)
        if due is None:
            due = self._due[start] = self.calendar.add_working_days(start, deadlines.REPLY_LIMIT_DAYS)
        cal = self.calendar
        found = self._receipt[(start, as_of)] = (cal.working_days_between(as_of, due) < 0,
                                                 cal.working_days_between(start, as_of))
        return found

    def overdue_and_days(self, events: list[deadlines.ClockEvent], as_of: dt.date) -> tuple[bool, int] | None:
        if len(events) == 1 and events[0].kind is CK.RECEIVED:
            return self._receipt_only(events[0].on, as_of)
        key = (tuple((e.kind, e.on, e.key, e.days) for e in events), as_of)
        if key in self._memo:
            return self._memo[key]
        try:
            d = deadlines.reply_deadline(events, as_of=as_of, calendar=self.calendar)
        except ValueError:  # an impossible history: the request's own page reports it
            log.warning("inconsistent clock history skipped in the compliance table")
            result = None
        else:
            result = (d.overdue, d.days_used)
        self._memo[key] = result
        return result


class _Event(NamedTuple):
    action: str
    on: dt.date
    data: dict


# The actions ``foi.selectors.clock_events`` reads; every other event leaves the clock alone.
_CLOCK_ACTIONS = (Action.REGISTER, Action.CONFIRM_RECEIPT, Action.REQUEST_CORRECTION, Action.CORRECTION_RECEIVED,
                  Action.START_CONSULTATION, Action.END_CONSULTATION, Action.SEND_FEE_NOTICE,
                  Action.RECORD_PAYMENT, Action.EXTEND)


# The actions whose ``data`` ``clock_events`` reads (consultation, fee notice, extension).
_DATA_ACTIONS = (Action.START_CONSULTATION, Action.END_CONSULTATION, Action.SEND_FEE_NOTICE, Action.RECORD_PAYMENT,
                 Action.EXTEND)


def _request_events(request_q: Q) -> dict[int, list]:
    """The clock events of the requests matching ``request_q`` (over FoiEvent's
    ``request__``), grouped per request, in order: one query."""
    grouped: dict[int, list] = defaultdict(list)
    # ``data`` only where ``clock_events`` reads it (a receipt's is never decoded).
    data = Case(When(action__in=_DATA_ACTIONS, then=F("data")), default=None, output_field=JSONField())
    rows = FoiEvent.objects.filter(request_q, action__in=_CLOCK_ACTIONS).order_by("request_id", "id").values_list(
        "request_id", "action", "on", data)
    for request_id, *event in rows:
        grouped[request_id].append(event)  # [action, on, data]: made an _Event only when replayed
    return grouped


_RECEIPT = (Action.REGISTER, Action.CONFIRM_RECEIPT)


def request_clock(memo: _DeadlineMemo, events: list, fee_pauses: bool, as_of: dt.date) -> tuple[bool, int] | None:
    """(overdue, working days used) of a request's clock as of a day; a receipt-only
    history skips building its clock events (``foi.selectors.clock_events`` would make the
    one RECEIVED event of it)."""
    if len(events) == 1 and events[0][0] in _RECEIPT:
        return memo._receipt_only(events[0][1], as_of)
    replayed = [_Event(action, on, data or {}) for action, on, data in events]
    return memo.overdue_and_days(clock_events(replayed, fee_pauses=fee_pauses), as_of)


def _fee_settings(path: str) -> dict[int, bool]:
    return dict(AgencyFoiSettings.objects.filter(agency__path__startswith=path)
                .values_list("agency_id", "fee_notice_pauses_clock"))


def request_figures(c: Compliance, memo: _DeadlineMemo) -> None:
    path = c.root.path
    fee = _fee_settings(path)
    first, last = dt.date(c.year, 1, 1), dt.date(c.year, 12, 31)
    # Replies of the period: finished in the year, with a receipt date and an outcome (the
    # office overview's "finished" requests); the deadline as of the day they finished.
    finished = Q(agency__path__startswith=path, closed_on__gte=first, closed_on__lte=last,
                 received_on__isnull=False) & ~Q(outcome="")
    # The clock events of both sets in one query (one scan of the events).
    events = _request_events(Q(request__in=FoiRequest.objects.filter(
        Q(agency__path__startswith=path, status__in=FOI_OPEN) | finished).values("pk")))
    # Open requests: counted as the request list's ?queue=open and ?due=overdue count them.
    open_rows = FoiRequest.objects.filter(agency__path__startswith=path, status__in=FOI_OPEN).values_list(
        "pk", "agency_id")
    for pk, agency_id in open_rows:
        fig = c.figures.get(agency_id)
        if fig is None:
            continue
        fig.requests_open += 1
        result = request_clock(memo, events.get(pk, []), fee.get(agency_id, True), c.as_of)
        if result and result[0]:
            fig.requests_overdue += 1
    # Replies of the period, each as of the day it finished.
    rows = FoiRequest.objects.filter(finished).values_list("pk", "agency_id", "closed_on")
    for pk, agency_id, closed_on in rows:
        fig = c.figures.get(agency_id)
        if fig is None:
            continue
        result = request_clock(memo, events.get(pk, []), fee.get(agency_id, True), closed_on)
        if result is None:
            continue
        overdue, days = result
        fig.replied += 1
        fig.replied_on_time += not overdue
        fig.reply_days += days


# --- publishing and decisions -----------------------------------------------------------------


def late_publication_rows(path: str, year: int):
    """Items public now, published in ``year`` (by agencies under ``path``) that might be
    late: (pk, agency_id, written_on, published_on); ``is_late_publication`` decides."""
    return (Publication.objects.filter(
        agency__path__startswith=path, status=PublicationStatus.PUBLISHED,
        published_on__gte=dt.date(year, 1, 1), published_on__lte=dt.date(year, 12, 31),
        published_on__gt=F("written_on") + _ART26_NEVER_LATE_WITHIN))


def publication_figures(c: Compliance, calendar: WorkingDayCalendar) -> None:
    due: dict[dt.date, dt.date] = {}
    rows = late_publication_rows(c.root.path, c.year).values_list("agency_id", "written_on", "published_on")
    for agency_id, written_on, published_on in rows:
        if written_on not in due:
            due[written_on] = publishing_rules.publication_deadline(written_on, calendar=calendar)
        if published_on > due[written_on] and agency_id in c.figures:
            c.figures[agency_id].publications_late += 1


def uninterpreted_rows(path: str, today: dt.date):
    """Normative documents in force today, issued before it, without any interpretation."""
    return NormativeDocument.objects.filter(
        Q(repealed_on__isnull=True) | Q(repealed_on__gt=today),
        agency__path__startswith=path, issued_on__lt=today,
    ).filter(~Exists(Interpretation.objects.filter(document=OuterRef("pk"))))


def normative_figures(c: Compliance, calendar: WorkingDayCalendar) -> None:
    rows = list(uninterpreted_rows(c.root.path, c.as_of).values_list("agency_id", "issued_on"))
    limits = interpretation_limits({agency_id for agency_id, _ in rows})
    memo: dict = {}
    for agency_id, issued_on in rows:
        key = (issued_on, limits[agency_id])
        if key not in memo:
            memo[key] = interpretation_status(
                issued_on=issued_on, first_interpreted_on=None, limit_days=limits[agency_id],
                today=c.as_of, calendar=calendar).state == InterpretationState.OVERDUE
        if memo[key] and agency_id in c.figures:
            c.figures[agency_id].normative_uninterpreted += 1


def late_decision_rows(path: str, year: int):
    """Decisions made public in ``year`` that might be late; ``decision_figures`` decides."""
    return Decision.objects.filter(
        agency__path__startswith=path, published_on__gte=dt.date(year, 1, 1),
        published_on__lte=dt.date(year, 12, 31),
        published_on__gt=F("decision_date") + _DECISION_NEVER_LATE_WITHIN,
    ).exclude(status=DecisionStatus.NOT_PUBLISHED)


def decision_figures(c: Compliance, calendar: WorkingDayCalendar) -> None:
    due: dict = {}
    rows = late_decision_rows(c.root.path, c.year).values_list("agency_id", "kind", "decision_date", "published_on")
    for agency_id, kind, decision_date, published_on in rows:
        key = (kind, decision_date)
        if key not in due:
            due[key] = decision_rules.publication_due_on(kind, decision_date, calendar=calendar)
        if published_on > due[key] and agency_id in c.figures:
            c.figures[agency_id].decisions_late += 1


class _Column(NamedTuple):
    """What ``freshness_report`` reads of a column (a model instance per column of
    thousands of agencies would cost more than the query)."""

    pk: int
    agency_id: int
    parent_id: int | None
    name: str
    kind: str
    is_active: bool
    own_last_on: dt.date | None


def columns_of_subtree(path: str, *, agency_id: int | None = None) -> dict[int, list[_Column]]:
    """Every column of the subtree (or of one agency) with its newest public item
    (``own_last_on``, as ``publishing.selectors.catalogue.columns_with_counts`` annotates
    it), per agency: one query, the date being the one each column keeps
    (``publishing.column_dates``) rather than a join of every item with its columns."""
    scope = {"agency__path__startswith": path} if agency_id is None else {"agency_id": agency_id}
    grouped: dict[int, list[_Column]] = defaultdict(list)
    rows = (Column.objects.filter(**scope).order_by("agency_id", "sort_order", "id")
            .values_list("pk", "agency_id", "parent_id", "name", "kind", "is_active", "newest_public_on"))
    for row in rows:
        grouped[row[1]].append(_Column(*row))
    return grouped


def column_figures(c: Compliance) -> None:
    """Stale and blank columns by ``freshness_report``, called once over every column of
    the subtree (a column's parent is in its own agency's catalogue, so each column's
    stale/blank verdict is the one its agency's own report gives; one call instead of one
    per agency), then counted per agency."""
    columns = [col for cols in columns_of_subtree(c.root.path).values() for col in cols]
    figures = c.figures
    for row in freshness_report(columns, today=c.as_of).columns:
        if row.stale or row.blank:
            fig = figures.get(row.column.agency_id)
            if fig is not None:
                fig.columns_stale += row.stale
                fig.columns_blank += row.blank


# --- annual reports and messages --------------------------------------------------------------


def report_figures(c: Compliance) -> None:
    reports = {agency_id: (state, published_on) for agency_id, state, published_on in
               AnnualReport.objects.filter(agency__path__startswith=c.root.path, year=c.report_year)
               .values_list("agency_id", "state", "published_on")}
    for a in c.agencies:
        fig, status = c.figures[a.pk], c.status[a.pk]
        state, published_on = reports.get(a.pk, (REPORT_NONE, None))
        deadline = report_rules.report_deadline(c.report_year, a)
        status.report_state, status.report_deadline = state, deadline
        fig.reports = 1
        if state == ReportState.PUBLISHED and published_on is not None:
            status.report_published_on = published_on
            fig.reports_published = 1
            fig.reports_on_time = int(published_on <= deadline)
            fig.report_missing = int(published_on > deadline)
        else:
            fig.report_missing = int(c.as_of > deadline)


def unanswered_rows(path: str, today: dt.date):
    """Open messages that may have been waiting over three months (``message_figures``
    applies the rule): the others were written less than 89 days ago."""
    return Message.objects.filter(
        agency__path__startswith=path, status__in=MESSAGE_OPEN,
        submitted_at__lt=timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=89), dt.time())))


def is_unanswered_too_long(submitted_at: dt.datetime, today: dt.date) -> bool:
    return message_rules.unanswered_alert(timezone.localdate(submitted_at), today) is message_rules.Alert.THREE_MONTHS


def message_figures(c: Compliance) -> None:
    first, last = dt.date(c.year, 1, 1), dt.date(c.year, 12, 31)
    finished = Q(status__in=[*ANSWERED_STATUSES, MessageStatus.DISMISSED])
    rows = (Message.objects.filter(agency__path__startswith=c.root.path, received_on__gte=first,
                                   received_on__lte=last)
            .values("agency_id").annotate(n=Count("pk"), done=Count("pk", filter=finished)).order_by())
    for row in rows:
        fig = c.figures.get(row["agency_id"])
        if fig is not None:
            fig.messages_received, fig.messages_finished = row["n"], row["done"]
    for agency_id, submitted_at in unanswered_rows(c.root.path, c.as_of).values_list("agency_id", "submitted_at"):
        if agency_id in c.figures and is_unanswered_too_long(submitted_at, c.as_of):
            c.figures[agency_id].messages_unanswered += 1


# --- random inspections ----------------------------------------------------------------------


def random_inspection_figures(c: Compliance) -> None:
    """Tasks of the year's plans whose results were published late or are overdue."""
    for task in late_tasks(path=c.root.path, year=c.year, as_of=c.as_of):
        fig = c.figures.get(task.agency_id)
        if fig is not None:
            fig.ri_results_late += 1


# --- the whole table --------------------------------------------------------------------------


def subtree_agencies(root: Agency) -> list[Agency]:
    return list(Agency.objects.filter(path__startswith=root.path, is_active=True)
                .only("pk", "parent_id", "path", "depth", "name", "short_name", "code", "level", "kind")
                .order_by("path"))


def compliance_for(root: Agency, *, year: int | None = None, as_of: dt.date | None = None) -> Compliance:
    """Every agency of ``root``'s subtree with its figures for ``year`` (default this year)
    as of ``as_of`` (default today). The annual report is the one on the year before
    ``year``: the report whose Art. 49 deadline falls in ``year``."""
    as_of = as_of or clock.today()
    year = year or as_of.year
    agencies = subtree_agencies(root)
    c = Compliance(root=root, year=year, report_year=year - 1, as_of=as_of, agencies=agencies,
                   figures={a.pk: Figures() for a in agencies},
                   status={a.pk: AgencyStatus() for a in agencies})
    calendar = get_working_day_calendar()
    request_figures(c, _DeadlineMemo(calendar))
    publication_figures(c, calendar)
    normative_figures(c, calendar)
    decision_figures(c, calendar)
    column_figures(c)
    report_figures(c)
    message_figures(c)
    random_inspection_figures(c)
    return c
