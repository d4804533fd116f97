"""What someone who can write the database could do to the audit trail, for the tests.

The "attacker" writes raw SQL (the ORM refuses) and, on PostgreSQL, first disables the
append-only trigger as the table's owner or a superuser could (the tests connect as the
superuser ``postgres``). Hashes are recomputed with the project's own public function,
``audit.entry_hash``, as a real attacker would.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection

from gongkai.core import audit, audit_guard
from gongkai.core.models import AuditChainHead, AuditEvent

EVENTS = AuditEvent._meta.db_table
HEAD = AuditChainHead._meta.db_table


@contextmanager
def guard_lifted():
    """Disable the append-only trigger (PostgreSQL) for the duration; SQLite has none."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        # ALTER TABLE refuses while deferred foreign-key checks of this transaction's
        # inserts are pending (a test's fixtures): run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {EVENTS} DISABLE TRIGGER {audit_guard.TRIGGER}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {EVENTS} ENABLE ALWAYS TRIGGER {audit_guard.TRIGGER}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def raw(sql: str, params=None) -> None:
    """Run one tampering statement with the guard lifted."""
    with guard_lifted(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def cut_off_end(keep: int) -> None:
    """Case 1: delete every entry after seq ``keep`` and move the head back to it."""
    last = AuditEvent.objects.get(seq=keep)
    raw(f"DELETE FROM {EVENTS} WHERE seq > %s", [keep])  # noqa: S608
    raw(f"UPDATE {HEAD} SET seq = %s, hash = %s", [last.seq, last.hash])  # noqa: S608


def rewrite_from(seq: int, reason: str) -> None:
    """Case 2: edit entry ``seq`` and recompute its hash and every later one (and the
    head), so that the chain verifies on its own."""
    prev_hash = audit.GENESIS_HASH if seq == 1 else AuditEvent.objects.get(seq=seq - 1).hash
    with guard_lifted(), connection.cursor() as cursor:
        for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
            if event.seq == seq:
                event.reason = reason
            event.prev_hash = prev_hash
            event.hash = audit.entry_hash(audit.hashed_fields(event))
            cursor.execute(
                f"UPDATE {EVENTS} SET reason = %s, prev_hash = %s, hash = %s WHERE id = %s",  # noqa: S608
                [event.reason, event.prev_hash, event.hash, event.pk],
            )
            prev_hash = event.hash
        cursor.execute(f"UPDATE {HEAD} SET seq = %s, hash = %s",  # noqa: S608
                       [event.seq, event.hash])


def empty_trail() -> None:
    """Case 3: delete every entry and the head."""
    raw(f"DELETE FROM {EVENTS}")  # noqa: S608
    raw(f"DELETE FROM {HEAD}")  # noqa: S608
