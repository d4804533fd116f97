"""Benchmark: the annual report at a province's scale (issue 20, part 7), on PostgreSQL:
one agency-year's report computed in at most 100 ms, and the province's roll-up of 3,000
agencies in at most 5 s.

Workload: ``bench/province.py`` (fixed seed): 3,000 agencies in a tree, ten years of
requests with events, publications, decisions and annual reports; plus, for the report
year (last year), one busy agency: the province's people's government with ``--busy``
requests (default 5,000; the other agencies have a few a year, as a department does).
Every agency's report of the last two years is then computed (``compute_report``, the
same call the drafting screen makes) and published as a frozen version, as
``services.report_publish`` stores it (the roll-up reads published versions only).

Timed (p95 = nearest-rank 95th percentile, with median and max):
- **one agency-year computed**: ``compute_report`` for every agency's last year (3,000
  computations, each timed; the figures are the distribution over agencies), and the busy
  agency's alone, ``--runs`` times;
- **the province's roll-up**: ``rollup`` (the table of 3,000 agencies' reports and their
  sum) and ``findings`` (every agency's rules and the cross-year rule against last year's
  version), as the supervising office's pages call them, ``--runs`` times each, and the
  summary page itself (``GET …/supervision/<root>/<year>/``).

Baselines measured in the same run:
- the province's figures computed from the source records instead (``compute_report``
  over all 3,000 agencies at once: what a roll-up would cost without published versions);
- the floor: one plain ``COUNT(*) … GROUP BY agency_id`` over the requests and their events.

Run: .venv/bin/python bench/report_scale_bench.py [--agencies 3000] [--years 10]
     [--publications 150000] [--busy 5000] [--runs 10] [--keep] [--reuse] [--db NAME]
     (a temporary database gongkai_report_scale_bench on postgres://postgres@127.0.0.1:5432,
     dropped at the end unless --keep; --reuse measures on the database a --keep run left)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time

import provenance
import province
from oversight_bench import p95, show, timed

PG_DB = "gongkai_report_scale_bench"
BUSY_SERIAL = 10_000_000  # the busy agency's requests are numbered from here
COMPUTE_BOUND = 0.100
ROLLUP_BOUND = 5.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agencies", type=int, default=3000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--publications", type=int, default=150_000)
    parser.add_argument("--busy", type=int, default=5000, help="requests of the busy agency in the report year")
    parser.add_argument("--runs", type=int, default=10)
    province.add_database_options(parser, PG_DB)
    args = parser.parse_args()
    provenance.announce()
    print(f"== annual reports at scale: {args.agencies:,} agencies, {args.years} years, on PostgreSQL "
          f"(bounds: one agency-year computed {COMPUTE_BOUND * 1000:g} ms, the province's roll-up "
          f"{ROLLUP_BOUND:g} s)")
    with province.bench_database(args):
        return run(args)


def _busy_requests(root, year: int, count: int) -> int:
    """``count`` requests of the report year for ``root``, with their events; about one in
    ten carried over into the next year (still open at its end)."""
    from gongkai.foi.models import FoiEvent, FoiRequest
    from gongkai.oversight.tests import records as r

    rnd = random.Random(20)
    reqs = []
    for n in range(count):
        received = dt.date(year, 1, 1) + dt.timedelta(days=rnd.randrange(365))
        closed = received + dt.timedelta(days=rnd.randrange(1, 30))
        open_at_end = closed.year > year or rnd.random() < 0.1
        reqs.append(r.request(root, BUSY_SERIAL + n, received_on=received,
                              closed_on=None if open_at_end else closed))
    reqs = FoiRequest.objects.bulk_create(reqs, batch_size=province.BATCH)
    FoiEvent.objects.bulk_create([e for q in reqs for e in r.request_events(q)], batch_size=province.BATCH)
    return len(reqs)


class _Stopwatch:
    """Each call's wall time and this process's CPU time, and their spread."""

    def __init__(self):
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def __call__(self, fn, *args, **kwargs):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = fn(*args, **kwargs)
        self.wall.append(time.perf_counter() - started)
        self.cpu.append(time.process_time() - started_cpu)
        return result

    def spread(self) -> dict:
        return {"p95": p95(self.wall), "median": statistics.median(self.wall), "min": min(self.wall),
                "max": max(self.wall), "runs": len(self.wall), "cpu": statistics.median(self.cpu)}


def _publish_all(year: int, fmt, supervisor, watch: _Stopwatch) -> None:
    """Compute every agency's published report of ``year`` (each computation timed by
    ``watch``) and store it as its published version."""
    from django.utils import timezone

    from gongkai.reports.computation import compute_report
    from gongkai.reports.models import AnnualReport, ReportState, ReportVersion, encode_cells

    reports = list(AnnualReport.objects.filter(year=year, state=ReportState.PUBLISHED).select_related("agency"))
    versions = []
    for report in reports:
        comp = watch(compute_report, fmt, agency_ids=[report.agency_id], year=year)
        versions.append(ReportVersion(
            report=report, number=1, format_id=fmt.id, agency_name=report.agency.name,
            cells=encode_cells(comp.cells), provenance=comp.provenance, published_on=report.published_on,
            published_at=timezone.now(), published_by=supervisor))
    versions = ReportVersion.objects.bulk_create(versions, batch_size=province.BATCH)
    for report, version in zip(reports, versions, strict=True):
        report.published_version = version
    AnnualReport.objects.bulk_update(reports, ["published_version"], batch_size=province.BATCH)


def run(args) -> int:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from gongkai.core import clock
    from gongkai.core.models import Agency, User
    from gongkai.core.tests.twofactor_helpers import verify_session
    from gongkai.foi.models import FoiRequest
    from gongkai.reports import rollup
    from gongkai.reports.computation import compute_report
    from gongkai.reports.formats import format_for_year
    from gongkai.reports.models import ReportVersion

    call_command("migrate", verbosity=0)
    year = clock.today().year - 1
    fmt = format_for_year(year)
    if args.reuse:  # a province a --keep run (or `bench/run --province`) left
        root = Agency.objects.get(depth=0, parent__isnull=True)
        supervisor = User.objects.get(username="bench-supervisor")
        print(f"reused the database of an earlier run: {Agency.objects.count():,} agencies")
    else:
        started = time.perf_counter()
        loaded = province.generate(agencies=args.agencies, years=args.years, publications=args.publications,
                                   complaints=0)
        root, supervisor = loaded["root"], loaded["supervisor"]
        print(f"load: {time.perf_counter() - started:.0f} s — "
              + ", ".join(f"{k} {v:,}" for k, v in loaded.items() if isinstance(v, int)))
    if not FoiRequest.objects.filter(tracking_number__startswith=f"T{root.pk}-{BUSY_SERIAL}").exists():
        print(f"added {_busy_requests(root, year, args.busy):,} requests of {root.name} in {year}")
    if not ReportVersion.objects.filter(report__year=year).exists():
        started = time.perf_counter()
        _publish_all(year - 1, format_for_year(year - 1), supervisor, _Stopwatch())
        watch = _Stopwatch()
        _publish_all(year, fmt, supervisor, watch)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"computed and published every agency's reports of {year - 1} and {year} in "
              f"{time.perf_counter() - started:.0f} s")
    else:  # published by an earlier run: the computations are timed on their own
        watch = _Stopwatch()
        for pk in Agency.objects.filter(annual_reports__year=year).values_list("pk", flat=True):
            watch(compute_report, fmt, agency_ids=[pk], year=year)
    computed = watch.spread()

    print(f"load average before timing: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    show(f"one agency-year computed (compute_report, each of {computed['runs']:,} agencies' {year} "
         "report once)", computed, COMPUTE_BOUND)
    busy = timed(lambda i=0: compute_report(fmt, agency_ids=[root.pk], year=year), args.runs)
    show(f"the busy agency's {year} report ({root.name}, {args.busy:,} requests)", busy, COMPUTE_BOUND)

    view = rollup.rollup(user=supervisor, root=root, year=year)
    published = sum(1 for row in view.rows if row.summed)
    assert published > 0.8 * len(view.rows), published
    summed = timed(lambda i=0: rollup.rollup(user=supervisor, root=root, year=year), args.runs)
    show(f"the province's roll-up (rollup: {len(view.rows):,} agencies, {published:,} published reports summed)",
         summed, ROLLUP_BOUND)
    checked = timed(lambda i=0: rollup.findings(user=supervisor, root=root, year=year), args.runs)
    show("the province's findings (findings: every report's rules and the cross-year rule)", checked,
         ROLLUP_BOUND)
    client = Client()
    client.force_login(supervisor)
    verify_session(client, supervisor)
    url = reverse("staff:report-rollup", args=[root.pk, year])
    assert client.get(url).status_code == 200
    page = timed(lambda i=0: client.get(url), max(3, args.runs // 2))
    show("the roll-up page (GET, rendered)", page, ROLLUP_BOUND)

    # Baseline 1: the province's figures from the source records, all agencies at once.
    ids = [a.pk for a in rollup.subtree(root)]
    source = timed(lambda i=0: compute_report(fmt, agency_ids=ids, year=year), 3)
    show(f"baseline, the province's figures computed from the records ({len(ids):,} agencies at once)", source)
    # Baseline 2: the floor, a plain count per agency over the requests and their events.

    def counts(i=0):
        with connection.cursor() as cursor:
            cursor.execute("SELECT agency_id, count(*) FROM foi_foirequest GROUP BY agency_id")
            cursor.fetchall()
            cursor.execute("SELECT r.agency_id, count(*) FROM foi_foievent e JOIN foi_foirequest r "
                           "ON r.id = e.request_id GROUP BY r.agency_id")
            cursor.fetchall()

    floor = timed(counts, 5)
    show("baseline, plain COUNT(*) GROUP BY agency over requests and their events", floor)
    print(f"the roll-up costs {summed['median'] / source['median']:.2f}x computing the province from its "
          f"records, and {summed['median'] / floor['median']:.1f}x the counting floor")
    print(f"load average after timing: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (on {os.cpu_count()} CPUs)")
    met = (busy["p95"] <= COMPUTE_BOUND and summed["p95"] <= ROLLUP_BOUND and checked["p95"] <= ROLLUP_BOUND
           and computed["p95"] <= COMPUTE_BOUND)
    print("verdict: " + ("every bound met" if met else "a bound was missed"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
