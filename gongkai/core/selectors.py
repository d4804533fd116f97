"""Reads for views. Every ``*_get_for_user`` raises the same Http404 for "does not
exist" and "not yours", so a user cannot probe another agency's records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, QuerySet
from django.db.utils import DatabaseError
from django.http import Http404

from gongkai.core import permissions
from gongkai.core.models import (
    Agency,
    AuditEvent,
    CalendarOverride,
    Department,
    Membership,
    ScheduledYear,
)
from gongkai.core.workdays import WorkingDayCalendar


def agency_list_for_user(*, user) -> QuerySet[Agency]:
    return permissions.agencies_visible_to(user).select_related("parent").order_by("path")


def agency_get_for_user(*, user, pk: int) -> Agency:
    agency = Agency.objects.select_related("parent").filter(pk=pk).first()
    if agency is None or not permissions.can_view_agency(user, agency):
        raise Http404("机关不存在")
    return agency


# --- Agencies as the public sees them (the portal, the API, the public pages of each area) ---


def agencies_public() -> QuerySet[Agency]:
    """Active agencies, in tree order, as the public sees them."""
    return Agency.objects.filter(is_active=True).order_by("path")


def agencies_accepting_requests() -> QuerySet[Agency]:
    """Where the public may send a request for information (form and API)."""
    return agencies_public().filter(accepts_requests=True).select_related("parent")


def agency_get_public(*, code: str) -> Agency:
    """An active agency by its code, or 404."""
    agency = agencies_public().filter(code=code).first()
    if agency is None:
        raise Http404("没有找到该机关")
    return agency


def department_list(*, agency: Agency) -> QuerySet[Department]:
    return Department.objects.filter(agency=agency).annotate(
        member_count=Count("memberships")
    )


def membership_list(*, agency: Agency) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(agency=agency)
        .select_related("user", "department", "agency")
        .order_by("role", "user__username")
    )


@dataclass(frozen=True)
class AuditFilter:
    agency_id: int | None = None
    action: str = ""
    actor: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def audit_event_list_for_user(*, user, filters: AuditFilter) -> QuerySet[AuditEvent]:
    qs = permissions.audit_events_visible_to(user).select_related("agency")
    if filters.agency_id:
        qs = qs.filter(agency_id=filters.agency_id)
    if filters.action:
        qs = qs.filter(action__startswith=filters.action)
    if filters.actor:
        qs = qs.filter(actor_label__icontains=filters.actor)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id)
    if filters.date_from:
        qs = qs.filter(occurred_at__date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(occurred_at__date__lte=filters.date_to)
    return qs.order_by("-seq")


def audit_event_get_for_user(*, user, pk: int) -> AuditEvent:
    event = permissions.audit_events_visible_to(user).select_related("agency").filter(pk=pk).first()
    if event is None:
        raise Http404("日志不存在")
    return event


# --- Working-day calendar ---------------------------------------------------------------

_calendar_cache: tuple[tuple, WorkingDayCalendar] | None = None


def _calendar_fingerprint() -> tuple:
    o = CalendarOverride.objects.aggregate(n=Count("id"), m=Max("updated_at"))
    y = ScheduledYear.objects.aggregate(n=Count("id"), m=Max("loaded_at"))
    return (o["n"], o["m"], y["n"], y["m"])


def get_working_day_calendar() -> WorkingDayCalendar:
    """The platform's calendar: package data, then administrators' overrides and the
    years whose schedule they loaded. Rebuilt only when those tables change (one cheap
    aggregate query per call), so every process sees an edit at once."""
    global _calendar_cache
    try:
        fingerprint = _calendar_fingerprint()
    except DatabaseError:
        # Tables not created yet (a fresh, unmigrated database): no overrides exist.
        return WorkingDayCalendar()
    if _calendar_cache is not None and _calendar_cache[0] == fingerprint:
        return _calendar_cache[1]
    calendar = WorkingDayCalendar(
        overrides=dict(CalendarOverride.objects.values_list("day", "is_working")),
        scheduled_years=ScheduledYear.objects.values_list("year", flat=True),
    )
    _calendar_cache = (fingerprint, calendar)
    return calendar
