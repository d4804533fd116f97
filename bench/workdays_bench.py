"""Benchmark: the working-day calendar (gongkai.core.workdays) against a naive walk.

Workload: 20,000 (start, n) pairs drawn with a fixed seed, start uniform in
2005-01-01..2026-10-31, n in {1, 7, 15, 20, 40} (the statutory periods, Art. 30/32/33),
plus 2,000 one-year spans (start, same date a year later) for working_days_between.

Baselines, measured in the same run:

- "naive": the obvious implementation, a day-by-day walk calling
  ``chinese_calendar.is_workday(d)`` for every day;
- "naive, memoised": the same walk with ``is_workday`` wrapped in ``functools.cache``,
  i.e. the walk without the package's per-call cost (a fairer algorithmic baseline).

Every result of the calendar is checked against the naive walk (every pair, every span)
before any timing is printed. The uncached naive walk costs ~25 µs per day walked, so it
is timed on a fixed subset of the workload (see --baseline-pairs/--baseline-spans); its
answers on that subset are checked too.

Run: .venv/bin/python bench/workdays_bench.py   (or bench/run)
"""

from __future__ import annotations

import argparse
import datetime
import functools
import gc
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence

import chinese_calendar
import provenance

from gongkai.core.workdays import WorkingDayCalendar

SEED = 20190515  # the 2019 Regulations took effect on 15 May 2019
FIRST = datetime.date(2005, 1, 1)
LAST = datetime.date(2026, 10, 31)
NS = (1, 7, 15, 20, 40)
ONE_DAY = datetime.timedelta(days=1)


# --- naive implementations (the baselines) --------------------------------------------


def naive_add(start: datetime.date, n: int, is_workday: Callable[[datetime.date], bool]):
    """The n-th working day after start, walking one day at a time."""
    d = start
    while n:
        d += ONE_DAY
        if is_workday(d):
            n -= 1
    return d


def naive_between(start: datetime.date, end: datetime.date, is_workday) -> int:
    """Working days d with start < d <= end (start <= end), walking one day at a time."""
    count = 0
    d = start
    while d < end:
        d += ONE_DAY
        if is_workday(d):
            count += 1
    return count


# --- workload ----------------------------------------------------------------------------


def make_pairs(count: int, rng: random.Random) -> list[tuple[datetime.date, int]]:
    lo, hi = FIRST.toordinal(), LAST.toordinal()
    return [
        (datetime.date.fromordinal(rng.randint(lo, hi)), rng.choice(NS)) for _ in range(count)
    ]


def one_year_later(d: datetime.date) -> datetime.date:
    try:
        return d.replace(year=d.year + 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year + 1, day=28)


def make_spans(count: int, rng: random.Random) -> list[tuple[datetime.date, datetime.date]]:
    # Spans stay inside the same 2005-01-01..2026-10-31 window as the pairs.
    lo, hi = FIRST.toordinal(), LAST.replace(year=LAST.year - 1).toordinal()
    starts = [datetime.date.fromordinal(rng.randint(lo, hi)) for _ in range(count)]
    return [(s, one_year_later(s)) for s in starts]


# --- timing ------------------------------------------------------------------------------


def time_per_op(fn: Callable, args: Sequence[tuple], repeats: int) -> float:
    """Median over ``repeats`` passes of the mean µs per call of fn(*a) for a in args."""
    samples = []
    for _ in range(repeats):
        gc.collect()
        gc.disable()
        try:
            t0 = time.perf_counter()
            for a in args:
                fn(*a)
            elapsed = time.perf_counter() - t0
        finally:
            gc.enable()
        samples.append(elapsed / len(args) * 1e6)
    return statistics.median(samples)


def fmt_row(label: str, us: float, base_us: float | None) -> str:
    ratio = f"{base_us / us:10.1f}x" if base_us is not None else f"{'(baseline)':>11}"
    return f"  {label:<46} {us:12.3f} µs/op {ratio}"


# --- main ----------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    if not __debug__:
        sys.exit("the benchmark's correctness checks are asserts: run it without -O")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=20_000)
    parser.add_argument("--spans", type=int, default=2_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--baseline-pairs", type=int, default=2_000,
        help="pairs (a prefix of the workload) the uncached naive walk is timed on; "
        "0 = all (about 12 s per repeat)",
    )
    parser.add_argument(
        "--baseline-spans", type=int, default=100,
        help="one-year spans the uncached naive walk is timed on; 0 = all",
    )
    args = parser.parse_args(argv)
    provenance.announce()

    rng = random.Random(SEED)
    pairs = make_pairs(args.pairs, rng)
    spans = make_spans(args.spans, rng)
    base_pairs = pairs[: args.baseline_pairs] if args.baseline_pairs else pairs
    base_spans = spans[: args.baseline_spans] if args.baseline_spans else spans

    print("workdays_bench: gongkai.core.workdays.WorkingDayCalendar vs a naive day-by-day walk")
    print(
        f"  python {sys.version.split()[0]}, chinesecalendar "
        f"{getattr(chinese_calendar, '__version__', '?')}, seed {SEED}, "
        f"median of {args.repeats} repeats, {os.cpu_count()} CPUs, "
        f"1-min load average {os.getloadavg()[0]:.2f}"
    )
    print(
        f"  workload: {len(pairs):,} (start, n) pairs, start in {FIRST}..{LAST}, n in {NS}; "
        f"{len(spans):,} one-year spans"
    )

    # A calendar built fresh here: its per-year tables are built lazily on first use.
    cal = WorkingDayCalendar()
    t0 = time.perf_counter()
    for year in range(FIRST.year, LAST.year + 1):
        cal.is_working_day(datetime.date(year, 1, 1))
    cold_ms = (time.perf_counter() - t0) * 1e3
    nyears = LAST.year - FIRST.year + 1

    memo_is_workday = functools.cache(chinese_calendar.is_workday)
    add = cal.add_working_days
    explain = cal.explain_add_working_days
    between = cal.working_days_between

    # --- correctness first: every pair, every span ------------------------------------
    t0 = time.perf_counter()
    for start, n in pairs:
        expected = naive_add(start, n, memo_is_workday)
        got = add(start, n)
        assert got == expected, f"add_working_days({start}, {n}) = {got}, naive walk {expected}"
        span = explain(start, n)
        assert span.end == expected, f"explain_add_working_days({start}, {n}).end = {span.end}"
        assert not span.provisional, f"{start}+{n} flagged provisional"
        assert between(start, got) == n, f"working_days_between({start}, {got}) != {n}"
    for start, end in spans:
        expected = naive_between(start, end, memo_is_workday)
        got = between(start, end)
        assert got == expected, f"working_days_between({start}, {end}) = {got}, naive {expected}"
        assert between(end, start) == -expected
    # The memoised oracle is chinese_calendar.is_workday itself; the uncached walk must
    # agree too on the subset it is timed on.
    for start, n in base_pairs:
        assert naive_add(start, n, chinese_calendar.is_workday) == add(start, n)
    for start, end in base_spans[:10]:
        assert naive_between(start, end, chinese_calendar.is_workday) == between(start, end)
    check_s = time.perf_counter() - t0
    print(
        f"  verified: all {len(pairs):,} pairs (add, explain, round trip through between) and "
        f"all {len(spans):,} spans agree with the naive walk ({check_s:.1f} s)"
    )

    # --- add_working_days -----------------------------------------------------------------
    def days_walked(sample: list[tuple[datetime.date, int]]) -> float:
        return sum((naive_add(s, n, memo_is_workday) - s).days for s, n in sample) / len(sample)

    print()
    print(
        f"add_working_days: {len(pairs):,} pairs; the naive walk steps {days_walked(pairs):.1f} "
        f"calendar days per pair ({days_walked(base_pairs):.1f} on the {len(base_pairs):,} "
        "it is timed on)"
    )
    naive_us = time_per_op(
        lambda s, n: naive_add(s, n, chinese_calendar.is_workday), base_pairs, args.repeats
    )
    memo_us = time_per_op(lambda s, n: naive_add(s, n, memo_is_workday), pairs, args.repeats)
    add_us = time_per_op(add, pairs, args.repeats)
    explain_us = time_per_op(explain, pairs, args.repeats)
    print(
        fmt_row(
            f"naive walk, chinese_calendar.is_workday [{len(base_pairs):,}]", naive_us, None
        )
    )
    print(fmt_row("naive walk, memoised is_workday", memo_us, naive_us))
    print(fmt_row("WorkingDayCalendar.add_working_days", add_us, naive_us))
    print(fmt_row("WorkingDayCalendar.explain_add_working_days", explain_us, naive_us))
    print(
        f"  add_working_days vs memoised naive walk: {memo_us / add_us:.1f}x; "
        f"explain vs add: {explain_us / add_us:.1f}x slower"
    )

    # --- working_days_between over one-year spans --------------------------------------
    print()
    print(f"working_days_between: {len(spans):,} one-year spans (~365 days walked per span)")
    naive_b = time_per_op(
        lambda s, e: naive_between(s, e, chinese_calendar.is_workday), base_spans, args.repeats
    )
    memo_b = time_per_op(lambda s, e: naive_between(s, e, memo_is_workday), spans, args.repeats)
    between_us = time_per_op(between, spans, args.repeats)
    print(
        fmt_row(f"naive walk, chinese_calendar.is_workday [{len(base_spans):,}]", naive_b, None)
    )
    print(fmt_row("naive walk, memoised is_workday", memo_b, naive_b))
    print(fmt_row("WorkingDayCalendar.working_days_between", between_us, naive_b))
    print(f"  working_days_between vs memoised naive walk: {memo_b / between_us:.0f}x")

    # --- one-off costs -------------------------------------------------------------------
    d = datetime.date(2015, 6, 15)
    is_workday_us = time_per_op(chinese_calendar.is_workday, [(d,)] * 20_000, args.repeats)
    fresh = []
    for _ in range(args.repeats):
        c = WorkingDayCalendar()
        t0 = time.perf_counter()
        for year in range(FIRST.year, LAST.year + 1):
            c.is_working_day(datetime.date(year, 1, 1))
        fresh.append((time.perf_counter() - t0) * 1e3)
    print()
    print("one-off and per-call costs:")
    print(f"  chinese_calendar.is_workday, one call           {is_workday_us:12.3f} µs")
    print(
        f"  fresh calendar, build {nyears} year tables          {statistics.median(fresh):12.3f} ms"
        f"  (first calendar in the process, incl. package index: {cold_ms:.3f} ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
