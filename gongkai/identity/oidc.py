"""Staff sign-in through the province's unified identity platform (OpenID Connect).

mozilla-django-oidc does the protocol: the authorization-code flow with state, nonce and
PKCE, the token exchange, the ID token's RS256 signature checked against the provider's
JWKS, the userinfo request. Its settings come from ``identity.providers.provider("staff")``
instead of ``OIDC_*`` settings, and who the person is is decided by ``identity.services``
(never a new user).

The backend acts only when called with ``oidc_provider="staff"`` (by the callback view):
a password sign-in, which Django offers to every backend, never reaches the provider.
"""

from __future__ import annotations

import jwt
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from gongkai.identity import services
from gongkai.identity.providers import STAFF, Provider, provider

BACKEND_PATH = "gongkai.identity.oidc.StaffOIDCBackend"
CALLBACK_URL_NAME = "identity:staff-callback"


def mozilla_settings(config: Provider) -> dict:
    """mozilla-django-oidc's settings for a configured provider."""
    return {
        "OIDC_OP_AUTHORIZATION_ENDPOINT": config.authorization_endpoint,
        "OIDC_OP_TOKEN_ENDPOINT": config.token_endpoint,
        "OIDC_OP_USER_ENDPOINT": config.userinfo_endpoint,
        "OIDC_OP_JWKS_ENDPOINT": config.jwks_endpoint,
        "OIDC_RP_CLIENT_ID": config.client_id,
        "OIDC_RP_CLIENT_SECRET": config.client_secret,
        "OIDC_RP_SIGN_ALGO": config.sign_algo,
        "OIDC_RP_SCOPES": config.scopes,
        "OIDC_AUTHENTICATION_CALLBACK_URL": CALLBACK_URL_NAME,
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": True,
        "OIDC_CREATE_USER": False,
        "OIDC_TIMEOUT": 10,
        "OIDC_STORE_ACCESS_TOKEN": False,
        "OIDC_STORE_ID_TOKEN": False,
    }


class ProviderSettings:
    """mozilla-django-oidc's ``get_settings`` answered from ``self.config`` (a configured
    ``Provider``) instead of ``OIDC_*`` settings: its backends and views take it first."""

    config: Provider | None

    def get_settings(self, attr, *args):
        values = mozilla_settings(self.config) if self.config is not None else {}
        if attr in values:
            return values[attr]
        if args:
            return args[0]
        raise KeyError(attr)


def check_id_token_claims(config: Provider, payload: dict) -> None:
    """What mozilla-django-oidc leaves to the relying party (OIDC Core 3.1.3.7; it checks
    the signature, ``exp`` and the nonce): the token is for this client (``aud``, and
    ``azp`` when it names several audiences), and from the configured issuer."""
    audience = payload.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if config.client_id not in audiences:
        raise SuspiciousOperation("ID token audience is not this client")
    if len(audiences) > 1 and payload.get("azp") != config.client_id:
        raise SuspiciousOperation("ID token for several audiences, not authorised for this client")
    if config.issuer and payload.get("iss") != config.issuer:
        raise SuspiciousOperation("ID token from another issuer")


#: Seconds of clock difference allowed between the provider and us for the ID token's
#: ``exp``, ``iat`` and ``nbf`` (PyJWT's leeway; mozilla-django-oidc passes none, so a
#: provider clock one second ahead made every token "issued in the future").
CLOCK_SKEW_SECONDS = 60


class VerifiedIdToken(ProviderSettings):
    """The ID-token checks both backends (staff and public) share, over
    mozilla-django-oidc's: the signature with a leeway for clock skew, then
    ``check_id_token_claims``."""

    def _verify_jws(self, payload, key):
        alg = jwt.get_unverified_header(payload).get("alg")
        if alg != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("ID token signed with another algorithm")
        try:
            # The audience is checked by check_id_token_claims (a list or a string).
            return jwt.decode(payload, key, algorithms=[alg], options={"verify_aud": False},
                              leeway=CLOCK_SKEW_SECONDS)
        except jwt.DecodeError as error:
            raise SuspiciousOperation("JWS token verification failed") from error

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        check_id_token_claims(self.config, payload)
        return payload

    def userinfo_of(self, access_token, id_token, payload) -> dict:
        """The userinfo response, which must be about the ID token's subject (OIDC Core
        5.3.2: otherwise it may be another person's and must not be used)."""
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("userinfo is about another subject")
        return userinfo


def match_claims(config: Provider, payload: dict, userinfo: dict) -> dict:
    """The claims a staff person is matched on: the signed ID token's when it carries the
    match claim; userinfo's only when it does not (some platforms put nothing but ``sub``
    in the ID token). Never a mix: ``email`` and ``email_verified`` come from one source."""
    return payload if config.match_claim in payload else userinfo


class StaffOIDCBackend(VerifiedIdToken, OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend for the ``staff`` provider; after ``authenticate``
    its ``id_claims`` hold the verified ID token's claims (``acr``/``amr`` for the
    two-factor rule) and ``claims`` those the person was matched on."""

    def __init__(self, *args, **kwargs):
        self.config = provider(STAFF)
        self.UserModel = get_user_model()
        self.id_claims: dict = {}
        self.claims: dict = {}
        if self.config is not None:  # a deployment without the provider still loads it
            super().__init__(*args, **kwargs)

    def authenticate(self, request, oidc_provider=None, **kwargs):
        if oidc_provider != STAFF or self.config is None:
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        if kwargs.get("nonce") is not None:
            self.id_claims = payload
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo = self.userinfo_of(access_token, id_token, payload)
        # The ID token is signed; userinfo adds what it did not carry.
        self.claims = {**userinfo, **payload}
        match = services.staff_match(
            provider=STAFF, subject=payload.get("sub") or "",
            claims=match_claims(self.config, payload, userinfo),
            match_claim=self.config.match_claim, match_field=self.config.match_field,
            require_verified_email=not self.config.trust_email)
        self.match = match
        return match.user

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
