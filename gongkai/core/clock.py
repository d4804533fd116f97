"""The one source of time for the domain, so tests can freeze it.

Deadlines are counted in the platform's time zone (Asia/Shanghai): "today" is the local
date, never the UTC date of the server clock."""

import datetime as dt

from django.utils import timezone

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    return _frozen if _frozen is not None else timezone.now()


def today() -> dt.date:
    return timezone.localdate(now())


def freeze(moment: dt.datetime | None) -> None:
    """Fix the time (an aware datetime) for tests; ``None`` releases it."""
    global _frozen
    if moment is not None and timezone.is_naive(moment):
        raise ValueError("freeze() needs an aware datetime")
    _frozen = moment


def localdate_of(moment: dt.datetime) -> dt.date:
    """The platform-local date of a stored timestamp."""
    return timezone.localdate(moment)
