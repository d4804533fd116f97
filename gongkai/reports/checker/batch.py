"""Several published reports checked at once, on every CPU, and paired across years
(issue 19, parts 5 and 6).

:func:`check_paths` reads and checks each file in a worker process (one file's bytes at a
time per worker; a worker sends back the result without its format definition, which the
parent puts back), in the order given. :func:`pair_across_years` then finds the reports of
one agency for consecutive years (:func:`~gongkai.reports.checker.check.consecutive_years`,
the same pairing as the back office's: "淮安市洪泽区人民政府" and "洪泽区人民政府" are one
agency) and checks the later one against the earlier one with the format's cross-year rule
(this year's 三.二 = last year's 三.四).

No Django here: the command runs without settings (:mod:`gongkai.reports.checker.cli`).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from decimal import Decimal

from gongkai.reports.checker.check import (
    FileResult,
    check_against_previous,
    check_guarded,
    consecutive_years,
)
from gongkai.reports.checker.readers import MAX_INPUT_BYTES
from gongkai.reports.formats import get_format

__all__ = ["CrossYear", "check_paths", "pair_across_years", "read_and_check"]


@dataclass(frozen=True)
class CrossYear:
    """Two reports of one agency for consecutive years, and the cross-year rule's cells:
    (the later report's cell, the earlier report's cell, earlier value, later value)."""

    agency: str  # the later report's agency, as printed
    years: tuple[int, int]
    files: tuple[str, str]  # (earlier, later)
    holds: bool  # every cell the rule compares was printed in both and agrees
    cells: tuple[tuple[str, str, object, object], ...]

    def as_dict(self) -> dict:
        return {
            "agency": self.agency,
            "years": list(self.years),
            "holds": self.holds,
            "cells": [{"cell": later_ref, "earlier": _plain(earlier), "later": _plain(later),
                       "earlier_cell": earlier_ref}
                      for later_ref, earlier_ref, earlier, later in self.cells],
            "files": list(self.files),
        }


def _plain(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


# --- one file ----------------------------------------------------------------------------

def read_and_check(path: str) -> FileResult:
    """Read the file at ``path`` (refused unread when larger than the checker reads) and
    check it on its own."""
    try:
        with open(path, "rb") as handle:
            if os.fstat(handle.fileno()).st_size > MAX_INPUT_BYTES:
                return FileResult(path, error=f"file larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB",
                                  error_zh=f"文件超过{MAX_INPUT_BYTES // (1024 * 1024)}MB，无法读取。")
            data = handle.read()
    except OSError as exc:
        return FileResult(path, error=f"cannot read: {exc.strerror or exc}", error_zh="文件无法打开。")
    return check_guarded(path, data)


def _shipped(path: str) -> tuple[FileResult, str | None]:
    """In a worker: the result, with its format replaced by the format's id (the parent
    holds the same definitions; a result crosses the process boundary small)."""
    result = read_and_check(path)
    format_id = None
    if result.extraction is not None and result.extraction.format is not None:
        format_id = result.extraction.format.id
        result.extraction.format = None
    return result, format_id


def _landed(shipped: tuple[FileResult, str | None]) -> FileResult:
    result, format_id = shipped
    if format_id is not None:
        result.extraction.format = get_format(format_id)
    return result


# --- many files --------------------------------------------------------------------------

def workers_for(count: int, workers: int | None = None) -> int:
    """How many processes check ``count`` files: every CPU, never more than files."""
    return max(1, min(count, workers or os.cpu_count() or 1))


CRASHED = "the checker's process ended while reading this file (a crash or out of memory)"
CRASHED_ZH = "读取此文件时检查进程意外终止（程序崩溃或内存不足），未能检查。"


def _context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _alone(path: str) -> FileResult:
    """``path`` checked in a process of its own: after a worker died, the files it may
    have been reading are tried one by one, so that only the file that kills a process is
    reported (and the others are checked)."""
    with ProcessPoolExecutor(1, mp_context=_context()) as executor:
        try:
            return _landed(executor.submit(_shipped, path).result())
        except BrokenProcessPool:
            return FileResult(path, error=CRASHED, error_zh=CRASHED_ZH)


def _stop(executor: ProcessPoolExecutor) -> None:
    """Stop at once: queued files cancelled, workers still reading ended (the caller is
    gone: Ctrl-C, a closed pipe, an error), not waited for."""
    processes = list((getattr(executor, "_processes", None) or {}).values())  # shutdown forgets them
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()


def _finished(future) -> bool:
    return future is not None and future.done() and not future.cancelled() and future.exception() is None


def _results(paths: Sequence[str], workers: int) -> Iterator[FileResult]:
    """Each file's result, in the order given. At most two files a worker are in flight
    (each worker reads its own file: the parent never holds a file's bytes). A worker that
    dies (a crash, the kernel's out-of-memory killer) breaks the pool: the files in flight
    that had not finished are then checked one by one in processes of their own, and the
    rest on a new pool."""
    if workers <= 1:
        yield from map(read_and_check, paths)
        return
    ahead = iter(paths)
    executor = ProcessPoolExecutor(workers, mp_context=_context())
    window: deque[tuple[str, object]] = deque()
    completed = False
    try:
        while True:
            for path in ahead:
                try:
                    future = executor.submit(_shipped, path)
                except BrokenProcessPool:  # a worker died since the last result
                    future = None
                window.append((path, future))
                if future is None or len(window) >= 2 * workers:
                    break
            if not window:
                completed = True
                return
            path, future = window.popleft()
            try:
                if future is None:
                    raise BrokenProcessPool(CRASHED)
                shipped = future.result()
            except BrokenProcessPool:
                stranded = [(path, future), *window]
                window.clear()
                executor.shutdown(wait=True, cancel_futures=True)
                for each, done in stranded:
                    yield _landed(done.result()) if _finished(done) else _alone(each)
                executor = ProcessPoolExecutor(workers, mp_context=_context())
                continue
            yield _landed(shipped)
    finally:
        if completed:
            executor.shutdown(wait=True)
        else:
            _stop(executor)


def check_paths(paths: Sequence[str], *, workers: int | None = None,
                progress: Callable[[FileResult], None] | None = None) -> tuple[list[FileResult], list[CrossYear]]:
    """Check every file (on ``workers`` processes, default every CPU; serially for one
    file), then pair consecutive years of one agency. Results are in the order given."""
    results = []
    for result in _results(list(paths), workers_for(len(paths), workers)):
        results.append(result)
        if progress is not None:
            progress(result)
    return results, pair_across_years(results)


def pair_across_years(results: list[FileResult]) -> list[CrossYear]:
    """Pair reports of one agency for consecutive years (only where one pairing fits:
    :func:`~gongkai.reports.checker.check.consecutive_years`); check each later report
    again with the cross-year rule against the earlier one (its ``check`` and ``previous``
    are replaced)."""
    pairs = []
    for earlier, later in consecutive_years(results):
        ex = later.extraction
        check_against_previous(later, earlier)
        later_cells, earlier_cells = later.checked_cells(), earlier.checked_cells()  # blanks as 0 where checked so
        compared = []
        for instance in ex.format.rule_instances(cross_year=True):
            for later_ref, earlier_ref in zip(instance.left, instance.right, strict=False):
                compared.append((later_ref, earlier_ref, earlier_cells.get(earlier_ref), later_cells.get(later_ref)))
        broken = {v.rule for v in later.check.violations}
        unchecked = {u.split("（", 1)[0] for u in later.check.unchecked}
        cross_rules = {i.rule.id for i in ex.format.rule_instances(cross_year=True)}
        holds = not (cross_rules & broken) and not (cross_rules & unchecked)
        pairs.append(CrossYear(ex.agency, (earlier.extraction.year, ex.year), (earlier.name, later.name),
                               holds, tuple(compared)))
    return pairs
