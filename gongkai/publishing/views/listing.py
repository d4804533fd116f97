"""The back-office list of items of proactive disclosure, with the Art. 26 flag."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render

from gongkai.core import clock
from gongkai.core.selectors import get_working_day_calendar
from gongkai.core.views.base import staff_required
from gongkai.publishing import forms as f
from gongkai.publishing import permissions, selectors
from gongkai.publishing.views.drafting import may_draft_here
from gongkai.publishing.views.presentation import late_flag

PAGE_SIZE = 50


def _membership_agency(request):
    membership = request.membership
    return membership.agency if membership else None


@staff_required
def publication_list(request):
    agency = _membership_agency(request)
    columns = selectors.agency_columns(agency)
    form = f.PublicationFilterForm(
        request.GET or None, departments=selectors.agency_departments(agency), columns=columns
    )
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.publication_list_for_user(
        user=request.user,
        status=data.get("status", ""),
        column_id=data.get("column"),
        department_id=data["department"].pk if data.get("department") else None,
        year=data.get("year"),
        text=(data.get("q") or "").strip(),
        agency_id=data.get("agency"),
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    calendar, today = get_working_day_calendar(), clock.today()
    rows = [
        {
            "publication": p,
            "late": late_flag(p, calendar, today),
            "columns": "、".join(c.name for c in p.columns.all()),
        }
        for p in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "publishing/staff/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "caption": f"共{page.paginator.count}条",
            "can_create": may_draft_here(request),
            "can_manage_catalogue": agency is not None
            and permissions.can_manage_catalogue(request.user, agency),
            "agency": agency,
        },
    )
