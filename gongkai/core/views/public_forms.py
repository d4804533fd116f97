"""What every public form of the site does with its responses (the request form, the
message board, the website error report): receipts never cached, Post/Redirect/Get with
303, and the receipts a browser submitted remembered in its session, the last few only."""

from __future__ import annotations

from django.http import HttpResponse


def no_store(response: HttpResponse) -> HttpResponse:
    """A page with a receipt, a secret or a form token: no browser or proxy keeps it."""
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, max-age=0, private"
    return response


def see_other(url: str) -> HttpResponse:
    """303 after a POST, so that reloading the receipt does not submit again."""
    response = HttpResponse(status=303)
    response["Location"] = url
    return response


def remember_in_session(request, key: str, number: str, value, *, keep: int) -> None:
    """Keep ``number → value`` under ``key`` in the session, the ``keep`` latest only: a
    receipt shows its number only in the browser that submitted it."""
    kept = dict(request.session.get(key, {}))
    kept[number] = value
    request.session[key] = dict(list(kept.items())[-keep:])
