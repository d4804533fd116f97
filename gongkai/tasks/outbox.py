"""Write, send, claim and settle outbox rows. Plain Python; the Celery task in ``queue``
is a thin shell around ``claim``/``perform``/``record_failure``.

Why an outbox: the row commits (or rolls back) with the work that asked for it, and only
then is it handed to Redis. If Redis is down the row simply stays ``pending`` and the
relay (beat every minute, or ``gongkai tasks relay``) sends it later; the caller never
sees the broker's error.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q

from gongkai.core import clock
from gongkai.tasks import registry
from gongkai.tasks.models import OutboxState, OutboxTask

log = logging.getLogger(__name__)


def enqueue(name: str, *, args: dict | None = None, key: str) -> OutboxTask:
    """Write the task in the caller's transaction; push it to the broker after commit.

    The same ``key`` twice is one task: the second call returns the first row."""
    registry.get(name)  # an unknown name is a programming error: say so now, not on a worker
    now = clock.now()
    with transaction.atomic():
        row, created = OutboxTask.objects.get_or_create(
            key=key,
            defaults={"name": name, "args": args or {}, "next_attempt_at": now,
                      "created_at": now, "updated_at": now},
        )
    if created:
        # robust: an error after commit is logged, never raised into the caller's request.
        transaction.on_commit(partial(push, row.pk), robust=True)
    return row


def broker_url() -> str | None:
    """The broker, read at each use (None: run tasks in this process, local mode)."""
    return getattr(settings, "TASK_BROKER_URL", None) or None


def push(pk: int) -> bool:
    """Hand one committed row to the broker (or run it here in local mode).

    False when the broker cannot be reached: the row is left pending, for the relay."""
    from gongkai.tasks import queue

    url = broker_url()
    if url is None:
        queue.run_outbox.apply(args=[pk])
        return True
    # Marked sent before the message goes, not after: once it is in the broker a worker may
    # be claiming and finishing the row, and this thread must not write it again then.
    unsettled = OutboxTask.objects.filter(pk=pk, state__in=[OutboxState.PENDING, OutboxState.SENT])
    if not unsettled.update(state=OutboxState.SENT, next_attempt_at=clock.now(), updated_at=clock.now()):
        return True  # done or failed already (a late relay): nothing to send
    try:
        # No reconnecting here: a request must not wait seconds on a broker that is down.
        with queue.app.connection_for_write(url, transport_options={"max_retries": 0}) as connection:
            queue.run_outbox.apply_async(args=[pk], connection=connection, retry=False)
    except Exception as exc:  # noqa: BLE001 - any broker failure: the relay tries later
        log.warning("outbox task %s stays pending, broker unreachable: %s", pk, exc)
        OutboxTask.objects.filter(pk=pk, state=OutboxState.SENT).update(
            state=OutboxState.PENDING, updated_at=clock.now())
        return False
    return True


def due_for_relay(now: dt.datetime | None = None):
    """Rows the broker should have and may not: pending ones whose time has come, and
    sent ones not settled long after their last send (a broker restarted without its
    queue); neither claimed by a running worker."""
    now = now or clock.now()
    stale = now - dt.timedelta(seconds=settings.TASK_RESEND_AFTER_SECONDS)
    free = Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    return (
        OutboxTask.objects.filter(free)
        .filter(Q(state=OutboxState.PENDING, next_attempt_at__lte=now)
                | Q(state=OutboxState.SENT, next_attempt_at__lte=stale))
        .order_by("next_attempt_at", "pk")
    )


def relay(*, limit: int = 1000) -> tuple[int, int]:
    """Push what is due; stop at the first broker failure. Returns (sent, still due)."""
    pks = list(due_for_relay().values_list("pk", flat=True)[:limit])
    sent = 0
    for pk in pks:
        if not push(pk):
            break
        sent += 1
    return sent, len(pks) - sent


def claim(pk: int) -> OutboxTask | None:
    """Take the row for one attempt, or None when it is settled or another worker holds it.

    One UPDATE with the conditions in its WHERE: of two deliveries, one wins."""
    now = clock.now()
    lease = now + dt.timedelta(seconds=settings.TASK_LEASE_SECONDS)
    taken = (
        OutboxTask.objects.filter(pk=pk, state__in=[OutboxState.PENDING, OutboxState.SENT])
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(locked_until=lease, attempts=F("attempts") + 1, updated_at=now)
    )
    return OutboxTask.objects.get(pk=pk) if taken else None


def perform(row: OutboxTask) -> None:
    """Run the row's handler and mark it done."""
    registry.get(row.name)(**row.args)
    OutboxTask.objects.filter(pk=row.pk).update(
        state=OutboxState.DONE, locked_until=None, last_error="", updated_at=clock.now()
    )


def record_failure(row: OutboxTask, error: BaseException, *, delay: int, max_attempts: int,
                   in_broker: bool) -> bool:
    """Note a failed attempt. True when it was the last one (the row is now ``failed``).

    Otherwise the next attempt is ``delay`` seconds away: by the broker's retry when the
    row is ``in_broker``, else by the relay (local mode)."""
    now = clock.now()
    message = f"{type(error).__name__}: {error}"[:4000]
    if row.attempts >= max_attempts:
        OutboxTask.objects.filter(pk=row.pk).update(
            state=OutboxState.FAILED, locked_until=None, last_error=message, updated_at=now
        )
        _give_up(row, error)
        return True
    OutboxTask.objects.filter(pk=row.pk).update(
        state=OutboxState.SENT if in_broker else OutboxState.PENDING,
        next_attempt_at=now + dt.timedelta(seconds=delay),
        backoffs=[*row.backoffs, delay],
        locked_until=None, last_error=message, updated_at=now,
    )
    return False


def _give_up(row: OutboxTask, error: BaseException) -> None:
    """Tell the task's own record it failed for good (``registry.handler(on_give_up=)``).
    Its own failure is logged, not raised: the row is failed already, for the administrator."""
    hook = registry.give_up_hook(row.name)
    if hook is None:
        return
    try:
        hook(**row.args, error=error)
    except Exception:  # noqa: BLE001 - logged; the failed row stays listed
        log.exception("outbox task %s (%s): its give-up hook failed", row.pk, row.name)


def retry_failed(rows) -> int:
    """The administrator's "retry": failed rows start again with a fresh count."""
    now = clock.now()
    pks = [row.pk for row in rows if row.state == OutboxState.FAILED]
    OutboxTask.objects.filter(pk__in=pks, state=OutboxState.FAILED).update(
        state=OutboxState.PENDING, attempts=0, backoffs=[], next_attempt_at=now,
        locked_until=None, updated_at=now,
    )
    for pk in pks:
        transaction.on_commit(partial(push, pk), robust=True)
    return len(pks)


DONE_KEPT = dt.timedelta(days=30)


@registry.handler("tasks.purge")
def purge_done() -> int:
    """Delete tasks done more than 30 days ago (their keys no longer need guarding against
    a repeat); failed ones stay until the administrator has seen them."""
    deleted, _ = OutboxTask.objects.filter(
        state=OutboxState.DONE, updated_at__lt=clock.now() - DONE_KEPT).delete()
    return deleted
