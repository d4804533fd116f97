"""Who may do what with proactive disclosure (谁起草、谁公开、谁负责).

- officer: drafts and submits items for their own department;
- office: drafts for the agency, publishes, schedules, withdraws, keeps the catalogue and
  the normative-documents register;
- reviewer: the secrecy review, redaction and screening overrides;
- leader: the approval steps;
- supervisor: reads the subtree below; platform administrator: reads everything.
"""

from __future__ import annotations

from django.db.models import QuerySet

from gongkai.core import permissions as core
from gongkai.core.models import Agency, Role
from gongkai.publishing.models import Publication


def can_draft(user, agency, department=None) -> bool:
    if core.has_role(user, agency, Role.OFFICE):
        return True
    return any(
        m.role == Role.OFFICER
        and m.agency_id == agency.pk
        and (department is None or m.department_id == getattr(department, "pk", department))
        for m in core.memberships_of(user)
    )


def can_edit(user, publication: Publication) -> bool:
    return can_draft(user, publication.agency, publication.department_id)


def can_review(user, publication: Publication) -> bool:
    return core.has_role(user, publication.agency, Role.REVIEWER)


def can_approve(user, publication: Publication) -> bool:
    return core.has_role(user, publication.agency, Role.LEADER)


def can_publish(user, publication: Publication) -> bool:
    return core.has_role(user, publication.agency, Role.OFFICE)


def can_manage_catalogue(user, agency) -> bool:
    return core.has_role(user, agency, Role.OFFICE)


def publications_visible_to(user) -> QuerySet[Publication]:
    """Every item (any state) the user may read in the back office."""
    q = core.records_scope_q(user)
    return Publication.objects.all() if q is None else Publication.objects.filter(q)


def reads_several_agencies(user) -> bool:
    """Supervisors and platform administrators read more than one agency, so their pages
    offer an agency filter and show which agency each row belongs to."""
    return core.is_platform_admin(user) or any(
        m.role == Role.SUPERVISOR for m in core.memberships_of(user)
    )


# The agency's office and leaders read its statistics, supervisors their subtree's.
STATISTICS_ROLES = frozenset({Role.OFFICE, Role.LEADER, Role.SUPERVISOR})


def statistics_agencies_for(user) -> QuerySet[Agency]:
    """The agencies whose publishing statistics the user may read (platform
    administrators: every agency)."""
    q = core.agency_scope_q(user, field="", roles=STATISTICS_ROLES)
    return (Agency.objects.all() if q is None else Agency.objects.filter(q)).order_by("path")


def can_view_statistics(user, agency: Agency) -> bool:
    """Asked of ``statistics_agencies_for``, the one definition of whose statistics a user
    reads."""
    return statistics_agencies_for(user).filter(pk=agency.pk).exists()
