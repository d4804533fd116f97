"""The one source of time for the domain, so tests can freeze it.

Deadlines are counted in the platform's time zone (Asia/Shanghai): "today" is the local
date, never the UTC date of the server clock.

Two ways to move it, both for tests and training installs only:

- ``freeze(moment)`` stops the clock at one moment (a test that needs an exact time);
- ``pin_today(date)`` (or the ``GONGKAI_TODAY`` setting, or ``pytest --today``) moves
  "today" to that date while the time of day keeps running, so a whole test run or demo
  can be played on, say, 31 December.
"""

import datetime as dt

from django.utils import timezone

_frozen: dt.datetime | None = None
_UNSET = object()
_pinned: object = _UNSET  # a date, None, or _UNSET: read GONGKAI_TODAY on first use


def _pinned_today() -> dt.date | None:
    global _pinned
    if _pinned is _UNSET:
        from django.conf import settings

        _pinned = getattr(settings, "GONGKAI_TODAY", None)
    return _pinned


def now() -> dt.datetime:
    if _frozen is not None:
        return _frozen
    real = timezone.now()
    pinned = _pinned_today()
    if pinned is None:
        return real
    # Shift by whole days, so that the local date is the pinned one and the time runs.
    return real + dt.timedelta(days=(pinned - timezone.localdate(real)).days)


def today() -> dt.date:
    return timezone.localdate(now())


def freeze(moment: dt.datetime | None) -> None:
    """Fix the time (an aware datetime) for tests; ``None`` releases it."""
    global _frozen
    if moment is not None and timezone.is_naive(moment):
        raise ValueError("freeze() needs an aware datetime")
    _frozen = moment


def pin_today(day: dt.date | None) -> None:
    """Make ``day`` the default "today" of the process (``None``: the real date)."""
    global _pinned
    if day is not None and not isinstance(day, dt.date):
        raise ValueError("pin_today() needs a date")
    _pinned = day


def localdate_of(moment: dt.datetime) -> dt.date:
    """The platform-local date of a stored timestamp."""
    return timezone.localdate(moment)
