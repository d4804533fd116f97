"""Who may see and decide proposals to publish repeatedly requested information.

- office (公开办): reads its agency's proposals and decides them (convert or dismiss) and
  sets the agency's threshold;
- supervisor: reads the proposals and decisions of the agency subtree below (read-only);
- platform administrator: reads everything, decides nothing (runs the platform);
- officer, reviewer, leader: not this page (the draft it makes reaches them through
  publishing's review like any other item).

The proposals show tracking numbers and descriptions only, never an applicant's name or
contact details.
"""

from __future__ import annotations

from django.db.models import QuerySet

from gongkai.core import permissions as core_permissions
from gongkai.core.models import Agency, Role

READ_ROLES = frozenset({Role.OFFICE, Role.SUPERVISOR})


def agencies_readable_by(user) -> QuerySet[Agency]:
    """The agencies whose proposals and decisions the user reads."""
    return core_permissions.agencies_read_under(user, READ_ROLES)


def can_view_agency_proposals(user, agency: Agency) -> bool:
    """Asked of ``agencies_readable_by``, the one definition of who reads which agency's."""
    return agencies_readable_by(user).filter(pk=agency.pk).exists()


def can_decide(user, agency: Agency) -> bool:
    """Convert or dismiss a proposal, set the threshold: the agency's office."""
    return core_permissions.has_role(user, agency, Role.OFFICE)


def can_view_area(user) -> bool:
    """The navigation entry: whoever reads some agency's proposals."""
    return core_permissions.holds_any_role(user, READ_ROLES)


reads_several_agencies = core_permissions.reads_several_agencies
