"""Reads for the public site: what an anonymous visitor may see.

Every public page, feed, sitemap and API route goes through these, so that "published"
means the same thing everywhere: an item in status PUBLISHED (a published item cannot be
edited in place, so its working copy is the published text), of an active agency.
"""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from gongkai.core.models import Agency
from gongkai.publishing.models import Column, Publication, PublicationAttachment
from gongkai.publishing.models.publication import PublicationStatus


def agencies_for_portal() -> QuerySet[Agency]:
    """Active agencies, in tree order, as the public sees them."""
    return Agency.objects.filter(is_active=True).order_by("path")


def agencies_accepting_requests() -> QuerySet[Agency]:
    """Where the public may send a request for information (form and API)."""
    return agencies_for_portal().filter(accepts_requests=True).select_related("parent")


def agency_get_public(*, code: str) -> Agency:
    """An active agency by its code, or 404."""
    agency = agencies_for_portal().filter(code=code).first()
    if agency is None:
        raise Http404("没有找到该机关")
    return agency


def public_publications() -> QuerySet[Publication]:
    """Every published item of an active agency, newest first."""
    return (
        Publication.objects.filter(status=PublicationStatus.PUBLISHED, agency__is_active=True)
        .select_related("agency", "topic")
        .order_by("-published_on", "-id")
    )


def public_attachments() -> QuerySet[PublicationAttachment]:
    return PublicationAttachment.objects.filter(is_active=True).order_by("id")


def public_publication_get(*, pk: int) -> Publication:
    """One published item with its columns and active attachments, or 404 (a withdrawn
    or unpublished item is "not found" to the public)."""
    publication = (
        public_publications()
        .prefetch_related(
            Prefetch("attachments", queryset=public_attachments(), to_attr="public_attachments"),
            Prefetch("columns", queryset=public_columns(), to_attr="public_columns"),
        )
        .filter(pk=pk)
        .first()
    )
    if publication is None:
        raise Http404("该信息不存在或已撤回")
    return publication


def public_attachment_get(*, publication_pk: int, pk: int) -> PublicationAttachment:
    """An active attachment of a published item, or 404."""
    attachment = (
        public_attachments()
        .filter(pk=pk, publication_id=publication_pk,
                publication__status=PublicationStatus.PUBLISHED,
                publication__agency__is_active=True)
        .select_related("publication")
        .first()
    )
    if attachment is None:
        raise Http404("附件不存在")
    return attachment


def public_columns() -> QuerySet[Column]:
    """Active columns of active agencies, in catalogue order."""
    return Column.objects.filter(is_active=True, agency__is_active=True).order_by(
        "agency_id", "sort_order", "id")


def public_column_get(*, pk: int) -> Column:
    column = public_columns().select_related("agency", "parent").filter(pk=pk).first()
    if column is None:
        raise Http404("栏目不存在")
    return column


def column_publications(column: Column) -> QuerySet[Publication]:
    """Published items listed in a column or any column below it."""
    ids = [column.pk]
    frontier = [column.pk]
    while frontier:  # catalogue trees are a few levels deep: one query per level
        frontier = list(public_columns().filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return public_publications().filter(columns__in=ids).distinct()
