"""Benchmark: the hash-chained audit trail (gongkai.core.audit) against plain rows.

Appends: N entries written with ``audit.record(...)``, each in its own
``transaction.atomic()`` (as every state change in gongkai does), beside a baseline of
N plain ``SignInFailure`` rows (a small table with no chain), each in its own
transaction, in the same database. A control writes ``AuditEvent`` rows directly, with
no head lock, head update or hashing, to separate the cost of the chain from that of the
wider, more indexed row (the control rows are deleted before verify). All three are
interleaved in rounds so that drift and load from other processes hit them alike; the
figure is the median round.

Verify: ``audit.verify()`` over the N-entry chain, beside a baseline of iterating the
same rows with ``.iterator(chunk_size=2000)`` and no hashing; the steps between them
(building the hashed fields, JSON, SHA-256) are timed separately. Finally one more
batch of each is timed statement by statement (execute wrapper, COMMIT timed) to show
where an append's time goes.

The database is a throw-away one: a temp SQLite file, or with ``--postgres`` the
database gongkai_bench on postgres://postgres@127.0.0.1:5432 (dropped and created here,
dropped again at the end).

Run: .venv/bin/python bench/audit_bench.py [--postgres]   (or bench/run)
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

import provenance

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PG_DB = "gongkai_bench"


# --- database set-up ---------------------------------------------------------------------


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


def configure(postgres: bool, tmp: Path) -> None:
    """Point gongkai's settings at a throw-away database, then set Django up."""
    os.environ["GONGKAI_VAR_DIR"] = str(tmp / "var")
    os.environ["DJANGO_SETTINGS_MODULE"] = "gongkai.settings"
    os.environ["GONGKAI_ENV"] = "local"
    os.environ["DEBUG"] = "0"  # DEBUG keeps every query in memory and would skew timings
    if postgres:
        pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        pg_admin(f"CREATE DATABASE {PG_DB}")
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_DB}"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def describe_database() -> str:
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SHOW server_version")
            version = cur.fetchone()[0]
            cur.execute("SHOW synchronous_commit")
            sync = cur.fetchone()[0]
            cur.execute("SHOW fsync")
            fsync = cur.fetchone()[0]
            return f"PostgreSQL {version} (synchronous_commit={sync}, fsync={fsync})"
        cur.execute("SELECT sqlite_version()")
        version = cur.fetchone()[0]
        cur.execute("PRAGMA journal_mode")
        journal = cur.fetchone()[0]
        cur.execute("PRAGMA synchronous")
        sync = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(cur.fetchone()[0], "?")
        return f"SQLite {version} (journal_mode={journal}, synchronous={sync}, temp file)"


# --- workloads ----------------------------------------------------------------------------


def make_writers():
    from django.db import transaction
    from django.utils import timezone

    from gongkai.core import audit
    from gongkai.core.models import AuditEvent, SignInFailure

    deadline = datetime.date(2026, 6, 12)

    def chained(i: int) -> None:
        with transaction.atomic():
            audit.record(
                actor=None,
                action="request.received",
                object_type="requests.request",
                object_id=str(i),
                object_repr=f"依申请公开 2026-{i:05d}",
                after={"status": "received", "deadline": deadline, "days": 20, "i": i},
            )

    def plain(i: int) -> None:
        with transaction.atomic():
            SignInFailure.objects.create(
                username=f"bench{i}", ip_address="127.0.0.1", at=timezone.now()
            )

    def unchained_event(i: int) -> None:
        # Same table and payload as ``chained`` but no head lock, no head update, no
        # savepoint, no hashing. seq far above the chain; written after verify is timed.
        with transaction.atomic():
            AuditEvent(
                seq=10**12 + i,
                occurred_at=timezone.now(),
                actor_label="系统/公众",
                object_type="requests.request",
                object_id=str(i),
                object_repr=f"依申请公开 2026-{i:05d}",
                action="request.received",
                after={"status": "received", "deadline": deadline.isoformat(), "days": 20, "i": i},
                prev_hash="0" * 64,
                hash="f" * 64,
            ).save()

    return chained, plain, unchained_event


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    gc.collect()
    gc.disable()
    try:
        t0 = time.perf_counter()
        result = fn()
        return time.perf_counter() - t0, result
    finally:
        gc.enable()


def run_rounds(writers: dict[str, tuple[Callable[[int], None], int]], rounds: int):
    """Interleave the writers over ``rounds`` rounds; writer ``name: (write, count)`` makes
    count/rounds calls per round. The order within a round rotates. Returns
    {name: [calls per second, one per round]}."""
    names = list(writers)
    rates: dict[str, list[float]] = {name: [] for name in names}
    done = dict.fromkeys(names, 0)
    for r in range(rounds):
        for name in names[r % len(names):] + names[: r % len(names)]:
            write, count = writers[name]
            start, per_round = done[name], count // rounds

            def batch(write=write, start=start, stop=start + per_round) -> None:
                for i in range(start, stop):
                    write(i)

            elapsed, _ = timed(batch)
            rates[name].append(per_round / elapsed)
            done[name] += per_round
    return rates


def statements_of(fn: Callable[[], None]) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return [q["sql"] for q in ctx.captured_queries]


def time_by_statement(write: Callable[[int], None], first: int, count: int) -> dict[str, float]:
    """Run write(first..first+count-1), timing every statement by its leading keyword and
    every COMMIT; returns µs per call for each, plus "total" and "rest" (Python: the ORM,
    JSON, hashing; and BEGIN, which does not pass through the execute wrapper)."""
    from django.db import connection

    totals: dict[str, float] = defaultdict(float)

    def wrapper(execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            totals[sql.split(None, 1)[0].upper()] += time.perf_counter() - t0

    commit = connection._commit

    def timed_commit():
        t0 = time.perf_counter()
        try:
            return commit()
        finally:
            totals["COMMIT"] += time.perf_counter() - t0

    connection._commit = timed_commit
    try:
        with connection.execute_wrapper(wrapper):

            def batch() -> None:
                for i in range(first, first + count):
                    write(i)

            elapsed, _ = timed(batch)
    finally:
        del connection._commit
    result = {k: v / count * 1e6 for k, v in totals.items()}
    result["total"] = elapsed / count * 1e6
    result["rest"] = result["total"] - sum(totals.values()) / count * 1e6
    return result


def short_sql(sql: str) -> str:
    sql = " ".join(sql.split())
    return sql if len(sql) <= 90 else sql[:87] + "..."


# --- main ----------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    if not __debug__:
        sys.exit("the benchmark's correctness checks are asserts: run it without -O")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", action="store_true", help=f"use {PG_SERVER}/{PG_DB}")
    parser.add_argument("-n", type=int, default=5_000, help="entries to append (default 5000)")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument(
        "--control-n", type=int, default=2_000,
        help="control rows: AuditEvent written without the chain (default 2000)",
    )
    parser.add_argument("--repeats", type=int, default=5, help="repeats of each verify pass")
    args = parser.parse_args(argv)
    provenance.announce()
    if args.n % args.rounds or args.control_n % args.rounds:
        parser.error("-n and --control-n must be multiples of --rounds")

    if args.postgres:
        import psycopg

        try:
            pg_admin("SELECT 1")
        except psycopg.OperationalError as exc:
            print(f"audit_bench: cannot reach PostgreSQL at {PG_SERVER}: {exc}", file=sys.stderr)
            return 1

    with tempfile.TemporaryDirectory(prefix="gongkai-bench-") as tmpdir:
        try:
            t0 = time.perf_counter()
            configure(args.postgres, Path(tmpdir))
            migrate_s = time.perf_counter() - t0
            return bench(args, migrate_s)
        finally:
            if "django" in sys.modules:
                from django.db import connections

                connections.close_all()
            if args.postgres:
                pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def bench(args: argparse.Namespace, migrate_s: float) -> int:
    from django.db import connection

    from gongkai.core import audit
    from gongkai.core.models import AuditEvent, SignInFailure

    n, rounds, repeats = args.n, args.rounds, args.repeats
    print(f"audit_bench: gongkai.core.audit, {describe_database()}")
    load = os.getloadavg()[0]
    print(
        f"  set-up and migrate: {migrate_s:.1f} s; {os.cpu_count()} CPUs, "
        f"1-min load average at start {load:.2f}"
        + ("  (busy machine: expect noisy figures)" if load > 0.5 else "")
    )

    # --- appends ---------------------------------------------------------------------
    chained, plain, unchained_event = make_writers()
    control_n = args.control_n
    rates = run_rounds(
        {
            "plain": (plain, n),
            "chained": (chained, n),
            "event": (unchained_event, control_n),
        },
        rounds,
    )
    assert AuditEvent.objects.filter(seq__lte=n).count() == n
    assert SignInFailure.objects.count() == n
    # The control rows are not part of the chain: remove them (bypassing the append-only
    # guard, this is a throw-away database) so that verify() sees exactly the n entries.
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":  # the append-only trigger refuses DELETE
            cur.execute("ALTER TABLE core_auditevent DISABLE TRIGGER gongkai_audit_append_only")
        cur.execute("DELETE FROM core_auditevent WHERE seq > %s", [n])
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE core_auditevent ENABLE ALWAYS TRIGGER gongkai_audit_append_only")
            cur.execute("VACUUM ANALYZE core_auditevent")
    assert AuditEvent.objects.count() == n

    plain_rate, chained_rate, event_rate = (
        statistics.median(rates[k]) for k in ("plain", "chained", "event")
    )
    print()
    print(
        f"append: each row in its own transaction.atomic(); {n:,} chained entries and {n:,} "
        f"baseline rows (+{control_n:,} control rows) interleaved in {rounds} rounds; "
        "median round"
    )
    for label, rate, note in (
        ("baseline: SignInFailure.objects.create", plain_rate, "(baseline)"),
        ("audit.record (hash chain)", chained_rate, f"{plain_rate / chained_rate:.2f}x slower"),
        (
            "control: AuditEvent row, no head/lock/hash",
            event_rate,
            f"{plain_rate / event_rate:.2f}x slower",
        ),
    ):
        print(f"  {label:<46} {rate:8,.0f} /s {1e6 / rate:8.0f} µs each  {note}")
    print("  appends/s per round: " + "; ".join(
        f"{name} " + " ".join(f"{r:,.0f}" for r in rates[name]) for name in rates
    ))
    extra_us = 1e6 / chained_rate - 1e6 / plain_rate
    row_us = 1e6 / event_rate - 1e6 / plain_rate
    print(
        f"  record() costs {extra_us:.0f} µs more than the baseline: ~{row_us:.0f} µs for the "
        f"wider, more indexed AuditEvent row, ~{extra_us - row_us:.0f} µs for the chain"
    )

    # --- verify ----------------------------------------------------------------------------
    def iterate() -> int:
        count = 0
        for _ in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
            count += 1
        return count

    def iterate_fields() -> int:
        count = 0
        for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
            audit.hashed_fields(event)
            count += 1
        return count

    def iterate_hash() -> int:
        count = 0
        for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
            audit.entry_hash(audit.hashed_fields(event))
            count += 1
        return count

    def median_rate(fn: Callable[[], object], check: Callable[[object], bool]) -> float:
        samples = []
        for _ in range(repeats):
            elapsed, result = timed(fn)
            assert check(result), result
            samples.append(elapsed)
        return n / statistics.median(samples)

    def all_rows(count: object) -> bool:
        return count == n

    def chain_ok(result: object) -> bool:
        return result.ok and result.checked == n

    iter_rate = median_rate(iterate, all_rows)
    fields_rate = median_rate(iterate_fields, all_rows)
    hash_rate = median_rate(iterate_hash, all_rows)
    verify_rate = median_rate(audit.verify, chain_ok)

    # The hashing alone, on entries already in memory.
    events = list(AuditEvent.objects.order_by("seq"))
    fields = [audit.hashed_fields(e) for e in events]

    def hash_only() -> int:
        for f in fields:
            audit.entry_hash(f)
        return len(fields)

    mem_hash_rate = median_rate(hash_only, all_rows)

    print()
    print(f"verify: {n:,}-entry chain, median of {repeats}")
    rows = [
        ("baseline: .iterator(chunk_size=2000), no hashing", iter_rate),
        ("  + hashed_fields(event)", fields_rate),
        ("  + entry_hash(...) (json.dumps + sha256)", hash_rate),
        ("audit.verify()", verify_rate),
    ]
    for label, r in rows:
        ratio = "(baseline)" if r is iter_rate else f"{iter_rate / r:.2f}x the baseline's time"
        print(f"  {label:<52} {r:10,.0f} entries/s {1e6 / r:7.1f} µs each  {ratio}")
    print(
        f"  {'entry_hash alone, fields in memory':<52} {mem_hash_rate:10,.0f} entries/s "
        f"{1e6 / mem_hash_rate:7.1f} µs each"
    )

    # --- what one append sends to the database, and where its time goes -----------------
    # These append beyond n; the verify figures above are already taken.
    print()
    for label, fn in (("audit.record", lambda: chained(n)), ("baseline", lambda: plain(n))):
        statements = statements_of(fn)
        print(f"  {label}: {len(statements)} statements per append")
        for sql in statements:
            print(f"    {short_sql(sql)}")
    probe = max(n // 10, 100)
    split = {
        "audit.record": time_by_statement(chained, n + 1, probe),
        "baseline": time_by_statement(plain, n + 1, probe),
    }
    columns = ["SAVEPOINT", "SELECT", "INSERT", "UPDATE", "RELEASE", "COMMIT", "rest", "total"]
    print()
    print(f"where an append's time goes ({probe:,} more of each, µs per append, wall clock):")
    print(f"  {'':<14}" + "".join(f"{c:>10}" for c in columns))
    for label, us in split.items():
        print(f"  {label:<14}" + "".join(
            f"{us[c]:10.0f}" if c in us else f"{'-':>10}" for c in columns
        ))
    print(
        "  rest = Python (ORM query building, model instances, JSON, SHA-256) and BEGIN; "
        f"entry_hash alone is ~{1e6 / mem_hash_rate:.0f} µs"
    )
    print(f"  ({connection.vendor}: done)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
