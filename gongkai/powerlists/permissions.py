"""Who may see and change an agency's power and duty list in the back office.

- office (公开办): reads its agency's versions, edits drafts, imports and publishes;
- supervisor: reads the versions of the agency subtree below (read-only);
- platform administrator: reads everything, changes nothing;
- officer, reviewer, leader: not this area.

The published versions are public (the portal's pages), read through ``selectors``.
"""

from __future__ import annotations

from django.db.models import QuerySet

from gongkai.core import permissions as core_permissions
from gongkai.core.models import Agency, Role

READ_ROLES = frozenset({Role.OFFICE, Role.SUPERVISOR})


def agencies_readable_by(user) -> QuerySet[Agency]:
    """The agencies whose versions (drafts included) the user reads."""
    return core_permissions.agencies_read_under(user, READ_ROLES)


def can_view_agency_lists(user, agency: Agency) -> bool:
    return agencies_readable_by(user).filter(pk=agency.pk).exists()


def can_manage(user, agency: Agency) -> bool:
    """Create, import, edit and publish versions: the agency's office."""
    return core_permissions.has_role(user, agency, Role.OFFICE)


def can_view_area(user) -> bool:
    """The navigation entry: whoever reads some agency's list."""
    return core_permissions.holds_any_role(user, READ_ROLES)


reads_several_agencies = core_permissions.reads_several_agencies
