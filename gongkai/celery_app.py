"""The Celery app as workers and beat start it: ``celery -A gongkai.celery_app worker`` /
``beat`` (or ``gongkai worker`` / ``gongkai scheduler``).

The app itself, its outbox task and the relay are in ``gongkai.tasks.queue`` (an app low
enough for every other app to enqueue through it). This project module adds what needs
the apps above it: the scheduled jobs, each calling the same service function as its
management command, and the beat schedule that replaces the cron lines. Beat only names a
job; ``gongkai.tasks.scheduled`` turns it into one outbox row per job and minute, so a job
is retried with backoff and, when it fails for good, listed among the failed tasks.
"""

from celery.schedules import crontab

from gongkai.tasks.queue import app
from gongkai.tasks.registry import handler

__all__ = ["app"]


@handler("schedule.foi_digest")
def foi_digest() -> None:
    """`gongkai foi digest`: every active agency, once a day each (the digest records it)."""
    from gongkai.core import clock
    from gongkai.core.models import Agency
    from gongkai.foi import notifications

    as_of = clock.today()
    failed = []
    for agency in Agency.objects.filter(is_active=True).order_by("path"):
        try:
            notifications.digest_send(agency=agency, as_of=as_of, dry_run=False)
        except Exception as exc:  # noqa: BLE001 - one agency's failure must not stop the others
            failed.append(f"{agency.code}: {exc}")
    if failed:
        # The retry skips the agencies already sent (once per agency and day).
        raise RuntimeError(f"{len(failed)} digest(s) not sent: " + "; ".join(failed[:5]))


@handler("schedule.release_due")
def release_due() -> None:
    """`gongkai publishing release-due`."""
    from gongkai.core import clock
    from gongkai.publishing.services import publications

    publications.publications_release_due(now=clock.now())


@handler("schedule.report_remind")
def report_remind() -> None:
    """`gongkai report remind` (nothing outside 1 Dec – 31 Jan / 31 Mar)."""
    from gongkai.reports.reminders import send_report_reminders

    send_report_reminders(dry_run=False)


@handler("schedule.workplans_remind")
def workplans_remind() -> None:
    """`gongkai workplans remind`."""
    from gongkai.workplans.reminders import send_task_reminders

    send_task_reminders(dry_run=False)


@handler("schedule.search_sync")
def search_sync() -> None:
    """`gongkai search sync`."""
    from django.db import transaction

    from gongkai.portal import search

    with transaction.atomic():
        search.sync_decisions()


@handler("schedule.search_verify")
def search_verify() -> None:
    """`gongkai search verify`: drift raises, so the job is retried (a drift while
    something was being published clears) and, when it stays, listed among the failed
    tasks with what drifted; `gongkai search rebuild` repairs it."""
    from gongkai.portal import search

    drift = search.verify_index()
    if not drift.ok:
        raise RuntimeError(
            "search index drift, run `gongkai search rebuild [--queue]`: "
            f"{len(drift.missing)} missing, {len(drift.extra)} extra, {len(drift.stale)} stale, "
            f"{len(drift.wrong_counts)} wrong counts")


@handler("schedule.column_dates")
def column_dates() -> None:
    """`gongkai publishing column-dates --repair`: each column's kept newest date checked
    against its items and put right where it differs (logged: a write path missed it)."""
    import logging

    from gongkai.publishing import column_dates

    wrong = column_dates.repair()
    if wrong:
        logging.getLogger(__name__).warning("column dates out of step, repaired: %d column(s)", len(wrong))


@handler("schedule.idempotency_purge")
def idempotency_purge() -> None:
    """`gongkai idempotency purge`."""
    from gongkai.core import idempotency

    idempotency.purge()


@handler("schedule.site_check")
def site_check() -> None:
    """`gongkai site-check`: every public agency, the day's result stored."""
    from gongkai.core import selectors as core_selectors
    from gongkai.inspection import services

    services.site_checks_daily(agencies=list(core_selectors.agencies_public()), store=True,
                               keep=False)


def _job(name: str, schedule) -> dict:
    return {"task": "gongkai.tasks.scheduled", "schedule": schedule, "args": [name]}


# Times are the platform's (Asia/Shanghai, CELERY_TIMEZONE). `gongkai audit anchor FILE`
# and `gongkai backup DIR` are not here: their file and directory are command arguments
# with no setting (and the anchor must be written where the database cannot reach it);
# keep them in the host's timer (docs/security.md). `search verify` runs at 4:00, after
# the night's sync (1:00) and site check (3:00).
SCHEDULE = {
    "relay": {"task": "gongkai.tasks.relay", "schedule": 60.0},
    "publishing-release-due": _job("schedule.release_due", crontab(minute="*/5")),
    "foi-digest": _job("schedule.foi_digest", crontab(hour=7, minute=30, day_of_week="mon-fri")),
    "report-remind": _job("schedule.report_remind", crontab(hour=8, minute=0)),
    "workplans-remind": _job("schedule.workplans_remind",
                             crontab(hour=8, minute=15, day_of_week="mon-fri")),
    "search-sync": _job("schedule.search_sync", crontab(hour=1, minute=0)),
    "search-verify": _job("schedule.search_verify", crontab(hour=4, minute=0)),
    "publishing-column-dates": _job("schedule.column_dates", crontab(hour=4, minute=30)),
    "idempotency-purge": _job("schedule.idempotency_purge", crontab(hour=2, minute=0)),
    "site-check": _job("schedule.site_check", crontab(hour=3, minute=0)),
    "tasks-purge": _job("tasks.purge", crontab(hour=2, minute=30)),
    # The back office's prepared PDFs (reports.prepared) made more than 30 days ago.
    "reports-purge-prepared": _job("reports.purge_prepared", crontab(hour=2, minute=45)),
}
app.conf.beat_schedule = SCHEDULE
