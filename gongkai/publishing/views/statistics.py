"""The office dashboard's proactive-disclosure numbers for one agency and year: items per
column and channel, the top-10 columns, year-over-year change, late items (Art. 26),
missing or late interpretations, and what a website inspector would find stale or blank
today. For the agency's office and leaders, supervisors over it and platform
administrators; other roles get 403, an agency outside the user's scope 404."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from gongkai.core import clock
from gongkai.core import selectors as core_selectors
from gongkai.core.views.base import staff_required
from gongkai.publishing import permissions, selectors
from gongkai.publishing.registers_forms import StatisticsForm


@staff_required
def publishing_statistics(request):
    user = request.user
    several = permissions.reads_several_agencies(user)
    form = StatisticsForm(
        request.GET or None, agencies=permissions.statistics_agencies_for(user) if several else None
    )
    data = form.cleaned_data if form.is_valid() else {}
    today = clock.today()
    year = data.get("year") or today.year
    if data.get("agency"):
        agency = data["agency"]
    elif request.GET.get("agency", "").isdigit():
        # Outside the choices: 404 when out of scope, like every other agency lookup.
        agency = core_selectors.agency_get_for_user(user=user, pk=int(request.GET["agency"]))
    else:
        membership = request.membership
        agency = membership.agency if membership else None
    if agency is None:
        return render(
            request,
            "publishing/staff/stats_dashboard.html",
            {"form": form, "stats": None, "year": year},
        )
    if not permissions.can_view_statistics(user, agency):
        raise PermissionDenied("主动公开统计仅供本机关公开办、领导和主管部门查看。")
    stats = selectors.publication_statistics(agency=agency, year=year, today=today)
    return render(
        request,
        "publishing/staff/stats_dashboard.html",
        {
            "form": form,
            "stats": stats,
            "year": year,
            "agency": agency,
            "year_to_date": year == today.year,
        },
    )
