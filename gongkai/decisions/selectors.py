"""Reads of decisions for the back office, the public page and the annual report.

What is public is derived from the dates relative to today (``clock.today()``), in the
query itself: a publication period ends "automatically and on the day" with no job to run.
:func:`within_period` is the query form of ``rules.is_shown_on``; the tests check the two
against each other case by case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import ExtractYear
from django.db.models.lookups import Exact, GreaterThan
from django.http import Http404

from gongkai.core import clock
from gongkai.core.models import Agency
from gongkai.core.selectors import get_working_day_calendar
from gongkai.core.workdays import WorkingDayCalendar
from gongkai.decisions import permissions, rules
from gongkai.decisions.models import (
    AgencyDecisionSettings,
    Decision,
    DecisionKind,
    DecisionStatus,
    ImportBatch,
    PartyType,
)
from gongkai.decisions.rules import FineLimits, PenaltyType

# The annual report's table 二 rows fed by this app (2021 format; the 2019 format uses the
# same three labels in its 处理决定数量 column).
REPORT_ROWS = {
    DecisionKind.LICENCE: "行政许可",  # 第二十条第(五)项
    DecisionKind.PENALTY: "行政处罚",  # 第二十条第(六)项
    DecisionKind.ENFORCEMENT: "行政强制",  # 第二十条第(六)项
}


# --- the small-fine limits -----------------------------------------------------------------

def fine_limits_for(agency: Agency) -> FineLimits:
    """The limits entered on the agency or its nearest ancestor that has them (the
    province sets them once for its whole tree); each figure falls back separately, then
    to the platform default."""
    parts = agency.path.split(".")[:-1]
    prefixes = [".".join(parts[:i]) + "." for i in range(1, len(parts) + 1)]
    person = organisation = None
    for s in (AgencyDecisionSettings.objects.filter(agency__path__in=prefixes)
              .order_by("-agency__depth")):
        person = person if person is not None else s.small_fine_limit_person
        organisation = organisation if organisation is not None else s.small_fine_limit_organisation
    return FineLimits(
        person=person if person is not None else rules.DEFAULT_SMALL_FINE_LIMIT,
        organisation=organisation if organisation is not None else rules.DEFAULT_SMALL_FINE_LIMIT,
    )


# --- the publication period, as a query ----------------------------------------------------

def _period_case(limits: FineLimits) -> Case:
    """``rules.publication_period`` in SQL (penalty types are a bit set)."""
    types = F("penalty_types")
    heavy = rules.ALL_PENALTY_TYPES & ~rules.LIGHT_PENALTY_TYPES
    small = (
        Q(Exact(types.bitand(int(heavy)), 0))
        & Q(GreaterThan(types.bitand(int(rules.SHORT_PERIOD_TYPES)), 0))
        & (Q(Exact(types.bitand(int(PenaltyType.FINE)), 0))
           | Q(party_type=PartyType.ORGANISATION, fine_amount__lte=limits.organisation)
           | (~Q(party_type=PartyType.ORGANISATION) & Q(fine_amount__lte=limits.person)))
    )
    P = rules.PublicationPeriod
    return Case(
        When(publication_ends_on__isnull=False, then=Value(P.EXPLICIT.value)),
        When(~Q(kind=DecisionKind.PENALTY), then=Value(P.OPEN.value)),
        When(small, then=Value(P.SHORT.value)),
        default=Value(P.LONG.value),
        output_field=CharField(),
    )


def within_period(qs: QuerySet[Decision], *, today: dt.date, limits: FineLimits) -> QuerySet[Decision]:
    """Decisions published on or before ``today`` whose publication period covers it."""
    P = rules.PublicationPeriod
    return qs.alias(publication_period=_period_case(limits)).filter(
        Q(published_on__lte=today) & (
            Q(publication_period=P.EXPLICIT.value, publication_ends_on__gte=today)
            | Q(publication_period=P.OPEN.value)
            | Q(publication_period=P.SHORT.value, published_on__gte=rules.earliest_start_shown_on(
                today, rules.SHORT_PERIOD_MONTHS))
            | Q(publication_period=P.LONG.value, published_on__gte=rules.earliest_start_shown_on(
                today, rules.LONG_PERIOD_MONTHS))
        )
    )


# --- the public page -------------------------------------------------------------------------

def public_decisions(*, agency: Agency, limits: FineLimits, kind: str = "",
                     today: dt.date | None = None) -> QuerySet[Decision]:
    """What the public sees today: published, and within its publication period."""
    today = today or clock.today()
    qs = Decision.objects.filter(agency=agency, status=DecisionStatus.PUBLISHED)
    if kind:
        qs = qs.filter(kind=kind)
    return within_period(qs, today=today, limits=limits).order_by(
        "-published_on", "-decision_date", "-id")


def public_withdrawal_notices(*, agency: Agency, limits: FineLimits,
                              today: dt.date | None = None) -> QuerySet[Decision]:
    """Withdrawn decisions that had been public: a notice with the reason, for the rest
    of the period the publication would have had (``rules.is_withdrawal_notice_shown_on``)."""
    today = today or clock.today()
    qs = Decision.objects.filter(agency=agency, status=DecisionStatus.WITHDRAWN,
                                 withdrawn_on__lte=today)
    return within_period(qs, today=today, limits=limits).order_by("-withdrawn_on", "-id")


@dataclass(frozen=True)
class PublicRow:
    """One decision as the public sees it: no resident ID number, a natural person's name
    masked, the credit code of an organisation or individual business shown."""

    kind: str
    number: str
    party: str
    uscc: str
    matter: str
    content: str
    basis: str
    penalty_types: str
    fine_amount: object
    deciding_body: str
    decision_date: dt.date
    published_on: dt.date | None


def public_row(decision: Decision) -> PublicRow:
    def text(value: str) -> str:
        return rules.public_text(value, party_type=decision.party_type,
                                 party_name=decision.party_name)

    return PublicRow(
        kind=decision.get_kind_display(), number=decision.number,
        party=rules.public_party_name(decision.party_type, decision.party_name),
        uscc=decision.party_uscc if decision.party_type != PartyType.NATURAL_PERSON else "",
        matter=text(decision.matter), content=text(decision.content), basis=text(decision.basis),
        penalty_types="、".join(decision.penalty_type_labels), fine_amount=decision.fine_amount,
        deciding_body=decision.deciding_body, decision_date=decision.decision_date,
        published_on=decision.published_on,
    )


@dataclass(frozen=True)
class PublicNotice:
    """A withdrawal notice: which decision, by whom, when and why — never the party."""

    kind: str
    number: str
    deciding_body: str
    withdrawn_on: dt.date
    reason: str


def public_notice(decision: Decision) -> PublicNotice:
    return PublicNotice(
        kind=decision.get_kind_display(), number=decision.number,
        deciding_body=decision.deciding_body, withdrawn_on=decision.withdrawn_on,
        reason=rules.public_text(decision.withdrawal_reason, party_type=decision.party_type,
                                 party_name=decision.party_name),
    )


# --- the back office --------------------------------------------------------------------------

STAFF_FILTERS = {
    "pending": "待公示",
    "shown": "公示中",
    "expired": "公示期满",
    "withdrawn": "已撤回",
    "not_published": "不予公示（仅警告）",
}


def decision_list(*, user, agency: Agency, status: str = "", kind: str = "",
                  year: int | None = None) -> QuerySet[Decision]:
    """The agency's decisions for the back office (``agency`` already checked visible)."""
    qs = permissions.decisions_visible_to(user).filter(agency=agency)
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(decision_date__year=year)
    if status in ("pending", "withdrawn", "not_published"):
        qs = qs.filter(status=status)
    elif status in ("shown", "expired"):
        limits = fine_limits_for(agency)
        shown = within_period(Decision.objects.filter(agency=agency), today=clock.today(),
                              limits=limits).values("pk")
        qs = qs.filter(status=DecisionStatus.PUBLISHED)
        qs = qs.filter(pk__in=shown) if status == "shown" else qs.exclude(pk__in=shown)
    return qs.order_by("-decision_date", "-id")


def decision_get_for_user(*, user, pk: int) -> Decision:
    decision = Decision.objects.select_related("agency", "batch").filter(pk=pk).first()
    if decision is None or not permissions.can_view_decision(user, decision):
        raise Http404("公示记录不存在")
    return decision


@dataclass(frozen=True)
class DecisionRow:
    """A decision with what the back office derives from it today."""

    decision: Decision
    state: str  # 待公示 / 公示中 / 公示期满 / 已撤回 / 不予公示
    due: dt.date | None  # publication due (None for a warning only)
    provisional: bool  # the due date falls in a year without a holiday schedule
    late: bool  # published after the due date
    overdue: bool  # not published and past the due date
    last_day: dt.date | None  # last day shown (None: no end or not published)
    withdrawal_due: dt.date | None
    withdrawn_late: bool


def decision_row(decision: Decision, *, limits: FineLimits, today: dt.date,
                 calendar: WorkingDayCalendar) -> DecisionRow:
    must = rules.must_publish(decision.kind, decision.penalty_types)
    due = rules.publication_due(decision, calendar=calendar) if must else None
    if decision.status == DecisionStatus.PUBLISHED:
        state = "公示中" if rules.is_shown_on(decision, today, limits) else "公示期满"
    else:
        state = decision.get_status_display()
    return DecisionRow(
        decision=decision, state=state, due=due,
        provisional=due is not None and calendar.is_provisional(due),
        late=rules.is_published_late(decision, calendar=calendar) if must else False,
        overdue=rules.is_publication_overdue(decision, today=today, calendar=calendar),
        last_day=rules.last_day_shown(decision, limits),
        withdrawal_due=(rules.withdrawal_due(decision.changed_on, calendar=calendar)
                        if decision.changed_on else None),
        withdrawn_late=rules.is_withdrawn_late(decision, calendar=calendar),
    )


def decision_rows(decisions: Iterable[Decision], *, agency: Agency,
                  limits: FineLimits | None = None) -> list[DecisionRow]:
    limits = limits or fine_limits_for(agency)
    today, calendar = clock.today(), get_working_day_calendar()
    return [decision_row(d, limits=limits, today=today, calendar=calendar) for d in decisions]


def pending_batches(*, agency: Agency) -> QuerySet[ImportBatch]:
    """Imports with decisions still held back, newest first."""
    return (ImportBatch.objects.filter(agency=agency)
            .annotate(pending=Count("decisions", filter=Q(decisions__status=DecisionStatus.PENDING)))
            .filter(pending__gt=0).order_by("-imported_at"))


def batch_get_for_office(*, user, pk: int) -> ImportBatch:
    batch = ImportBatch.objects.select_related("agency").filter(pk=pk).first()
    if batch is None or not permissions.can_view_agency_decisions(user, batch.agency):
        raise Http404("导入批次不存在")
    return batch


# --- the annual report -----------------------------------------------------------------------

def decision_counts(agency_ids: Iterable[int], year: int) -> dict[str, int]:
    """Table 二's 本年处理决定数量 for 行政许可 (第二十条第(五)项), 行政处罚 and 行政强制
    (第(六)项): the decisions *made* in ``year`` (by decision date), by kind, whatever
    became of their publication — a warning-only penalty is not published but was decided,
    and a decision revoked later was still made that year. Keys are ``DecisionKind``
    values (``REPORT_ROWS`` gives the row labels); kinds without decisions count 0."""
    counts = {kind.value: 0 for kind in DecisionKind}
    rows = (Decision.objects.filter(agency_id__in=list(agency_ids),
                                    decision_date__gte=dt.date(year, 1, 1),
                                    decision_date__lte=dt.date(year, 12, 31))
            .values("kind").annotate(n=Count("id")).order_by())
    for row in rows:
        counts[row["kind"]] = row["n"]
    return counts


def yearly_counts(*, agency: Agency) -> list[tuple[int, list[int]]]:
    """(year, [count per kind in DecisionKind order]) for the agency, newest year first."""
    kinds = [k.value for k in DecisionKind]
    table: dict[int, list[int]] = {}
    rows = (Decision.objects.filter(agency=agency)
            .annotate(year=ExtractYear("decision_date")).values("year", "kind")
            .annotate(n=Count("id")).order_by())
    for row in rows:
        table.setdefault(row["year"], [0] * len(kinds))[kinds.index(row["kind"])] = row["n"]
    return sorted(table.items(), reverse=True)
