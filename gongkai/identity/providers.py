"""The identity providers a deployment configured (settings ``GONGKAI_OIDC_PROVIDERS``).

Two at most, by purpose: ``staff`` (the province's unified identity platform, for the back
office) and ``public`` (the government-service account, for applicants). Each is an
OpenID Connect provider with explicit endpoints: provincial platforms rarely publish a
discovery document that can be trusted at start-up, and a platform must start without
network access.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

STAFF = "staff"
PUBLIC = "public"


@dataclass(frozen=True)
class Provider:
    key: str  # STAFF or PUBLIC
    label: str  # the button's words: "统一身份认证登录", "政务服务账号登录"
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_endpoint: str
    client_id: str
    client_secret: str
    scopes: str = "openid profile email"
    # The ID token's ``iss`` must equal it (OIDC Core 3.1.3.7); empty: not checked.
    issuer: str = ""
    sign_algo: str = "RS256"
    # Staff: which claim names the person, and which User field it is matched against.
    match_claim: str = "email"
    match_field: str = "email"
    # Staff, matching on the ``email`` claim: the platform vouches for every address (the
    # first link then needs no ``email_verified: true``). Off unless the platform lets no
    # one set an address they do not own.
    trust_email: bool = False
    # Public: which claims carry the verified name, ID number and phone.
    claims: dict[str, str] = field(default_factory=dict)


def provider(key: str) -> Provider | None:
    """The configured provider for ``key``, or None when the deployment has none."""
    config = (getattr(settings, "GONGKAI_OIDC_PROVIDERS", None) or {}).get(key)
    return Provider(key=key, **config) if config else None
