"""Benchmark: the random inspections' draw (gongkai.random_inspections.draw.run_draw), the
issue's bound: 5 % of 1,000,000 entities, with filters and avoidance, in at most 2 s.

Workload (fixed seed): a directory of 1,200,000 entities of which the task's filter (kind
and industry) selects 1,000,000 candidates, in three risk strata (高 10 %, 中 30 %, 低 60 %,
weights 3 : 2 : 1), 16 regions of 40 grids each; 2,000 inspectors spread over the same
regions and grids; 5,000 excluded pairs (declared conflicts and previous inspectors);
2 inspectors per target, same-region and same-grid avoidance on. Sample: 5 % (50,000
targets, 100,000 inspector places). The filter itself is a database query at commit, not
part of the draw; it is applied here once, untimed, to build the candidates.

Timed (median and p95 of --repeats runs, after one warm-up):

- ``run_draw``: the draw from the frozen inputs and the seed (what the draw service, the
  verify command and the check page run);
- the verify path: parsing the three snapshots from their canonical bytes, then the draw.

Baselines, measured in the same run:

- "hashing alone": the 1,000,000 target scores with the same precomputed HMAC states
  (the floor of any implementation of the specification in CPython), and with one
  ``hmac.new`` per candidate (the obvious way);
- "naive, full sort": the targets of the specification done the obvious way — ``hmac.new``
  per candidate and a full sort per stratum — whose targets must equal run_draw's;
- "random.sample": drawing the same number per stratum with ``random.sample`` (not
  reproducible, no scores, no inspectors): the cost of an unverifiable draw.

Correctness is checked before any timing is printed (asserts): the naive targets equal
run_draw's, every repeat gives the same result digest, and no avoidance rule is broken
(no excluded pair, no inspector of the target's region or grid, two distinct inspectors
per target).

The ``--postgres`` phase (opt-in; ``--postgres-only`` skips the phases above) measures what
a user waits for: the services ``task_commit`` (filter the directory, the dry check,
serialise, SHA-256, gzip, store the snapshots) and ``task_draw`` (decompress, check and
parse the snapshots, run_draw, look up the names, store the DrawnTarget and
DrawnInspector rows), on a temporary database ``gongkai_random_draw_bench`` on
postgres://postgres@127.0.0.1:5432 (dropped at the end unless --keep). Loaded, untimed:
1,200,000 entities (COPY) of three kinds, of which the task's filter (two kinds) keeps
1,000,000; 2,000 inspectors in four departments; 5,000 declared conflicts; a published
matter list and plan; an earlier drawn task (1 %) for avoid_previous. Timed: the task
(5 %, weights 3 : 2 : 1, four departments, same-region and same-grid avoidance,
avoid_previous) is committed and drawn, then re-drawn (``task_redraw`` = a new commit)
and drawn again, --pg-repeats times; median and max of each service, what each step
costs (the step functions wrapped with timers during the same runs) and the peak memory
of the timed part (the process's high-water RSS, reset before it where Linux allows).

Run: .venv/bin/python bench/random_draw_bench.py   (or bench/run)
     .venv/bin/python bench/random_draw_bench.py --postgres-only [--pg-repeats 5] [--keep]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import math
import os
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence

import provenance

from gongkai.random_inspections import draw

SEED = 20190128  # 国发〔2019〕5号 was issued in January 2019
STRATA = (("高", 0.10, "3"), ("中", 0.30, "2"), ("低", 0.60, "1"))
REGIONS = 16
GRIDS_PER_REGION = 40
REFERENCE = "1201000000000001/2026/018"
DRAW_SEED = "6b1f0d2e9c8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c"


def make_workload(n_candidates: int, n_inspectors: int, n_exclusions: int, rng: random.Random):
    """The candidates the filter selects from a directory 20 % larger, the inspectors and
    the excluded pairs."""
    regions = [f"120{r + 1:03d}" for r in range(REGIONS)]
    grids = {region: [f"{region}-G{g:02d}" for g in range(GRIDS_PER_REGION)] for region in regions}
    kinds = ("企业", "个体工商户")
    strata = [s for s, _, _ in STRATA]
    shares = [share for _, share, _ in STRATA]
    directory = []
    serial = 0
    while len(directory) < n_candidates * 6 // 5:
        region = rng.choice(regions)
        selected = len(directory) % 6 != 5  # one row in six falls outside the filter
        directory.append((f"9112{serial:014d}", rng.choices(strata, shares)[0], region, rng.choice(grids[region]),
                          kinds[0] if selected else kinds[1], "食品销售" if selected else "餐饮服务"))
        serial += 1
    candidates = tuple(draw.Candidate(code, stratum, region, grid)
                       for code, stratum, region, grid, kind, industry in directory
                       if kind == "企业" and industry == "食品销售")
    inspectors = []
    for i in range(n_inspectors):
        region = rng.choice(regions)
        inspectors.append(draw.InspectorEntry(f"12{i:08d}", region, rng.choice(grids[region])))
    excluded = frozenset(
        draw.pair_hash(rng.choice(inspectors).certificate, rng.choice(candidates).credit_code)
        for _ in range(n_exclusions))
    return candidates, tuple(inspectors), excluded


def naive_targets(inputs: draw.DrawInputs, seed: str, quota: dict[str, int]) -> list[tuple[str, str, int]]:
    key = seed.encode()
    prefix = f"E\x1f{inputs.reference}\x1f"
    by_stratum: dict[str, list[tuple[str, str]]] = {}
    for c in inputs.candidates:
        score = hmac.new(key, (prefix + c.credit_code).encode(), hashlib.sha256).hexdigest()
        by_stratum.setdefault(c.stratum, []).append((score, c.credit_code))
    rows = []
    for stratum in sorted(by_stratum):
        ranked = sorted(by_stratum[stratum])[: quota[stratum]]
        rows.extend((code, stratum, rank) for rank, (_, code) in enumerate(ranked, start=1))
    return rows


def random_sample(inputs: draw.DrawInputs, quota: dict[str, int], rng: random.Random) -> int:
    by_stratum: dict[str, list[str]] = {}
    for c in inputs.candidates:
        by_stratum.setdefault(c.stratum, []).append(c.credit_code)
    return sum(len(rng.sample(codes, quota[s])) for s, codes in by_stratum.items())


def timed(fn, repeats: int) -> tuple[list[float], object]:
    fn()  # warm-up
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return times, result


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def line(label: str, times: list[float], note: str = "") -> str:
    return (f"  {label:<44} median {statistics.median(times):6.3f} s, p95 {p95(times):6.3f} s "
            f"(min {min(times):.3f}, max {max(times):.3f}){note}")


def main(argv: Sequence[str] | None = None) -> int:
    if not __debug__:
        sys.exit("the benchmark's correctness checks are asserts: run it without -O")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=1_000_000)
    parser.add_argument("--ratio", default="5", help="sample ratio in percent (a decimal string)")
    parser.add_argument("--inspectors", type=int, default=2_000)
    parser.add_argument("--exclusions", type=int, default=5_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--baseline-repeats", type=int, default=3)
    parser.add_argument("--bound", type=float, default=2.0, help="the issue's bound in seconds")
    parser.add_argument("--postgres", action="store_true",
                        help="also time task_commit and task_draw on a temporary PostgreSQL database")
    parser.add_argument("--postgres-only", action="store_true", help="only the PostgreSQL phase")
    parser.add_argument("--pg-repeats", type=int, default=5, help="commits and draws timed on PostgreSQL")
    parser.add_argument("--db", default=PG_DB, help=f"PostgreSQL database name (default {PG_DB})")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database afterwards")
    args = parser.parse_args(argv)
    provenance.announce()
    if args.postgres_only:
        return postgres_phase(args)

    rng = random.Random(SEED)
    t0 = time.perf_counter()
    candidates, inspectors, excluded = make_workload(args.candidates, args.inspectors, args.exclusions, rng)
    built = time.perf_counter() - t0
    weights = {s: w for s, _, w in STRATA}
    inputs = draw.DrawInputs(REFERENCE, candidates, inspectors, excluded, 2, sample_ratio=args.ratio,
                             weights=weights, avoid_same_region=True, avoid_same_grid=True)
    sizes = dict(Counter(c.stratum for c in candidates))
    n = draw.sample_size(len(candidates), ratio=args.ratio, count=None)
    quota = draw.quotas(sizes, n, weights)

    print(f"random_draw_bench: gongkai.random_inspections.draw.run_draw ({draw.ALGORITHM})")
    print(f"  python {sys.version.split()[0]}, seed {SEED}, median of {args.repeats} repeats "
          f"(baselines {args.baseline_repeats}), {os.cpu_count()} CPUs, "
          f"1-min load average {os.getloadavg()[0]:.2f}")
    print(f"  workload: {len(candidates):,} candidates (filtered from {len(candidates) * 6 // 5:,}) in strata "
          + ", ".join(f"{s} {sizes[s]:,} (weight {weights[s]})" for s in sorted(sizes))
          + f"; {len(inspectors):,} inspectors in {REGIONS} regions × {GRIDS_PER_REGION} grids; "
          f"{len(excluded):,} excluded pairs; m = 2, same-region and same-grid avoidance")
    print(f"  sample {args.ratio} % = {n:,} targets: "
          + ", ".join(f"{s} {quota[s]:,}" for s in sorted(quota)) + f" (workload built in {built:.1f} s)")

    # --- the draw, and its correctness --------------------------------------------------
    draw_times, outcome = timed(lambda: draw.run_draw(inputs, DRAW_SEED), args.repeats)
    digests = {draw.run_draw(inputs, DRAW_SEED).result_sha256}
    assert digests == {outcome.result_sha256}, "the draw is not deterministic"
    assert len(outcome.rows) == n
    by_code = {c.credit_code: c for c in candidates}
    by_cert = {i.certificate: i for i in inspectors}
    for row in outcome.rows:
        target = by_code[row.credit_code]
        assert len(row.certificates) == 2 and row.certificates[0] != row.certificates[1]
        for cert in row.certificates:
            assert by_cert[cert].region != target.region and by_cert[cert].grid != target.grid
            assert draw.pair_hash(cert, row.credit_code) not in excluded
    naive_times, naive = timed(lambda: naive_targets(inputs, DRAW_SEED, quota), args.baseline_repeats)
    assert naive == [(r.credit_code, r.stratum, r.rank) for r in outcome.rows], "naive targets differ"

    # --- the verify path: snapshots parsed from their bytes, then the draw --------------
    snapshots = (draw.serialise_candidates(candidates), draw.serialise_inspectors(inspectors),
                 draw.serialise_exclusions(excluded))

    def verify_path():
        parsed = draw.DrawInputs(REFERENCE, draw.parse_candidates(snapshots[0]),
                                 draw.parse_inspectors(snapshots[1]), draw.parse_exclusions(snapshots[2]), 2,
                                 sample_ratio=args.ratio, weights=weights, avoid_same_region=True,
                                 avoid_same_grid=True)
        return draw.run_draw(parsed, DRAW_SEED)

    verify_times, verified = timed(verify_path, max(1, args.baseline_repeats))
    assert verified.result_sha256 == outcome.result_sha256

    # --- baselines ----------------------------------------------------------------------
    codes = [c.credit_code for c in candidates]
    scorer = draw._Hmac(DRAW_SEED.encode(), f"E\x1f{REFERENCE}\x1f".encode())
    hash_times, _ = timed(lambda: scorer.digests(codes), args.baseline_repeats)
    key, prefix = DRAW_SEED.encode(), f"E\x1f{REFERENCE}\x1f"
    plain_times, _ = timed(lambda: [hmac.new(key, (prefix + c).encode(), hashlib.sha256).digest() for c in codes],
                           args.baseline_repeats)
    sample_rng = random.Random(SEED)
    sample_times, _ = timed(lambda: random_sample(inputs, quota, sample_rng), args.baseline_repeats)

    median = statistics.median(draw_times)
    verdict = "within" if median <= args.bound else "OVER"
    verdict_p95 = "within" if p95(draw_times) <= args.bound else "over"
    print("  correctness: naive targets equal run_draw's; same digest on every repeat; no avoidance rule broken")
    print(line("run_draw (the draw)", draw_times,
               f" — {verdict} the {args.bound:g} s bound (p95 {verdict_p95}); "
               f"result SHA-256 {outcome.result_sha256[:16]}…"))
    print(line("verify path (parse 3 snapshots + run_draw)", verify_times,
               f"; snapshots {sum(map(len, snapshots)) / 1e6:.1f} MB"))
    print(line("baseline: hashing alone, precomputed states", hash_times,
               f" — {statistics.median(hash_times) / median:.0%} of the draw"))
    print(line("baseline: hashing alone, hmac.new each", plain_times))
    print(line("baseline: naive, hmac.new + full sort", naive_times,
               f" (targets only) — {statistics.median(naive_times) / median:.1f}× the draw"))
    print(line("baseline: random.sample (unverifiable)", sample_times))
    if args.postgres:
        return postgres_phase(args)
    return 0


# --- the services on PostgreSQL ------------------------------------------------------------

PG_DB = "gongkai_random_draw_bench"
KINDS = ("企业", "农民专业合作社", "个体工商户")  # the task's filter keeps the first two


def _rss_reset() -> bool:
    """Reset the process's high-water RSS (Linux ≥ 4.0), so that the peak measured is the
    timed part's, not the load's."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _rss_peak_mb() -> float:
    try:
        with open("/proc/self/status") as f:
            for row in f:
                if row.startswith("VmHWM:"):
                    return int(row.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Steps:
    """Wall time spent in named functions, accumulated while they are wrapped."""

    def __init__(self):
        self.spent: dict[str, list[float]] = {}
        self.cpu: dict[str, list[float]] = {}  # this process's CPU time (not the server's)
        self._undo: list[tuple[object, str, object]] = []
        self._current: dict[str, float] = {}
        self._current_cpu: dict[str, float] = {}

    def wrap(self, owner, name: str, label: str) -> None:
        original = getattr(owner, name)

        def timed_call(*args, **kwargs):
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                self._current[label] = self._current.get(label, 0.0) + time.perf_counter() - t0
                self._current_cpu[label] = self._current_cpu.get(label, 0.0) + time.process_time() - c0

        setattr(owner, name, timed_call)
        self._undo.append((owner, name, original))

    def end_run(self, prefix: str) -> None:
        """Close a run of ``prefix`` (commit or draw): its labels, and the unprefixed ones
        (shared functions) as its own."""
        for label, spent in self._current.items():
            name = label if label.startswith(prefix) else f"{prefix}: {label}" if ":" not in label else None
            if name is not None:
                self.spent.setdefault(name, []).append(spent)
                self.cpu.setdefault(name, []).append(self._current_cpu[label])
        self._current = {k: v for k, v in self._current.items() if not k.startswith(prefix) and ":" in k}
        self._current_cpu = {k: v for k, v in self._current_cpu.items() if k in self._current}

    def restore(self) -> None:
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)


def postgres_phase(args) -> int:
    import province

    province.pg_admin(f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)")
    province.pg_admin(f"CREATE DATABASE {args.db}")
    province.setup_django(f"{province.PG_SERVER}/{args.db}")
    try:
        return _postgres_run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            province.pg_admin(f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)")


def _load_directory(agency, n_directory: int, rng: random.Random, now) -> int:
    """``n_directory`` entities by COPY, in batches (the load's memory stays small)."""
    from django.db import connection

    from gongkai.random_inspections.models import Entity

    regions = [f"120{r + 1:03d}" for r in range(REGIONS)]
    strata = [s for s, _, _ in STRATA]
    shares = [share for _, share, _ in STRATA]
    table = connection.ops.quote_name(Entity._meta.db_table)
    columns = ("agency_id", "credit_code", "name", "kind", "industry", "region", "grid", "address", "risk_grade",
               "credit_grade", "is_active", "updated_at")
    stamp = now.isoformat()
    kept = 0
    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        batch = []
        for serial in range(n_directory):
            kind = KINDS[0] if serial % 6 < 3 else KINDS[1] if serial % 6 < 5 else KINDS[2]
            kept += kind != KINDS[2]
            region = rng.choice(regions)
            grid = f"{region}-G{rng.randrange(GRIDS_PER_REGION):02d}"
            batch.append(f"{agency.pk}\t9112{serial:014d}\t测试商贸有限公司{serial:07d}\t{kind}\t食品销售\t"
                         f"{region}\t{grid}\t测试路{serial % 997 + 1}号\t{rng.choices(strata, shares)[0]}\tA\tt\t{stamp}\n")
            if len(batch) == 50_000:
                copy.write("".join(batch).encode())
                batch = []
        copy.write("".join(batch).encode())
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
    return kept


def _postgres_run(args) -> int:
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.core.management import call_command
    from django.db import connection

    from gongkai.core import clock
    from gongkai.core.models import Role
    from gongkai.core.tests.factories import DepartmentFactory, UserFactory, make_agency, member
    from gongkai.random_inspections import snapshot
    from gongkai.random_inspections.models import (
        DrawnInspector,
        DrawnTarget,
        InspectionMatter,
        Inspector,
        InspectorConflict,
        MatterList,
        MatterListStatus,
        SeedMode,
    )
    from gongkai.random_inspections.services import tasks as services

    print(f"== random inspections on PostgreSQL: task_commit and task_draw at {args.candidates:,} candidates "
          f"({args.pg_repeats} repeats; 1-min load average {os.getloadavg()[0]:.2f})")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    moment = [dt.datetime(2026, 6, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai"))]

    def later() -> None:
        """A day on: a draw may need its commitment to have been public for a while."""
        moment[0] += dt.timedelta(days=1)
        clock.freeze(moment[0])

    clock.freeze(moment[0])
    now = clock.now()
    rng = random.Random(SEED)
    agency = make_agency(name="测试市市场监督管理局")
    office = member(UserFactory(username="bench-office"), agency, Role.OFFICE)
    departments = [DepartmentFactory(agency=agency, name=f"执法{i + 1}科") for i in range(4)]
    n_directory = args.candidates * 6 // 5
    kept = _load_directory(agency, n_directory, rng, now)
    regions = [f"120{r + 1:03d}" for r in range(REGIONS)]
    people = []
    for i in range(args.inspectors):
        region = rng.choice(regions)
        department = departments[i % len(departments)]
        people.append(Inspector(agency=agency, department=department, department_name=department.name,
                                name=f"执法员{i:04d}", certificate_number=f"12{i:08d}", region=region,
                                grid=f"{region}-G{rng.randrange(GRIDS_PER_REGION):02d}", expertise="食品安全",
                                phone=f"1380000{i:04d}", updated_at=now))
    people = Inspector.objects.bulk_create(people, batch_size=1000)
    conflicts = {(rng.choice(people).pk, f"9112{rng.randrange(n_directory):014d}") for _ in range(args.exclusions)}
    InspectorConflict.objects.bulk_create(
        [InspectorConflict(inspector_id=pk, credit_code=code, reason="近亲属", declared_by=office, declared_at=now)
         for pk, code in conflicts], batch_size=5000)
    matter_list = MatterList.objects.create(agency=agency, title="2026年版", status=MatterListStatus.PUBLISHED,
                                            created_by=office, created_at=now, published_by=office,
                                            published_at=now)
    matters = [InspectionMatter.objects.create(matter_list=matter_list, position=1, name="食品销售者经营条件检查",
                                               basis="《食品安全法》", target_kind="企业", methods=["on_site"])]
    plan = services.plan_publish(actor=office, plan=services.plan_create(
        actor=office, agency=agency, year=2026, title="2026年度双随机抽查工作计划"))
    common = {"matters": matters, "departments": departments, "target_filter": {"kind": list(KINDS[:2])},
              "risk_weights": {s: w for s, _, w in STRATA}, "inspectors_per_target": 2,
              "avoid_same_region": True, "avoid_same_grid": True, "avoid_previous": True,
              "starts_on": dt.date(2026, 7, 1), "ends_on": dt.date(2026, 9, 30)}
    earlier = services.task_create(actor=office, plan=plan, number="001", title="上半年食品销售者抽查",
                                   sample_ratio="1", **common)
    t0 = time.perf_counter()
    services.task_commit(actor=office, task=earlier, seed_mode=SeedMode.COMMITMENT)
    t1 = time.perf_counter()
    later()
    services.task_draw(actor=office, task=earlier)
    t2 = time.perf_counter()
    task = services.task_create(actor=office, plan=plan, number="002", title="食品销售者专项抽查",
                                sample_ratio=args.ratio, **common)
    print(f"  load: {time.perf_counter() - started:.0f} s — {n_directory:,} entities ({kept:,} of kinds "
          f"{'、'.join(KINDS[:2])}), {len(people):,} inspectors in {len(departments)} departments, "
          f"{len(conflicts):,} conflicts; the earlier task (1 %): commit {t1 - t0:.2f} s, draw {t2 - t1:.2f} s "
          f"({DrawnTarget.objects.count():,} targets)")

    # The step functions, wrapped with timers during the timed runs.
    steps = Steps()
    for owner, name, label in (
            (snapshot, "take", "commit: snapshot.take (query, dry check, serialise)"),
            (snapshot, "candidate_rows", "commit:   of which the directory query"),
            (draw, "serialise_candidates", "commit:   of which serialise"),
            (draw, "serialise_inspectors", "commit:   of which serialise"),
            (draw, "serialise_exclusions", "commit:   of which serialise"),
            (services, "_gzip", "commit: gzip"),
            (services, "inputs_document", "commit: inputs document (SHA-256, quotas)"),
            (services, "ungzip", "draw: decompress"),
            (draw, "inputs_from_document", "draw: check SHA-256 + parse snapshots"),
            (draw, "run_draw", "draw: run_draw"),
            (services, "_frozen_names", "draw: look up names"),
            (services, "_missing", "draw: drawn entities and inspectors still listed"),
            (services, "_store_rows", "draw: store rows"),
            (connection, "commit", "transaction COMMIT (deferred foreign-key checks)")):
        if hasattr(owner, name):  # the services' helpers may be renamed: time what is there
            steps.wrap(owner, name, label)
    _rss_reset()
    rss_before = _rss_peak_mb()
    commits, draws, digests = [], [], set()
    commits_cpu, draws_cpu = [], []
    try:
        for i in range(args.pg_repeats):
            t0, c0 = time.perf_counter(), time.process_time()
            if i == 0:
                services.task_commit(actor=office, task=task, seed_mode=SeedMode.COMMITMENT)
            else:
                services.task_redraw(actor=office, task=task, reason=f"基准测试第{i + 1}次",
                                     seed_mode=SeedMode.COMMITMENT)
            commits.append(time.perf_counter() - t0)
            commits_cpu.append(time.process_time() - c0)
            steps.end_run("commit")
            later()
            t0, c0 = time.perf_counter(), time.process_time()
            drawn = services.task_draw(actor=office, task=task)
            draws.append(time.perf_counter() - t0)
            draws_cpu.append(time.process_time() - c0)
            steps.end_run("draw")
            digests.add(drawn.result_sha256)
    finally:
        steps.restore()
    rss_peak = _rss_peak_mb()
    n_targets = DrawnTarget.objects.filter(draw=drawn).count()
    n_people = DrawnInspector.objects.filter(target__draw=drawn).count()
    assert n_targets == draw.sample_size(drawn.candidate_count, ratio=args.ratio, count=None)
    assert n_people == 2 * n_targets
    assert len(digests) == args.pg_repeats, "every re-draw has its own secret seed, hence its own list"


    def show(label: str, times: list[float], note: str = "", cpu: list[float] | None = None) -> None:
        # the process's CPU time beside the wall time: on a shared machine it moves less
        # with the load (the database server's own time is not in it)
        spent = "" if cpu is None else f" (cpu {statistics.median(cpu):6.3f} s)"
        print(f"  {label:<52} median {statistics.median(times):6.3f} s{spent}, max {max(times):6.3f} s{note}")

    print(f"  task: {drawn.candidate_count:,} candidates, {drawn.inspector_count:,} inspectors, "
          f"{drawn.inputs['exclusions']['count']:,} excluded pairs; {args.ratio} % = {n_targets:,} targets and "
          f"{n_people:,} inspector places per draw; snapshots stored "
          f"{(len(drawn.candidates) + len(drawn.inspectors) + len(drawn.exclusions)) / 1e6:.1f} MB gzipped")
    show("task_commit (first) and task_redraw (the rest)", commits,
         f" — {'within' if statistics.median(commits) <= args.bound else 'over'} {args.bound:g} s", commits_cpu)
    for label in sorted(k for k in steps.spent if k.startswith("commit")):
        show("  " + label, steps.spent[label], cpu=steps.cpu[label])
    show("task_draw", draws, f" — {'within' if statistics.median(draws) <= args.bound else 'OVER'} "
         f"the {args.bound:g} s goal", draws_cpu)
    for label in sorted(k for k in steps.spent if k.startswith("draw")):
        show("  " + label, steps.spent[label], cpu=steps.cpu[label])
    print(f"  peak memory (high-water RSS) of the timed part: {rss_peak:.0f} MB "
          f"(after the reset: {rss_before:.0f} MB)")

    # The public check page's work: the cache key (reads every stored row), the re-run once,
    # then the kept outcome.
    from django.core.cache import cache

    from gongkai.random_inspections.models import Draw
    from gongkai.random_inspections.views import public

    cache.clear()
    stored = Draw.objects.get(pk=drawn.pk)
    t0 = time.perf_counter()
    public.check_key(stored)
    t1 = time.perf_counter()
    first, cached = public.checked_draw(stored)
    t2 = time.perf_counter()
    again, cached_again = public.checked_draw(stored)
    t3 = time.perf_counter()
    assert not cached and cached_again and again.computed_at == first.computed_at
    print(f"  check page: the cache key {t1 - t0:.3f} s; first check (key + verify_draw) {t2 - t1:.3f} s, "
          f"{'一致' if first.matches else '不一致: ' + '；'.join(first.problems)[:200]}; "
          f"kept check (key + cache) {t3 - t2:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
