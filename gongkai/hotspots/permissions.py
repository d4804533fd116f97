"""Who may see the hot-spot analysis and import complaints.

- office (公开办): its own agency: imports its 12315 exports and reads its analysis;
- supervisor: reads the analysis of every agency of its subtree (its own included), and
  the subtree summed; imports nothing;
- every other role, and the platform administrator: nothing (complaints are an
  agency's business records; the platform is run, not read, by its administrator).

``agencies_for_analysis`` is the one definition; the predicates ask it.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from gongkai.core import permissions as core_permissions
from gongkai.core.models import Agency, Role


def _scope_q(user) -> Q:
    q = Q(pk__in=[])
    for m in core_permissions.memberships_of(user):
        if m.role == Role.OFFICE:
            q |= Q(pk=m.agency_id)
        elif m.role == Role.SUPERVISOR:
            q |= Q(path__startswith=m.agency.path)
    return q


def agencies_for_analysis(user) -> QuerySet[Agency]:
    """The agencies whose complaints and analysis the user may read."""
    return Agency.objects.filter(_scope_q(user), is_active=True).order_by("path")


def can_view_hotspots(user) -> bool:
    return bool(core_permissions.agency_ids_with_role(user, Role.OFFICE, Role.SUPERVISOR))


def can_view_agency_hotspots(user, agency: Agency) -> bool:
    return agencies_for_analysis(user).filter(pk=agency.pk).exists()


def can_import_complaints(user, agency: Agency) -> bool:
    """The agency's disclosure office."""
    return core_permissions.has_role(user, agency, Role.OFFICE)


def agencies_importable_by(user) -> QuerySet[Agency]:
    """``can_import_complaints``'s twin."""
    return Agency.objects.filter(
        pk__in=core_permissions.agency_ids_with_role(user, Role.OFFICE), is_active=True,
    ).order_by("path")


def supervises(user, agency: Agency) -> bool:
    """Reads ``agency``'s subtree (may sum the agencies below it)."""
    return any(m.role == Role.SUPERVISOR and agency.path.startswith(m.agency.path)
               for m in core_permissions.memberships_of(user))


def supervises_any(user) -> bool:
    return bool(core_permissions.agency_ids_with_role(user, Role.SUPERVISOR))
