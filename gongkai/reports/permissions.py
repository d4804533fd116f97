"""Who may see and handle annual reports.

- office (公开办): compiles its agency's report, submits, records overrides, publishes,
  corrects;
- leader: reads, signs off or returns its agency's report;
- officer, reviewer: read their agency's report;
- supervisor: reads every report of the agency subtree below (and the summed tables),
  changes nothing;
- platform administrator: reads everything, changes nothing.
"""

from __future__ import annotations

from django.db.models import QuerySet

from gongkai.core import permissions as core_permissions
from gongkai.core.models import Agency, Role
from gongkai.reports.models import AnnualReport


def reports_visible_to(user) -> QuerySet[AnnualReport]:
    """Reports of the agencies whose unpublished data the user may read
    (``core.permissions.agencies_visible_to``: own agency, a supervisor's subtree,
    everything for the platform administrator)."""
    if core_permissions.is_platform_admin(user):
        return AnnualReport.objects.all()
    return AnnualReport.objects.filter(agency__in=core_permissions.agencies_visible_to(user))


def can_view_report(user, report: AnnualReport) -> bool:
    return core_permissions.can_view_agency(user, report.agency)


def can_compile(user, agency: Agency) -> bool:
    """Start, recompute, type figures, edit prose, submit, override, publish, correct."""
    return core_permissions.has_role(user, agency, Role.OFFICE)


def can_sign_off(user, agency: Agency) -> bool:
    return core_permissions.has_role(user, agency, Role.LEADER)


def can_return(user, agency: Agency) -> bool:
    """The leader sends a report back; the office may take it back before publication."""
    return core_permissions.has_role(user, agency, Role.LEADER, Role.OFFICE)


def agencies_compiled_by(user) -> QuerySet[Agency]:
    ids = [m.agency_id for m in core_permissions.memberships_of(user) if m.role == Role.OFFICE]
    return Agency.objects.filter(pk__in=ids, is_active=True).order_by("path")


def agencies_supervised_by(user) -> QuerySet[Agency]:
    """Agencies whose subtree the user may survey: a supervisor's own agency; every agency
    for the platform administrator."""
    if core_permissions.is_platform_admin(user):
        return Agency.objects.filter(is_active=True).order_by("path")
    ids = [m.agency_id for m in core_permissions.memberships_of(user) if m.role == Role.SUPERVISOR]
    return Agency.objects.filter(pk__in=ids).order_by("path")


def can_supervise(user) -> bool:
    return core_permissions.is_platform_admin(user) or any(
        m.role == Role.SUPERVISOR for m in core_permissions.memberships_of(user))


def can_view_reports_area(user) -> bool:
    return core_permissions.is_staff_user(user)
