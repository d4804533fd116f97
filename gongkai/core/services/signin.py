"""Sign-in failures and account lock-out (等保 level 3: lock after repeated failures).

An account is locked when it has GONGKAI_SIGNIN_MAX_FAILURES failed sign-ins within
GONGKAI_SIGNIN_FAILURE_WINDOW_MINUTES; the lock lasts GONGKAI_SIGNIN_LOCKOUT_MINUTES from
the last failure. While locked, even the right password is refused. A successful sign-in
clears the failures; a platform administrator can unlock early."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction

from gongkai.core import audit, clock, permissions
from gongkai.core.models import SignInFailure


def _key(username: str) -> str:
    return (username or "").strip().lower()[:150]


def locked_until(username: str) -> dt.datetime | None:
    """When the lock on this user name ends, or None if it is not locked now."""
    now = clock.now()
    window_start = now - dt.timedelta(minutes=settings.GONGKAI_SIGNIN_FAILURE_WINDOW_MINUTES)
    lock_span = dt.timedelta(minutes=settings.GONGKAI_SIGNIN_LOCKOUT_MINUTES)
    # Failures recent enough to matter: inside the window, or inside a lock still running.
    recent = list(
        SignInFailure.objects.filter(username=_key(username), at__gte=min(window_start, now - lock_span))
        .order_by("at").values_list("at", flat=True)
    )
    limit = settings.GONGKAI_SIGNIN_MAX_FAILURES
    # Locked if some run of `limit` failures fits inside one window; the lock runs from
    # the last failure of that run.
    window = dt.timedelta(minutes=settings.GONGKAI_SIGNIN_FAILURE_WINDOW_MINUTES)
    until = None
    for i in range(len(recent) - limit + 1):
        first, last = recent[i], recent[i + limit - 1]
        if last - first <= window and (until is None or last + lock_span > until):
            until = last + lock_span
    return until if until is not None and until > now else None


@transaction.atomic
def signin_record_failure(*, username: str, ip_address: str | None) -> dt.datetime | None:
    """Record a failed sign-in; returns the lock's end if this failure locked the account."""
    was_locked = locked_until(username) is not None
    SignInFailure.objects.create(username=_key(username), ip_address=ip_address, at=clock.now())
    until = locked_until(username)
    audit.record(
        actor=None, action="signin.failure", object_type="core.user", object_repr=_key(username),
        after={"ip_address": ip_address},
    )
    if until and not was_locked:
        audit.record(
            actor=None, action="signin.lockout", object_type="core.user",
            object_repr=_key(username), after={"locked_until": until, "ip_address": ip_address},
        )
    return until


@transaction.atomic
def signin_record_refused_while_locked(*, username: str, ip_address: str | None) -> None:
    """An attempt during a lock: audited (guessing shows in the trail) but not counted as
    a failure, so it does not extend the lock."""
    audit.record(
        actor=None, action="signin.refused_locked", object_type="core.user",
        object_repr=_key(username), after={"ip_address": ip_address},
    )


@transaction.atomic
def signin_record_success(*, user, ip_address: str | None) -> None:
    SignInFailure.objects.filter(username=_key(user.username)).delete()
    audit.record(actor=user, action="signin.success", obj=user, after={"ip_address": ip_address})


@transaction.atomic
def signin_unlock(*, actor, username: str, reason: str) -> int:
    """Lift a lock early (platform administrators), e.g. after confirming the person."""
    if not permissions.is_platform_admin(actor):
        raise PermissionDenied("只有平台管理员可以解除锁定")
    removed = SignInFailure.objects.filter(username=_key(username)).delete()[0]
    audit.record(
        actor=actor, action="signin.unlock", object_type="core.user", object_repr=_key(username),
        reason=reason, after={"failures_cleared": removed},
    )
    return removed
