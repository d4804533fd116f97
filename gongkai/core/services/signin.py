"""Sign-in failures, account lock-out and the per-address throttle (等保 level 3: lock
after repeated failures).

An account is locked when it has GONGKAI_SIGNIN_MAX_FAILURES failed sign-ins within
GONGKAI_SIGNIN_FAILURE_WINDOW_MINUTES; the lock lasts GONGKAI_SIGNIN_LOCKOUT_MINUTES from
the last failure. While locked, even the right password is refused. A successful sign-in
clears the failures; a platform administrator can unlock early.

The count holds under parallel attempts. ``signin_begin`` takes the user name's
``SignInGuard`` row lock (SELECT … FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE
serialises writers anyway), checks the lock and writes the attempt as a *pending*
failure — all before the password is checked. Thirty parallel attempts against a limit
of five therefore check at most five passwords; the others find the account locked.
``signin_failed`` settles the pending row, ``signin_password_accepted`` removes it. An
attempt whose process dies half-way stays counted as a failure: the safe side.

Beside the per-account lock, one client address (an IPv6 /64) may fail at most
GONGKAI_SIGNIN_ADDRESS_MAX_FAILURES sign-ins per GONGKAI_SIGNIN_ADDRESS_WINDOW_MINUTES
over all user names (``core.ratelimit``, so it is shared by every worker and falls back
to the database when the cache is down). Each attempt takes a place before its password
is checked; a right password or an attempt refused by the account lock gives it back
(``address_attempt``).

Refusals are audited, but not each one: a flood of sign-in POSTs against a locked account
or from a throttled address would otherwise append to the audit trail — whose chain head
every state change must lock — once per request. The first refusal per user name per
GONGKAI_SIGNIN_FAILURE_WINDOW_MINUTES, and per address per
GONGKAI_SIGNIN_ADDRESS_WINDOW_MINUTES, is recorded (``ratelimit.first_in_window``, shared by
all workers); the entry says so, and the lock-out itself is always recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction

from gongkai.core import audit, clock, permissions, ratelimit
from gongkai.core.models import SignInFailure, SignInGuard

ADDRESS_SCOPE = "signin.address"
# ratelimit.first_in_window scopes: which refusals have been audited in the current window.
LOCKED_AUDITED_SCOPE = "signin.refused_locked.audited"
ADDRESS_AUDITED_SCOPE = "signin.refused_address.audited"
GUARD_IDLE = dt.timedelta(days=1)
PURGE_EVERY = dt.timedelta(minutes=10)


def _key(username: str) -> str:
    return (username or "").strip().lower()[:150]


# --- the per-account lock ------------------------------------------------------------------------


def locked_until(username: str) -> dt.datetime | None:
    """When the lock on this user name ends, or None if it is not locked now. Attempts
    still being checked count as failures."""
    return _locked_until(_key(username))


def _locked_until(key: str, *, settled_only: bool = False) -> dt.datetime | None:
    now = clock.now()
    window = dt.timedelta(minutes=settings.GONGKAI_SIGNIN_FAILURE_WINDOW_MINUTES)
    lock_span = dt.timedelta(minutes=settings.GONGKAI_SIGNIN_LOCKOUT_MINUTES)
    # Failures recent enough to matter: a lock still running ends within lock_span of its
    # run's last failure, and that run began at most one window before it.
    rows = SignInFailure.objects.filter(username=key, at__gte=now - (window + lock_span))
    if settled_only:
        rows = rows.filter(pending=False)
    recent = list(rows.order_by("at").values_list("at", flat=True))
    limit = settings.GONGKAI_SIGNIN_MAX_FAILURES
    # Locked if some run of `limit` failures fits inside one window; the lock runs from
    # the last failure of that run.
    until = None
    for i in range(len(recent) - limit + 1):
        first, last = recent[i], recent[i + limit - 1]
        if last - first <= window and (until is None or last + lock_span > until):
            until = last + lock_span
    return until if until is not None and until > now else None


def _lock_guard(key: str) -> None:
    """Hold the user name's guard row until the current transaction ends."""
    now = clock.now()
    for _ in range(3):
        # Create it if missing (ON CONFLICT DO NOTHING: of two creators, one wins).
        SignInGuard.objects.bulk_create([SignInGuard(username=key, used_at=now)],
                                        ignore_conflicts=True)
        # The UPDATE takes the row lock (PostgreSQL) and holds it to the end of the
        # transaction: a parallel attempt for the same user name waits here.
        if SignInGuard.objects.filter(username=key).update(used_at=now):
            return
        # Purged between the two statements: try again.
    raise RuntimeError(f"sign-in guard for {key!r} could not be locked")


@dataclass(frozen=True)
class Attempt:
    """A sign-in attempt counted before its password is checked."""

    username: str
    ip_address: str | None
    failure_id: int
    at: dt.datetime


@dataclass(frozen=True)
class Refused:
    """Refused before the password was checked: ``reason`` is ``locked`` (the account)
    or ``address`` (too many failures from this client address); ``until`` is when the
    account lock ends (None for the address throttle)."""

    reason: str
    until: dt.datetime | None = None


def signin_begin(*, username: str, ip_address: str | None) -> Attempt | Refused:
    """Count one attempt for ``username`` before its password is checked, or refuse it
    because the account is locked (not counted as a failure, so it does not extend the
    lock; audited once per user name and window)."""
    key = _key(username)
    _maybe_purge()
    with transaction.atomic():
        _lock_guard(key)
        until = _locked_until(key)
        if until is not None:
            _audit_refused_locked(key, ip_address, until)
            return Refused("locked", until)
        now = clock.now()
        row = SignInFailure.objects.create(username=key, ip_address=ip_address, at=now,
                                           pending=True)
    return Attempt(username=key, ip_address=ip_address, failure_id=row.pk, at=now)


def signin_failed(attempt: Attempt) -> dt.datetime | None:
    """The attempt's password was wrong: its failure stands. Returns the lock's end if
    the account is locked now."""
    with transaction.atomic():
        _lock_guard(attempt.username)
        was_locked = _locked_until(attempt.username, settled_only=True) is not None
        settled = SignInFailure.objects.filter(pk=attempt.failure_id).update(pending=False)
        if not settled:
            # A parallel success or an administrator's unlock cleared it meanwhile; the
            # failure still happened.
            SignInFailure.objects.create(username=attempt.username,
                                         ip_address=attempt.ip_address, at=attempt.at)
        locked_now = _locked_until(attempt.username, settled_only=True)
        _audit_failure(attempt.username, attempt.ip_address,
                       lockout=locked_now if locked_now and not was_locked else None)
        return _locked_until(attempt.username)


def signin_password_accepted(attempt: Attempt) -> None:
    """The attempt's password was right: it is not a failure. (The earlier failures are
    cleared by ``signin_record_success`` once the whole sign-in succeeds.)"""
    SignInFailure.objects.filter(pk=attempt.failure_id).delete()


def signin_record_failure(*, username: str, ip_address: str | None) -> dt.datetime | None:
    """Record a failed sign-in that was not begun with ``signin_begin`` (e.g. a wrong
    second factor); returns the lock's end if the account is locked now."""
    key = _key(username)
    with transaction.atomic():
        _lock_guard(key)
        was_locked = _locked_until(key, settled_only=True) is not None
        SignInFailure.objects.create(username=key, ip_address=ip_address, at=clock.now())
        locked_now = _locked_until(key, settled_only=True)
        _audit_failure(key, ip_address, lockout=locked_now if locked_now and not was_locked else None)
        return _locked_until(key)


def _audit_failure(key: str, ip_address: str | None, *, lockout: dt.datetime | None) -> None:
    audit.record(
        actor=None, action="signin.failure", object_type="core.user", object_repr=key,
        after={"ip_address": ip_address},
    )
    if lockout:
        audit.record(
            actor=None, action="signin.lockout", object_type="core.user", object_repr=key,
            after={"locked_until": lockout, "ip_address": ip_address},
        )


def _audit_refused_locked(key: str, ip_address: str | None, until: dt.datetime) -> None:
    """An attempt during a lock: audited (guessing shows in the trail), but only the first
    per user name in each failure window — a flood must not write one entry a request."""
    minutes = settings.GONGKAI_SIGNIN_FAILURE_WINDOW_MINUTES
    if not ratelimit.first_in_window(LOCKED_AUDITED_SCOPE, key, window_seconds=minutes * 60):
        return
    audit.record(
        actor=None, action="signin.refused_locked", object_type="core.user", object_repr=key,
        after={"ip_address": ip_address, "locked_until": until,
               "recorded_once_per_minutes": minutes},
    )


@transaction.atomic
def signin_record_success(*, user, ip_address: str | None) -> None:
    key = _key(user.username)
    _lock_guard(key)
    SignInFailure.objects.filter(username=key).delete()
    audit.record(actor=user, action="signin.success", obj=user, after={"ip_address": ip_address})


@transaction.atomic
def signin_unlock(*, actor, username: str, reason: str) -> int:
    """Lift a lock early (platform administrators), e.g. after confirming the person."""
    if not permissions.is_platform_admin(actor):
        raise PermissionDenied("只有平台管理员可以解除锁定")
    key = _key(username)
    _lock_guard(key)
    removed = SignInFailure.objects.filter(username=key).delete()[0]
    audit.record(
        actor=actor, action="signin.unlock", object_type="core.user", object_repr=key,
        reason=reason, after={"failures_cleared": removed},
    )
    return removed


# --- the per-address throttle ----------------------------------------------------------------


def _address_window_seconds() -> int:
    return settings.GONGKAI_SIGNIN_ADDRESS_WINDOW_MINUTES * 60


class AddressThrottled(Exception):
    """This client address has used all its failed sign-ins for now; ``minutes`` is the
    throttle's window, for the message."""

    def __init__(self, minutes: int):
        super().__init__(f"sign-in throttled for this address ({minutes} minutes)")
        self.minutes = minutes


@dataclass
class AddressPlace:
    """One of the address's failed sign-ins, taken for one check. Set ``failed`` when the
    password or code was checked and wrong: the place is then kept."""

    failed: bool = False


@contextmanager
def address_attempt(request, *, username: str, ip_address: str | None) -> Iterator[AddressPlace]:
    """Take one of this client address's failed sign-ins for the check in the body, before
    any password or code is checked; raise ``AddressThrottled`` (audited once per address
    and window) if the address has used them all::

        with signin.address_attempt(request, username=..., ip_address=...) as place:
            ...check...
            place.failed = <the secret was checked and wrong>

    When the body ends without ``place.failed`` (right secret, refused by the account
    lock, not checked) the place is given back. When the body raises, it is kept: an
    attempt that broke off half-way counts, the safe side."""
    client = ratelimit.client_key(request)
    window_seconds = _address_window_seconds()
    if not ratelimit.hit(ADDRESS_SCOPE, client, limit=settings.GONGKAI_SIGNIN_ADDRESS_MAX_FAILURES,
                         window_seconds=window_seconds):
        _audit_refused_address(client, _key(username), ip_address)
        raise AddressThrottled(settings.GONGKAI_SIGNIN_ADDRESS_WINDOW_MINUTES)
    place = AddressPlace()
    yield place
    if not place.failed:
        ratelimit.refund(ADDRESS_SCOPE, client, window_seconds=window_seconds)


def _audit_refused_address(client: str, key: str, ip_address: str | None) -> None:
    """Only the first refusal per address in each throttle window is recorded."""
    if not ratelimit.first_in_window(ADDRESS_AUDITED_SCOPE, client,
                                     window_seconds=_address_window_seconds()):
        return
    minutes = settings.GONGKAI_SIGNIN_ADDRESS_WINDOW_MINUTES
    with transaction.atomic():
        audit.record(
            actor=None, action="signin.refused_address", object_type="core.user",
            object_repr=key,
            after={"ip_address": ip_address,
                   "limit": settings.GONGKAI_SIGNIN_ADDRESS_MAX_FAILURES,
                   "window_minutes": minutes, "recorded_once_per_minutes": minutes},
        )


# --- housekeeping --------------------------------------------------------------------------------

_purge_schedule = ratelimit.Occasionally(PURGE_EVERY)


def _maybe_purge() -> None:
    """Now and then (per process): failures too old to lock anything, and guard rows of
    user names nobody tried for a day (an attacker's made-up names)."""
    now = clock.now()
    if _purge_schedule.due(now):
        purge(now)


def purge(now: dt.datetime | None = None) -> tuple[int, int]:
    now = now or clock.now()
    keep = dt.timedelta(minutes=max(settings.GONGKAI_SIGNIN_FAILURE_WINDOW_MINUTES,
                                    settings.GONGKAI_SIGNIN_LOCKOUT_MINUTES) * 2)
    failures = SignInFailure.objects.filter(at__lt=now - keep).delete()[0]
    guards = SignInGuard.objects.filter(used_at__lt=now - GUARD_IDLE).delete()[0]
    return failures, guards
