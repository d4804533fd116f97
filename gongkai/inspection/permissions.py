"""Who sees the self-inspection and handles error reports.

- office (公开办): reads its agency's results and error reports, runs the check now and
  handles the reports (reply, close);
- supervisor: reads the results and reports of every agency of its subtree (read-only);
- platform administrator: reads everything, handles nothing;
- officer, reviewer, leader: not this area.
"""

from __future__ import annotations

from django.db.models import QuerySet

from gongkai.core import permissions as core_permissions
from gongkai.core.models import Agency, Role
from gongkai.inspection.models import SiteCheck, SiteErrorReport

READ_ROLES = frozenset({Role.OFFICE, Role.SUPERVISOR})


def agencies_readable_by(user) -> QuerySet[Agency]:
    """The agencies whose inspection results and error reports the user reads."""
    return core_permissions.agencies_read_under(user, READ_ROLES)


def can_read(user, agency: Agency) -> bool:
    return agencies_readable_by(user).filter(pk=agency.pk).exists()


def can_act(user, agency: Agency) -> bool:
    """Run the check now, reply to or close an error report: the agency's office."""
    return core_permissions.has_role(user, agency, Role.OFFICE)


def can_view_area(user) -> bool:
    return core_permissions.holds_any_role(user, READ_ROLES)


reads_several_agencies = core_permissions.reads_several_agencies


def checks_visible_to(user) -> QuerySet[SiteCheck]:
    return SiteCheck.objects.filter(agency__in=agencies_readable_by(user))


def reports_visible_to(user) -> QuerySet[SiteErrorReport]:
    return SiteErrorReport.objects.filter(agency__in=agencies_readable_by(user))
