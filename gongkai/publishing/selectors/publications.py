"""The reads behind the back-office pages of items. Every lookup goes through
``permissions.publications_visible_to``, so a missing item and somebody else's item give
the same 404, and the list and the detail page agree."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet
from django.http import Http404

from gongkai.publishing import permissions
from gongkai.publishing.models import Publication, PublicationAttachment


def publication_get_for_user(*, user, pk: int) -> Publication:
    publication = (
        permissions.publications_visible_to(user)
        .select_related("agency", "department", "topic")
        .filter(pk=pk)
        .first()
    )
    if publication is None:
        raise Http404("信息不存在")
    return publication


def attachment_get_for_user(*, user, pk: int) -> PublicationAttachment:
    attachment = (
        PublicationAttachment.objects.select_related("publication__agency")
        .filter(pk=pk, publication__in=permissions.publications_visible_to(user))
        .first()
    )
    if attachment is None:
        raise Http404("附件不存在")
    return attachment


def publication_list_for_user(
    *,
    user,
    status: str = "",
    column_id: int | None = None,
    department_id: int | None = None,
    year: int | None = None,
    text: str = "",
    agency_id: int | None = None,
) -> QuerySet[Publication]:
    """Items the user may read, newest first (unpublished work on top). ``year`` is the
    year of publication, or of writing for what is not yet published; ``agency_id`` keeps
    one of the agencies the user may read (the desk's queues are per membership)."""
    qs = permissions.publications_visible_to(user)
    if agency_id:
        qs = qs.filter(agency_id=agency_id)
    if status:
        qs = qs.filter(status=status)
    if column_id:
        qs = qs.filter(columns=column_id)
    if department_id:
        qs = qs.filter(department_id=department_id)
    if year:
        qs = qs.filter(
            Q(published_on__year=year) | Q(published_on__isnull=True, written_on__year=year)
        )
    if text:
        qs = qs.filter(
            Q(title__icontains=text)
            | Q(doc_number__icontains=text)
            | Q(index_number__icontains=text)
        )
    return (
        qs.select_related("agency", "department")
        .prefetch_related("columns")
        .order_by(F("published_on").desc(nulls_first=True), "-id")
        .distinct()
    )
