"""What the operator sees: the server's task mode, the worker and scheduler commands, and
the beat schedule naming every scheduled job by a handler a worker knows."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from celery.schedules import crontab

from gongkai.core.management.commands.serve import task_mode
from gongkai.tasks import registry

ROOT = Path(__file__).resolve().parents[3]


def test_local_mode_says_tasks_run_in_the_server_process(settings):
    settings.TASK_BROKER_URL = None
    assert task_mode().startswith("tasks: run in this process right after each commit")


def test_with_a_broker_the_server_names_it_without_its_password(settings):
    settings.TASK_BROKER_URL = "redis://:s3cret@queue.example:6379/1"
    line = task_mode()
    assert "queue.example:6379/1" in line and "s3cret" not in line
    assert "gongkai worker" in line and "gongkai scheduler" in line


def test_every_scheduled_job_has_a_handler_and_a_schedule_in_code():
    from gongkai.celery_app import SCHEDULE, app

    jobs = {entry["args"][0]: entry["schedule"] for entry in SCHEDULE.values() if entry.get("args")}
    assert set(jobs) == {
        "schedule.foi_digest", "schedule.release_due", "schedule.report_remind",
        "schedule.workplans_remind", "schedule.search_sync", "schedule.idempotency_purge",
        "schedule.site_check", "schedule.search_verify", "tasks.purge", "reports.purge_prepared",
        "schedule.column_dates",
    }
    assert set(jobs) <= set(registry.names())
    assert app.conf.beat_schedule is SCHEDULE
    assert SCHEDULE["relay"]["task"] == "gongkai.tasks.relay" and SCHEDULE["relay"]["schedule"] == 60.0
    assert isinstance(jobs["schedule.release_due"], crontab)
    assert app.conf.timezone == "Asia/Shanghai"
    assert {"gongkai.tasks.run", "gongkai.tasks.relay", "gongkai.tasks.scheduled"} <= set(app.tasks)


def test_a_worker_knows_every_task_the_requests_enqueue():
    """Registered when the apps are ready (a worker loads no URLs and no views)."""
    assert {"foi.receipt_email", "foi.receipt_sms", "foi.delivery_email", "reports.render_version",
            "reports.render_pdf", "mail.send"} <= set(registry.names())


def test_search_verify_fails_on_drift_so_it_is_retried_and_then_listed(monkeypatch):
    from gongkai import celery_app
    from gongkai.portal import search

    monkeypatch.setattr(search, "verify_index", lambda: search.Drift(missing=[3, 4], extra=[], stale=[]))
    with pytest.raises(RuntimeError, match="2 missing, 0 extra"):
        celery_app.search_verify()
    monkeypatch.setattr(search, "verify_index", lambda: search.Drift(missing=[], extra=[], stale=[]))
    celery_app.search_verify()  # no drift: done


@pytest.mark.parametrize("command,celery_command", [("worker", "worker"), ("scheduler", "beat")])
def test_worker_and_scheduler_start_celery_on_the_project_app(command, celery_command):
    result = subprocess.run([sys.executable, "-m", "gongkai", command, "--help"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert f"gongkai {celery_command} [OPTIONS]" in result.stdout


@pytest.fixture
def local_scheduler(settings, monkeypatch):
    """Beat as `gongkai scheduler` runs it without a broker (its own process: here the
    test's, with eager mode put back afterwards)."""
    from celery import beat

    from gongkai.celery_app import app
    from gongkai.tasks.queue import scheduler_runs_jobs_itself_without_a_broker

    settings.TASK_BROKER_URL = None
    monkeypatch.setitem(app.conf, "task_always_eager", app.conf.task_always_eager)
    assert scheduler_runs_jobs_itself_without_a_broker()
    scheduler = beat.Scheduler(app, lazy=True)
    scheduler.setup_schedule()
    return scheduler


def test_with_a_broker_the_scheduler_sends_jobs_to_it_instead_of_running_them(settings):
    from gongkai.tasks.queue import scheduler_runs_jobs_itself_without_a_broker

    settings.TASK_BROKER_URL = "redis://127.0.0.1:6379/15"
    assert not scheduler_runs_jobs_itself_without_a_broker()


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_scheduler_runs_a_due_job_in_its_own_process(local_scheduler):
    from gongkai.tasks.models import OutboxState, OutboxTask

    entry = local_scheduler.schedule["tasks-purge"]
    local_scheduler.apply_entry(entry, producer=None)
    [row] = OutboxTask.objects.filter(name="tasks.purge")
    assert row.state == OutboxState.DONE  # ran here, not left in a broker nobody reads


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_schedulers_relay_retries_a_failed_task(local_scheduler):
    """make run: a task failed (an SMTP server refusing a mail); a minute later the relay
    of the scheduler beside the server tries it again, with nobody running `gongkai tasks
    relay`."""
    import datetime as dt

    from gongkai.core import clock
    from gongkai.tasks import outbox
    from gongkai.tasks.models import OutboxState

    row = outbox.enqueue("test.fail", args={"why": "SMTP refused"}, key="refused:1")
    row.refresh_from_db()
    assert row.state == OutboxState.PENDING and row.attempts == 1
    clock.freeze(clock.now() + dt.timedelta(minutes=1))
    try:
        local_scheduler.apply_entry(local_scheduler.schedule["relay"], producer=None)
    finally:
        clock.freeze(None)
    row.refresh_from_db()
    assert row.attempts == 2 and row.backoffs == [1, 2]  # tried again by the scheduler
