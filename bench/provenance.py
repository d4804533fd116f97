"""Which code a benchmark measured: the commit, and whether the whole work tree was clean
(figures measured on uncommitted changes belong to no commit).

``bench/run`` prints ``line()`` once at its top and sets ``GONGKAI_BENCH_PROVENANCE``;
each benchmark calls ``announce()`` first, which prints the same line when the benchmark
is run alone. ``python bench/provenance.py`` prints it too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHOWN = "GONGKAI_BENCH_PROVENANCE"


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout


def line() -> str:
    """``commit 1a2b3c4d5e6f (full hash), clean tree`` or ``…, uncommitted changes: N
    modified, M untracked (paths)``."""
    full = _git("rev-parse", "HEAD")
    if not full:
        return "commit unknown (not a git checkout)"
    full = full.strip()
    short = (_git("rev-parse", "--short=12", "HEAD") or full[:12]).strip()
    status = _git("status", "--porcelain", "--untracked-files=normal")
    if status is None:
        return f"commit {short} ({full}), tree state unknown"
    entries = [entry for entry in status.splitlines() if entry.strip()]
    if not entries:
        return f"commit {short} ({full}), clean tree"
    untracked = [e[3:] for e in entries if e.startswith("??")]
    modified = [e[3:] for e in entries if not e.startswith("??")]
    paths = ", ".join([*modified, *untracked][:6]) + (", …" if len(entries) > 6 else "")
    return (
        f"commit {short} ({full}), UNCOMMITTED CHANGES: {len(modified)} modified, "
        f"{len(untracked)} untracked ({paths}) — these figures belong to no commit"
    )


def announce() -> None:
    """Print the line, unless ``bench/run`` already did."""
    if not os.environ.get(SHOWN):
        print(f"== gongkai {line()}", flush=True)


if __name__ == "__main__":
    print(line())
    sys.exit(0)
