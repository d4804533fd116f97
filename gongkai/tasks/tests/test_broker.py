"""Against the real Redis broker (db 15) and a real Celery worker: delivery, retries with
backoff until failed, once-only work on a double delivery, and a broker outage that
delays the work but refuses nothing."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from gongkai.core.models import User
from gongkai.tasks import outbox, queue
from gongkai.tasks.mail import send_later
from gongkai.tasks.models import OutboxState, OutboxTask
from gongkai.tasks.tests.conftest import DOWN, done, wait_for


def state_of(key: str) -> str:
    return OutboxTask.objects.get(key=key).state


def test_an_enqueued_task_is_run_by_the_worker_and_marked_done(worker):
    with transaction.atomic():
        outbox.enqueue("test.count", args={"key": "w1"}, key="count:w1")
    # Sent after commit; the worker (not this thread) runs it.
    wait_for(lambda: state_of("count:w1") == OutboxState.DONE)
    assert done == {"w1": 1}
    assert OutboxTask.objects.get(key="count:w1").attempts == 1


def test_a_task_failing_every_time_is_retried_with_backoff_then_failed(worker):
    outbox.enqueue("test.fail", args={"why": "mail server refused"}, key="fail:w")
    # TASK_MAX_ATTEMPTS = 3, backoff 1 s · 2^(n-1) without jitter (settings_test).
    wait_for(lambda: state_of("fail:w") == OutboxState.FAILED)
    row = OutboxTask.objects.get(key="fail:w")
    assert row.attempts == 3
    assert row.backoffs == [1, 2]
    assert row.last_error == "ConnectionError: mail server refused"


def test_a_database_error_before_the_work_is_retried_soon(worker, monkeypatch):
    """Claiming the row failed (the database busy or unreachable for a moment): nothing
    was recorded, and the broker tries again after the first backoff step (1 s here),
    not Celery's default of three minutes."""
    from django.db import OperationalError

    real_claim, failures = outbox.claim, []

    def busy_once(pk):
        if not failures:
            failures.append(pk)
            raise OperationalError("database table is locked")
        return real_claim(pk)

    monkeypatch.setattr(outbox, "claim", busy_once)  # the worker is a thread of this process
    outbox.enqueue("test.count", args={"key": "busy"}, key="count:busy")
    wait_for(lambda: state_of("count:busy") == OutboxState.DONE, seconds=15)
    assert failures and done == {"busy": 1}
    assert OutboxTask.objects.get(key="count:busy").attempts == 1


def test_a_task_delivered_twice_does_its_work_once(worker, broker):
    with transaction.atomic():
        row = outbox.enqueue("test.count", args={"key": "twice"}, key="count:twice")
        # A second message for the same row (a relay racing the commit's own send).
        transaction.on_commit(lambda: outbox.push(row.pk))
    wait_for(lambda: state_of("count:twice") == OutboxState.DONE)
    # And a redelivery long after it was done (a lost acknowledgement).
    with queue.app.connection_for_write(broker) as connection:
        queue.run_outbox.apply_async(args=[row.pk], connection=connection)
    # The worker is solo and the queue first-in first-out: once this later task is done,
    # both extra deliveries have been handled.
    outbox.enqueue("test.count", args={"key": "after"}, key="count:after")
    wait_for(lambda: state_of("count:after") == OutboxState.DONE)
    assert done == {"twice": 1, "after": 1}
    assert OutboxTask.objects.get(key="count:twice").attempts == 1


def test_with_the_broker_down_a_submission_commits_and_the_relay_delivers_it_later(
        worker, broker, settings, mailoutbox):
    settings.TASK_BROKER_URL = DOWN
    with transaction.atomic():
        applicant = User.objects.create(username="applicant", email="applicant@example.com")
        send_later("申请已收到", "正文", [applicant.email], key="mail:down")
    # The caller's work stands, nothing was raised, the mail waits in the outbox.
    assert User.objects.filter(username="applicant").exists()
    assert state_of("mail:down") == OutboxState.PENDING
    with pytest.raises(Exception, match="still due"):
        call_command("tasks", "relay")  # still down: the row stays pending
    assert state_of("mail:down") == OutboxState.PENDING
    assert mailoutbox == []

    settings.TASK_BROKER_URL = broker  # the broker is back
    call_command("tasks", "relay")
    wait_for(lambda: state_of("mail:down") == OutboxState.DONE)
    assert [(m.subject, m.to) for m in mail.outbox] == [("申请已收到", ["applicant@example.com"])]


def test_with_the_broker_down_a_supervision_is_issued_and_its_mail_follows_later(
        worker, broker, settings, mailoutbox, bureau, office, officer, department):
    """A real write of the platform (workplans 督办, whose notice goes through the outbox)."""
    import datetime as dt

    from gongkai.core import clock
    from gongkai.workplans import services
    from gongkai.workplans.models import Supervision

    today = clock.today()
    plan = services.plan_create(actor=office, agency=bureau, year=today.year)
    task = services.task_add(actor=office, plan=plan, number="1", text="清理规范性文件并公开清理结果",
                             due_on=today - dt.timedelta(days=3), department=department)
    settings.TASK_BROKER_URL = DOWN
    services.supervision_issue(actor=office, task=task, note="请说明原因",
                               reply_by=today + dt.timedelta(days=5))
    assert Supervision.objects.filter(task=task).count() == 1
    [row] = OutboxTask.objects.filter(name="mail.send")
    assert row.state == OutboxState.PENDING and mailoutbox == []

    settings.TASK_BROKER_URL = broker
    call_command("tasks", "relay")
    wait_for(lambda: state_of(row.key) == OutboxState.DONE)
    [message] = mail.outbox
    assert "督办" in message.subject and set(message.to) == {officer.email, office.email}


def test_beat_firing_twice_for_one_job_runs_it_once(worker):
    # Beat's message twice in one minute, as the worker would run it.
    queue.scheduled.apply(args=["test.tick"])
    queue.scheduled.apply(args=["test.tick"])
    [row] = OutboxTask.objects.filter(name="test.tick")
    assert row.key == "test.tick@2026-03-02T09:30"  # the job and its minute (the frozen clock)
    wait_for(lambda: state_of(row.key) == OutboxState.DONE)
    assert done == {"tick": 1}
