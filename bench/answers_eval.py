"""Evaluation: how often the question box (智能问答, ``gongkai.answers.engine``) answers
the demo site's questions from the right source.

Workload: a temporary SQLite database, migrated, with the demo loaded as `gongkai demo`
loads it (``call_command("demo")``: the province, requests, publications,
consultations, messages, complaints, FAQs and reports) and the search index rebuilt. The questions are ``bench/data/answers_questions.toml``:
each phrased as a citizen asks it, with the source(s) that answer it, named by kind and
title (``faq`` and its question, ``guide``, ``publication`` … and their titles), asked
on the demo bureau's pages unless it names no agency.

Printed: top-1 (the first answer cites an expected source) and top-3 (one of the first
three does) hit rates, the misses one by one with what was answered instead, the share
of the off-topic questions that got an answer anyway (false answers: lower is better),
and the time per question (median, p95, max).

Run: .venv/bin/python bench/answers_eval.py [--questions FILE] [--verbose] [--keep DIR]
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import provenance  # noqa: E402

QUESTIONS = ROOT / "bench" / "data" / "answers_questions.toml"
DEMO_AGENCY = "青岚市市场监督管理局"
TOP1_TARGET, TOP3_TARGET = 0.0, 0.80


def setup(workdir: Path) -> None:
    os.environ["GONGKAI_VAR_DIR"] = str(workdir / "var")
    os.environ["DJANGO_SETTINGS_MODULE"] = "gongkai.settings"
    os.environ["GONGKAI_ENV"] = "local"
    os.environ["DEBUG"] = "0"
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'answers.sqlite3'}"
    import django

    django.setup()


def load_demo() -> dict[str, int]:
    """The demo exactly as `gongkai demo` loads it, then the search index rebuilt."""
    from django.core.management import call_command

    from gongkai.portal.search import rebuild_index

    call_command("demo", verbosity=0, stdout=io.StringIO())
    return {"indexed": rebuild_index()}


def read_questions(path: Path) -> tuple[list[dict], list[dict]]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return data.get("question", []), data.get("off_topic", [])


def matches(link, expected: dict) -> bool:
    """``title`` exactly, or ``title_contains`` (an annual report's title has its year)."""
    if link.kind != expected["kind"]:
        return False
    if "title" in expected:
        return link.title == expected["title"]
    return expected["title_contains"] in link.title


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--verbose", action="store_true", help="print every question's answers")
    parser.add_argument("--keep", type=Path, help="keep the database in this directory")
    args = parser.parse_args()
    provenance.announce()
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="gongkai-answers-eval-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        setup(workdir)
        started = time.perf_counter()
        counts = load_demo()
        print(f"demo loaded in {time.perf_counter() - started:.1f} s: " +
              ", ".join(f"{k}={v}" for k, v in counts.items()))
        return evaluate(args)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def evaluate(args) -> int:
    from gongkai.answers import engine
    from gongkai.core.models import Agency

    questions, off_topic = read_questions(args.questions)
    agencies = {a.name: a for a in Agency.objects.all()}
    engine.answer("预热", agency=agencies[DEMO_AGENCY])  # lexicon, segmenter, templates
    top1 = top3 = 0
    held = {"n": 0, "top1": 0, "top3": 0, "off": 0, "false": 0}
    times: list[float] = []
    misses = []
    for n, item in enumerate(questions, 1):
        agency = agencies[item.get("agency", DEMO_AGENCY)] if item.get("agency", DEMO_AGENCY) else None
        t0 = time.perf_counter()
        result = engine.answer(item["q"], agency=agency)
        times.append((time.perf_counter() - t0) * 1000)
        expected = item["expect"]
        ranks = [i for i, a in enumerate(result.answers)
                 if any(matches(link, e) for link in a.sources for e in expected)]
        rank = ranks[0] + 1 if ranks else None
        top1 += rank == 1
        top3 += rank is not None and rank <= 3
        if item.get("heldout"):
            held["n"] += 1
            held["top1"] += rank == 1
            held["top3"] += rank is not None and rank <= 3
        if args.verbose or rank != 1:
            got = " | ".join(f"{a.score:.2f} {a.sources[0].kind}:{a.sources[0].title}" for a in result.answers) or "（无答案）"
            line = f"  {'MISS' if rank is None else f'rank {rank}'}  #{n} {item['q']}  → {got}"
            (misses if rank != 1 else []).append(line)
            if args.verbose and rank == 1:
                print(f"  ok      #{n} {item['q']}  → {got}")
    false_answers = []
    for item in off_topic:
        agency = agencies[item.get("agency", DEMO_AGENCY)] if item.get("agency", DEMO_AGENCY) else None
        t0 = time.perf_counter()
        result = engine.answer(item["q"], agency=agency)
        times.append((time.perf_counter() - t0) * 1000)
        held["off"] += bool(item.get("heldout"))
        held["false"] += bool(item.get("heldout") and result.answers)
        if result.answers:
            false_answers.append(f"  FALSE  {item['q']}  → " + " | ".join(
                f"{a.score:.2f} {a.sources[0].kind}:{a.sources[0].title}" for a in result.answers))
    total = len(questions)
    print()
    print(f"questions: {total} (expected sources from the demo's FAQs, guide, items and report), "
          f"off-topic: {len(off_topic)}")
    print(f"top-1 hit rate: {top1}/{total} = {top1 / total:.1%}")
    print(f"top-3 hit rate: {top3}/{total} = {top3 / total:.1%}  (target ≥ {TOP3_TARGET:.0%})")
    if held["n"]:
        print(f"  of which held out (not tuned on): top-1 {held['top1']}/{held['n']} = "
              f"{held['top1'] / held['n']:.1%}, top-3 {held['top3']}/{held['n']} = "
              f"{held['top3'] / held['n']:.1%}; false answers {held['false']}/{held['off']} off-topic")
    if off_topic:
        print(f"false answers on off-topic questions: {len(false_answers)}/{len(off_topic)} = "
              f"{len(false_answers) / len(off_topic):.1%}")
    times.sort()
    print(f"time per question: median {statistics.median(times):.1f} ms, "
          f"p95 {times[int(0.95 * (len(times) - 1))]:.1f} ms, max {times[-1]:.1f} ms "
          f"({len(times)} questions, SQLite, in process)")
    if misses:
        print("\nnot answered first from an expected source (rank of the first expected one):")
        print("\n".join(misses))
    if false_answers:
        print("\noff-topic questions answered:")
        print("\n".join(false_answers))
    return 0 if top3 / total >= TOP3_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
