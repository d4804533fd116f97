"""Who may see and manage an agency's new-media accounts and figures.

- office (公开办): reads and manages its agency's accounts, figures and interval;
- supervisor: reads the accounts and figures of its agency's subtree (read-only);
- platform administrator: reads everything, manages nothing;
- officer, reviewer, leader: not this area (its pages are a 404 to them, as to anyone
  outside the agency).
"""

from __future__ import annotations

from django.db.models import QuerySet

from gongkai.core import permissions as core_permissions
from gongkai.core.models import Agency, Role

READ_ROLES = frozenset({Role.OFFICE, Role.SUPERVISOR})


def agencies_readable_by(user) -> QuerySet[Agency]:
    """The agencies whose accounts and figures the user reads."""
    return core_permissions.agencies_read_under(user, READ_ROLES)


def can_view_agency(user, agency: Agency) -> bool:
    """Asked of ``agencies_readable_by``, the one definition of who reads which agency's."""
    return agencies_readable_by(user).filter(pk=agency.pk).exists()


def can_manage(user, agency: Agency) -> bool:
    """Register and edit accounts, type or import figures, set the interval: the office."""
    return core_permissions.has_role(user, agency, Role.OFFICE)


def can_view_area(user) -> bool:
    """The navigation entry: whoever reads some agency's accounts."""
    return core_permissions.holds_any_role(user, READ_ROLES)


reads_several_agencies = core_permissions.reads_several_agencies
