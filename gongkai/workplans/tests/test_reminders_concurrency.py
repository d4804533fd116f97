"""Two reminder sweeps at once (two schedulers, or a rerun while the first is still going)
send one reminder per task: the task row lock makes the second wait, and the one-a-day
constraint backs it.

PostgreSQL only: SQLite serialises writers at BEGIN IMMEDIATE."""

import datetime as dt
import threading
import time

import pytest
from django.core import mail
from django.db import connection, connections

from gongkai.core.models import AuditEvent
from gongkai.workplans import reminders, services
from gongkai.workplans.models import TaskReminder
from gongkai.workplans.tests.conftest import TODAY

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel sweeps need PostgreSQL"),
]


def test_two_sweeps_at_once_send_one_reminder_per_task(plan, office, department, officer, monkeypatch):
    tasks = [services.task_add(actor=office, plan=plan, number=str(n), text=f"任务{n}",
                               due_on=TODAY + dt.timedelta(days=n - 2), department=department) for n in range(4)]
    real = services.responsible_recipients

    def slow(task):  # widen the gap between "not yet reminded today" and the insert
        time.sleep(0.2)
        return real(task)

    monkeypatch.setattr(services, "responsible_recipients", slow)
    sweeps, errors, results = 2, [], []
    barrier = threading.Barrier(sweeps)

    def sweep():
        try:
            barrier.wait()
            results.extend(reminders.send_task_reminders(today=TODAY))
        except Exception as exc:  # surfaced below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(sweeps)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert TaskReminder.objects.count() == len(tasks)
    assert sorted(r.status for r in results) == ["already_sent"] * len(tasks) + ["sent"] * len(tasks)
    assert len(mail.outbox) == len(tasks)
    assert AuditEvent.objects.filter(action=reminders.SENT_ACTION).count() == len(tasks)
