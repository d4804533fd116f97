from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.http import url_has_allowed_host_and_scheme

from gongkai.core import permissions, selectors


def safe_next(request, candidate: str | None, default: str) -> str:
    """Where to go after a sign-in: ``candidate`` when it points at this site (never another
    host, never http from https: no open redirect), else ``default``."""
    if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return candidate
    return default


def staff_required(view):
    """Signed in and holding at least one role (or platform administrator)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not permissions.is_staff_user(request.user):
            raise PermissionDenied("您没有后台岗位，请联系平台管理员。")
        return view(request, *args, **kwargs)

    return wrapper



def chosen_agency(request):
    """The agency a back-office page shows: ``?agency=`` (a primary key) within the user's
    scope — supervisors and platform administrators choose among several; 404 outside
    it — else the active membership's agency (None without one)."""
    raw = request.GET.get("agency", "")
    if raw.isdigit():
        if len(raw) > 18:  # beyond a 64-bit key (the database would overflow): no agency
            raise Http404("机关不存在")
        return selectors.agency_get_for_user(user=request.user, pk=int(raw))
    membership = request.membership
    return membership.agency if membership else None


def posted_agency(request, agency_get):
    """The agency a change is made in: ``agency`` of the form (or else of the query), read
    through the area's own ``agency_get(user=, pk=)`` (the same 404 outside the user's scope
    in that area), else the active membership's agency; 404 without either."""
    raw = request.POST.get("agency", "") or request.GET.get("agency", "")
    if raw.isdigit() and len(raw) <= 18:  # beyond a 64-bit key the database would overflow
        return agency_get(user=request.user, pk=int(raw))
    if request.membership is None:
        raise Http404("机关不存在")
    return request.membership.agency
