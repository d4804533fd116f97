"""`gongkai report`: annual reports.

    gongkai report check FILE... [--json]
        read published annual reports (plain text, HTML, DOCX, PDF with a text layer; in
        simplified or traditional characters), recognise the format (2021, 2019, legacy
        appendix), place every figure at its canonical cell and check the format's
        arithmetic rules; two reports of one agency for consecutive years are also checked
        against each other (this year's 二 = last year's 四).

        Default output: a summary per file. --json: one JSON document — an object for one
        file, a list of objects (in the order given) for several — with format, year,
        agency, tables ({table: {row: {column: value}}}), violations (rule, cells,
        expected, found), unplaced (text that could not be mapped), missing cells, notes.
        A blank or a dash in a cell is null, never 0.

        Besides broken rules, "violations" lists findings that keep a report from being
        checked in full, with rule ids starting "格式.":
          格式.缺少单元格  a row of the format not found (deleted, mislabelled, or a
                          2021-style sub-row in a 2019 report); one per row
          格式.无法核对    a rule with a blank or missing cell
          格式.年度不符    the format is not the one the stated year prescribes
        The legacy appendix allows missing and blank cells (its local formats printed a
        subset of its indicators).

        Exit status: 0 every rule holds and nothing is missing, 1 a rule is broken or a
        finding is reported, 2 a file could not be read or no report format was
        recognised in it (the worst file decides).

Subcommands are added with ``_add_<name>``/``_<name>`` pairs (a reminder command will
join ``check``).
"""

from __future__ import annotations

import json
import os

from django.core.management.base import BaseCommand

from gongkai.reports.checker.check import UNREADABLE, FileResult, batch_status, check_files
from gongkai.reports.checker.readers import MAX_INPUT_BYTES


class Command(BaseCommand):
    help = "Annual reports: check published reports against the national formats."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser(
            "check", help="check published annual reports (exit 0 ok, 1 broken rule or finding, 2 unreadable)",
            description="Findings listed with the violations: 格式.缺少单元格 (a row of the format not found), "
                        "格式.无法核对 (a rule with a blank or missing cell), 格式.年度不符 (not the format the "
                        "stated year prescribes); the legacy appendix allows missing and blank cells. "
                        "Exit status: 0 every rule holds and nothing is missing, 1 a rule is broken or a "
                        "finding is reported, 2 a file could not be read or no format was recognised.")
        check.add_argument("files", nargs="+", metavar="FILE")
        check.add_argument("--json", action="store_true", help="print one JSON document")
        remind = sub.add_parser(
            "remind", help="e-mail offices whose annual report is not yet published (1 Dec - 31 Jan; "
                           "once a day per agency, safe to run twice)")
        remind.add_argument("--dry-run", action="store_true", help="list who would be reminded, send nothing")

    def handle(self, *args, action, **options):
        if action == "check":
            status = self._check(files=options["files"], as_json=options["json"])
            if status:
                raise SystemExit(status)
        elif action == "remind":
            self._remind(dry_run=options["dry_run"])

    def _remind(self, *, dry_run: bool) -> None:
        from gongkai.reports.reminders import send_report_reminders

        results = send_report_reminders(dry_run=dry_run)
        for r in results:
            self.stdout.write(f"{r.agency.name}\t{r.report_year}\t{r.days_left} days left\t{r.status}")
        if not results:
            self.stdout.write("no reminders due")

    # --- check ------------------------------------------------------------------------------

    def _check(self, *, files: list[str], as_json: bool) -> int:
        refused: dict[int, FileResult] = {}

        def readable():  # one file's bytes at a time
            for i, path in enumerate(files):
                try:
                    with open(path, "rb") as handle:
                        if os.fstat(handle.fileno()).st_size > MAX_INPUT_BYTES:
                            refused[i] = FileResult(
                                path, error=f"file larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB")
                            continue
                        data = handle.read()
                except OSError as exc:
                    refused[i] = FileResult(path, error=f"cannot read: {exc.strerror or exc}")
                    continue
                yield path, data

        checked = iter(check_files(readable()))
        results = [refused[i] if i in refused else next(checked) for i in range(len(files))]
        if as_json:
            documents = [r.as_dict() for r in results]
            self.stdout.write(json.dumps(documents[0] if len(documents) == 1 else documents,
                                         ensure_ascii=False, indent=2))
        else:
            for result in results:
                self._summary(result)
        for result in results:
            if result.status == UNREADABLE:
                self.stderr.write(f"{result.name}: error: {result.error or 'no annual report format recognised'}")
        return batch_status(results)

    def _summary(self, result: FileResult) -> None:
        write = self.stdout.write
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
