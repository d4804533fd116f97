"""Staff sign-in through an identity provider: start (a redirect to the provider) and
callback (back from it), for OpenID Connect and for CAS.

A successful callback ends in the same kind of session as a password and a second factor:
``auth.login``, the provider's two-factor verdict in the session
(``core.services.twofactor.mark_session_verified_by_provider``, which the back office's
two-factor middleware reads), and the sign-in recorded like any other
(``core.services.signin.signin_record_success``: audit, earlier failures cleared). A
refusal opens no session, is audited and shows the person why, in Chinese.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import auth
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from gongkai.core import clock, ratelimit
from gongkai.core.forms import client_ip
from gongkai.core.services import signin
from gongkai.core.services import twofactor as twofactor_services
from gongkai.core.views.base import safe_next
from gongkai.identity import cas, services
from gongkai.identity.oidc import BACKEND_PATH, ProviderSettings, StaffOIDCBackend
from gongkai.identity.providers import STAFF, provider

LOGGER = logging.getLogger(__name__)

STATE_INVALID_MESSAGE = "登录请求已失效或不是从本平台发起的，请返回登录页重新登录。"
PROVIDER_ERROR_MESSAGE = "统一身份认证未能完成登录，请返回登录页重试；如仍不成功，请联系平台管理员。"
CANCELLED_MESSAGE = "您已在统一身份认证页面取消登录。"


def _safe_next(request, candidate: str | None) -> str:
    return safe_next(request, candidate, reverse(settings.LOGIN_REDIRECT_URL))


def refused_page(request, message: str, *, status: int = 403):
    return render(request, "identity/staff_refused.html", {"message": message}, status=status)


def refuse(request, refusal: services.StaffSignInRefused, *, provider_key: str,
           subject: str = "", claims=None, match_claim: str = "", status: int = 403):
    services.staff_sign_in_refused(
        provider=provider_key, refusal=refusal, subject=subject, claims=claims,
        match_claim=match_claim, ip_address=client_ip(request),
        client=ratelimit.client_key(request))
    return refused_page(request, refusal.message, status=status)


def establish(request, *, match: services.StaffMatch, provider_key: str, subject: str,
              claims, backend: str, match_claim: str, next_url: str | None):
    """The provider's person may sign in: the session, like a password + second factor."""
    user = match.user
    services.staff_verdict(user, claims)  # raises StaffSignInRefused before any session
    services.staff_identity_signed_in(match=match, provider=provider_key, subject=subject,
                                      match_claim=match_claim)
    auth.login(request, user, backend=backend)
    verdict = twofactor_services.mark_session_verified_by_provider(request, user, claims)
    if not verdict.allowed:  # cannot happen after staff_verdict; it signed the session out
        raise services.StaffSignInRefused("second_factor", verdict.reason, user=user)
    signin.signin_record_success(user=user, ip_address=client_ip(request))
    return redirect(_safe_next(request, next_url))


# --- OpenID Connect ---------------------------------------------------------------------------

class StaffOIDCStartView(ProviderSettings, OIDCAuthenticationRequestView):
    """To the provider's login page (state, nonce and PKCE kept in the session)."""

    def __init__(self, *args, **kwargs):
        self.config = provider(STAFF)  # present: staff_oidc_start checked
        super().__init__(*args, **kwargs)

    def get(self, request):
        if request.user.is_authenticated:
            return redirect(_safe_next(request, request.GET.get("next")))
        return super().get(request)


@never_cache
@require_GET
def staff_oidc_start(request):
    if provider(STAFF) is None:
        raise Http404("统一身份认证未启用")
    return StaffOIDCStartView.as_view()(request)


@never_cache
@require_GET
def staff_oidc_callback(request):
    """Back from the provider: check the state, exchange the code (mozilla-django-oidc),
    match the person, open the session or refuse."""
    config = provider(STAFF)
    if config is None:
        raise Http404("统一身份认证未启用")
    states = request.session.get("oidc_states") or {}
    state = request.GET.get("state", "")
    entry = states.pop(state, None) if state else None  # single use, also on errors
    if entry is not None:
        request.session["oidc_states"] = states
    next_url = request.session.pop("oidc_login_next", None)
    if request.GET.get("error"):
        code = "cancelled" if request.GET["error"] == "access_denied" else "provider_error"
        message = CANCELLED_MESSAGE if code == "cancelled" else PROVIDER_ERROR_MESSAGE
        return refuse(request, services.StaffSignInRefused(code, message), provider_key=STAFF,
                      status=400 if entry is None else 403)
    if entry is None or not request.GET.get("code"):
        return refuse(request, services.StaffSignInRefused("state", STATE_INVALID_MESSAGE),
                      provider_key=STAFF, status=400)
    request.session.save()
    backend = StaffOIDCBackend()
    try:
        user = backend.authenticate(request, oidc_provider=STAFF, nonce=entry.get("nonce"),
                                    code_verifier=entry.get("code_verifier"))
        if user is None:
            raise SuspiciousOperation("no user")
        return establish(request, match=backend.match, provider_key=STAFF,
                         subject=backend.claims.get("sub", ""), claims=backend.claims,
                         backend=BACKEND_PATH, match_claim=config.match_claim,
                         next_url=next_url)
    except services.StaffSignInRefused as refusal:
        return refuse(request, refusal, provider_key=STAFF,
                      subject=backend.claims.get("sub", ""), claims=backend.claims,
                      match_claim=config.match_claim)
    except (SuspiciousOperation, jwt.InvalidTokenError, requests.RequestException, ValueError,
            KeyError) as error:
        # A token that does not verify, a replayed or expired code, a provider that is
        # down: the person can only try again; the details go to the log.
        LOGGER.warning("staff OIDC sign-in failed: %s", error)
        return refuse(request, services.StaffSignInRefused("provider_error",
                                                           PROVIDER_ERROR_MESSAGE),
                      provider_key=STAFF, status=400)


# --- CAS ------------------------------------------------------------------------------------

CAS_SESSION_KEY = "gongkai_cas_started"
CAS_NONCE_PARAMETER = "s"
#: How long a started CAS sign-in waits for its ticket.
CAS_START_VALID = timedelta(minutes=10)


def _cas_service_url(request, nonce: str) -> str:
    """The callback address, with this sign-in's nonce: the CAS server sends the ticket
    there and validates it for exactly this address."""
    callback = reverse("identity:cas-callback")
    return request.build_absolute_uri(f"{callback}?{urlencode({CAS_NONCE_PARAMETER: nonce})}")


@never_cache
@require_GET
def staff_cas_start(request):
    """To the CAS server's login page. The session remembers that this browser started
    it, with a random nonce that is also in the service address and a short expiry: a
    ticket arriving without this browser's nonce (a link or a page elsewhere that sends a
    browser to the callback with someone's own ticket) is refused, so nobody can be
    signed in as someone else by a link."""
    if not cas.enabled():
        raise Http404("CAS 统一身份认证未启用")
    if request.user.is_authenticated:
        return redirect(_safe_next(request, request.GET.get("next")))
    nonce = secrets.token_urlsafe(24)
    request.session[CAS_SESSION_KEY] = {
        "next": request.GET.get("next", ""), "nonce": nonce,
        "expires": (clock.now() + CAS_START_VALID).isoformat()}
    return redirect(cas.client(_cas_service_url(request, nonce)).get_login_url())


def _cas_started(started, nonce: str) -> bool:
    """The session's started sign-in is this callback's, and not expired."""
    if not isinstance(started, dict) or not started.get("nonce") or not nonce:
        return False
    if not hmac.compare_digest(nonce.encode(), str(started["nonce"]).encode()):
        return False
    try:
        return clock.now() < datetime.fromisoformat(started.get("expires", ""))
    except (TypeError, ValueError):
        return False


@never_cache
@require_GET
def staff_cas_callback(request):
    if not cas.enabled():
        raise Http404("CAS 统一身份认证未启用")
    started = request.session.pop(CAS_SESSION_KEY, None)  # single use, also on errors
    ticket = request.GET.get("ticket", "")
    if not _cas_started(started, request.GET.get(CAS_NONCE_PARAMETER, "")) or not ticket:
        return refuse(request, services.StaffSignInRefused("state", STATE_INVALID_MESSAGE),
                      provider_key=cas.PROVIDER, status=400)
    try:
        cas_user, attributes, _ = cas.client(
            _cas_service_url(request, started["nonce"])).verify_ticket(ticket)
    except (requests.RequestException, ValueError, SyntaxError, IndexError,
            AttributeError) as error:  # SyntaxError: XML ParseError; others: odd XML
        LOGGER.warning("staff CAS sign-in failed: %s", error)
        cas_user, attributes = None, None
    if not cas_user:
        return refuse(request, services.StaffSignInRefused("provider_error",
                                                           PROVIDER_ERROR_MESSAGE),
                      provider_key=cas.PROVIDER, status=400)
    claims = cas.claims_of(cas_user, attributes)
    match_claim = settings.GONGKAI_CAS_MATCH_ATTRIBUTE
    try:
        match = services.staff_match(provider=cas.PROVIDER, subject=cas_user, claims=claims,
                                     match_claim=match_claim,
                                     match_field=settings.GONGKAI_CAS_MATCH_FIELD)
        return establish(request, match=match, provider_key=cas.PROVIDER, subject=cas_user,
                         claims=claims, backend=cas.BACKEND_PATH, match_claim=match_claim,
                         next_url=started.get("next"))
    except services.StaffSignInRefused as refusal:
        return refuse(request, refusal, provider_key=cas.PROVIDER, subject=cas_user,
                      claims=claims, match_claim=match_claim)
