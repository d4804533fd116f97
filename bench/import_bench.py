"""Benchmark: importing an old system's published items (gongkai.publishing.importer)
against plain bulk inserts of the same rows.

Workload: N synthetic items (default 100,000) written as a UTF-8 CSV with the Chinese
header, drawn with a fixed seed (uniformly) from the repository's word list
(``bench/data/vocabulary.txt``, read by ``bench/corpus.py``) in clauses of 2-4 words:
titles, 2-4 paragraph HTML bodies, document numbers, dates 2005-2025 in the three accepted forms, a
topic by code or name, one or two column paths of the default catalogue; 80 % carry a
legacy index number (with gaps, as old series have), 20 % get one generated.

Measured in the same run, each on a fresh copy of the same migrated database (an agency,
its default catalogue, a platform administrator):

- baseline "raw": read the CSV and ``executemany`` one INSERT per row into the
  publications table, in one transaction — the floor for moving these bytes into the
  table: no validation, no revision, event, columns, audit or series;
- "ORM": the same rows as ``Publication`` objects through ``bulk_create`` (batches of
  2,000), no validation, one transaction — what the ORM itself costs;
- the importer: a dry run (the validation pass alone), the default single-transaction
  import, and ``batch_commit`` (validation, then one commit per batch).

Every import is checked (items, revisions, events, column links, the series, one audit
entry) before its figures are printed. With fewer than 1,000,000 items the figures are
extrapolated linearly to a million and marked as such. Peak memory is the process's
high-water mark (VmHWM, reset before each phase); on SQLite the WAL file's size after
each phase shows how much one transaction wrote.

Run: .venv/bin/python bench/import_bench.py [--items 1000000] [--postgres]   (or bench/run)
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import gc
import os
import random
import re
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

import corpus
import provenance

SEED = 20190515  # the 2019 Regulations took effect on 15 May 2019
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PG_DB = "gongkai_import_bench"
PG_TEMPLATE = "gongkai_import_bench_template"
AGENCY_CODE = "331122000000"  # a numeric catalogue code, like seed 003's index numbers
HEADER = [
    "索引号",
    "标题",
    "发布机构",
    "文号",
    "成文日期",
    "发布日期",
    "主题分类",
    "栏目",
    "公开属性",
    "有效性",
    "正文",
    "关键词",
]
MILLION = 1_000_000
PHASES = ("raw", "orm", "dry", "atomic", "batch")


# --- the synthetic export -------------------------------------------------------------------


def generate(path: Path, n: int, column_paths: list[str], topics: list[tuple[str, str]]) -> dict:
    """Write n rows; return what the import must produce (per-year series, column links)."""
    rnd = random.Random(SEED)
    words = corpus.Words(rnd, exponent=0)  # uniform: an import's size, not its search
    first, span = datetime.date(2005, 1, 1).toordinal(), 365 * 21
    next_seq: dict[int, int] = defaultdict(int)
    legacy_max: dict[int, int] = defaultdict(int)
    generated: dict[int, int] = defaultdict(int)
    links = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for _ in range(n):
            written = datetime.date.fromordinal(first + rnd.randrange(span))
            published = written + datetime.timedelta(days=rnd.randrange(0, 15))
            year = published.year
            if rnd.random() < 0.8:
                next_seq[year] += rnd.choice((1, 1, 1, 2, 5))  # old series have gaps
                legacy_max[year] = next_seq[year]
                index_number = f"{AGENCY_CODE}/{year}-{next_seq[year]:05d}"
            else:
                index_number = ""
                generated[year] += 1
            form = rnd.random()
            date_text = (
                (lambda d: d.isoformat())
                if form < 0.7
                else (lambda d: f"{d.year}/{d.month:02d}/{d.day:02d}")
                if form < 0.85
                else (lambda d: f"{d.year}年{d.month}月{d.day}日")
            )
            cols = rnd.sample(column_paths, rnd.choice((1, 1, 2)))
            links += len(cols)
            code, name = rnd.choice(topics)
            body = "".join(
                "<p>" + "，".join(words.clauses(rnd, rnd.randint(3, 7))) + "。</p>"
                for _ in range(rnd.randint(2, 4))
            )
            writer.writerow(
                [
                    index_number,
                    "关于"
                    + words.clause(rnd)
                    + "的"
                    + rnd.choice(("通知", "通告", "公告", "报告", "意见")),
                    "",
                    f"县市监{rnd.choice(('发', '函', '通'))}〔{written.year}〕{rnd.randint(1, 300)}号",
                    date_text(written),
                    date_text(published),
                    code if rnd.random() < 0.5 else name,
                    ";".join(cols),
                    "主动公开",
                    rnd.choice(("有效", "有效", "有效", "失效", "废止")),
                    body,
                    "；".join(words.clauses(rnd, 2))[:200],
                ]
            )
    years = set(legacy_max) | set(generated)
    return {
        "series": {y: legacy_max.get(y, 0) + generated.get(y, 0) for y in years},
        "links": links,
        "generated": sum(generated.values()),
    }


# --- database -------------------------------------------------------------------------------


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


class Database:
    """A migrated database with the agency, its catalogue and an administrator, restored
    from a template before every phase so each starts from the same state."""

    def __init__(self, postgres: bool, tmp: Path):
        self.postgres, self.tmp = postgres, tmp
        self.path = tmp / "bench.sqlite3"
        self.template = tmp / "template.sqlite3"
        os.environ["GONGKAI_VAR_DIR"] = str(tmp / "var")
        os.environ["DJANGO_SETTINGS_MODULE"] = "gongkai.settings"
        os.environ["GONGKAI_ENV"] = "local"
        os.environ["DEBUG"] = "0"  # DEBUG keeps every query in memory
        if postgres:
            for db in (PG_DB, PG_TEMPLATE):
                pg_admin(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
            pg_admin(f"CREATE DATABASE {PG_DB}")
            os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_DB}"
        else:
            os.environ["DATABASE_URL"] = f"sqlite:///{self.path}"

        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        self._populate()
        self._close()
        if postgres:
            pg_admin(f"CREATE DATABASE {PG_TEMPLATE} TEMPLATE {PG_DB}")
        else:
            shutil.copyfile(self.path, self.template)

    def _populate(self) -> None:
        from gongkai.core.models import User
        from gongkai.core.services.agencies import agency_create
        from gongkai.publishing.services.catalogue import catalogue_install_default

        admin = User.objects.create_user(username="bench-admin", is_superuser=True, is_staff=True)
        agency = agency_create(
            actor=admin, name="缙云县市场监督管理局", level="county", code=AGENCY_CODE
        )
        catalogue_install_default(actor=admin, agency=agency)

    def _close(self) -> None:
        from django.db import connections

        connections.close_all()

    def restore(self) -> None:
        self._close()
        if self.postgres:
            pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            pg_admin(f"CREATE DATABASE {PG_DB} TEMPLATE {PG_TEMPLATE}")
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(self.template, self.path)

    def wal_bytes(self) -> int | None:
        if self.postgres:
            return None
        wal = Path(f"{self.path}-wal")
        return wal.stat().st_size if wal.exists() else 0

    def size_bytes(self) -> int:
        from django.db import connection

        with connection.cursor() as cur:
            if self.postgres:
                cur.execute("SELECT pg_database_size(current_database())")
                return cur.fetchone()[0]
        return self.path.stat().st_size

    def drop(self) -> None:
        self._close()
        if self.postgres:
            for db in (PG_DB, PG_TEMPLATE):
                pg_admin(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")

    def describe(self) -> str:
        from django.db import connection

        with connection.cursor() as cur:
            if self.postgres:
                cur.execute("SHOW server_version")
                version = cur.fetchone()[0]
                cur.execute("SHOW synchronous_commit")
                sync = cur.fetchone()[0]
                return f"PostgreSQL {version} (synchronous_commit={sync})"
            cur.execute("SELECT sqlite_version()")
            version = cur.fetchone()[0]
            cur.execute("PRAGMA journal_mode")
            journal = cur.fetchone()[0]
            return f"SQLite {version} (journal_mode={journal}, synchronous=NORMAL, temp file)"


# --- measuring ------------------------------------------------------------------------------


def reset_peak_rss() -> int:
    """Reset the process's RSS high-water mark (Linux); return the current RSS in bytes."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    return rss("VmRSS")


def rss(field: str) -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class Phase:
    def __init__(
        self,
        label: str,
        seconds: float,
        cpu: float,
        rss_before: int,
        peak: int,
        wal: int | None,
        note: str = "",
    ):
        self.label, self.seconds, self.cpu = label, seconds, cpu
        self.rss_before, self.peak, self.wal, self.note = rss_before, peak, wal, note


def measure(db: Database, label: str, fn: Callable[[], str | None]) -> Phase:
    db.restore()
    gc.collect()
    before = reset_peak_rss()
    t0, c0 = time.perf_counter(), time.process_time()
    note = fn()
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = rss("VmHWM")
    phase = Phase(label, elapsed, cpu, before, peak, db.wal_bytes(), note or "")
    print(f"  … {label}: {elapsed:.1f} s ({cpu:.1f} s CPU)", flush=True)
    return phase


def read_rows(path: Path):
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        yield from reader


_DATE = re.compile(r"(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})日?")


def to_date(text: str) -> datetime.date:
    y, m, d = _DATE.fullmatch(text).groups()
    return datetime.date(int(y), int(m), int(d))


def baseline_raw(path: Path, batch: int) -> str:
    """executemany into the publications table, one transaction, no validation."""
    from django.db import connection, transaction
    from django.utils import timezone

    from gongkai.core.models import Agency, User
    from gongkai.publishing.models import Topic

    agency = Agency.objects.get(code=AGENCY_CODE)
    actor = User.objects.get(username="bench-admin")
    topics = {
        **dict(Topic.objects.values_list("code", "pk")),
        **dict(Topic.objects.values_list("name", "pk")),
    }
    columns = (
        "agency_id",
        "index_number",
        "status",
        "title",
        "issuing_agency",
        "doc_number",
        "written_on",
        "published_on",
        "topic_id",
        "disclosure_attribute",
        "non_disclosure_reason",
        "validity",
        "body",
        "keywords",
        "created_by_id",
        "created_at",
        "updated_at",
        "withdrawal_reason",
    )
    sql = (  # column names from the constant above, values as parameters
        f"INSERT INTO publishing_publication ({', '.join(columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    now = timezone.now()
    filler = 0
    with transaction.atomic(), connection.cursor() as cur:
        params = []
        for row in read_rows(path):
            index_number = row[0]
            if not index_number:
                filler += 1
                index_number = f"{AGENCY_CODE}/2099-{filler}"
            params.append(
                (
                    agency.pk,
                    index_number,
                    "published",
                    row[1],
                    row[2] or agency.name,
                    row[3],
                    to_date(row[4]),
                    to_date(row[5]),
                    topics[row[6]],
                    "proactive",
                    "",
                    "valid",
                    row[10],
                    row[11],
                    actor.pk,
                    now,
                    now,
                    "",
                )
            )
            if len(params) >= batch:
                cur.executemany(sql, params)
                params = []
        if params:
            cur.executemany(sql, params)
    return None


def baseline_orm(path: Path, batch: int) -> str:
    """Publication objects through bulk_create, one transaction, no validation."""
    from django.db import transaction

    from gongkai.core.models import Agency, User
    from gongkai.publishing.models import Publication, Topic

    agency = Agency.objects.get(code=AGENCY_CODE)
    actor = User.objects.get(username="bench-admin")
    topics = {
        **dict(Topic.objects.values_list("code", "pk")),
        **dict(Topic.objects.values_list("name", "pk")),
    }
    filler = 0
    with transaction.atomic():
        objs = []
        for row in read_rows(path):
            index_number = row[0]
            if not index_number:
                filler += 1
                index_number = f"{AGENCY_CODE}/2099-{filler}"
            objs.append(
                Publication(
                    agency_id=agency.pk,
                    index_number=index_number,
                    status="published",
                    title=row[1],
                    issuing_agency=row[2] or agency.name,
                    doc_number=row[3],
                    written_on=to_date(row[4]),
                    published_on=to_date(row[5]),
                    topic_id=topics[row[6]],
                    disclosure_attribute="proactive",
                    validity="valid",
                    body=row[10],
                    keywords=row[11],
                    created_by_id=actor.pk,
                )
            )
            if len(objs) >= batch:
                Publication.objects.bulk_create(objs)
                objs = []
        if objs:
            Publication.objects.bulk_create(objs)
    return None


class StatementTimer:
    """Wall-clock time in the database per kind of statement, through execute_wrapper."""

    def __init__(self):
        self.totals: dict[str, float] = defaultdict(float)

    def __call__(self, execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            words = sql.split(None, 3)
            verb = words[0].upper()
            if verb == "INSERT":
                kind = "INSERT " + words[2].strip('"').removeprefix("publishing_")
            elif verb == "UPDATE":
                kind = "UPDATE " + words[1].strip('"').removeprefix("publishing_")
            else:
                kind = verb
            self.totals[kind] += time.perf_counter() - t0


def run_import(
    path: Path,
    n: int,
    expected: dict,
    *,
    dry_run: bool,
    batch_commit: bool,
    batch: int,
    timer: StatementTimer | None = None,
) -> str:
    from django.db import connection

    from gongkai.core.models import Agency, AuditEvent, SequenceCounter, User
    from gongkai.publishing import importer
    from gongkai.publishing.models import Publication, PublicationEvent, PublicationRevision

    agency = Agency.objects.get(code=AGENCY_CODE)
    actor = User.objects.get(username="bench-admin")
    audit_before = AuditEvent.objects.count()
    wrapper = connection.execute_wrapper(timer) if timer else contextlib.nullcontext()
    if timer:  # COMMIT does not pass through the wrapper
        commit = connection._commit

        def timed_commit():
            t0 = time.perf_counter()
            try:
                return commit()
            finally:
                timer.totals["COMMIT"] += time.perf_counter() - t0

        connection._commit = timed_commit
    try:
        with path.open("rb") as source, wrapper:
            report = importer.import_publications(
                actor=actor,
                agency=agency,
                source=source,
                fmt="csv",
                dry_run=dry_run,
                batch_commit=batch_commit,
                batch_size=batch,
            )
    finally:
        if timer:
            del connection._commit
    assert report.ok, report.errors[:5]
    assert report.rows == report.valid_rows == n
    assert report.generated_numbers == expected["generated"]
    if dry_run:
        assert not Publication.objects.exists()
        assert {y: after for y, (_, after) in report.series.items()} == expected["series"]
        return f"validated {report.rows:,} rows"
    assert report.imported == n
    assert (
        Publication.objects.filter(published_revision__isnull=False, status="published").count()
        == n
    )
    assert PublicationRevision.objects.count() == n
    assert PublicationEvent.objects.filter(action="import").count() == n
    assert Publication.columns.through.objects.count() == expected["links"]
    counters = dict(
        SequenceCounter.objects.filter(scope=f"publishing.index.{agency.pk}").values_list(
            "year", "value"
        )
    )
    assert counters == expected["series"], (counters, expected["series"])
    assert AuditEvent.objects.count() == audit_before + 1
    return f"validate {report.validate_seconds:.1f} s + write {report.write_seconds:.1f} s"


# --- main -------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    if not __debug__:
        sys.exit("the benchmark's correctness checks are asserts: run it without -O")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--items", type=int, default=100_000, help="items to import (default 100000)"
    )
    parser.add_argument("--postgres", action="store_true", help=f"use {PG_SERVER}/{PG_DB}")
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument(
        "--phases",
        type=lambda text: text.split(","),
        default=list(PHASES),
        help=f"comma-separated subset of {','.join(PHASES)} (default: all; raw is the baseline)",
    )
    args = parser.parse_args(argv)
    provenance.announce()
    if args.items < 1:
        parser.error("--items must be at least 1")
    unknown = set(args.phases) - set(PHASES)
    if unknown or not args.phases:
        parser.error(f"--phases: choose from {','.join(PHASES)}")
    if args.postgres:
        import psycopg

        try:
            pg_admin("SELECT 1")
        except psycopg.OperationalError as exc:
            print(f"import_bench: cannot reach PostgreSQL at {PG_SERVER}: {exc}", file=sys.stderr)
            return 1

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="gongkai-import-bench-") as tmpdir:
        db = None
        try:
            t0 = time.perf_counter()
            db = Database(args.postgres, Path(tmpdir))
            setup_s = time.perf_counter() - t0
            return bench(args, db, Path(tmpdir), setup_s, started)
        finally:
            if db is not None:
                db.drop()


def bench(args: argparse.Namespace, db: Database, tmp: Path, setup_s: float, started: float) -> int:
    from gongkai.publishing.models import Column, Topic

    n, batch = args.items, args.batch_size
    columns = {c.pk: c for c in Column.objects.filter(agency__code=AGENCY_CODE)}
    paths = []
    for c in columns.values():
        if c.parent_id:
            paths.append(f"{columns[c.parent_id].name}/{c.name}")
        elif not any(child.parent_id == c.pk for child in columns.values()):
            paths.append(c.name)
    topics = list(Topic.objects.values_list("code", "name"))

    csv_path = tmp / "legacy.csv"
    t0 = time.perf_counter()
    expected = generate(csv_path, n, sorted(paths), topics)
    gen_s = time.perf_counter() - t0
    size = csv_path.stat().st_size

    load = os.getloadavg()[0]
    print(f"import_bench: gongkai.publishing.importer, {db.describe()}")
    print(
        f"  {n:,} items, CSV {size / 1e6:,.1f} MB ({size / n:,.0f} bytes/row, "
        f"{len(paths)} column paths, {expected['generated']:,} without an index number); "
        f"generated in {gen_s:.1f} s, set-up and migrate {setup_s:.1f} s; batch {batch:,}"
    )
    print(
        f"  {os.cpu_count()} CPUs, 1-min load average at start {load:.2f}"
        + ("  (busy machine: expect noisy figures)" if load > 0.5 else "")
    )

    timer = StatementTimer()
    runs = {
        "raw": (
            "baseline: raw executemany, publications only",
            lambda: baseline_raw(csv_path, batch),
        ),
        "orm": (
            "ORM bulk_create, publications only, no validation",
            lambda: baseline_orm(csv_path, batch),
        ),
        "dry": (
            "import, dry run (validation pass only)",
            lambda: run_import(
                csv_path, n, expected, dry_run=True, batch_commit=False, batch=batch
            ),
        ),
        "atomic": (
            "import, one transaction (default)",
            lambda: run_import(
                csv_path, n, expected, dry_run=False, batch_commit=False, batch=batch, timer=timer
            ),
        ),
        "batch": (
            "import, --batch-commit",
            lambda: run_import(
                csv_path, n, expected, dry_run=False, batch_commit=True, batch=batch
            ),
        ),
    }
    phases: dict[str, Phase] = {}
    db_size = None
    for key in args.phases:
        label, fn = runs[key]
        phases[key] = measure(db, label, fn)
        if key == "atomic":
            db_size = db.size_bytes()

    base = phases.get("raw")
    print()
    scale = MILLION / n
    print(
        f"{n:,} items; wall clock and this process's CPU time (on PostgreSQL the server's CPU "
        "is not in it); ratios to the baseline's; "
        + (f"'1M' extrapolated linearly from {n:,} items" if n != MILLION else "'1M' measured")
        + "; peak RSS = the process's high-water mark during the phase"
        + ("" if db.postgres else "; WAL = size of the -wal file after the phase")
    )
    print(
        f"  {'':<52}{'wall s':>8}{'items/s':>9}{'ratio':>7}{'CPU s':>8}{'ratio':>7}"
        f"{'1M min':>8}{'peak RSS':>10}" + ("" if db.postgres else f"{'WAL':>9}")
    )
    for p in phases.values():
        wall_ratio = "base" if p is base else f"{p.seconds / base.seconds:.1f}x" if base else "-"
        cpu_ratio = "base" if p is base else f"{p.cpu / base.cpu:.1f}x" if base else "-"
        print(
            f"  {p.label:<52}{p.seconds:8.1f}{n / p.seconds:9,.0f}{wall_ratio:>7}{p.cpu:8.1f}"
            f"{cpu_ratio:>7}{p.seconds * scale / 60:8.1f}{p.peak / 2**20:8.0f}MB"
            + ("" if db.postgres else f"{(p.wal or 0) / 2**20:7.0f}MB")
            + (f"  ({p.note})" if p.note else "")
        )
    first = next(iter(phases.values()))
    print(
        f"  process RSS before the phases ~{first.rss_before / 2**20:.0f} MB"
        + (
            f"; database after one import {db_size / 2**20:,.0f} MB ({db_size / n:,.0f} bytes/item)"
            if db_size
            else ""
        )
    )

    if "atomic" in phases:
        total_db, wall = sum(timer.totals.values()), phases["atomic"].seconds
        print()
        print(
            "where the single-transaction import's time goes (wall clock, database statements "
            "through execute_wrapper, COMMIT timed):"
        )
        for kind, seconds in sorted(timer.totals.items(), key=lambda kv: -kv[1]):
            if seconds >= 0.005 * wall:
                print(f"  {kind:<44}{seconds:8.1f} s {seconds / wall:6.0%}")
        print(f"  {'all statements':<44}{total_db:8.1f} s {total_db / wall:6.0%}")
        print(
            f"  {'rest: Python (reading, validation, sanitising, ORM)':<44}"
            f"{wall - total_db:8.1f} s {(wall - total_db) / wall:6.0%}"
        )
    vendor = "postgresql" if db.postgres else "sqlite"
    print(f"  ({vendor}: done in {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
