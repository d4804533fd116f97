"""Benchmark: the weekly hot-spot analysis (gongkai.hotspots.analysis) over a year of a
million 12315 complaints, on PostgreSQL, against the issue's bound of 2 s; beside it, in
the same run, the monthly analysis and the naive baseline (the same weekly figures
computed from the raw complaint rows: SQL counts over the week, and every summary of
the week and the eight weeks before it segmented again).

Workload: N synthetic complaints (default 1,000,000) of one agency, dated uniformly over
the 365 days up to today, drawn with a fixed seed: the demo's templates
(``gongkai.hotspots.demo``: categories 食品, 预付卡, 电动自行车, 网购, 医疗美容, 装修,
二手车, 价格, 家电 with their subjects, departments and phrasing, the city's districts,
kinds 投诉/举报/咨询, a 3 % share of summaries with a mobile number) followed by 0-3
clauses of the repository's word list (``bench/data/vocabulary.txt`` through
``bench/corpus.py``, Zipf-distributed), so the terms have a long tail as real text does;
the last two weeks carry the demo's emerging topic. Each row goes through the import's
row check (``importer.check_row``: dates, lengths, masking, the de-duplication key) and
the import's bulk path (``importer.store``: existing keys, ``bulk_create`` in batches of
2,000, the aggregates built from one segmentation of each summary, upserted), 50,000 rows
a transaction.

Timed after one warm-up run, ``--runs`` times each (median, min, max): the weekly
analysis of the last complete week (``analyse(sources="all")``, what the page and the
brief call: it also asks the message board, whose table is empty here), the monthly
analysis of the last complete month, and the naive baseline for the same week.

Run: .venv/bin/python bench/hotspots_bench.py [--rows 1000000] [--runs 5] [--keep]
     (a temporary database gongkai_hotspots_bench on postgres://postgres@127.0.0.1:5432,
     dropped at the end unless --keep)
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import corpus
import provenance

SEED = 12315
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PG_DB = "gongkai_hotspots_bench"
BOUND_SECONDS = 2.0
CHUNK = 50_000
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


def timed(fn, runs: int) -> tuple[float, float, float, object]:
    result = fn()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times), max(times), result


def progress(text: str) -> None:
    if sys.stdout.isatty():
        print(f"\r{text:<70}", end="", flush=True)


class Bench:
    def __init__(self, args):
        self.args = args
        os.environ["DJANGO_SETTINGS_MODULE"] = "gongkai.settings"
        os.environ["GONGKAI_ENV"] = "local"
        os.environ["DEBUG"] = "0"
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_DB}"
        pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        pg_admin(f"CREATE DATABASE {PG_DB}")
        import django

        django.setup()

    def populate(self) -> None:
        from django.core.management import call_command
        from django.db import connection, transaction

        from gongkai.core import clock
        from gongkai.core.models import Agency, User
        from gongkai.hotspots import demo, importer
        from gongkai.hotspots.models import ComplaintImport

        call_command("migrate", verbosity=0)
        self.user = User.objects.create_user(username="bench-office")
        self.agency = Agency.objects.create(name="示例市市场监督管理局", level="city",
                                            code="331100000001", path="tmp")
        self.agency.path = str(self.agency.pk).zfill(Agency.PATH_STEP) + "."
        self.agency.save(update_fields=["path"])
        today = clock.today()
        self.today = today
        rnd = random.Random(SEED)
        words = corpus.Words(rnd, exponent=1.1, offset=20)
        categories = list(demo.CATEGORIES.items())
        weights = [spec[0] for _, spec in categories]
        batch = ComplaintImport.objects.create(
            agency=self.agency, file_name="bench.csv", file_sha256="0" * 64, file_format="CSV",
            imported_by=self.user, imported_at=clock.now())
        started = time.perf_counter()
        n, stored = self.args.rows, 0
        mapping = {name: i for i, name in enumerate(
            ["source_id", "received_on", "kind", "category", "subject", "region", "department",
             "summary"])}
        for first in range(0, n, CHUNK):
            checked = importer.Checked()
            rows = []
            for i in range(first, min(first + CHUNK, n)):
                day = today - datetime.timedelta(days=rnd.randrange(365))
                if (today - day).days < 14 and rnd.random() < 0.08:
                    category, spec = "预付卡", demo.CATEGORIES["预付卡"]
                    summary = demo._fill(rnd, rnd.choice(demo.EMERGING))
                else:
                    category, spec = rnd.choices(categories, weights=weights)[0]
                    summary = demo._fill(rnd, rnd.choice(spec[3]))
                summary += "，".join(words.clauses(rnd, rnd.randint(0, 3)))
                if rnd.random() < 0.03:
                    summary += f"，联系电话1{rnd.choice('3578')}{rnd.randint(0, 999999999):09d}"
                cells = [f"B{i:09d}", day.isoformat(), demo._pick(rnd, demo.KINDS), category,
                         rnd.choice(spec[1]), demo._pick(rnd, demo.REGIONS), spec[2], summary]
                row = importer.check_row(i + 2, cells, mapping, today=today, checked=checked)
                rows.append(row)
            with transaction.atomic():
                stored += importer.store(agency_id=self.agency.pk, batch_id=batch.pk, rows=rows)
            progress(f"complaints {stored:,}/{n:,}")
        progress("")
        ComplaintImport.objects.filter(pk=batch.pk).update(rows=n, imported=stored)
        self.load_seconds = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("SELECT count(*) FROM hotspots_termcount")
            terms = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM hotspots_dimensioncount")
            dimensions = cursor.fetchone()[0]
        print(f"load: {stored:,} complaints in {self.load_seconds:.0f} s "
              f"({stored / self.load_seconds:,.0f} rows/s, check + store + aggregates); "
              f"aggregate rows: {terms:,} term counts, {dimensions:,} dimension counts")

    def naive_week(self, period):
        """The weekly figures from the raw rows: counts by dimension over the week, and
        the terms of the week and the eight weeks before it segmented again."""
        from django.db.models import Count

        from gongkai.hotspots import text
        from gongkai.hotspots.columns import DIMENSIONS
        from gongkai.hotspots.models import Complaint

        rows = Complaint.objects.filter(agency=self.agency, week=period.start)
        counts = {d: list(rows.values(d).annotate(n=Count("id"))) for d in DIMENSIONS}
        weeks: dict = {}
        for back in range(0, 9):
            start = period.back(back).start
            terms: Counter = Counter()
            for summary in Complaint.objects.filter(agency=self.agency, week=start).values_list(
                    "summary", flat=True).iterator(chunk_size=5000):
                words, phrases = text.terms_and_phrases(summary)
                terms.update(words)
            weeks[start] = terms
        return counts, weeks

    def measure(self) -> None:
        from gongkai.hotspots.analysis import analyse
        from gongkai.hotspots.periods import MONTH, WEEK, Period, last_complete

        week = Period(WEEK, last_complete(WEEK, self.today))
        month = Period(MONTH, last_complete(MONTH, self.today))
        runs = self.args.runs
        weekly = timed(lambda: analyse(agencies=[self.agency], period=week, sources="all"), runs)
        monthly = timed(lambda: analyse(agencies=[self.agency], period=month, sources="all"), runs)
        naive = timed(lambda: self.naive_week(week), max(1, min(runs, 3)))
        result = weekly[3]
        verdict = "within" if weekly[0] <= BOUND_SECONDS else "OVER"
        print(f"weekly analysis ({week.label}, {result.total:,} complaints that week): "
              f"median {weekly[0]:.3f} s (min {weekly[1]:.3f}, max {weekly[2]:.3f}, {runs} runs) — "
              f"{verdict} the {BOUND_SECONDS:g} s bound")
        print(f"monthly analysis ({month.label}, {monthly[3].total:,} complaints): "
              f"median {monthly[0]:.3f} s (min {monthly[1]:.3f}, max {monthly[2]:.3f})")
        print(f"baseline, naive weekly figures from the raw rows (counts + re-segmenting 9 weeks): "
              f"median {naive[0]:.3f} s (min {naive[1]:.3f}, max {naive[2]:.3f}) — "
              f"the aggregates are {naive[0] / weekly[0]:.0f}x faster")
        print("emerging topics found: " + ("、".join(f"{e.term}({e.count})" for e in result.emerging[:6])
                                           or "none"))

    def close(self) -> None:
        from django.db import connections

        connections.close_all()
        if not self.args.keep:
            pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    provenance.announce()
    print(f"== hotspots: weekly analysis over {args.rows:,} complaints on PostgreSQL "
          f"(bound {BOUND_SECONDS:g} s)")
    bench = Bench(args)
    try:
        bench.populate()
        bench.measure()
    finally:
        bench.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
