""""我的申请": what a member of the public signed in with a government-service account
(``gongkai.identity``) submitted — requests, messages, comments — without their secrets.

Personal pages: never stored by the page cache (``never_cache``) nor by a browser or proxy
(``no_store``). The site header links here with the same words for everyone, so the
public pages stay cacheable; nobody's name is rendered into them."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from gongkai.consultations.selectors import comments_of_account
from gongkai.core.views.public_forms import no_store
from gongkai.foi.selectors import deadline_due_text, requests_of_account
from gongkai.foi.workflow import OPEN_STATUSES, RequestStatus
from gongkai.identity.providers import PUBLIC, provider
from gongkai.identity.public import public_account_of
from gongkai.interaction.selectors import messages_of_account


def sign_in_offer(request, *, status: int = 200):
    """The page for a visitor who is not signed in: the provider's button (when one is
    configured) and the way with number and secret."""
    return no_store(render(request, "identity/public_sign_in.html", {
        "provider": provider(PUBLIC), "next": request.get_full_path(),
    }, status=status))


def _due(row) -> str:
    if row.request.status in OPEN_STATUSES or row.request.status == RequestStatus.AWAITING_CONFIRMATION:
        return deadline_due_text(row.deadline)
    return "—"


@never_cache
@require_GET
def my_requests(request):
    account = public_account_of(request)
    if account is None:
        return sign_in_offer(request)
    return no_store(render(request, "portal/my_requests.html", {
        "account": account,
        "rows": [(row.request, _due(row)) for row in requests_of_account(account)],
        "messages_written": list(messages_of_account(account)),
        "comments": list(comments_of_account(account)),
    }))
