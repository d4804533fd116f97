"""Who may see and handle FAQs (常见问题).

- officer (信息员) and office (公开办): draft, edit and submit their agency's FAQs (an
  officer only those they drafted);
- office and leader: approve or return a submitted FAQ — not one they submitted
  themselves (the review is a second person's) — and withdraw a published one;
- reviewer: reads its agency's FAQs;
- supervisor: reads the FAQs of the agency subtree below, changes nothing;
- platform administrator: reads everything, changes nothing.
"""

from __future__ import annotations

from django.db.models import QuerySet

from gongkai.answers.models import Faq
from gongkai.core import permissions as core_permissions
from gongkai.core.models import Agency, Role

DRAFTING_ROLES = (Role.OFFICE, Role.OFFICER)
APPROVING_ROLES = (Role.OFFICE, Role.LEADER)


def faqs_visible_to(user) -> QuerySet[Faq]:
    """FAQs of the agencies whose unpublished data the user may read."""
    q = core_permissions.agency_scope_q(user)
    return Faq.objects.all() if q is None else Faq.objects.filter(q)


def can_view_faqs_area(user) -> bool:
    return core_permissions.is_staff_user(user)


def can_draft(user, agency: Agency) -> bool:
    return core_permissions.has_role(user, agency, *DRAFTING_ROLES)


def agencies_drafted_by(user) -> QuerySet[Agency]:
    """The agencies in which the user drafts FAQs (``can_draft``'s twin)."""
    return Agency.objects.filter(
        pk__in=core_permissions.agency_ids_with_role(user, *DRAFTING_ROLES)).order_by("path")


def can_edit(user, faq: Faq) -> bool:
    """Edit or submit a draft: the office, or the officer who drafted it."""
    if core_permissions.has_role(user, faq.agency, Role.OFFICE):
        return True
    return core_permissions.has_role(user, faq.agency, Role.OFFICER) and faq.created_by_id == user.pk


def can_approve(user, faq: Faq) -> bool:
    """Approve or return: the office or a leader, never the one who submitted it."""
    return (core_permissions.has_role(user, faq.agency, *APPROVING_ROLES)
            and faq.submitted_by_id != user.pk)


def can_withdraw(user, faq: Faq) -> bool:
    return core_permissions.has_role(user, faq.agency, *APPROVING_ROLES)


def can_redraft(user, faq: Faq) -> bool:
    return can_draft(user, faq.agency)
