"""`gongkai report check FILE... [--json]` without Django (issue 19, part 6).

The checker needs no database, so ``gongkai/cli.py`` sends ``report check`` here before
Django's settings or apps are loaded (start-up is most of a single file's time); the
management command ``report check`` calls :func:`run` too, so both print the same and exit
with the same status:

* default output: a summary per file (format, year, agency, cells placed, rules broken,
  findings, unplaced text, notes);
* ``--json``: for one file, that file's object; for several, one document
  ``{"reports": [one object per file, in the order given], "cross_year": [{"agency", "years",
  "holds", "cells": [{"cell", "earlier", "later", "earlier_cell"}], "files"}]}``;
* exit status 0 every rule holds and nothing is missing, 1 a rule is broken or a finding is
  reported, 2 a file could not be read or no report format was recognised (the worst file
  decides).

Several files are checked on every CPU (:mod:`gongkai.reports.checker.batch`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from gongkai.reports.checker.batch import CrossYear, check_paths
from gongkai.reports.checker.check import UNREADABLE, FileResult, batch_status

HELP = "check published annual reports (exit 0 ok, 1 broken rule or finding, 2 unreadable)"
DESCRIPTION = ("Findings listed with the violations: 格式.缺少单元格 (a row of the format not found), "
               "格式.无法核对 (a rule with a blank or missing cell), 格式.年度不符 (not the format the "
               "stated year prescribes); the legacy appendix allows missing and blank cells. "
               "Exit status: 0 every rule holds and nothing is missing, 1 a rule is broken or a "
               "finding is reported, 2 a file could not be read or no format was recognised. "
               "Several files are checked on every CPU; reports of one agency for consecutive years "
               "are checked against each other (this year's 二 = last year's 四).")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``report check`` (shared with the management command)."""
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--workers", type=int, default=None, metavar="N",
                        help="processes checking files at once (default: every CPU)")


Write = Callable[[str], None]


def run(files: list[str], *, as_json: bool, out: Write, err: Write, workers: int | None = None) -> int:
    """Check ``files``; write the output line by line (``out``, ``err`` take one line without
    its end); return the exit status."""
    results, pairs = check_paths(files, workers=workers)
    if as_json:
        out(json.dumps(document(results, pairs), ensure_ascii=False, indent=2))
    else:
        for result in results:
            summary(result, out)
    for result in results:
        if result.status == UNREADABLE:
            err(f"{result.name}: error: {result.error or 'no annual report format recognised'}")
    return batch_status(results)


def document(results: list[FileResult], pairs: list[CrossYear]) -> dict:
    """The JSON document: one file's object, or {"reports": […], "cross_year": […]}."""
    reports = [r.as_dict() for r in results]
    if len(reports) == 1:
        return reports[0]
    return {"reports": reports, "cross_year": [p.as_dict() for p in pairs]}


def summary(result: FileResult, write: Write) -> None:
    """One file's summary, as the command prints it."""
    write(f"== {result.name}")
    if result.status == UNREADABLE:
        write(f"   cannot check / 无法检查: {result.error_zh or result.error}")
        return
    ex = result.extraction
    write(f"   format / 格式: {result.format.id} ({result.format.name}), read as {result.kind}")
    write(f"   year / 年度: {ex.year or '未说明'}   agency / 机关: {ex.agency or '未说明'}")
    write(f"   cells placed / 已定位单元格: {result.placed} of {result.expected_cells}")
    if ex.missing:
        write(f"   missing / 未找到: {', '.join(ex.missing[:12])}{' …' if len(ex.missing) > 12 else ''}")
    check = result.check
    if result.previous:
        write(f"   cross-year rule against / 跨年核对: {result.previous}")
    if check.violations:
        write(f"   RULES BROKEN / 违反规则: {len(check.violations)} of {check.checked} checked")
        for violation in check.violations:
            write(f"   ✗ [{violation.rule}] {violation.describe()}")
    else:
        write(f"   rules / 规则: all {check.checked} checked hold / 全部成立")
    findings = result.findings
    if findings:
        write(f"   FINDINGS / 格式问题: {len(findings)}")
        for finding in findings:
            write(f"   ✗ [{finding.rule}] {finding.describe()}")
    if ex.unplaced:
        write(f"   unplaced / 未能定位: {len(ex.unplaced)}")
        for item in ex.unplaced:
            write(f"   ? {item.where}: {item.text} — {item.reason}")
    for note in ex.notes + result.warnings:
        write(f"   note / 提示: {note}")
    for note in result.notes_en:
        write(f"   note: {note}")


def _line_writer(stream) -> Write:
    def write(line: str) -> None:
        stream.write(line if line.endswith("\n") else line + "\n")
    return write


def main(argv: list[str] | None = None) -> int:
    """``gongkai report check …`` (``argv`` after ``report check``); returns the status."""
    parser = argparse.ArgumentParser(prog="gongkai report check", description=DESCRIPTION)
    add_arguments(parser)
    options = parser.parse_args(sys.argv[1:] if argv is None else argv)
    return run(options.files, as_json=options.json, out=_line_writer(sys.stdout), err=_line_writer(sys.stderr),
               workers=options.workers)


if __name__ == "__main__":
    sys.exit(main())
