"""Reads for the public site: what an anonymous visitor may see.

Every public page, feed, sitemap and API route goes through these, so that "published"
means the same thing everywhere: an item in status PUBLISHED (a published item cannot be
edited in place, so its working copy is the published text), of an active agency.
Agencies as the public sees them are read in ``core.selectors`` (``agencies_public``,
``agency_get_public``): the public pages of other areas need them too.
"""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from gongkai.core.models import Agency
from gongkai.publishing.models import (
    Column,
    Interpretation,
    NormativeDocument,
    Publication,
    PublicationAttachment,
    Topic,
)
from gongkai.publishing.models.publication import PublicationStatus


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


# --- pages of the public site ------------------------------------------------------------


def latest_publications(*, agency: Agency | None = None, limit: int = 10) -> list[Publication]:
    """The newest published items, of one agency or of the whole platform (the home
    page's 最新信息; the inspection fails a home page not updated for two weeks)."""
    items = public_publications()
    if agency is not None:
        items = items.filter(agency=agency)
    return list(items[:limit])


def topics_with_counts() -> list[Topic]:
    """Topics (主题分类) that have published items, each with ``.count``: the home page's
    key areas, each a link into search filtered by the topic."""
    counts = dict(
        public_publications().order_by().filter(topic__isnull=False)
        .values_list("topic_id").annotate(n=Count("id"))
    )
    topics = [t for t in Topic.objects.order_by("sort_order", "code") if t.pk in counts]
    for topic in topics:
        topic.count = counts[topic.pk]
    return topics


def topics_all() -> QuerySet[Topic]:
    return Topic.objects.order_by("sort_order", "code")


def _subtree_ids(columns: list[Column]) -> dict[int, list[int]]:
    """Each column's id with the ids of every column below it, from one agency's list."""
    children: dict[int | None, list[int]] = {}
    for column in columns:
        children.setdefault(column.parent_id, []).append(column.pk)
    subtree: dict[int, list[int]] = {}

    def walk(pk: int) -> list[int]:
        if pk not in subtree:
            ids = [pk]
            for child in children.get(pk, []):
                ids.extend(walk(child))
            subtree[pk] = ids
        return subtree[pk]

    for column in columns:
        walk(column.pk)
    return subtree


def agency_column_tree(agency: Agency) -> list[Column]:
    """The agency's public columns in tree order, each with ``.depth`` (the search page's
    column menu): one query, no item is read."""
    by_parent: dict[int | None, list[Column]] = {}
    for column in public_columns().filter(agency=agency):
        by_parent.setdefault(column.parent_id, []).append(column)
    ordered: list[Column] = []

    def place(parent_id: int | None, depth: int) -> None:
        for column in by_parent.get(parent_id, []):
            column.depth = depth
            ordered.append(column)
            place(column.pk, depth + 1)

    place(None, 0)
    return ordered


def agency_catalogue(agency: Agency) -> list[Column]:
    """The agency's disclosure catalogue (政府信息公开目录) in tree order. Each column
    carries ``.depth`` and ``.count``: the published items listed in it or below it,
    counted once each however many of those columns list them. Two queries."""
    columns = agency_column_tree(agency)
    if not columns:
        return []
    subtree = _subtree_ids(columns)
    counts = public_publications().filter(agency=agency).order_by().aggregate(**{
        f"c{pk}": Count("id", filter=Q(columns__in=ids), distinct=True)
        for pk, ids in subtree.items()
    })
    for column in columns:
        column.count = counts[f"c{column.pk}"] or 0
    return columns


def column_ancestors(column: Column) -> list[Column]:
    """The columns above ``column``, outermost first (for breadcrumbs); one query per
    level, and catalogues are two or three levels deep."""
    chain: list[Column] = []
    parent = column.parent
    while parent is not None:
        chain.insert(0, parent)
        parent = public_columns().filter(pk=parent.parent_id).first() if parent.parent_id else None
    return chain


def column_children(column: Column) -> QuerySet[Column]:
    return public_columns().filter(parent=column)


def filter_publications(
    items: QuerySet[Publication], *, year: int | None = None, topic: Topic | None = None,
    validity: str | None = None,
) -> QuerySet[Publication]:
    """Published items narrowed as a listing asks: year published, topic, validity."""
    if year is not None:
        items = items.filter(published_on__year=year)
    if topic is not None:
        items = items.filter(topic=topic)
    if validity:
        items = items.filter(validity=validity)
    return items


def publication_years(items: QuerySet[Publication]) -> list[int]:
    """The years in which ``items`` were published, newest first (the year filter)."""
    return sorted({d.year for d in items.order_by().dates("published_on", "year")}, reverse=True)


def _is_public(publication: Publication | None) -> bool:
    return (publication is not None and publication.status == PublicationStatus.PUBLISHED
            and publication.agency.is_active)


def publication_policy_links(publication: Publication) -> dict:
    """What links an item to policy interpretation (政策解读): the interpretations of the
    normative document it publishes, and the documents it interprets. Only links to items
    the public may see are kept (an interpretation without a public item may still link
    to an outside address). Two queries."""
    interpretations = list(
        Interpretation.objects.filter(document__publication=publication)
        .select_related("publication__agency").order_by("published_on", "id")
    )
    interpreted = list(
        NormativeDocument.objects.filter(interpretations__publication=publication)
        .select_related("publication__agency").distinct().order_by("-issued_on", "id")
    )
    for item in interpretations + interpreted:
        item.public_publication = item.publication if _is_public(item.publication) else None
    return {"interpretations": interpretations, "interpreted_documents": interpreted}


def agency_normative_documents(agency: Agency, *, today) -> list[NormativeDocument]:
    """An agency's rules and normative documents (规章和规范性文件) with their validity on
    ``today`` and their interpretations (政策解读). A document's validity: repealed or
    expired once ``repealed_on`` has come, not yet in force before ``effective_on``,
    in force otherwise. Links only to items the public may see."""
    documents = list(
        NormativeDocument.objects.filter(agency=agency)
        .select_related("publication__agency")
        .prefetch_related(Prefetch(
            "interpretations",
            queryset=Interpretation.objects.select_related("publication__agency")
            .order_by("published_on", "id"),
        ))
        .order_by("-issued_on", "id")
    )
    for document in documents:
        if document.repealed_on is not None and document.repealed_on <= today:
            document.validity_label = "已废止/失效"
            document.in_force = False
        elif document.effective_on is not None and document.effective_on > today:
            document.validity_label = "尚未施行"
            document.in_force = False
        else:
            document.validity_label = "有效"
            document.in_force = True
        document.public_publication = (
            document.publication if _is_public(document.publication) else None)
        for interpretation in document.interpretations.all():
            interpretation.public_publication = (
                interpretation.publication if _is_public(interpretation.publication) else None)
    return documents
