"""Benchmark: the portal's throughput goals of issue 20 (part 6), two trees side by side.

For each tree (this one and, with ``--baseline-tree DIR``, a worktree of the commit to
compare with, e.g. ``git worktree add --detach /tmp/wt3d1 3d1f231``) the script builds
its own temporary SQLite database with that tree's code (``portal_bench``'s corpus: one
county bureau, N items through the tree's importer) and starts that tree's
``gongkai serve`` (gunicorn gthread, WhiteNoise) with ``PYTHONPATH`` pointing at it.
The scenarios then run tree after tree, each for ``--seconds`` after a warm-up:

- static file: the fingerprinted stylesheet (WhiteNoise) — the ceiling of the server;
- cached publication page, column page and search page, page cache warm, with Redis as
  the cache (as in production; each tree its own Redis database) and with the in-process
  cache; ``--clients`` keep-alive clients (16);
- uncached search: the page cache off, ``--search-clients`` clients (50) over a set of
  distinct queries chosen from the corpus by document frequency (common 2-4 character
  strings, rare ones, a common and a medium word, quoted 4-6 character phrases), so that
  repeats of one query are not what is measured.

Both trees' servers run at once and every scenario alternates between them for
``--rounds`` rounds (the median round is shown), so that other load on the machine falls
on both alike. Printed: req/s, p50/p95/p99 per scenario and tree, cached/static ratios and the uncached
search ratio current/baseline, with the load average. Nothing is compared across runs.

Run: .venv/bin/python bench/throughput_bench.py [--baseline-tree /tmp/wt3d1] [--items 5000]
     [--seconds 10] [--clients 16] [--search-clients 50] [--queries 400] [--no-redis]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import provenance

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
SEED = 20261207
REDIS_DB = {"current": 11, "baseline": 10}  # one database per tree (tests use 13 and 15)


# --- preparing a tree's database (runs in a subprocess with the tree on sys.path) --------------


def prepare(tmp: Path, items: int, out: Path) -> None:
    """Build the tree's database; write the URL sets and a sample of item texts."""
    import portal_bench  # inserts this tree's ROOT first; the measured tree goes before it

    sys.path.insert(0, os.environ["GONGKAI_BENCH_TREE"])
    urls = portal_bench.prepare_database(tmp, items)
    from django.utils.html import strip_tags

    import gongkai
    from gongkai.publishing.models import Publication

    sample = [
        f"{title} {strip_tags(body)}"
        for title, body in Publication.objects.order_by("pk").values_list("title", "body")[:3000]
    ]
    out.write_text(json.dumps({**urls, "sample": sample, "gongkai": gongkai.__file__},
                              ensure_ascii=False))


# --- queries ----------------------------------------------------------------------------------------


def choose_queries(sample: list[str], n: int) -> dict[str, list[str]]:
    """``n`` distinct queries, a quarter per class, by document frequency in the sample."""
    import corpus

    rnd = random.Random(SEED)
    grams: set[str] = set()
    for word in corpus.vocabulary():
        for run in re.findall(r"[^\W\d_a-zA-Z]+", word):
            for size in (2, 3, 4):
                grams.update(run[i:i + size] for i in range(len(run) - size + 1))
    pool = sorted(grams)
    rnd.shuffle(pool)
    pool = pool[:5000]
    df = {g: sum(1 for doc in sample if g in doc) / len(sample) for g in pool}
    present = [g for g in pool if df[g] > 0]
    by_df = sorted(present, key=lambda g: -df[g])
    each = max(1, n // 4)
    common = by_df[:each]
    rare = sorted(present, key=lambda g: df[g])[:each]
    medium = [g for g in present if 0.005 <= df[g] <= 0.05] or by_df[each:]
    rnd.shuffle(medium)
    two = [f"{c} {m}" for c, m in zip(common * 2, medium, strict=False)][:each]
    phrases: set[str] = set()
    attempts = 0
    while len(phrases) < each and attempts < 100 * each:
        attempts += 1
        runs = re.findall(r"[^\W\d_a-zA-Z]{4,}", rnd.choice(sample))
        if runs:
            run = rnd.choice(runs)
            size = rnd.randint(4, min(6, len(run)))
            start = rnd.randrange(len(run) - size + 1)
            phrases.add(f'"{run[start:start + size]}"')
    return {"common": common, "rare": rare, "two words": two, "phrase": sorted(phrases)}


def search_urls(queries: dict[str, list[str]]) -> list[str]:
    from urllib.parse import urlencode

    return [f"/search/?{urlencode({'q': q})}" for qs in queries.values() for q in qs]


# --- running ------------------------------------------------------------------------------------------


class Tree:
    def __init__(self, name: str, path: Path, tmp: Path, items: int, redis: bool):
        self.name, self.path = name, path
        self.tmp = tmp / name
        self.var = self.tmp / "var"
        self.var.mkdir(parents=True)
        self.env = {
            **os.environ,
            "GONGKAI_ENV": "local",
            "GONGKAI_VAR_DIR": str(self.var),
            "DATABASE_URL": f"sqlite:///{self.tmp / 'portal.sqlite3'}",
            "DJANGO_SETTINGS_MODULE": "gongkai.settings",
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": f"{path}{os.pathsep}{BENCH}",
            "GONGKAI_BENCH_TREE": str(path),
        }
        self.env.pop("CACHE_URL", None)
        self.redis_url = f"redis://127.0.0.1:6379/{REDIS_DB[name]}" if redis else None
        out = self.tmp / "prepared.json"
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--prepare", str(self.tmp),
             "--items", str(items), "--out", str(out)],
            env=self.env, check=True, cwd=path,
        )
        self.urls = json.loads(out.read_text())
        assert Path(self.urls["gongkai"]).is_relative_to(path), (
            f"{name}: imported {self.urls['gongkai']}, not {path}")
        print(f"  … {name} ({path}): database ready in {time.perf_counter() - t0:.0f} s",
              flush=True)

    def server(self, *, page_cache: bool, redis: bool, workers: int, threads: int):
        from portal_bench import Server

        env = dict(self.env)
        if redis:
            env["CACHE_URL"] = self.redis_url
            subprocess.run(["redis-cli", "-n", str(REDIS_DB[self.name]), "flushdb"],
                           check=True, capture_output=True)
        return Server(self.tmp, env, page_cache=page_cache, workers=workers, threads=threads)


def describe(tree: Path) -> str:
    done = subprocess.run(["git", "-C", str(tree), "log", "-1", "--format=%h %s"],
                          capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(tree), "status", "--porcelain",
                            "--untracked-files=no"], capture_output=True, text=True)
    lines = [x for x in dirty.stdout.splitlines() if x.strip()]
    state = f"{len(lines)} files modified" if lines else "clean"
    return f"{done.stdout.strip()[:70]} ({state})"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline-tree", type=Path)
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--search-clients", type=int, default=50)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of every scenario, alternating the trees (median shown)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--no-redis", action="store_true")
    parser.add_argument("--only", default="",
                        help="comma-separated scenario groups: static,redis,local,search")
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare:
        prepare(args.prepare, args.items, args.out)
        return 0
    provenance.announce()
    import portal_bench

    groups = set(filter(None, args.only.split(","))) or {"static", "redis", "local", "search"}
    if args.no_redis:
        groups.discard("redis")
    trees = [("current", ROOT)]
    if args.baseline_tree:
        trees.insert(0, ("baseline", args.baseline_tree.resolve()))
    tmp = Path(tempfile.mkdtemp(prefix="gongkai-throughput-bench-"))
    servers = []
    try:
        print(f"== throughput benchmark: {args.items:,} items, {args.clients} clients on cached "
              f"pages, {args.search_clients} on uncached search, {args.seconds:g} s per scenario, "
              f"gunicorn {args.workers}×{args.threads}, {os.cpu_count()} CPUs", flush=True)
        for name, path in trees:
            print(f"  {name}: {path}: {describe(path)}", flush=True)
        built = {name: Tree(name, path, tmp, args.items, not args.no_redis)
                 for name, path in trees}
        queries = choose_queries(built["current"].urls["sample"], args.queries)
        searches = search_urls(queries)
        print("  queries: " + "; ".join(
            f"{k} {len(v)} (e.g. {' / '.join(v[:3])})" for k, v in queries.items()), flush=True)
        opts = {"seconds": args.seconds, "warmup": args.warmup}
        results: dict[tuple[str, str], list[dict]] = {}

        def run(tree, port, label, urls, clients):
            r = portal_bench.load(port, urls, clients=clients, **opts)
            r["load"] = os.getloadavg()[0]
            results.setdefault((tree, label), []).append(r)
            print(f"  … {tree:8} {label:34} {r['rps']:6.0f} req/s  p95 {r['p95']:7.1f} ms  "
                  f"errors {r['errors']}  load {r['load']:.1f}", flush=True)

        def warm_until_hit(port, urls):
            """Each gunicorn worker has its own in-process cache: ask until the first URL
            is a hit (every miss stores it in the worker that answered)."""
            portal_bench.warm(port, urls, rounds=2 * args.workers)
            for _ in range(20):
                if portal_bench.cache_header(port, urls[0]) == "hit":
                    return
                portal_bench.warm(port, urls, rounds=1)
            raise AssertionError(f"the cache is not warm for {urls[0]}")

        cached_sets = lambda t: (("publication", t.urls["publication"]),  # noqa: E731
                                 ("column", t.urls["column"]), ("search", searches[:200]))
        # Both trees' servers run at once and the scenarios alternate between them, round
        # after round, so that the machine's other load falls on both alike.
        for cache_kind in ("redis", "local", "search"):
            if cache_kind not in groups:
                continue
            running = {}
            for name, tree in built.items():
                server = tree.server(page_cache=cache_kind != "search",
                                     redis=cache_kind == "redis",
                                     workers=args.workers, threads=args.threads)
                servers.append(server)
                running[name] = server
                if cache_kind == "search":
                    portal_bench.warm(server.port, searches[:20], rounds=1)
                else:
                    for _label, urls in cached_sets(tree):
                        warm_until_hit(server.port, urls)
            for _ in range(args.rounds):
                for name, tree in built.items():
                    port = running[name].port
                    static = [portal_bench.static_url(tree.var)]
                    if cache_kind == "search":
                        if "static" in groups:
                            run(name, port, "static file (50 clients)", static,
                                args.search_clients)
                        run(name, port, "search, uncached", searches, args.search_clients)
                        continue
                    if "static" in groups:
                        run(name, port, f"static file ({cache_kind} server)", static, args.clients)
                    for label, urls in cached_sets(tree):
                        run(name, port, f"{label}, cached ({cache_kind})", urls, args.clients)
            for server in running.values():
                server.stop()
        # A scenario's figure is its median round (by req/s).
        results = {k: sorted(v, key=lambda r: r["rps"])[len(v) // 2] for k, v in results.items()}

        print()
        print(f"{'tree':9} {'scenario':34} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} "
              f"{'p99 ms':>8} {'n':>6} {'err':>4} {'load':>5}")
        for (name, label), r in results.items():
            print(f"{name:9} {label:34} {r['rps']:7.0f} {r['p50']:8.1f} {r['p95']:8.1f} "
                  f"{r['p99']:8.1f} {r['n']:6d} {r['errors']:4d} {r['load']:5.1f}")
        print()
        print("ratios (same run):")
        for name in built:
            for cache_kind in ("redis", "local"):
                static = results.get((name, f"static file ({cache_kind} server)"))
                if not static:
                    continue
                parts = []
                for label in ("publication", "column", "search"):
                    r = results.get((name, f"{label}, cached ({cache_kind})"))
                    if r:
                        parts.append(f"{label} {r['rps'] / static['rps']:.0%}")
                print(f"  {name:8} cached/static ({cache_kind}): " + ", ".join(parts)
                      + "  (goal: >= 80 %)")
        if ("baseline", "search, uncached") in results and ("current", "search, uncached") in results:
            b, c = results[("baseline", "search, uncached")], results[("current", "search, uncached")]
            print(f"  uncached search, {args.search_clients} clients: current/baseline "
                  f"×{c['rps'] / b['rps']:.2f} req/s (goal: >= ×3); p95 {c['p95']:.0f} vs "
                  f"{b['p95']:.0f} ms")
        print(f"  load average at the end: {' / '.join(f'{x:.1f}' for x in os.getloadavg())} "
              f"(1/5/15 min) on {os.cpu_count()} CPUs")
        return 1 if any(r["errors"] for r in results.values()) else 0
    finally:
        for server in servers:
            if server.process.poll() is None:
                server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
