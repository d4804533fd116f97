from django.core.paginator import Paginator
from django.shortcuts import render

from gongkai.core import permissions, selectors
from gongkai.core.views.base import staff_required


@staff_required
def agency_list(request):
    page = Paginator(selectors.agency_list_for_user(user=request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "staff/agency_list.html", {
        "page": page, "can_import": permissions.is_platform_admin(request.user),
    })


@staff_required
def agency_detail(request, pk: int):
    agency = selectors.agency_get_for_user(user=request.user, pk=pk)
    return render(
        request,
        "staff/agency_detail.html",
        {
            "agency": agency,
            "departments": selectors.department_list(agency=agency),
            "memberships": selectors.membership_list(agency=agency),
            "children": agency.children.order_by("path"),
            "can_manage_departments": permissions.can_manage_departments(request.user, agency),
        },
    )
