"""Who may see and handle licensing, penalty and enforcement decisions.

- office (公开办): reads its agency's decisions, imports, publishes and withdraws them;
- leader, reviewer, officer: read their agency's decisions;
- supervisor: reads the decisions of the agency subtree below;
- platform administrator: reads everything, changes nothing (runs the platform, not the
  agencies' records).

Nobody sees a party's resident ID number in full: the back office shows it masked, the
public page not at all.
"""

from __future__ import annotations

from django.db.models import QuerySet

from gongkai.core import permissions as core_permissions
from gongkai.core.models import Agency, Role
from gongkai.decisions.models import Decision


def decisions_visible_to(user) -> QuerySet[Decision]:
    """Decisions of the agencies whose unpublished data the user may read
    (``core.permissions.agency_scope_q``)."""
    q = core_permissions.agency_scope_q(user)
    return Decision.objects.all() if q is None else Decision.objects.filter(q)


def can_view_agency_decisions(user, agency: Agency) -> bool:
    return core_permissions.can_view_agency(user, agency)


def can_view_decision(user, decision: Decision) -> bool:
    """Asked of ``decisions_visible_to``, the one definition of who reads which decision."""
    return decisions_visible_to(user).filter(pk=decision.pk).exists()


def can_manage_decisions(user, agency: Agency) -> bool:
    """Import, publish, withdraw: the agency's disclosure office."""
    return core_permissions.has_role(user, agency, Role.OFFICE)


def agencies_managed_by(user) -> QuerySet[Agency]:
    """The agencies whose decisions the user manages (``can_manage_decisions``'s twin)."""
    return Agency.objects.filter(
        pk__in=core_permissions.agency_ids_with_role(user, Role.OFFICE)).order_by("path")


def can_view_decisions_area(user) -> bool:
    return core_permissions.is_staff_user(user)
