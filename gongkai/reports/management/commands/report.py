"""`gongkai report`: annual reports.

    gongkai report check FILE... [--json]
        read published annual reports (plain text, HTML, DOCX, PDF with a text layer; in
        simplified or traditional characters), recognise the format (2021, 2019, legacy
        appendix), place every figure at its canonical cell and check the format's
        arithmetic rules; two reports of one agency for consecutive years are also checked
        against each other (this year's 二 = last year's 四).

        Default output: a summary per file. --json: one JSON document — for one file,
        that file's object; for several, {"reports": [one object per file, in the order
        given], "cross_year": [{"agency", "years": [y, y+1], "holds", "cells": [{"cell",
        "earlier", "later", "earlier_cell"}], "files"}]}. A file's object holds format,
        year, agency, tables ({table: {row: {column: value}}}), violations (rule, cells,
        expected, found), unplaced (text that could not be mapped), missing cells, notes.
        A blank or a dash in a cell is null, never 0. Several files are checked on every
        CPU (--workers N to say how many processes); reports of one agency (its name
        without the higher levels' place names: 淮安市洪泽区人民政府 = 洪泽区人民政府) for
        consecutive years are paired.

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

        `gongkai report check` runs without Django (gongkai/cli.py sends it to
        gongkai.reports.checker.cli); this command gives the same output and status.

Subcommands are added with ``_add_<name>``/``_<name>`` pairs (a reminder command will
join ``check``).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from gongkai.reports.checker import cli as checker_cli


class Command(BaseCommand):
    help = "Annual reports: check published reports against the national formats."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help=checker_cli.HELP, description=checker_cli.DESCRIPTION)
        checker_cli.add_arguments(check)
        remind = sub.add_parser(
            "remind", help="e-mail offices whose annual report is not yet published (1 Dec - 31 Jan; "
                           "once a day per agency, safe to run twice)")
        remind.add_argument("--dry-run", action="store_true", help="list who would be reminded, send nothing")

    def handle(self, *args, action, **options):
        if action == "check":
            status = checker_cli.run(options["files"], as_json=options["json"], out=self.stdout.write,
                                     err=self.stderr.write, workers=options["workers"])
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
