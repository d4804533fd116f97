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
    (``core.permissions.agency_scope_q``: own agency, a supervisor's subtree, everything for
    the platform administrator)."""
    q = core_permissions.agency_scope_q(user)
    return AnnualReport.objects.all() if q is None else AnnualReport.objects.filter(q)


def can_compile(user, agency: Agency) -> bool:
    """Start, recompute, type figures, edit prose, submit, override, publish, correct."""
    return core_permissions.has_role(user, agency, Role.OFFICE)


def can_sign_off(user, agency: Agency) -> bool:
    return core_permissions.has_role(user, agency, Role.LEADER)


def can_return(user, agency: Agency) -> bool:
    """The leader sends a report back; the office may take it back before publication."""
    return core_permissions.has_role(user, agency, Role.LEADER, Role.OFFICE)


def agencies_compiled_by(user) -> QuerySet[Agency]:
    """The agencies whose report the user compiles (``can_compile``'s twin; memberships
    count only in active agencies)."""
    return Agency.objects.filter(
        pk__in=core_permissions.agency_ids_with_role(user, Role.OFFICE)).order_by("path")


def agencies_supervised_by(user) -> QuerySet[Agency]:
    """Agencies whose subtree the user may survey: a supervisor's own agency; every agency
    for the platform administrator."""
    if core_permissions.is_platform_admin(user):
        return Agency.objects.filter(is_active=True).order_by("path")
    return Agency.objects.filter(
        pk__in=core_permissions.agency_ids_with_role(user, Role.SUPERVISOR)).order_by("path")


def can_supervise(user) -> bool:
    """Whether ``agencies_supervised_by`` opens anything."""
    return core_permissions.is_platform_admin(user) or bool(
        core_permissions.agency_ids_with_role(user, Role.SUPERVISOR))


def can_view_reports_area(user) -> bool:
    return core_permissions.is_staff_user(user)


def can_supervise_agency(user, agency: Agency) -> bool:
    """Whether the user may survey ``agency`` and its subtree (the roll-up, the list of
    agencies that have not published, reminders to them): the agency lies in the subtree
    of one the user supervises; every agency for the platform administrator."""
    if core_permissions.is_platform_admin(user):
        return agency.is_active
    return agency.is_active and any(
        agency.path.startswith(path)
        for path in agencies_supervised_by(user).values_list("path", flat=True))
