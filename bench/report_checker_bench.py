"""Benchmark: the annual report checker (``gongkai report check``, gongkai.reports.checker),
issue 19's bounds: start-up at most 0.5 s, text and HTML at least 100 reports/s in one
invocation, a two-page PDF read by its geometry in at most 300 ms, a batch on every CPU.

Workload (fixed seed): reports on the 2021 national format whose figures are drawn at
random and then made consistent (every arithmetic rule holds; checked before timing),
one agency each, rendered as the project's tests render published reports
(``gongkai.reports.tests.fixtures.renditions``): a CMS web page (tables with merged
cells), the crawler's flattened text of that page (``label | n | n …``, one row a line)
and a PDF printed from the page by WeasyPrint (ruled tables, CJK font, A4 landscape). The
files are written to a temporary directory; nothing else is read.

Measured, each against a baseline of the same run:

- start-up: ``gongkai report check`` on one small text report, a fresh process each time
  (median of --startup-runs), the Django-free path; baselines: a bare ``python -c pass``
  and the same check through the management command (``gongkai report --no-color check``,
  Django's settings and apps loaded);
- text and HTML reports/s: ``check_bytes`` over --reports files in one process (read,
  recognise the format, place, check); and the command on all of them at once
  (``--workers 1``), whose rate includes its start-up;
- a two-page PDF: read by its geometry (``read_document``: pdfplumber's cells) against
  today's text layer (pypdf's layout mode, the reader before issue 19), median of
  --pdf-runs; and the whole check of that PDF;
- a batch of --batch files (text, HTML and PDF mixed) through ``check_paths`` on one
  process against every CPU (``os.cpu_count()``).

Run: .venv/bin/python bench/report_checker_bench.py [--reports 300] [--batch 60]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import provenance

ROOT = Path(__file__).resolve().parent.parent
SEED = 20210101  # the 2021 format's first year
AGENCIES = ["淮安市洪泽区人民政府", "宿迁市沭阳县发展和改革局", "灌云县人民政府", "盐城市体育局",
            "连云港市海州区教育局", "江苏省统计局办公室", "南京市江宁区司法局", "泗阳县人民政府"]


# --- the workload -----------------------------------------------------------------------------

def consistent_cells(fmt, rnd: random.Random) -> dict:
    """Random figures for every cell of ``fmt``, then totals made to agree with the
    format's sum rules (and 一 + 二 = 三.七 + 四 in table 三)."""
    cells = {ref: rnd.choice((0, 0, 0, 1, 2, 3, 5, 8, 13, 40)) for ref in fmt.cell_refs()}
    instances = [i for i in fmt.rule_instances() if i.rule.kind == "sum"]
    for _ in range(4):
        for instance in instances:
            if len(instance.left) == 1:
                cells[instance.left[0]] = sum(cells[ref] for ref in instance.right)
            elif instance.rule.id == "三.勾稽":  # 一 + 二 = 三.七 + 四: 一 is what is left
                new, carried = instance.left
                closed = sum(cells[ref] for ref in instance.right)
                cells[carried] = min(cells[carried], closed)
                cells[new] = closed - cells[carried]
    return cells


def text_of(page: str) -> str:
    """A crawler's copy of the page: every line of cells flattened to ``a | b | c``."""
    from gongkai.reports.checker.readers import read_document

    return "\n".join(" | ".join(line.cells) for line in read_document(page.encode()).lines) + "\n"


def build(directory: Path, count: int, rnd: random.Random) -> tuple[list[Path], list[Path], list[bytes]]:
    from gongkai.reports.formats import get_format
    from gongkai.reports.rules import check_cells
    from gongkai.reports.tests.fixtures.renditions import report_html

    fmt = get_format("2021")
    html_files, text_files, pages = [], [], []
    for n in range(count):
        cells = consistent_cells(fmt, rnd)
        assert not check_cells(fmt, cells).violations, "the generator made an inconsistent report"
        page = report_html(fmt, cells, agency=AGENCIES[n % len(AGENCIES)], year=2021 + n % 4)
        html_path, text_path = directory / f"r{n:04d}.html", directory / f"r{n:04d}.txt"
        html_path.write_text(page, encoding="utf-8")
        text_path.write_text(text_of(page), encoding="utf-8")
        html_files.append(html_path)
        text_files.append(text_path)
        if n < 3:
            pages.append(page)
    return html_files, text_files, pages


def pdf_of(page: str) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=page).write_pdf()


# --- measuring --------------------------------------------------------------------------------

def timed(fn: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds (this process) of each run."""
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return wall, cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def command(args: Sequence[str], *, env: dict | None = None) -> tuple[float, float]:
    """Wall-clock and CPU seconds of ``python ARGS`` in a fresh process."""
    started, started_cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, check=False)
    elapsed, cpu = time.perf_counter() - started, _children_cpu() - started_cpu
    assert done.returncode in (0, 1), done.stderr.decode()[-2000:]
    return elapsed, cpu


def commands(args: Sequence[str], runs: int, *, env: dict | None = None) -> tuple[list[float], list[float]]:
    measured = [command(args, env=env) for _ in range(runs)]
    return [m[0] for m in measured], [m[1] for m in measured]


def text_layer(data: bytes) -> int:
    """Today's PDF reader before issue 19: pypdf's layout text, split into lines of cells."""
    import pypdf

    from gongkai.reports.checker.readers import split_text_line

    lines = 0
    for page in pypdf.PdfReader(io.BytesIO(data), strict=False).pages:
        for raw in (page.extract_text(extraction_mode="layout") or "").splitlines():
            lines += bool(split_text_line(raw)[0])
    return lines


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:7.1f} ms (min {min(values) * 1000:.1f}, max {max(values) * 1000:.1f})"


def wall_cpu(wall: list[float], cpu: list[float]) -> str:
    return f"wall {ms(wall)}, CPU {statistics.median(cpu) * 1000:6.1f} ms"


def load() -> str:
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=300, help="text and HTML reports each")
    parser.add_argument("--batch", type=int, default=60, help="files in the batch (a tenth of them PDFs)")
    parser.add_argument("--startup-runs", type=int, default=7)
    parser.add_argument("--pdf-runs", type=int, default=7)
    args = parser.parse_args(argv)
    provenance.announce()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")  # the management command's baseline

    from gongkai.reports.checker.batch import check_paths
    from gongkai.reports.checker.check import check_bytes
    from gongkai.reports.checker.readers import read_document

    cpus = os.cpu_count() or 1
    print(f"report_checker_bench: gongkai report check (gongkai.reports.checker), python {sys.version.split()[0]}, "
          f"{cpus} CPUs, seed {SEED}")
    rnd = random.Random(SEED)
    with tempfile.TemporaryDirectory(prefix="gk-checker-bench-") as tmp:
        directory = Path(tmp)
        started = time.perf_counter()
        html_files, text_files, pages = build(directory, args.reports, rnd)
        pdf = pdf_of(pages[0])
        pdf_path = directory / "two_pages.pdf"
        pdf_path.write_bytes(pdf)
        import pypdf

        pdf_pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
        print(f"  workload: {args.reports} HTML pages ({sum(p.stat().st_size for p in html_files) // args.reports:,} "
              f"bytes each) and their flattened text, a {pdf_pages}-page PDF ({len(pdf):,} bytes); "
              f"built in {time.perf_counter() - started:.1f} s (untimed)")

        # correctness before any figure: every generated report is read whole and passes
        for path in (html_files[0], text_files[0], pdf_path):
            result = check_bytes(str(path), path.read_bytes())
            assert result.status == 0 and result.placed == result.expected_cells, (
                path.name, result.status, result.placed, [v.rule for v in result.violations][:5])
        print(f"  correctness: the HTML, text and PDF renditions are read whole ({result.placed} cells) and pass")

        # --- start-up
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        small = str(text_files[0])
        bare = commands(["-c", "pass"], args.startup_runs)
        fast = commands(["-m", "gongkai.cli", "report", "check", small], args.startup_runs, env=env)
        django = commands(["-m", "gongkai.cli", "report", "--no-color", "check", small], args.startup_runs, env=env)
        print(f"== start-up: one small text report, a fresh process each run ({load()})")
        print(f"  gongkai report check (Django-free)         {wall_cpu(*fast)}   bound 500 ms: "
              f"wall {verdict(statistics.median(fast[0]) <= 0.5)}, CPU {verdict(statistics.median(fast[1]) <= 0.5)}")
        print(f"  baseline: python -c pass                   {wall_cpu(*bare)}")
        print(f"  baseline: the management command (Django)  {wall_cpu(*django)}   "
              f"{statistics.median(django[0]) / statistics.median(fast[0]):.1f}x the Django-free path's wall")

        # --- throughput in one process
        print(f"== text and HTML in one invocation ({args.reports} files each)")
        rates = {}
        for kind, files in (("text", text_files), ("HTML", html_files)):
            data = [(str(p), p.read_bytes()) for p in files]
            (elapsed,), (cpu,) = timed(lambda data=data: [check_bytes(name, blob) for name, blob in data], 1)
            rates[kind] = len(data) / elapsed
            print(f"  {kind:<5} check_bytes in one process: {rates[kind]:7.1f} reports/s wall "
                  f"({elapsed / len(data) * 1000:.1f} ms each), {len(data) / cpu:7.1f}/s CPU "
                  f"({cpu / len(data) * 1000:.1f} ms each)   bound 100/s: wall {verdict(rates[kind] >= 100)}, "
                  f"CPU {verdict(len(data) / cpu >= 100)}")
        for kind, files in (("text", text_files), ("HTML", html_files)):
            elapsed, cpu = command(["-m", "gongkai.cli", "report", "check", "--workers", "1", *map(str, files)],
                                   env=env)
            print(f"  {kind:<5} the command on all {len(files)} files (--workers 1, start-up included): "
                  f"{len(files) / elapsed:7.1f} reports/s wall ({elapsed:.2f} s), {len(files) / cpu:7.1f}/s CPU")

        # --- a two-page PDF
        print(f"== a {pdf_pages}-page PDF ({args.pdf_runs} runs each, {load()})")
        geometry = timed(lambda: read_document(pdf), args.pdf_runs)
        layer = timed(lambda: text_layer(pdf), args.pdf_runs)
        whole = timed(lambda: check_bytes("two_pages.pdf", pdf), args.pdf_runs)
        print(f"  read by geometry (pdfplumber's cells)     {wall_cpu(*geometry)}   bound 300 ms: "
              f"wall {verdict(statistics.median(geometry[0]) <= 0.3)}, CPU {verdict(statistics.median(geometry[1]) <= 0.3)}")
        print(f"  baseline: today's text layer (pypdf)      {wall_cpu(*layer)}   "
              f"geometry {statistics.median(geometry[1]) / statistics.median(layer[1]):.2f}x its CPU")
        print(f"  the whole check (read, place, rules)      {wall_cpu(*whole)}")

        # --- the batch
        batch = []
        for n in range(args.batch):
            if n % 10 == 9:
                path = directory / f"b{n:04d}.pdf"
                path.write_bytes(pdf)
                batch.append(str(path))
            else:
                batch.append(str((html_files if n % 2 else text_files)[n % len(html_files)]))
        pdfs = sum(p.endswith(".pdf") for p in batch)
        print(f"== a batch of {len(batch)} files ({pdfs} PDFs, the rest text and HTML) through check_paths ({load()})")
        one = timed(lambda: check_paths(batch, workers=1), 1)[0][0]
        every = timed(lambda: check_paths(batch, workers=cpus), 1)[0][0]
        print(f"  every CPU ({cpus} processes)                {every:6.2f} s  {len(batch) / every:7.1f} files/s  "
              f"{one / every:.2f}x one process")
        print(f"  baseline: one process                     {one:6.2f} s  {len(batch) / one:7.1f} files/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
