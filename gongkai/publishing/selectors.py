"""Reads of proactive disclosure for views, the annual report and the office dashboard.

Everything here is derived when asked, from stored facts (issue and repeal dates,
interpretations, publication dates) and the platform's working-day calendar; no flag or
count is stored by a job. Reads scoped to a user raise the same Http404 for "does not
exist" and "not yours".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, Min, Q, QuerySet
from django.http import Http404

from gongkai.core import clock
from gongkai.core import permissions as core_permissions
from gongkai.core.models import Agency, Role
from gongkai.core.selectors import get_working_day_calendar
from gongkai.core.workdays import WorkingDayCalendar
from gongkai.publishing import rules
from gongkai.publishing.models import (
    STALE_AFTER_DAYS,
    AgencyPublishingSettings,
    ChannelRelease,
    Column,
    ColumnKind,
    NormativeDocument,
    NormativeKind,
    Publication,
    PublicationStatus,
    ReleaseChannel,
)

DEFAULT_INTERPRETATION_LIMIT_DAYS = AgencyPublishingSettings._meta.get_field(
    "interpretation_limit_days"
).default
TOP_COLUMNS = 10
# The website inspection's single-veto thresholds (《政府网站与政务新媒体检查指标》,
# 国办秘函〔2019〕19号).
VETO_STALE_COLUMNS = 5
VETO_BLANK_COLUMNS = 5
HOME_PAGE_STALE_AFTER_DAYS = 14


def _year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _in_force_on(day: dt.date) -> Q:
    """``NormativeDocument.in_force_on`` as a filter: issued by ``day`` and not repealed
    on or before it."""
    return Q(issued_on__lte=day) & (Q(repealed_on__isnull=True) | Q(repealed_on__gt=day))


def _in_year(field_name: str, year: int, prefix: str = "") -> Q:
    first, last = _year_range(year)
    return Q(**{f"{prefix}{field_name}__gte": first, f"{prefix}{field_name}__lte": last})


# --- the register: scope ---------------------------------------------------------------------


def normative_documents_visible_to(user) -> QuerySet[NormativeDocument]:
    """Register entries the user may read: every role of the agency, supervisors over
    their subtree, platform administrators everywhere (the same scope as the agency's
    unpublished data, ``core.permissions.agencies_visible_to``)."""
    if core_permissions.is_platform_admin(user):
        return NormativeDocument.objects.all()
    return NormativeDocument.objects.filter(agency__in=core_permissions.agencies_visible_to(user))


class DocumentStatus:
    IN_FORCE = "in_force"
    REPEALED = "repealed"
    CHOICES = [(IN_FORCE, "现行有效"), (REPEALED, "已废止/失效")]


def normative_document_list_for_user(
    *,
    user,
    kind: str = "",
    status: str = "",
    year: int | None = None,
    agency_id: int | None = None,
    today: dt.date | None = None,
) -> QuerySet[NormativeDocument]:
    """The register, newest first, filtered by kind, by status on ``today`` (in force /
    repealed) and by year of issue; each row carries its first interpretation's date."""
    today = today or clock.today()
    qs = normative_documents_visible_to(user)
    if kind:
        qs = qs.filter(kind=kind)
    if status == DocumentStatus.IN_FORCE:
        qs = qs.filter(_in_force_on(today))
    elif status == DocumentStatus.REPEALED:
        qs = qs.filter(repealed_on__lte=today)
    if year:
        qs = qs.filter(_in_year("issued_on", year))
    if agency_id:
        qs = qs.filter(agency_id=agency_id)
    return (
        qs.select_related("agency", "drafting_department")
        .annotate(first_interpreted_on=Min("interpretations__published_on"))
        .order_by("-issued_on", "-id")
    )


def normative_document_get_for_user(*, user, pk: int) -> NormativeDocument:
    document = (
        normative_documents_visible_to(user)
        .select_related("agency", "drafting_department", "publication", "created_by")
        .prefetch_related("interpretations__publication")
        .filter(pk=pk)
        .first()
    )
    if document is None:
        raise Http404("文件不存在")
    return document


# --- interpretation flags (国办发〔2016〕80号; the limit is the agency's setting) ------------


class InterpretationState:
    ON_TIME = "on_time"
    LATE = "late"
    PENDING = "pending"
    OVERDUE = "overdue"
    LABELS = {ON_TIME: "已按时解读", LATE: "解读迟发", PENDING: "待解读", OVERDUE: "解读逾期"}


@dataclass(frozen=True)
class InterpretationStatus:
    """Whether a document's interpretation came within the agency's limit: ``due_on`` is
    the ``limit_days``-th working day after issue (the issue day not counted)."""

    due_on: dt.date
    limit_days: int
    first_on: dt.date | None
    state: str
    provisional: bool  # the limit falls in a year whose holiday schedule is not known

    @property
    def label(self) -> str:
        return InterpretationState.LABELS[self.state]

    @property
    def flagged(self) -> bool:
        return self.state in (InterpretationState.LATE, InterpretationState.OVERDUE)


def interpretation_status(
    *,
    issued_on: dt.date,
    first_interpreted_on: dt.date | None,
    limit_days: int,
    today: dt.date,
    calendar: WorkingDayCalendar,
) -> InterpretationStatus:
    """On the last day of the limit a document without interpretation is still pending;
    from the next calendar day it is overdue (解读逾期)."""
    due_on = calendar.add_working_days(issued_on, limit_days)
    if first_interpreted_on is not None:
        state = (
            InterpretationState.ON_TIME
            if first_interpreted_on <= due_on
            else InterpretationState.LATE
        )
    else:
        state = InterpretationState.OVERDUE if today > due_on else InterpretationState.PENDING
    return InterpretationStatus(
        due_on=due_on,
        limit_days=limit_days,
        first_on=first_interpreted_on,
        state=state,
        provisional=calendar.is_span_provisional(issued_on, due_on),
    )


def interpretation_limits(agency_ids: Iterable[int]) -> dict[int, int]:
    """Each agency's limit in working days (its setting, default 5)."""
    ids = set(agency_ids)
    limits = dict.fromkeys(ids, DEFAULT_INTERPRETATION_LIMIT_DAYS)
    limits.update(
        AgencyPublishingSettings.objects.filter(agency_id__in=ids).values_list(
            "agency_id", "interpretation_limit_days"
        )
    )
    return limits


@dataclass(frozen=True)
class NormativeRow:
    document: NormativeDocument
    in_force: bool
    interpretation: InterpretationStatus


def normative_rows(
    documents: Iterable[NormativeDocument],
    *,
    today: dt.date | None = None,
    calendar: WorkingDayCalendar | None = None,
) -> list[NormativeRow]:
    """Documents with their status and interpretation flag. Each document needs
    ``first_interpreted_on`` (annotated by ``normative_document_list_for_user``) or its
    prefetched interpretations."""
    documents = list(documents)
    today = today or clock.today()
    calendar = calendar or get_working_day_calendar()
    limits = interpretation_limits(d.agency_id for d in documents)
    rows = []
    for d in documents:
        if hasattr(d, "first_interpreted_on"):
            first = d.first_interpreted_on
        else:
            first = min((i.published_on for i in d.interpretations.all()), default=None)
        rows.append(
            NormativeRow(
                document=d,
                in_force=d.in_force_on(today),
                interpretation=interpretation_status(
                    issued_on=d.issued_on,
                    first_interpreted_on=first,
                    limit_days=limits[d.agency_id],
                    today=today,
                    calendar=calendar,
                ),
            )
        )
    return rows


# --- the annual report: table 二, 第二十条第(一)项 -------------------------------------------


def normative_counts(agency_ids: Iterable[int], year: int) -> dict[str, dict[str, int]]:
    """The 2021 format's 本年制发件数 / 本年废止件数 / 现行有效件数 per kind (规章,
    行政规范性文件), from the register (Art. 20(1), Art. 50): issued in the year,
    repealed or lapsed in the year, and in force on 31 December of the year (issued by
    then and not repealed on or before it — ``NormativeDocument.in_force_on``). One
    query; both kinds are always present."""
    first, last = _year_range(year)
    rows = (
        NormativeDocument.objects.filter(agency_id__in=list(agency_ids))
        .values("kind")
        .annotate(
            issued=Count("id", filter=Q(issued_on__gte=first, issued_on__lte=last)),
            repealed=Count("id", filter=Q(repealed_on__gte=first, repealed_on__lte=last)),
            in_force=Count("id", filter=_in_force_on(last)),
        )
        .order_by()
    )
    counts = {kind: {"issued": 0, "repealed": 0, "in_force": 0} for kind in NormativeKind.values}
    for row in rows:
        counts[row["kind"]] = {
            "issued": row["issued"],
            "repealed": row["repealed"],
            "in_force": row["in_force"],
        }
    return counts


# --- late publication (Art. 26) ---------------------------------------------------------------


@dataclass(frozen=True)
class LatePublication:
    """An item that went public after its Art. 26 deadline (``rules.publication_deadline``)."""

    pk: int
    index_number: str
    title: str
    written_on: dt.date
    due_on: dt.date
    published_on: dt.date
    working_days: int  # working days from the written date to publication
    provisional: bool


def late_publications(
    *, agency_ids: Iterable[int], year: int, calendar: WorkingDayCalendar | None = None
) -> list[LatePublication]:
    """Items published in ``year`` (and public now) after their Art. 26 deadline, longest
    delay first. One query."""
    calendar = calendar or get_working_day_calendar()
    rows = (
        Publication.objects.filter(
            agency_id__in=list(agency_ids), status=PublicationStatus.PUBLISHED
        )
        .filter(_in_year("published_on", year))
        .values_list("pk", "index_number", "title", "written_on", "published_on")
    )
    late = []
    for pk, index_number, title, written_on, published_on in rows:
        if not rules.is_published_late(written_on, published_on, calendar=calendar):
            continue
        late.append(
            LatePublication(
                pk=pk,
                index_number=index_number,
                title=title,
                written_on=written_on,
                due_on=rules.publication_deadline(written_on, calendar=calendar),
                published_on=published_on,
                working_days=calendar.working_days_between(written_on, published_on),
                provisional=calendar.is_span_provisional(written_on, published_on),
            )
        )
    late.sort(key=lambda p: (-p.working_days, p.published_on, p.pk))
    return late


# --- columns: counts and freshness ------------------------------------------------------------


def _columns_with_counts(agency: Agency, year: int) -> list[Column]:
    """The agency's columns, each with the items listed directly in it that went public
    in ``year`` (``n``) and in the year before (``n_last``), and its newest item ever
    (``own_last_on``). Only items public now count: a withdrawn item is off the site."""
    public = Q(publications__status=PublicationStatus.PUBLISHED)
    return list(
        Column.objects.filter(agency=agency)
        .annotate(
            n=Count(
                "publications", filter=public & _in_year("published_on", year, "publications__")
            ),
            n_last=Count(
                "publications", filter=public & _in_year("published_on", year - 1, "publications__")
            ),
            own_last_on=Max("publications__published_on", filter=public),
        )
        .order_by("sort_order", "id")
    )


def _full_names(columns: list[Column]) -> dict[int, str]:
    by_pk = {c.pk: c for c in columns}
    names = {}
    for c in columns:
        parts, node, seen = [], c, set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            parts.append(node.name)
            node = by_pk.get(node.parent_id)
        names[c.pk] = " › ".join(reversed(parts))
    return names


@dataclass(frozen=True)
class ColumnFreshness:
    """One column as the website inspection sees it: the newest item in it or any of its
    sub-columns, the days since, and the limit for its kind."""

    column: Column
    name: str
    last_published_on: dt.date | None
    days_since: int | None
    limit_days: int | None
    stale: bool
    blank: bool

    @property
    def kind_label(self) -> str:
        return ColumnKind(self.column.kind).label


@dataclass(frozen=True)
class FreshnessReport:
    """What an inspector would find in the agency's columns today (the website inspection's
    indicators, 国办秘函〔2019〕19号)."""

    as_of: dt.date
    columns: list[ColumnFreshness]
    site_last_published_on: dt.date | None
    veto_reasons: list[str] = field(default_factory=list)

    @property
    def stale(self) -> list[ColumnFreshness]:
        return [c for c in self.columns if c.stale]

    @property
    def blank(self) -> list[ColumnFreshness]:
        return [c for c in self.columns if c.blank]


def _freshness(columns: list[Column], *, today: dt.date) -> FreshnessReport:
    names = _full_names(columns)
    by_pk = {c.pk: c for c in columns}
    # Newest item in each column's subtree: every item also updates the ancestors.
    subtree_last: dict[int, dt.date] = {}
    for c in columns:
        if c.own_last_on is None:
            continue
        node, seen = c, set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            if node.pk not in subtree_last or subtree_last[node.pk] < c.own_last_on:
                subtree_last[node.pk] = c.own_last_on
            node = by_pk.get(node.parent_id)

    rows = []
    for c in columns:
        if not c.is_active:
            continue
        last = subtree_last.get(c.pk)
        limit = STALE_AFTER_DAYS.get(ColumnKind(c.kind))
        days = (today - last).days if last else None
        rows.append(
            ColumnFreshness(
                column=c,
                name=names[c.pk],
                last_published_on=last,
                days_since=days,
                limit_days=limit,
                # "Not updated in the 2 weeks before the check": 14 days ago is still fresh.
                stale=last is not None and limit is not None and days > limit,
                blank=last is None,
            )
        )
    site_last = max((c.own_last_on for c in columns if c.own_last_on), default=None)
    reasons = []
    veto_stale = [
        r for r in rows if r.stale and r.column.kind in (ColumnKind.DYNAMIC, ColumnKind.NOTICE)
    ]
    if len(veto_stale) >= VETO_STALE_COLUMNS:
        reasons.append(
            f"{len(veto_stale)}个动态类或通知公告/政策文件类栏目未按期更新"
            f"（{VETO_STALE_COLUMNS}个及以上即单项否决）"
        )
    blank = [r for r in rows if r.blank]
    if len(blank) >= VETO_BLANK_COLUMNS:
        reasons.append(f"{len(blank)}个空白栏目（{VETO_BLANK_COLUMNS}个及以上即单项否决）")
    if site_last is None or (today - site_last).days > HOME_PAGE_STALE_AFTER_DAYS:
        reasons.append(f"{HOME_PAGE_STALE_AFTER_DAYS}天内没有发布任何信息（首页不更新即单项否决）")
    return FreshnessReport(
        as_of=today, columns=rows, site_last_published_on=site_last, veto_reasons=reasons
    )


def column_freshness(*, agency: Agency, today: dt.date | None = None) -> FreshnessReport:
    """Stale and blank columns of an agency's catalogue as of today: dynamic columns
    without an item for more than 14 days, notice/policy columns for more than 6 months,
    plan columns for more than a year; blank columns have never had one (website
    inspection indicators, 国办秘函〔2019〕19号). A parent column counts as updated when
    any sub-column is. One query."""
    today = today or clock.today()
    return _freshness(_columns_with_counts(agency, today.year), today=today)


# --- the statistics page ------------------------------------------------------------------------


def _pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _change_pct(this: int, last: int) -> Decimal | None:
    """Year-over-year change in per cent, one decimal like the reports (None: nothing
    last year to compare with)."""
    if not last:
        return None
    return (Decimal(this - last) * 100 / Decimal(last)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Change:
    this_year: int
    last_year: int

    @property
    def delta(self) -> int:
        return self.this_year - self.last_year

    @property
    def pct(self) -> Decimal | None:
        return _change_pct(self.this_year, self.last_year)


@dataclass(frozen=True)
class ColumnCount:
    column: Column
    name: str
    count: Change
    share: Decimal | None  # of all releases (listings) in the year, in per cent


@dataclass(frozen=True)
class ChannelCount:
    channel: str
    label: str
    count: int


@dataclass(frozen=True)
class PublishingStatistics:
    """The office dashboard's numbers for one agency and year, as the annual report and
    real annual reports present them."""

    agency: Agency
    year: int
    as_of: dt.date
    releases: Change  # item-column listings: an item in three columns counts three times
    items: Change  # distinct items
    documents: Change  # distinct items that are documents (with a document number)
    unlisted: int  # items of the year in no column
    columns: list[ColumnCount]
    top_columns: list[ColumnCount]
    top_share: Decimal | None
    late: list[LatePublication]
    interpretation_overdue: list[NormativeRow]
    interpretation_late: list[NormativeRow]
    interpretation_pending: list[NormativeRow]
    channels: list[ChannelCount]
    freshness: FreshnessReport


def publication_statistics(
    *, agency: Agency, year: int, today: dt.date | None = None
) -> PublishingStatistics:
    """Items published per column (an item listed in several columns counts in each),
    distinct items and documents, the top-10 columns with their share of all releases,
    year-over-year change per column and in total, late items (Art. 26), documents
    whose interpretation is missing or late, releases per channel (the website's own
    count is the distinct items), and column freshness as of today. A fixed number of
    queries, whatever the size of the catalogue."""
    today = today or clock.today()
    calendar = get_working_day_calendar()
    columns = _columns_with_counts(agency, year)
    names = _full_names(columns)

    listed = [c for c in columns if c.n or c.n_last]
    releases = Change(sum(c.n for c in listed), sum(c.n_last for c in listed))
    counted = [
        ColumnCount(
            column=c,
            name=names[c.pk],
            count=Change(c.n, c.n_last),
            share=_pct(c.n, releases.this_year),
        )
        for c in listed
    ]
    # Ties keep catalogue order (the sort is stable).
    counted.sort(key=lambda c: -c.count.this_year)
    top = [c for c in counted if c.count.this_year][:TOP_COLUMNS]

    public = Publication.objects.filter(agency=agency, status=PublicationStatus.PUBLISHED)
    this_q, last_q = _in_year("published_on", year), _in_year("published_on", year - 1)
    document_q = ~Q(doc_number="")
    totals = public.aggregate(
        items=Count("id", distinct=True, filter=this_q),
        items_last=Count("id", distinct=True, filter=last_q),
        documents=Count("id", distinct=True, filter=this_q & document_q),
        documents_last=Count("id", distinct=True, filter=last_q & document_q),
        unlisted=Count("id", distinct=True, filter=this_q & Q(columns__isnull=True)),
    )

    channel_counts = dict(
        ChannelRelease.objects.filter(publication__agency=agency)
        .filter(_in_year("released_on", year))
        .values("channel")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("channel", "n")
    )
    channels = [ChannelCount("website", "政府网站（本平台）", totals["items"])]
    channels += [
        ChannelCount(c.value, c.label, channel_counts.get(c.value, 0)) for c in ReleaseChannel
    ]

    documents = (
        NormativeDocument.objects.filter(agency=agency)
        .filter(_in_year("issued_on", year))
        .annotate(first_interpreted_on=Min("interpretations__published_on"))
        .order_by("issued_on", "id")
    )
    rows = normative_rows(documents, today=today, calendar=calendar)

    def in_state(state):
        return [r for r in rows if r.interpretation.state == state]

    return PublishingStatistics(
        agency=agency,
        year=year,
        as_of=today,
        releases=releases,
        items=Change(totals["items"], totals["items_last"]),
        documents=Change(totals["documents"], totals["documents_last"]),
        unlisted=totals["unlisted"],
        columns=counted,
        top_columns=top,
        top_share=_pct(sum(c.count.this_year for c in top), releases.this_year),
        late=late_publications(agency_ids=[agency.pk], year=year, calendar=calendar),
        interpretation_overdue=in_state(InterpretationState.OVERDUE),
        interpretation_late=in_state(InterpretationState.LATE),
        interpretation_pending=in_state(InterpretationState.PENDING),
        channels=channels,
        freshness=_freshness(columns, today=today),
    )


# --- who may read the statistics ---------------------------------------------------------------


def reads_several_agencies(user) -> bool:
    """Supervisors and platform administrators read more than one agency, so their pages
    offer an agency filter and show which agency each row belongs to."""
    return core_permissions.is_platform_admin(user) or any(
        m.role == Role.SUPERVISOR for m in core_permissions.memberships_of(user)
    )


def can_view_statistics(user, agency: Agency) -> bool:
    """The agency's office and leaders, supervisors over it, platform administrators."""
    if core_permissions.is_platform_admin(user):
        return True
    for m in core_permissions.memberships_of(user):
        if m.agency_id == agency.pk and m.role in (Role.OFFICE, Role.LEADER):
            return True
        if m.role == Role.SUPERVISOR and agency.path.startswith(m.agency.path):
            return True
    return False


def statistics_agencies_for(user) -> QuerySet[Agency]:
    """The agencies whose statistics the user may read (``can_view_statistics``'s twin)."""
    if core_permissions.is_platform_admin(user):
        return Agency.objects.order_by("path")
    q = Q(pk__in=[])
    for m in core_permissions.memberships_of(user):
        if m.role in (Role.OFFICE, Role.LEADER):
            q |= Q(pk=m.agency_id)
        elif m.role == Role.SUPERVISOR:
            q |= Q(path__startswith=m.agency.path)
    return Agency.objects.filter(q).order_by("path")
