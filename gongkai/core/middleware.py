from django.conf import settings
from django.utils.functional import SimpleLazyObject

from gongkai.core import permissions

ACTIVE_MEMBERSHIP_SESSION_KEY = "gongkai_membership"


class SecurityHeadersMiddleware:
    """Content-Security-Policy and a permissions policy on every response; back-office
    pages are never stored by browsers or proxies (they show unpublished and personal
    data)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.GONGKAI_CSP)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        if request.path.startswith(("/staff/", "/admin/")):
            response.headers["Cache-Control"] = "private, no-store"
        return response


def active_membership(request):
    """The membership the back office acts under: the one chosen in this session, else
    the user's first."""
    memberships = permissions.memberships_of(request.user)
    chosen = request.session.get(ACTIVE_MEMBERSHIP_SESSION_KEY)
    for m in memberships:
        if m.pk == chosen:
            return m
    return memberships[0] if memberships else None


class ActiveMembershipMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = SimpleLazyObject(lambda: active_membership(request))
        return self.get_response(request)
