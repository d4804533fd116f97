"""Reads of an agency's catalogue (政府信息公开目录): columns and departments for the
back-office forms, and the columns with their counts of public items for the catalogue
page, the statistics and the freshness check. A column outside the user's scope is the
same Http404 as a missing one."""

from __future__ import annotations

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404

from gongkai.core import permissions as core_permissions
from gongkai.core.models import Agency, Department
from gongkai.publishing.models import Column, Publication, PublicationStatus
from gongkai.publishing.selectors.dates import in_year


def column_get_for_user(*, user, pk: int) -> Column:
    column = (
        Column.objects.select_related("agency")
        .filter(pk=pk, agency__in=core_permissions.agencies_visible_to(user))
        .first()
    )
    if column is None:
        raise Http404("栏目不存在")
    return column


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


def columns_with_counts(agency: Agency, year: int) -> list[Column]:
    """The agency's columns, each with the items listed directly in it that went public
    in ``year`` (``n``) and in the year before (``n_last``), and its newest item ever
    (``own_last_on``). Only items public now count: a withdrawn item is off the site."""
    public = Q(publications__status=PublicationStatus.PUBLISHED)
    return list(
        Column.objects.filter(agency=agency)
        .annotate(
            n=Count(
                "publications", filter=public & in_year("published_on", year, "publications__")
            ),
            n_last=Count(
                "publications", filter=public & in_year("published_on", year - 1, "publications__")
            ),
            own_last_on=Max("publications__published_on", filter=public),
        )
        .order_by("sort_order", "id")
    )


def column_full_names(columns: list[Column]) -> dict[int, str]:
    by_pk = {c.pk: c for c in columns}
    names = {}
    for c in columns:
        parts, node, seen = [], c, set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            parts.append(node.name)
            node = by_pk.get(node.parent_id)
        names[c.pk] = " › ".join(reversed(parts))
    return names
