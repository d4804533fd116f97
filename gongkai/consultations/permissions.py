"""Who may see and handle consultations.

- office (公开办): drafts, edits, submits, screens comments, groups opinions, publishes the
  feedback, links the final document, withdraws, sets the agency's periods;
- leader: approves the publication (审核发布) or returns the draft; may withdraw;
- reviewer, officer: read their agency's consultations;
- supervisor: reads the consultations of the agency subtree below;
- platform administrator: reads everything, changes nothing.
"""

from __future__ import annotations

from django.db.models import QuerySet

from gongkai.consultations.models import Comment, Consultation
from gongkai.core import permissions as core_permissions
from gongkai.core.models import Agency, Role


def consultations_visible_to(user) -> QuerySet[Consultation]:
    q = core_permissions.agency_scope_q(user)
    return Consultation.objects.all() if q is None else Consultation.objects.filter(q)


def comments_visible_to(user) -> QuerySet[Comment]:
    q = core_permissions.agency_scope_q(user, field="consultation__agency")
    return Comment.objects.all() if q is None else Comment.objects.filter(q)


def can_view_consultation(user, consultation: Consultation) -> bool:
    return consultations_visible_to(user).filter(pk=consultation.pk).exists()


def can_manage(user, agency: Agency) -> bool:
    """Draft, screen comments, record opinions and feedback: the agency's disclosure office."""
    return core_permissions.has_role(user, agency, Role.OFFICE)


def agencies_managed_by(user) -> QuerySet[Agency]:
    """``can_manage``'s twin."""
    return Agency.objects.filter(
        pk__in=core_permissions.agency_ids_with_role(user, Role.OFFICE)).order_by("path")


def can_approve(user, agency: Agency) -> bool:
    """Approve the publication of a draft, or return it: the agency's leader."""
    return core_permissions.has_role(user, agency, Role.LEADER)


def can_withdraw(user, agency: Agency) -> bool:
    return core_permissions.has_role(user, agency, Role.OFFICE, Role.LEADER)


def can_see_contact(user, agency: Agency) -> bool:
    """The commenter's name and contact in full: the office that may need to reply."""
    return can_manage(user, agency)


def can_view_area(user) -> bool:
    return core_permissions.is_staff_user(user)
