"""The public's session: which ``PublicAccount`` (if any) this browser is signed in as.

Kept under its own session key, apart from Django's auth session, so that a public sign-in
never authenticates anyone as a ``core.User`` (see ``models``)."""

from __future__ import annotations

from django.http import HttpRequest

from gongkai.identity.models import PublicAccount

SESSION_KEY = "gongkai_public_account"


def public_account_of(request: HttpRequest) -> PublicAccount | None:
    """The signed-in public account of this request, or None (cached on the request)."""
    if hasattr(request, "_gongkai_public_account"):
        return request._gongkai_public_account
    account = None
    pk = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if pk is not None:
        account = PublicAccount.objects.filter(pk=pk, is_active=True).first()
        if account is None:
            request.session.pop(SESSION_KEY, None)
    request._gongkai_public_account = account
    return account


def public_sign_in(request: HttpRequest, account: PublicAccount) -> None:
    """Start a public session for ``account``; a new session key, as on any sign-in, so a
    session id planted before the sign-in is worth nothing after it."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = account.pk
    request._gongkai_public_account = account


def public_sign_out(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()
    request._gongkai_public_account = None
