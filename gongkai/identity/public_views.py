"""The public's sign-in through the government-service account (OpenID Connect, the
``public`` provider): start, callback, sign-out.

The code flow with state, nonce and PKCE kept in the session; the token exchange, the ID
token's signature (the provider's JWKS) and nonce, and the userinfo request are
mozilla-django-oidc's (``PublicOIDC``, its backend reading ``provider("public")`` instead
of the ``OIDC_*`` settings). It is never an authentication backend and the person is never
logged in as a ``core.User``: the session gets the ``PublicAccount`` (``public_sign_in``).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from urllib.parse import urlencode

import jwt
from django.core.exceptions import SuspiciousOperation
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import absolutify, base64_url_encode
from requests.exceptions import RequestException

from gongkai.core.errors import DomainError
from gongkai.core.views.base import safe_next
from gongkai.core.views.public_forms import no_store
from gongkai.identity.oidc import VerifiedIdToken
from gongkai.identity.providers import PUBLIC, Provider, provider
from gongkai.identity.public import public_account_sign_in, public_sign_in, public_sign_out

logger = logging.getLogger(__name__)

FLOW_KEY = "gongkai.identity.public_flow"  # {state, nonce, verifier, next}
SIGN_IN_FAILED = "登录未完成，请重新登录。"
NOT_CONFIGURED = "本站未开通政务服务账号登录，您仍可凭申请编号和查询码查询申请。"


class PublicOIDC(VerifiedIdToken, OIDCAuthenticationBackend):
    """mozilla-django-oidc's token exchange, ID token verification and userinfo, with its
    settings read from the configured public provider."""

    def __init__(self, config: Provider):
        self.config = config
        super().__init__()

    def claims_for(self, *, code: str, redirect_uri: str, nonce: str, verifier: str) -> dict:
        """The verified claims: the ID token's (signature, nonce, audience, issuer checked), and
        what userinfo — which must be about the same subject — adds to them."""
        tokens = self.get_token({
            "client_id": self.config.client_id, "client_secret": self.config.client_secret,
            "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        })
        id_token, access_token = tokens.get("id_token"), tokens.get("access_token")
        if not id_token or not access_token:
            raise SuspiciousOperation("token response without id_token or access_token")
        payload = self.verify_token(id_token, nonce=nonce)  # with audience and issuer
        return {**self.userinfo_of(access_token, id_token, payload), **payload}


def _configured() -> Provider | None:
    return provider(PUBLIC)


def _safe_next(request, target: str) -> str:
    return safe_next(request, target, reverse("portal:my-requests"))


def _failed(request, message: str = SIGN_IN_FAILED, status: int = 400):
    return no_store(render(request, "identity/public_sign_in.html",
                           {"error": message, "provider": _configured()}, status=status))


@never_cache
@require_GET
def sign_in(request):
    """Send the browser to the provider, with a fresh state, nonce and PKCE verifier."""
    config = _configured()
    if config is None:
        return _failed(request, NOT_CONFIGURED, status=404)
    state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
    request.session[FLOW_KEY] = {"state": state, "nonce": nonce, "verifier": verifier,
                                 "next": _safe_next(request, request.GET.get("next", ""))}
    challenge = base64_url_encode(hashlib.sha256(verifier.encode("ascii")).digest())
    query = urlencode({
        "response_type": "code", "client_id": config.client_id, "scope": config.scopes,
        "redirect_uri": absolutify(request, reverse("portal:public-callback")),
        "state": state, "nonce": nonce,
        "code_challenge": challenge, "code_challenge_method": "S256",
    })
    return redirect(f"{config.authorization_endpoint}?{query}")


@never_cache
@require_GET
def callback(request):
    """The provider's answer: the state must be this browser's (used once), the ID token
    signed by the provider, for us, with our nonce; then the account is signed in."""
    config = _configured()
    if config is None:
        return _failed(request, NOT_CONFIGURED, status=404)
    flow = request.session.pop(FLOW_KEY, None) or {}
    state, code = request.GET.get("state", ""), request.GET.get("code", "")
    if not flow or not hmac.compare_digest(state.encode(), flow.get("state", "").encode()):
        return _failed(request)
    if request.GET.get("error") or not code:
        return _failed(request, "您已取消登录或身份提供方未完成认证，请重新登录。")
    try:
        claims = PublicOIDC(config).claims_for(
            code=code, redirect_uri=absolutify(request, reverse("portal:public-callback")),
            nonce=flow["nonce"], verifier=flow["verifier"])
        account = public_account_sign_in(provider_key=PUBLIC, claims=claims, name_claims=config.claims)
    except (SuspiciousOperation, jwt.InvalidTokenError, RequestException, ValueError,
            KeyError) as exc:  # KeyError: a token or JWKS without the key's ``kid``
        logger.warning("public sign-in refused: %s", exc.__class__.__name__)
        return _failed(request)
    except DomainError as exc:
        return _failed(request, exc.message, status=403)
    public_sign_in(request, account)
    return redirect(flow.get("next") or reverse("portal:my-requests"))


@never_cache
@require_POST
def sign_out(request):
    public_sign_out(request)
    return redirect(reverse("portal:home"))
