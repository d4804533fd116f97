"""Who sees the compliance table and its drill-downs.

- supervisor (主管部门监督员): the agencies of the subtree below each agency they
  supervise (one table per supervised agency; a user may supervise several), and sets
  that agency's thresholds;
- platform administrator: any agency's subtree (runs the platform; sets nothing);
- office, officer, reviewer, leader: not this area.

The drill-downs list records by tracking number, index number or title only: never an
applicant's or a writer's name or contact details.
"""

from __future__ import annotations

from django.db.models import QuerySet

from gongkai.core import permissions as core_permissions
from gongkai.core.models import Agency, Role


def supervised_roots(user) -> QuerySet[Agency]:
    """The agencies whose subtree the user oversees: the ones they supervise, or (a platform
    administrator) the top-level agencies."""
    if core_permissions.is_platform_admin(user):
        return Agency.objects.filter(parent__isnull=True, is_active=True).order_by("path")
    ids = core_permissions.agency_ids_with_role(user, Role.SUPERVISOR)
    return Agency.objects.filter(pk__in=ids, is_active=True).order_by("path")


def overseeable_agencies(user) -> QuerySet[Agency]:
    """Every agency in some supervised subtree (what the drill-downs may show)."""
    q = core_permissions.agency_scope_q(user, field="", roles=[Role.SUPERVISOR])
    return Agency.objects.all() if q is None else Agency.objects.filter(q)


def can_view_area(user) -> bool:
    """The navigation entry and the pages: supervisors and the platform administrator."""
    return core_permissions.is_platform_admin(user) or bool(
        core_permissions.agency_ids_with_role(user, Role.SUPERVISOR))


def can_oversee(user, agency: Agency) -> bool:
    return overseeable_agencies(user).filter(pk=agency.pk).exists()


def can_set_thresholds(user, root: Agency) -> bool:
    """A supervisor of that very agency (the platform administrator changes nothing)."""
    return core_permissions.has_role(user, root, Role.SUPERVISOR)
