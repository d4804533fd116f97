"""The Celery app and the tasks every process knows: run an outbox row, relay, schedule.

Why Celery with the Redis broker, fed through the database outbox: Redis already runs
beside every deployment (the shared cache, rate limits); Celery is the maintained, widely
deployed Python queue with beat schedules, retries with backoff and workers that scale on
other machines; and the outbox in the application's own database (``outbox``) keeps the
promise that nothing a citizen submits depends on the broker: the request's transaction
writes the row, a relay moves committed rows to Redis later. It works the same on SQLite.

Configuration comes from Django's settings (``TASK_BROKER_URL``, ``TASK_*``). Without a
broker (``make run``) rows run in the web process right after commit.
Workers and beat start from the project module ``gongkai.celery_app``, which adds the
scheduled jobs of the apps above this one.
"""

from __future__ import annotations

import logging
import os

from celery import Celery, Task
from celery.utils.time import get_exponential_backoff_interval

log = logging.getLogger(__name__)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")

app = Celery("gongkai")
# Lazy: read when first used, after Django's settings are loaded (CELERY_* names).
app.config_from_object("django.conf:settings", namespace="CELERY")


def scheduler_runs_jobs_itself_without_a_broker() -> bool:
    """In a scheduler (beat) process without a broker (local mode): beat's sends run the
    task in this process (Celery's eager mode) instead of going to the in-memory broker
    nobody reads. The relay then runs the outbox's due rows here (a mail the SMTP server
    refused is tried again after its backoff) and each scheduled job runs at its time, so
    `make run` needs no second command. Only for the scheduler's own process: a web process
    hands rows over with ``outbox.push``, which runs them in place when there is no broker."""
    if _setting("TASK_BROKER_URL", None):
        return False
    app.conf.task_always_eager = True
    return True


def _setting(name: str, default):
    from django.conf import settings

    return getattr(settings, name, default)


class OutboxRun(Task):
    """Retries use the delay the outbox row recorded, so what the administrator reads is
    what the broker did. An error before the handler ran (claiming the row: the database
    busy or unreachable) recorded nothing: it is retried after the first backoff step,
    not Celery's default three minutes."""

    def retry(self, args=None, kwargs=None, exc=None, throw=True, eta=None, countdown=None,
              max_retries=None, **options):
        delay = getattr(self.request, "outbox_delay", None)
        if delay is not None:
            countdown = delay
        elif countdown is None and eta is None:
            countdown = backoff(1)
        return super().retry(args, kwargs, exc, throw, eta, countdown, max_retries, **options)


@app.task(
    bind=True, base=OutboxRun, name="gongkai.tasks.run",
    autoretry_for=(Exception,),
    # The count that matters is the row's (TASK_MAX_ATTEMPTS, in the row across relays
    # and restarts); Celery's own per-message count would start again at each relay.
    max_retries=None,
    acks_late=True,
)
def run_outbox(self, pk: int) -> str:
    from django.db import connections

    from gongkai.tasks import outbox

    try:
        row = outbox.claim(pk)
        if row is None:
            return "skipped"  # done already, or another delivery holds it
        try:
            outbox.perform(row)
        except Exception as exc:
            delay = backoff(row.attempts)
            last = outbox.record_failure(
                row, exc, delay=delay, max_attempts=_setting("TASK_MAX_ATTEMPTS", 5),
                in_broker=not self.request.is_eager,
            )
            if last:
                log.error("outbox task %s (%s) failed for good: %s", pk, row.name, exc)
                return "failed"
            if self.request.is_eager:
                return "pending"  # local mode: the relay tries again after the delay
            self.request.outbox_delay = delay
            raise  # autoretry_for → retry(countdown=delay)
        return "done"
    finally:
        if not self.request.is_eager:
            # A worker keeps no connection between tasks (the test worker is a thread whose
            # connection would otherwise outlive the test database).
            connections.close_all()


def backoff(attempts: int) -> int:
    """Seconds before the next attempt after ``attempts`` failed ones: exponential
    (factor · 2^(n-1), capped), with full jitter unless TASK_RETRY_JITTER is off."""
    return get_exponential_backoff_interval(
        factor=int(_setting("TASK_RETRY_BACKOFF", 30)),
        retries=max(attempts - 1, 0),
        maximum=int(_setting("TASK_RETRY_BACKOFF_MAX", 3600)),
        full_jitter=bool(_setting("TASK_RETRY_JITTER", True)),
    )


@app.task(name="gongkai.tasks.relay")
def relay_task() -> str:
    from django.db import connections

    from gongkai.tasks import outbox

    try:
        sent, left = outbox.relay()
    finally:
        connections.close_all()
    return f"relayed {sent}, {left} still due"


@app.task(name="gongkai.tasks.scheduled")
def scheduled(name: str) -> str:
    """Beat's entry: one outbox row per job and minute, so beat firing twice (or two beats)
    runs the job once, and a failed job shows among the failed tasks."""
    from django.db import connections

    from gongkai.core import clock
    from gongkai.tasks import outbox

    try:
        slot = clock.now().strftime("%Y-%m-%dT%H:%M")
        outbox.enqueue(name, args={}, key=f"{name}@{slot}")
    finally:
        connections.close_all()
    return name
