"""Concurrent writers append to one audit chain without forking it (the head row lock).

PostgreSQL only: it is the production database where writers really run in parallel;
SQLite serialises writers at BEGIN IMMEDIATE, which the rest of the suite covers."""

import threading

import pytest
from django.db import connection, connections

from gongkai.core import audit
from gongkai.core.models import AuditEvent
from gongkai.core.tests import audit_attacks

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel writers need PostgreSQL"),
]


@pytest.mark.parametrize("start", ["with_head", "from_empty_log"])
def test_parallel_appends_form_one_unbroken_chain(start):
    if start == "from_empty_log":
        # A flushed or fresh database: no head row yet, so the writers race to start the
        # chain (the trail refuses ORM deletes and, on PostgreSQL, any DELETE while its
        # trigger is on: lift it as an owner would).
        audit_attacks.empty_trail()
    writers, per_writer = 6, 15
    errors = []
    start = threading.Barrier(writers)

    def write(n):
        try:
            start.wait()
            for i in range(per_writer):
                audit.record(actor=None, action="concurrency.test", object_type="test",
                             object_id=f"{n}-{i}")
        except Exception as exc:  # surfaced below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert AuditEvent.objects.filter(action="concurrency.test").count() == writers * per_writer
    result = audit.verify()
    assert result.ok, result.broken
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
