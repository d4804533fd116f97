"""The public's session: which ``PublicAccount`` (if any) this browser is signed in as.

Kept under its own session key, apart from Django's auth session, so that a public sign-in
never authenticates anyone as a ``core.User`` (see ``models``)."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from gongkai.core import audit, clock
from gongkai.core.errors import DomainError
from gongkai.core.identifiers import is_valid_resident_id, normalise_id_number
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
    """End the public session and everything it held: on a shared computer (a service
    hall's terminal) the next person must not find the receipts' query codes or the
    status pages and files this browser was let into (the portal keeps them in the
    session), so the whole session is flushed, not only the account."""
    request.session.flush()
    request._gongkai_public_account = None


# --- the account a provider vouches for -----------------------------------------------------


def _claim(claims: dict, name: str | None) -> str:
    value = claims.get(name) if name else None
    return str(value).strip() if value not in (None, "") else ""


@transaction.atomic
def public_account_sign_in(*, provider_key: str, claims: dict, name_claims: dict[str, str]) -> PublicAccount:
    """The ``PublicAccount`` for a provider's verified ``claims`` (``sub`` and the claims
    ``name_claims`` names), created on the first sign-in and brought up to date on every
    later one; audited without the personal data (the log names the account only)."""
    subject = _claim(claims, "sub")
    if not subject:
        raise DomainError("身份提供方未返回用户标识")
    now = clock.now()
    values = {
        "name": _claim(claims, name_claims.get("name")),
        "id_number": normalise_id_number(_claim(claims, name_claims.get("id_number"))),
        "phone": _claim(claims, name_claims.get("phone")),
        "email": _claim(claims, name_claims.get("email")),
    }
    if not is_valid_resident_id(values["id_number"]):
        # Another document (a permit for foreigners, a mistyped number) is not a
        # verified resident ID: the form then asks for the document as it asks anyone.
        values["id_number"] = ""
    values["id_type"] = "resident_id" if values["id_number"] else ""
    # Two first sign-ins at once (a double-clicked callback): get_or_create inserts in a
    # savepoint and, when the other one's insert won, reads its row instead of failing.
    account, created = PublicAccount.objects.select_for_update().get_or_create(
        provider=provider_key, subject=subject,
        defaults={"verified_at": now, "last_signed_in_at": now})
    if not account.is_active:
        raise DomainError("该账号已停用")
    changed = sorted(k for k, v in values.items() if getattr(account, k) != v)
    for key, value in values.items():
        setattr(account, key, value)
    account.verified_at = now
    account.last_signed_in_at = now
    account.save()
    audit.record(actor=None, action="identity.public_sign_in", obj=account,
                 after={"provider": provider_key, "created": created, "changed": changed})
    return account
