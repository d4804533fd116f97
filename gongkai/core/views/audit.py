from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from gongkai.core import permissions, selectors
from gongkai.core.forms import AuditFilterForm
from gongkai.core.views.base import staff_required


def _require_audit_reader(user):
    if not permissions.can_view_audit(user):
        raise PermissionDenied("只有平台管理员和本机关公开办可以查看审计日志。")


@staff_required
def audit_list(request):
    _require_audit_reader(request.user)
    if permissions.is_platform_admin(request.user):
        agencies = selectors.agency_list_for_user(user=request.user)
    else:
        agencies = [m.agency for m in permissions.memberships_of(request.user) if m.role == "office"]
    form = AuditFilterForm(request.GET or None, agencies=agencies)
    events = selectors.audit_event_list_for_user(user=request.user, filters=form.to_filter())
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "staff/audit_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@staff_required
def audit_detail(request, pk: int):
    _require_audit_reader(request.user)
    event = selectors.audit_event_get_for_user(user=request.user, pk=pk)
    return render(request, "staff/audit_detail.html", {"event": event})
