"""Reads of the register of rules and normative documents: the register in a user's scope,
each document's interpretation flag (国办发〔2016〕80号; the limit is the agency's setting)
and the annual report's counts (Art. 20(1), Art. 50). A document outside the user's scope
is the same Http404 as a missing one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet
from django.http import Http404

from gongkai.core import clock
from gongkai.core import permissions as core_permissions
from gongkai.core.selectors import get_working_day_calendar
from gongkai.core.workdays import WorkingDayCalendar
from gongkai.publishing.models import AgencyPublishingSettings, NormativeDocument, NormativeKind
from gongkai.publishing.selectors.dates import in_year, year_range

DEFAULT_INTERPRETATION_LIMIT_DAYS = AgencyPublishingSettings._meta.get_field(
    "interpretation_limit_days"
).default


def _in_force_on(day: dt.date) -> Q:
    """``NormativeDocument.in_force_on`` as a filter: issued by ``day`` and not repealed
    on or before it."""
    return Q(issued_on__lte=day) & (Q(repealed_on__isnull=True) | Q(repealed_on__gt=day))


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
        qs = qs.filter(in_year("issued_on", year))
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
    first, last = year_range(year)
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
