"""Reads of the list of inspection matters (一单) for the back office, the public pages and
the other parts of random inspections (a task names matters of the current list). A
version or matter outside the user's scope is the same Http404 as a missing one; the
public reads see published versions only."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.http import Http404

from gongkai.core import selectors as core_selectors
from gongkai.core.models import Agency
from gongkai.random_inspections import permissions
from gongkai.random_inspections.models import InspectionMatter, MatterList, MatterListStatus


def current_matter_list(agency: Agency) -> MatterList | None:
    """The agency's current list: its newest published version."""
    return (MatterList.objects.filter(agency=agency, status=MatterListStatus.PUBLISHED)
            .order_by("-published_at", "-id").first())


def published_matters(agency: Agency) -> QuerySet[InspectionMatter]:
    """The matters of the agency's current published list, in list order (empty when the
    agency has published none). The tasks' form offers these."""
    current = current_matter_list(agency)
    if current is None:
        return InspectionMatter.objects.none()
    return InspectionMatter.objects.filter(matter_list=current).order_by("position", "id")


def matters_of(matter_list: MatterList) -> list[InspectionMatter]:
    return list(InspectionMatter.objects.filter(matter_list=matter_list).select_related("department")
                .order_by("position", "id"))


# --- back office ------------------------------------------------------------------------------

def matter_lists_for(agency: Agency) -> QuerySet[MatterList]:
    """Every version of the agency, drafts first, then published newest first."""
    return (MatterList.objects.filter(agency=agency).select_related("created_by", "published_by")
            .annotate(matter_count=Count("matters"))
            .order_by("status", "-published_at", "-created_at", "-id"))


def matter_list_get_for_user(*, user, pk: int) -> MatterList:
    matter_list = MatterList.objects.select_related("agency", "previous").filter(pk=pk).first()
    if matter_list is None or not permissions.can_view_agency(user, matter_list.agency):
        raise Http404("清单版本不存在")
    return matter_list


def matter_get_for_user(*, user, pk: int) -> InspectionMatter:
    matter = InspectionMatter.objects.select_related("matter_list__agency").filter(pk=pk).first()
    if matter is None or not permissions.can_view_agency(user, matter.matter_list.agency):
        raise Http404("抽查事项不存在")
    return matter


def agency_get_for_user(*, user, pk: int) -> Agency:
    agency = permissions.agencies_readable_by(user).filter(pk=pk).first()
    if agency is None:
        raise Http404("机关不存在")
    return agency


# --- public -----------------------------------------------------------------------------------

def public_agency(*, code: str) -> Agency:
    return core_selectors.agency_get_public(code=code)


def published_matter_lists(agency: Agency) -> QuerySet[MatterList]:
    """The agency's published versions, newest first, with their matter counts."""
    return (MatterList.objects.filter(agency=agency, status=MatterListStatus.PUBLISHED)
            .annotate(matter_count=Count("matters")).order_by("-published_at", "-id"))


def public_matter_list(*, agency: Agency, pk: int) -> MatterList:
    matter_list = MatterList.objects.filter(agency=agency, status=MatterListStatus.PUBLISHED, pk=pk).first()
    if matter_list is None:
        raise Http404("没有找到该版本")
    return matter_list
