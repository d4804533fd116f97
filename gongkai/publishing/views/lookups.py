"""The reads behind the back-office pages for proactive disclosure. Every lookup goes
through ``permissions.publications_visible_to`` (or the agency scope), so a missing item
and somebody else's item give the same 404, and the list and the detail page agree."""

from __future__ import annotations

from django.db.models import Count, F, Max, Q, QuerySet
from django.http import Http404

from gongkai.core import permissions as core_permissions
from gongkai.core.models import Agency, Department
from gongkai.publishing import permissions
from gongkai.publishing.models import (
    Column,
    Publication,
    PublicationAttachment,
    PublicationStatus,
)


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


def column_get_for_user(*, user, pk: int) -> Column:
    column = (
        Column.objects.select_related("agency")
        .filter(pk=pk, agency__in=core_permissions.agencies_visible_to(user))
        .first()
    )
    if column is None:
        raise Http404("栏目不存在")
    return column


def publication_list_for_user(
    *,
    user,
    status: str = "",
    column_id: int | None = None,
    department_id: int | None = None,
    year: int | None = None,
    text: str = "",
) -> QuerySet[Publication]:
    """Items the user may read, newest first (unpublished work on top). ``year`` is the
    year of publication, or of writing for what is not yet published."""
    qs = permissions.publications_visible_to(user)
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


def agency_columns(agency: Agency | None, *, active_only: bool = False) -> list[Column]:
    if agency is None:
        return []
    qs = Column.objects.filter(agency=agency)
    if active_only:
        qs = qs.filter(is_active=True)
    return list(qs)


def columns_for_publication_form(
    agency: Agency, publication: Publication | None = None
) -> list[Column]:
    """The agency's active columns, plus any inactive one the item is already in (so that
    saving does not silently take it out)."""
    q = Q(is_active=True)
    if publication is not None:
        q |= Q(pk__in=publication.columns.values("pk"))
    return list(Column.objects.filter(q, agency=agency))


def agency_departments(agency: Agency | None) -> QuerySet[Department]:
    if agency is None:
        return Department.objects.none()
    return Department.objects.filter(agency=agency).order_by("name")


def catalogue_columns(agency: Agency) -> list[Column]:
    """Every column of the agency with ``published_count`` and ``last_published_on`` (its
    published items), for the catalogue page and the staleness check."""
    published = Q(publications__status=PublicationStatus.PUBLISHED)
    return list(
        Column.objects.filter(agency=agency).annotate(
            published_count=Count("publications", filter=published),
            last_published_on=Max("publications__published_on", filter=published),
        )
    )


def published_in_column(column: Column) -> QuerySet[Publication]:
    """What the public sees in a column."""
    return Publication.objects.filter(columns=column, status=PublicationStatus.PUBLISHED)
