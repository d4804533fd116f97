"""Staff sign-in through a CAS server (Apereo CAS and its many local variants), the other
common way provincial platforms offer single sign-on.

The ticket is validated by django-cas-ng's CAS client (python-cas underneath:
``serviceValidate`` for CAS 2, ``p3/serviceValidate`` with attributes for CAS 3). gongkai
does not use django-cas-ng's own views and backend: they create users and map
affiliations to groups, and roles are managed in gongkai. The person is matched like an
OpenID Connect one (``identity.services``): the CAS user name or a released attribute
(GONGKAI_CAS_MATCH_ATTRIBUTE) against a ``User`` field (GONGKAI_CAS_MATCH_FIELD), linked on
the first match by the CAS user name, never created.

Two factors: a CAS validation response rarely says how the person authenticated, so by
default a CAS sign-in counts as one factor (and the roles that require two cannot use
it). A server that releases such an attribute (Apereo CAS's ``authnContextClass``, say)
can be trusted for it with GONGKAI_CAS_SECOND_FACTOR (``attribute=value`` pairs).
"""

from __future__ import annotations

import requests
from cas import CASClient
from django.conf import settings
from django.contrib.auth.backends import ModelBackend

PROVIDER = "cas"
BACKEND_PATH = "gongkai.identity.cas.StaffCASBackend"
TIMEOUT = 10  # seconds for the ticket validation


class StaffCASBackend(ModelBackend):
    """The backend CAS sessions are opened with; it authenticates nothing by itself (the
    callback view validates the ticket and matches the person)."""

    def authenticate(self, request, **kwargs):
        return None

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def enabled() -> bool:
    return bool(getattr(settings, "GONGKAI_CAS_SERVER_URL", ""))


class _TimeoutSession(requests.Session):
    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", TIMEOUT)
        return super().request(*args, **kwargs)


def client(service_url: str) -> CASClient:
    server = settings.GONGKAI_CAS_SERVER_URL
    return CASClient(version=settings.GONGKAI_CAS_VERSION, service_url=service_url,
                     server_url=server if server.endswith("/") else server + "/",
                     session=_TimeoutSession())


def claims_of(cas_user: str, attributes: dict | None) -> dict:
    """The CAS answer as claims: ``user`` (the CAS user name, also the subject), the
    released attributes, and ``acr``/``amr`` only when GONGKAI_CAS_SECOND_FACTOR says
    the server's attributes show a second factor — then in the terms this deployment
    requires of a provider (GONGKAI_SSO_REQUIRED_ACR/AMR), so that the one two-factor
    rule (``core.twofactor.provider_sign_in_verdict``) decides for CAS too."""
    attributes = dict(attributes or {})
    claims = {**attributes, "user": cas_user, "sub": cas_user}
    claims.pop("acr", None)  # never the server's word for it, only the configured pairs
    claims.pop("amr", None)
    for pair in settings.GONGKAI_CAS_SECOND_FACTOR:
        name, _, value = pair.partition("=")
        released = attributes.get(name.strip())
        values = released if isinstance(released, list) else [released]
        if value.strip() in values:
            if settings.GONGKAI_SSO_REQUIRED_ACR:
                claims["acr"] = settings.GONGKAI_SSO_REQUIRED_ACR[0]
            claims["amr"] = list(settings.GONGKAI_SSO_REQUIRED_AMR[:1])
            break
    return claims
