"""Load run: C concurrent clients on cached public pages, with Redis up and then stopped.

Workload: a temporary SQLite database with the demo data (`gongkai demo`), a private
`redis-server` on a free port (never the machine's shared one) as ``CACHE_URL``, and
`gongkai serve` (gunicorn, gthread workers) started by this script on a free port, as
deployed. The public pages of the demo site (home, agencies, columns, items, search
page, sitemap, robots.txt) are warmed into the page cache, then C clients (threads in
two load-generator processes, one keep-alive connection each) request them in random
order.

With ``--kill-redis`` the run has two phases of --seconds each: the redis-server is
killed (SIGKILL) between them, mid-run, while the clients keep going; each phase is
reported on its own: requests, errors (anything but 200, or no answer), p50/p95/p99
latency and the share of answers from the page cache. Afterwards ``/healthz`` is read.

Run: .venv/bin/python bench/load_bench.py [--clients 200] [--seconds 20] [--kill-redis]
     [--workers 2] [--threads 8]
Only the standard library and what gongkai installs (threads + http.client).
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from portal_bench import HOST, Server, free_port  # the same server and ports as the portal bench

ROOT = Path(__file__).resolve().parent.parent
SEED = 20260315


def get(port: int, path: str, timeout: float = 30) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


class Redis:
    def __init__(self, tmp: Path):
        self.port = free_port()
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", HOST, "--save", "",
             "--appendonly", "no", "--dir", str(tmp)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((HOST, self.port), timeout=0.2) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def public_urls(port: int) -> list[str]:
    """The demo site's public pages, found by following links from the home page."""
    urls = {"/", "/agencies/", "/search/", "/sitemap.xml", "/robots.txt", "/annual-reports/"}
    _, _, body = get(port, "/")
    for href in re.findall(r'href="(/(?:agencies|columns|publications)/[^"?#]*)"', body.decode()):
        urls.add(href)
    for page in [u for u in list(urls) if u.startswith(("/agencies/", "/columns/"))][:20]:
        _, _, body = get(port, page)
        urls.update(re.findall(r'href="(/(?:columns|publications)/\d+/)"', body.decode()))
    ok = []
    for url in sorted(urls):
        status, headers, _ = get(port, url)
        if status == 200 and headers.get("X-Page-Cache"):
            ok.append(url)
    return ok


def _client(port, urls, stop_at, samples, seed):
    rnd = random.Random(seed)
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    while True:
        t0 = time.time()
        if t0 >= stop_at:
            break
        url = rnd.choice(urls)
        cached = False
        try:
            conn.request("GET", url)
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
            cached = response.getheader("X-Page-Cache") == "hit"
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
        except (OSError, http.client.HTTPException):
            ok = False
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
        samples.append((t0, time.time() - t0, ok, cached))
    conn.close()


def _load_process(port, urls, clients, start_at, stop_at, seed, queue):
    samples: list = []
    while time.time() < start_at:
        time.sleep(0.001)
    threads = [threading.Thread(target=_client, args=(port, urls, stop_at, samples, seed * 1000 + n))
               for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queue.put(samples)


def run_load(port, urls, *, clients, start_at, stop_at, processes=2):
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    shares = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    workers = [context.Process(target=_load_process,
                               args=(port, urls, n, start_at, stop_at, SEED + i, queue))
               for i, n in enumerate(shares) if n]
    for w in workers:
        w.start()
    return workers, queue


def summary(samples, seconds) -> dict:
    good = sorted(latency for _, latency, ok, _ in samples if ok)
    errors = sum(1 for s in samples if not s[2])
    hits = sum(1 for s in samples if s[3])

    def pct(p):
        return good[min(len(good) - 1, int(p * len(good)))] * 1000 if good else float("nan")

    return {"requests": len(samples), "errors": errors, "rps": len(samples) / seconds,
            "p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99),
            "cached": hits / len(samples) if samples else 0.0}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20.0, help="per phase")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--kill-redis", action="store_true",
                        help="kill the redis-server after the first phase, mid-run")
    args = parser.parse_args(argv)
    if shutil.which("redis-server") is None:
        parser.error("needs redis-server on PATH")
    if args.clients < 1 or args.seconds <= 0:
        parser.error("need --clients >= 1 and --seconds > 0")

    tmp = Path(tempfile.mkdtemp(prefix="gongkai-load-bench-"))
    var = tmp / "var"
    var.mkdir()
    redis = Redis(tmp)
    env = {
        **{k: v for k, v in os.environ.items() if k != "GONGKAI_TRUSTED_PROXIES"},
        "GONGKAI_ENV": "local", "GONGKAI_VAR_DIR": str(var), "DEBUG": "0",
        "DATABASE_URL": f"sqlite:///{tmp / 'load.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "gongkai.settings", "LOG_LEVEL": "WARNING",
        "CACHE_URL": f"redis://{HOST}:{redis.port}/0",
    }
    gongkai = str(Path(sys.executable).with_name("gongkai"))
    server = None
    try:
        print(f"== load run: {args.clients} clients, {args.seconds:g} s per phase, gunicorn "
              f"{args.workers} workers × {args.threads} threads, {os.cpu_count()} CPUs, "
              f"SQLite + demo data, private redis-server :{redis.port}"
              f"{', killed between the phases' if args.kill_redis else ''}", flush=True)
        for command in (["migrate", "--verbosity", "0"], ["demo"]):
            subprocess.run([gongkai, *command], env=env, check=True, capture_output=True)
        server = Server(tmp, env, page_cache=True, workers=args.workers, threads=args.threads)
        urls = public_urls(server.port)
        for _ in range(3):  # every URL into the shared cache
            for url in urls:
                get(server.port, url)
        print(f"  … {len(urls)} public URLs, cache warm", flush=True)

        start_at = time.time() + 1.0
        measure_from = start_at + args.warmup
        phase_end = measure_from + args.seconds
        stop_at = phase_end + (args.seconds if args.kill_redis else 0)
        workers, queue = run_load(server.port, urls, clients=args.clients,
                                  start_at=start_at, stop_at=stop_at)
        killed_at = None
        if args.kill_redis:
            time.sleep(max(0.0, phase_end - time.time()))
            redis.kill()
            killed_at = time.time()
            print(f"  … redis-server killed at +{killed_at - measure_from:.1f} s", flush=True)
        samples = []
        for _ in workers:
            samples += queue.get()
        for w in workers:
            w.join()

        phases = [("Redis up", [s for s in samples if measure_from <= s[0] < phase_end])]
        if args.kill_redis:
            phases.append(("Redis killed", [s for s in samples if s[0] >= killed_at]))
        print()
        print(f"{'phase':14} {'requests':>9} {'errors':>7} {'req/s':>7} {'p50 ms':>8} "
              f"{'p95 ms':>8} {'p99 ms':>8} {'cached':>7}")
        for label, part in phases:
            r = summary(part, args.seconds if label == "Redis up" else stop_at - killed_at)
            print(f"{label:14} {r['requests']:9d} {r['errors']:7d} {r['rps']:7.0f} {r['p50']:8.1f} "
                  f"{r['p95']:8.1f} {r['p99']:8.1f} {r['cached']:7.0%}")
        status, _, body = get(server.port, "/healthz")
        print()
        print(f"/healthz: {status} " + body.decode().strip().replace("\n", " | "))
        return 0
    finally:
        if server is not None:
            server.stop()
        redis.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
