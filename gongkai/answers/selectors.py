"""Every read of FAQs for the pages: the back office's list and detail (one 404 for
missing and not-yours), the desk's count, and what the public sees."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from gongkai.answers import permissions
from gongkai.answers.models import Faq, FaqStatus
from gongkai.core.models import Agency

NOT_FOUND = "该常见问题不存在"


# --- the back office ------------------------------------------------------------------------------

def faqs_for_user(*, user, status: str = "", agency_id: int | None = None,
                  review: bool = False) -> QuerySet[Faq]:
    """The list; ``review``: the submitted FAQs waiting on this user (the desk's queue)."""
    qs = permissions.faqs_visible_to(user).select_related("agency", "created_by")
    if review:
        qs = qs.filter(status=FaqStatus.SUBMITTED).exclude(submitted_by_id=user.pk)
    if status in FaqStatus.values:
        qs = qs.filter(status=status)
    if agency_id is not None:
        qs = qs.filter(agency_id=agency_id)
    return qs.order_by("agency__path", "-updated_at", "-id")


def faq_get_for_user(*, user, pk: int) -> Faq:
    faq = (permissions.faqs_visible_to(user).select_related("agency", "created_by", "submitted_by")
           .filter(pk=pk).first())
    if faq is None:
        raise Http404(NOT_FOUND)
    return faq


def faq_events(faq: Faq):
    return faq.events.select_related("actor").order_by("-id")


def awaiting_review_count(*, user, agency_id: int) -> int:
    """Submitted FAQs of the agency waiting on the user (the desk's queue): exactly what
    the list shows with ``?review=1&agency=``."""
    return faqs_for_user(user=user, agency_id=agency_id, review=True).count()


# --- the public -------------------------------------------------------------------------------------

def public_faqs() -> QuerySet[Faq]:
    """Published FAQs of active agencies: the one definition of a public FAQ."""
    return Faq.objects.filter(status=FaqStatus.PUBLISHED, agency__is_active=True)


def public_faq_get(*, pk: int) -> Faq:
    faq = public_faqs().select_related("agency").filter(pk=pk).first()
    if faq is None:
        raise Http404(NOT_FOUND)
    return faq


def faqs_in_scope(agency: Agency | None) -> QuerySet[Faq]:
    """The FAQs that answer a question asked on ``agency``'s pages: its own, and those of
    the agencies above it that apply to their subtree; every public FAQ when no agency."""
    qs = public_faqs().select_related("agency")
    if agency is None:
        return qs
    above = [int(segment) for segment in agency.path.split(".") if segment and int(segment) != agency.pk]
    return qs.filter(Q(agency=agency) | Q(agency_id__in=above, for_subtree=True))


def public_faqs_of(agency: Agency) -> QuerySet[Faq]:
    """The FAQs the agency's FAQ page lists (its own and those it inherits), newest first."""
    return faqs_in_scope(agency).order_by("-published_on", "-id")
