"""The outbox without a broker (local mode): rows commit with the caller, run after the
commit in the process, retry through the relay with backoff, and end up failed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from gongkai.tasks import outbox
from gongkai.tasks.mail import send_later
from gongkai.tasks.models import OutboxState, OutboxTask
from gongkai.tasks.tests.conftest import done, given_up

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_task_runs_after_its_transaction_commits():
    with transaction.atomic():
        row = outbox.enqueue("test.count", args={"key": "a"}, key="count:a")
        assert done == {}  # not before the commit
    row.refresh_from_db()
    assert done == {"a": 1}
    assert row.state == OutboxState.DONE and row.attempts == 1


def test_a_rolled_back_transaction_leaves_no_task_and_sends_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        send_later("主题", "正文", ["office@example.gov.cn"], key="mail:rollback")
        raise RuntimeError("the caller's work failed")
    assert not OutboxTask.objects.exists()
    assert mail.outbox == []


def test_the_same_key_twice_is_one_task():
    first = outbox.enqueue("test.count", args={"key": "b"}, key="count:b")
    second = outbox.enqueue("test.count", args={"key": "b"}, key="count:b")
    assert first.pk == second.pk and OutboxTask.objects.count() == 1
    assert done == {"b": 1}


def test_a_second_delivery_of_a_done_task_does_nothing():
    row = outbox.enqueue("test.count", args={"key": "c"}, key="count:c")
    assert outbox.claim(row.pk) is None  # done: nothing to claim
    outbox.push(row.pk)
    assert done == {"c": 1}


def test_a_claimed_task_cannot_be_claimed_again_until_its_lease_ends(frozen_clock, settings):
    row = OutboxTask.objects.create(name="test.count", args={"key": "d"}, key="count:d",
                                    next_attempt_at=frozen_clock, created_at=frozen_clock,
                                    updated_at=frozen_clock, state=OutboxState.SENT)
    assert outbox.claim(row.pk) is not None
    assert outbox.claim(row.pk) is None
    from gongkai.core import clock

    clock.freeze(frozen_clock + dt.timedelta(seconds=settings.TASK_LEASE_SECONDS + 1))
    assert outbox.claim(row.pk).attempts == 2  # the first worker died: the lease ran out


def test_an_unknown_task_name_is_refused_at_enqueue():
    with pytest.raises(LookupError):
        outbox.enqueue("no.such.task", args={}, key="x")


def test_mail_is_sent_after_commit_in_local_mode():
    with transaction.atomic():
        send_later("【测试】提醒", "正文", ["office@example.gov.cn"], key="mail:1")
        assert mail.outbox == []
    assert [(m.subject, m.to) for m in mail.outbox] == [("【测试】提醒", ["office@example.gov.cn"])]
    assert OutboxTask.objects.get(key="mail:1").state == OutboxState.DONE


def test_in_local_mode_a_failing_task_waits_for_the_relay_with_backoff_then_fails(frozen_clock):
    from gongkai.core import clock

    row = outbox.enqueue("test.fail", args={"why": "SMTP down"}, key="fail:1")
    row.refresh_from_db()
    assert (row.state, row.attempts, row.backoffs) == (OutboxState.PENDING, 1, [1])
    assert row.next_attempt_at == frozen_clock + dt.timedelta(seconds=1)
    assert "SMTP down" in row.last_error

    call_command("tasks", "relay")  # not due yet: the clock has not moved
    row.refresh_from_db()
    assert row.attempts == 1

    clock.freeze(frozen_clock + dt.timedelta(seconds=1))
    call_command("tasks", "relay")
    row.refresh_from_db()
    assert (row.state, row.attempts, row.backoffs) == (OutboxState.PENDING, 2, [1, 2])

    clock.freeze(frozen_clock + dt.timedelta(seconds=3))
    call_command("tasks", "relay")
    row.refresh_from_db()
    assert (row.state, row.attempts) == (OutboxState.FAILED, 3)  # TASK_MAX_ATTEMPTS
    assert row.last_error == "ConnectionError: SMTP down"

    clock.freeze(frozen_clock + dt.timedelta(days=1))
    call_command("tasks", "relay")  # a failed task is not retried by itself
    row.refresh_from_db()
    assert row.attempts == 3


def test_the_give_up_hook_is_told_once_and_only_when_the_task_fails_for_good(frozen_clock):
    from gongkai.core import clock

    row = outbox.enqueue("test.fail_noted", args={"why": "server gone"}, key="noted:1")
    clock.freeze(frozen_clock + dt.timedelta(seconds=1))
    call_command("tasks", "relay")
    row.refresh_from_db()
    assert (row.state, row.attempts) == (OutboxState.PENDING, 2)
    assert given_up == {}  # a retry is still to come: nothing to tell yet
    clock.freeze(frozen_clock + dt.timedelta(seconds=3))
    call_command("tasks", "relay")
    row.refresh_from_db()
    assert row.state == OutboxState.FAILED
    assert given_up == {"server gone": "ConnectionError: server gone"}


def test_a_failing_give_up_hook_leaves_the_task_failed(frozen_clock, settings, monkeypatch):
    from gongkai.tasks import registry

    def broken(**kwargs):
        raise RuntimeError("the hook's own database went away")

    monkeypatch.setitem(registry._give_up, "test.fail_noted", broken)
    settings.TASK_MAX_ATTEMPTS = 1
    row = outbox.enqueue("test.fail_noted", args={"why": "x"}, key="noted:2")
    row.refresh_from_db()
    assert row.state == OutboxState.FAILED and row.last_error == "ConnectionError: x"


def test_done_tasks_are_purged_after_30_days_failed_ones_are_kept(frozen_clock):
    from gongkai.core import clock

    outbox.enqueue("test.count", args={"key": "old"}, key="count:old")
    OutboxTask.objects.create(name="test.fail", args={"why": "x"}, key="fail:old",
                              state=OutboxState.FAILED, next_attempt_at=frozen_clock,
                              created_at=frozen_clock, updated_at=frozen_clock)
    clock.freeze(frozen_clock + dt.timedelta(days=30))
    assert outbox.purge_done() == 0
    clock.freeze(frozen_clock + dt.timedelta(days=30, seconds=1))
    assert outbox.purge_done() == 1
    assert list(OutboxTask.objects.values_list("key", flat=True)) == ["fail:old"]
