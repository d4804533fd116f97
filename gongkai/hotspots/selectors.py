"""Reads of the hot-spot area for its views: which agencies an analysis covers, the
analysis itself, the imports. One 404 for "missing" and "not yours"."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from gongkai.core import clock
from gongkai.core.models import Agency
from gongkai.hotspots import permissions
from gongkai.hotspots.analysis import Analysis, analyse
from gongkai.hotspots.models import ComplaintImport
from gongkai.hotspots.periods import Period, last_complete


@dataclass(frozen=True)
class Scope:
    agency: Agency
    agencies: list[Agency]
    subtree: bool

    @property
    def label(self) -> str:
        if self.subtree and len(self.agencies) > 1:
            return f"{self.agency.name}及下级{len(self.agencies) - 1}个机关"
        return self.agency.name


def scope_for(*, user, agency_pk: int | None, subtree: bool, default_agency_id: int | None) -> Scope:
    """The agencies an analysis covers: the chosen one (404 outside the user's scope), or
    the active membership's agency, or the first the user may read; with its subtree
    when asked for and the user supervises it."""
    visible = permissions.agencies_for_analysis(user)
    if agency_pk is not None:
        agency = visible.filter(pk=agency_pk).first()
        if agency is None:
            raise Http404("机关不存在")
    else:
        agency = (visible.filter(pk=default_agency_id).first() if default_agency_id else None) \
            or visible.first()
        if agency is None:
            raise Http404("机关不存在")
    if subtree and permissions.supervises(user, agency):
        return Scope(agency, list(visible.filter(path__startswith=agency.path)), True)
    return Scope(agency, [agency], False)


def default_period(grain: str) -> Period:
    """The last complete week or month."""
    return Period(grain, last_complete(grain, clock.today()))


def analysis_for(*, scope: Scope, period: Period, sources: str) -> Analysis:
    return analyse(agencies=scope.agencies, period=period, sources=sources)


def imports_for(*, user, agency: Agency, limit: int = 20) -> QuerySet[ComplaintImport]:
    if not permissions.can_view_agency_hotspots(user, agency):
        raise Http404("机关不存在")
    return ComplaintImport.objects.filter(agency=agency).select_related("imported_by")[:limit]


def import_get_for_user(*, user, pk: int) -> ComplaintImport:
    batch = ComplaintImport.objects.select_related("agency", "imported_by").filter(
        pk=pk, agency__in=permissions.agencies_for_analysis(user)).first()
    if batch is None:
        raise Http404("导入记录不存在")
    return batch
