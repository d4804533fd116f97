"""Benchmark: throughput and latency of the public portal under concurrent load.

Workload: a temporary SQLite database (WAL, as `gongkai serve` uses it locally) with one
county bureau, its default catalogue and N published items (default 5,000) drawn with a
fixed seed from the repository's word list (bench/data/vocabulary.txt, by the generator
of import_bench.py) and brought in through the real importer (so the search index and every column link exist). The platform is started
with `gongkai serve` (gunicorn, gthread workers, WhiteNoise for static files) exactly as
deployed, on a free local port.

Measured in the same run, each for --seconds after a warm-up, by C concurrent clients
(threads in two load-generator processes, one keep-alive connection each):

- static: a fingerprinted stylesheet served by WhiteNoise from the same server — the
  ceiling: the cost of gunicorn, HTTP and the load generator with no Django view;
- publication page and column page with the page cache switched off (the
  ``PageCacheHitMiddleware`` and ``PageCacheMiddleware`` removed): every request renders from the database;
- the same pages with the page cache on and warm (every URL of the set cached);
- the publication page in the traditional-character view, cache off (OpenCC's share).

Each scenario requests a fixed set of URLs (200 random items; every column's first
page) in random order. Printed: requests per second, p50 and p99 latency, and ratios
measured in this run. An in-process breakdown (Django test client, no HTTP) shows the
queries and time of one render.

Run: .venv/bin/python bench/portal_bench.py [--items 5000] [--seconds 10] [--clients 16]
     [--workers 2] [--threads 4] [--redis]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import provenance

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

SEED = 20190515
AGENCY_CODE = "331122000000"
HOST = "127.0.0.1"


# --- data ---------------------------------------------------------------------------------------


def prepare_database(tmp: Path, items: int) -> dict:
    """Migrate, create the bureau and its catalogue, import ``items`` published items."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # the manifest pages need
    from import_bench import generate

    from gongkai.core.models import User
    from gongkai.core.services.agencies import agency_create
    from gongkai.publishing.importer import import_publications
    from gongkai.publishing.models import Column, Topic
    from gongkai.publishing.services.catalogue import catalogue_install_default

    admin = User.objects.create_user(username="bench-admin", is_superuser=True, is_staff=True)
    agency = agency_create(actor=admin, name="缙云县市场监督管理局", level="county",
                           code=AGENCY_CODE)
    catalogue_install_default(actor=admin, agency=agency)
    columns = {c.pk: c for c in Column.objects.filter(agency=agency)}
    paths = []
    for c in columns.values():
        if c.parent_id:
            paths.append(f"{columns[c.parent_id].name}/{c.name}")
        elif not any(child.parent_id == c.pk for child in columns.values()):
            paths.append(c.name)
    topics = list(Topic.objects.values_list("code", "name"))
    csv_path = tmp / "items.csv"
    generate(csv_path, items, sorted(paths), topics)
    t0 = time.perf_counter()
    with csv_path.open("rb") as source:
        report = import_publications(actor=admin, agency=agency, source=source, fmt="csv",
                                     dry_run=False)
    assert report.ok and report.imported == items, report
    import_s = time.perf_counter() - t0

    from gongkai.portal import selectors

    rnd = random.Random(SEED)
    pks = list(selectors.public_publications().values_list("pk", flat=True))
    publication_urls = [f"/publications/{pk}/" for pk in rnd.sample(pks, min(200, len(pks)))]
    column_urls = [f"/columns/{pk}/" for pk in
                   selectors.public_columns().filter(agency=agency).values_list("pk", flat=True)]
    return {"publication": publication_urls, "column": column_urls, "import_s": import_s,
            "items": len(pks)}


def in_process_breakdown(urls: dict) -> dict:
    """Queries and time of one render, without HTTP and without the page cache."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    middleware = [m for m in settings.MIDDLEWARE if "PageCache" not in m]
    out = {}
    with override_settings(MIDDLEWARE=middleware, ALLOWED_HOSTS=["*"]):
        client = Client()
        for name in ("publication", "column"):
            sample = urls[name][:40]
            for url in sample:  # warm template and URL caches
                client.get(url)
            times, query_counts, query_times = [], [], []
            for url in sample:
                with CaptureQueriesContext(connection) as ctx:
                    t0 = time.perf_counter()
                    response = client.get(url)
                    times.append(time.perf_counter() - t0)
                assert response.status_code == 200, (url, response.status_code)
                query_counts.append(len(ctx.captured_queries))
                query_times.append(sum(float(q["time"]) for q in ctx.captured_queries))
            slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]))
            out[name] = {
                "slowest_sql": " ".join(slowest["sql"].split())[:160],
                "slowest_ms": float(slowest["time"]) * 1000,
                "ms": statistics.median(times) * 1000,
                "queries": statistics.median(query_counts),
                "query_ms": statistics.median(query_times) * 1000,
                "bytes": len(response.content),
            }
        from gongkai.portal.preferences import convert_html

        html = client.get(urls["publication"][0]).content.decode()
        convert_html(html)  # the first call loads OpenCC's dictionaries
        t0 = time.perf_counter()
        for _ in range(50):
            convert_html(html)
        out["convert_ms"] = (time.perf_counter() - t0) / 50 * 1000
    return out


# --- the server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """`gongkai serve` in a subprocess; ``page_cache=False`` runs it with a settings
    module that drops the page-cache middleware."""

    def __init__(self, tmp: Path, env: dict, *, page_cache: bool, workers: int, threads: int):
        self.port = free_port()
        env = dict(env)
        if not page_cache:
            module = tmp / "bench_settings_nocache.py"
            module.write_text(
                "from gongkai.settings import *  # noqa: F403\n"
                "from gongkai.settings import MIDDLEWARE\n"
                "MIDDLEWARE = [m for m in MIDDLEWARE if 'PageCache' not in m]\n"
            )
            env["PYTHONPATH"] = f"{tmp}{os.pathsep}{env.get('PYTHONPATH', '')}"
            env["DJANGO_SETTINGS_MODULE"] = "bench_settings_nocache"
        self.log = (tmp / f"server-{self.port}.log").open("w")
        gongkai = Path(sys.executable).with_name("gongkai")
        self.process = subprocess.Popen(
            [str(gongkai), "serve", "--no-migrate", "--host", HOST, "--port", str(self.port),
             "--workers", str(workers), "--threads", str(threads)],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited; see {self.log.name}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("the server did not start within 90 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


# --- the load generator ----------------------------------------------------------------------------


def _client_thread(port, urls, headers, stop_at, measure_from, latencies, errors, seed):
    rnd = random.Random(seed)
    order = list(urls)
    rnd.shuffle(order)
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    i = 0
    while True:
        now = time.perf_counter()
        if now >= stop_at:
            break
        url = order[i % len(order)]
        i += 1
        t0 = time.perf_counter()
        try:
            conn.request("GET", url, headers=headers)
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
        except (OSError, http.client.HTTPException):
            ok = False
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
        elapsed = time.perf_counter() - t0
        if t0 >= measure_from:
            if ok:
                latencies.append(elapsed)
            else:
                errors.append(1)
    conn.close()


def _load_process(port, urls, headers, clients, warmup, seconds, start_at, seed, queue):
    latencies, errors = [], []
    while time.time() < start_at:  # every process starts together
        time.sleep(0.001)
    t = time.perf_counter()
    measure_from, stop_at = t + warmup, t + warmup + seconds
    threads = [
        threading.Thread(target=_client_thread, args=(
            port, urls, headers, stop_at, measure_from, latencies, errors, seed * 1000 + n))
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put((latencies, len(errors)))


def load(port: int, urls: list[str], *, clients: int, seconds: float, warmup: float,
         headers: dict | None = None, processes: int = 2) -> dict:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    start_at = time.time() + 0.5
    per_process = [clients // processes + (1 if i < clients % processes else 0)
                   for i in range(processes)]
    workers = [
        context.Process(target=_load_process, args=(
            port, urls, headers or {}, n, warmup, seconds, start_at, SEED + i, queue))
        for i, n in enumerate(per_process) if n
    ]
    for worker in workers:
        worker.start()
    latencies, errors = [], 0
    for _ in workers:
        lat, err = queue.get()
        latencies += lat
        errors += err
    for worker in workers:
        worker.join()
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")

    return {"rps": len(latencies) / seconds, "p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99),
            "n": len(latencies), "errors": errors}


def warm(port: int, urls: list[str], rounds: int, headers: dict | None = None) -> None:
    """Request every URL ``rounds`` times, over fresh connections (so that every
    gunicorn worker sees them: with the in-process cache each has its own)."""
    for _ in range(rounds):
        for url in urls:
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
            conn.request("GET", url, headers=headers or {})
            conn.getresponse().read()
            conn.close()


def cache_header(port: int, url: str) -> str:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.request("GET", url)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.getheader("X-Page-Cache") or "-"


def static_url(var: Path) -> str:
    manifest = json.loads((var / "static" / "staticfiles.json").read_text())
    return "/static/" + manifest["paths"]["gongkai/site.css"]


# --- main ---------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--redis", action="store_true",
                        help="CACHE_URL=redis://127.0.0.1:6379/14 (shared cache) instead of the "
                             "in-process default")
    args = parser.parse_args(argv)
    provenance.announce()
    if args.items < 10 or args.clients < 1 or args.seconds <= 0:
        parser.error("need --items >= 10, --clients >= 1, --seconds > 0")

    tmp = Path(tempfile.mkdtemp(prefix="gongkai-portal-bench-"))
    var = tmp / "var"
    var.mkdir()
    env = {
        **os.environ,
        "GONGKAI_ENV": "local",
        "GONGKAI_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{tmp / 'portal.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "gongkai.settings",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
    }
    if args.redis:
        env["CACHE_URL"] = "redis://127.0.0.1:6379/14"
    else:
        env.pop("CACHE_URL", None)
    os.environ.update(env)
    servers: list[Server] = []
    try:
        print(f"== portal benchmark: {args.items:,} items, {args.clients} clients, "
              f"{args.seconds:g} s per scenario, gunicorn {args.workers} workers × "
              f"{args.threads} threads, {os.cpu_count()} CPUs, cache "
              f"{'Redis' if args.redis else 'in-process (generation file in var/)'}", flush=True)
        t0 = time.perf_counter()
        urls = prepare_database(tmp, args.items)
        print(f"  … database ready in {time.perf_counter() - t0:.1f} s "
              f"(import {urls['import_s']:.1f} s); {len(urls['publication'])} item URLs, "
              f"{len(urls['column'])} column URLs", flush=True)
        breakdown = in_process_breakdown(urls)
        if args.redis:
            from django.core.cache import cache

            cache.clear()
        from django.db import connections

        connections.close_all()

        results: dict[str, dict] = {}
        opts = {"clients": args.clients, "seconds": args.seconds, "warmup": args.warmup}
        traditional = {"Cookie": "gk_script=traditional"}

        server = Server(tmp, env, page_cache=False, workers=args.workers, threads=args.threads)
        servers.append(server)
        static = static_url(var)
        scenarios = [
            ("static file (ceiling)", [static], None),
            ("publication, cache off", urls["publication"], None),
            ("column, cache off", urls["column"], None),
            ("publication 繁體, cache off", urls["publication"], traditional),
        ]
        for label, url_set, headers in scenarios:
            results[label] = load(server.port, url_set, headers=headers, **opts)
            print(f"  … {label}: {results[label]['rps']:.0f} req/s", flush=True)
        server.stop()

        server = Server(tmp, env, page_cache=True, workers=args.workers, threads=args.threads)
        servers.append(server)
        for name in ("publication", "column"):
            warm(server.port, urls[name], rounds=2 * args.workers)
        state = {name: cache_header(server.port, urls[name][0]) for name in ("publication", "column")}
        assert set(state.values()) == {"hit"}, f"the cache is not warm: {state}"
        for label, url_set in (("publication, cache warm", urls["publication"]),
                               ("column, cache warm", urls["column"])):
            results[label] = load(server.port, url_set, **opts)
            print(f"  … {label}: {results[label]['rps']:.0f} req/s", flush=True)
        results["static file, cache server"] = load(server.port, [static], **opts)
        server.stop()

        print()
        print(f"{'scenario':34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} {'errors':>6}")
        for label, r in results.items():
            print(f"{label:34} {r['rps']:8.0f} {r['p50']:8.1f} {r['p99']:8.1f} {r['n']:9d} {r['errors']:6d}")
        ceiling = results["static file (ceiling)"]["rps"]
        print()
        print("ratios (same run):")
        for name in ("publication", "column"):
            cold, hot = results[f"{name}, cache off"], results[f"{name}, cache warm"]
            print(f"  {name:12} warm/off throughput ×{hot['rps'] / cold['rps']:.1f}, "
                  f"p99 off/warm ×{cold['p99'] / hot['p99']:.1f}; "
                  f"off = {cold['rps'] / ceiling:.0%} of static, warm = {hot['rps'] / ceiling:.0%} of static")
        trad = results["publication 繁體, cache off"]
        plain = results["publication, cache off"]
        print(f"  publication 繁體 uncached: {trad['rps'] / plain['rps']:.0%} of the simplified "
              f"throughput, p50 {trad['p50']:.0f} vs {plain['p50']:.0f} ms")
        print()
        print("one render in process (Django test client, no HTTP, cache off; medians):")
        for name in ("publication", "column"):
            b = breakdown[name]
            print(f"  {name:12} {b['ms']:6.1f} ms, {b['queries']:.0f} queries "
                  f"({b['query_ms']:.1f} ms in SQLite), {b['bytes']:,} bytes of HTML")
            print(f"  {'':12} slowest query of the last render ({b['slowest_ms']:.1f} ms): "
                  f"{b['slowest_sql']}…")
        print(f"  OpenCC conversion of one publication page: {breakdown['convert_ms']:.1f} ms")
        print(f"  load average during the run: {' / '.join(f'{x:.1f}' for x in os.getloadavg())} "
              f"(1/5/15 min) on {os.cpu_count()} CPUs")
        errors = sum(r["errors"] for r in results.values())
        return 1 if errors else 0
    finally:
        for server in servers:
            server.stop() if server.process.poll() is None else None
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
