"""Reads of power lists for the back office and the public pages. A version or item
outside the user's scope is the same Http404 as a missing one; the public reads see
published versions only."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from gongkai.core import selectors as core_selectors
from gongkai.core.models import Agency
from gongkai.powerlists import diff, kinds, permissions
from gongkai.powerlists.models import ListVersion, PowerItem, VersionStatus

NOT_THIS_ROLE = "权责清单由本机关公开办维护，主管部门可查看下级机关的清单。"


# --- back office -----------------------------------------------------------------------------

def versions_for(agency: Agency) -> QuerySet[ListVersion]:
    """Every version of the agency, drafts first, then published newest first."""
    return (ListVersion.objects.filter(agency=agency).select_related("created_by", "published_by")
            .annotate(item_count=Count("items"))
            .order_by("status", "-published_at", "-created_at", "-id"))


def version_get_for_user(*, user, pk: int) -> ListVersion:
    version = ListVersion.objects.select_related("agency", "previous").filter(pk=pk).first()
    if version is None or not permissions.can_view_agency_lists(user, version.agency):
        raise Http404("版本不存在")
    return version


def item_get_for_user(*, user, pk: int) -> PowerItem:
    item = PowerItem.objects.select_related("version__agency", "department").filter(pk=pk).first()
    if item is None or not permissions.can_view_agency_lists(user, item.version.agency):
        raise Http404("事项不存在")
    return item


def agency_get_for_user(*, user, pk: int) -> Agency:
    agency = permissions.agencies_readable_by(user).filter(pk=pk).first()
    if agency is None:
        raise Http404("机关不存在")
    return agency


def items_of(version: ListVersion) -> list[PowerItem]:
    """The version's items in list order: by kind (the taxonomy's order), then position."""
    items = list(PowerItem.objects.filter(version=version).select_related("department"))
    items.sort(key=lambda i: (i.kind_order, i.position, i.pk))
    return items


def current_version(agency: Agency) -> ListVersion | None:
    """The agency's current list: its newest published version."""
    return (ListVersion.objects.filter(agency=agency, status=VersionStatus.PUBLISHED)
            .order_by("-published_at", "-id").first())


def compare(old: ListVersion, new: ListVersion) -> diff.Diff:
    return diff.compare_versions(items_of(old), items_of(new))


# --- grouped lists ---------------------------------------------------------------------------

@dataclass
class KindGroup:
    kind: str
    label: str
    items: list[PowerItem]

    @property
    def count(self) -> int:
        return len(self.items)


def grouped(items: list[PowerItem]) -> list[KindGroup]:
    groups: dict[str, KindGroup] = {}
    for item in items:
        group = groups.get(item.kind)
        if group is None:
            group = groups[item.kind] = KindGroup(item.kind, kinds.label_of(item.kind), [])
        group.items.append(item)
    return sorted(groups.values(), key=lambda g: kinds.ORDER.get(g.kind, len(kinds.ORDER)))


def kind_counts(version: ListVersion) -> list[tuple[str, str, int]]:
    """(kind, label, count) of a version, in the taxonomy's order, kinds with items only."""
    rows = dict(PowerItem.objects.filter(version=version).values_list("kind").annotate(n=Count("id")))
    return [(value, label, rows[value]) for value, label in kinds.ItemKind.choices if rows.get(value)]


# --- public ----------------------------------------------------------------------------------

def published_versions(agency: Agency) -> QuerySet[ListVersion]:
    """The agency's published versions, newest first, with their item counts (the change log)."""
    return (ListVersion.objects.filter(agency=agency, status=VersionStatus.PUBLISHED)
            .annotate(item_count=Count("items")).order_by("-published_at", "-id"))


def public_version(*, agency: Agency, pk: int) -> ListVersion:
    version = (ListVersion.objects.filter(agency=agency, status=VersionStatus.PUBLISHED, pk=pk)
               .select_related("previous").first())
    if version is None:
        raise Http404("没有找到该版本")
    return version


def public_item(*, agency: Agency, pk: int) -> PowerItem:
    item = (PowerItem.objects.filter(pk=pk, version__agency=agency,
                                     version__status=VersionStatus.PUBLISHED)
            .select_related("version").first())
    if item is None:
        raise Http404("没有找到该事项")
    return item


def public_agency(*, code: str) -> Agency:
    return core_selectors.agency_get_public(code=code)


def search(version: ListVersion, *, q: str = "", kind: str = "", department: str = "") -> list[PowerItem]:
    """The version's items whose name, sub-items or basis contain every word of ``q``,
    of ``kind`` and of ``department`` (its exact name), in list order."""
    qs = PowerItem.objects.filter(version=version)
    for word in (q or "").split()[:8]:
        qs = qs.filter(Q(name__icontains=word) | Q(sub_items__icontains=word) | Q(basis__icontains=word)
                       | Q(code__iexact=word))
    if kind:
        qs = qs.filter(kind=kind)
    if department:
        qs = qs.filter(department_name=department)
    items = list(qs.select_related("department"))
    items.sort(key=lambda i: (i.kind_order, i.position, i.pk))
    return items


def departments_of(version: ListVersion) -> list[str]:
    return sorted(set(PowerItem.objects.filter(version=version).exclude(department_name="")
                      .values_list("department_name", flat=True)))


@dataclass
class AgencyListRow:
    agency: Agency
    version: ListVersion
    item_count: int


def agencies_with_published_lists() -> list[AgencyListRow]:
    """The platform's agencies that have published a list, in tree order, each with its
    current version and item count (three queries, whatever the number of agencies)."""
    newest = (ListVersion.objects.filter(agency=OuterRef("pk"), status=VersionStatus.PUBLISHED)
              .order_by("-published_at", "-id").values("pk")[:1])
    agencies = list(core_selectors.agencies_public()
                    .annotate(current_pk=Subquery(newest))
                    .filter(current_pk__isnull=False))
    versions = ListVersion.objects.in_bulk([a.current_pk for a in agencies])
    counts = dict(PowerItem.objects.filter(version_id__in=list(versions)).values_list("version_id")
                  .annotate(n=Count("id")))
    return [AgencyListRow(a, versions[a.current_pk], counts.get(a.current_pk, 0)) for a in agencies]


def current_lists(agency_ids) -> dict[int, ListVersion]:
    """For other apps (oversight, inspection, reports): each listed agency's current
    version, with ``item_count``, keyed by agency id; agencies without a published list
    are absent. One query, whatever the number of agencies."""
    ids = list(agency_ids)
    newest = (ListVersion.objects.filter(agency=OuterRef("agency"), status=VersionStatus.PUBLISHED)
              .order_by("-published_at", "-id").values("pk")[:1])
    versions = (ListVersion.objects.filter(agency_id__in=ids, status=VersionStatus.PUBLISHED,
                                           pk=Subquery(newest))
                .annotate(item_count=Count("items")))
    return {v.agency_id: v for v in versions}
