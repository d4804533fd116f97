"""`gongkai decisions`: licensing, penalty and enforcement decisions (双公示).

    gongkai decisions import FILE --agency CODE [--dry-run] [--hold] [--user USERNAME]
        import an export file (CSV or XLSX) for the agency with that code, all or nothing,
        exactly as the back office's upload does. --dry-run checks and reports, saves
        nothing. --hold imports the decisions as pending (published later by the office).
        --user records the import under that user (who must be the agency's disclosure
        office); without it the audit trail shows the command line.
    gongkai decisions counts --year YEAR [--agency CODE]
        the annual report's table 二 figures (本年处理决定数量), by decision date.
"""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from gongkai.core.errors import DomainError
from gongkai.core.models import Agency, User
from gongkai.decisions import importer, selectors
from gongkai.decisions.models import DecisionKind


class Command(BaseCommand):
    help = "Licensing, penalty and enforcement decisions: import, annual counts."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import an export file (CSV or XLSX), all or nothing")
        imp.add_argument("file", help="path of the CSV or XLSX file")
        imp.add_argument("--agency", required=True, help="the agency's code (机关代码)")
        imp.add_argument("--dry-run", action="store_true", help="check and report, save nothing")
        imp.add_argument("--hold", action="store_true", help="import as pending, publish later")
        imp.add_argument("--user", help="record the import under this user (the agency's office)")
        counts = sub.add_parser("counts", help="annual report table 二 counts")
        counts.add_argument("--year", type=int, required=True)
        counts.add_argument("--agency", help="one agency's code (default: every agency)")

    def handle(self, *args, action, **options):
        if action == "import":
            self._import(**options)
        elif action == "counts":
            self._counts(year=options["year"], code=options.get("agency"))

    def _agency(self, code: str) -> Agency:
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            raise CommandError(f"no agency with code {code!r}")
        return agency

    def _import(self, *, file, agency, dry_run, hold, user, **_):
        agency_obj = self._agency(agency)
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"no active user {user!r}")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        with path.open("rb") as handle:
            try:
                report = importer.import_decisions(
                    actor=actor, agency=agency_obj, file=handle, dry_run=dry_run, held=hold,
                    file_name=path.name)
            except (PermissionDenied, DomainError) as exc:
                raise CommandError(str(exc)) from None
        fmt = report.file_format + (f", {report.encoding}" if report.encoding else "")
        self.stdout.write(f"{path.name}: {fmt or 'unreadable'}, {report.rows} data row(s)")
        if report.ignored_columns:
            self.stdout.write(f"ignored columns: {', '.join(report.ignored_columns)}")
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(str(problem))
            if report.problems_not_listed:
                self.stderr.write(f"... and {report.problems_not_listed} more problem(s)")
            raise CommandError(f"{report.problem_total} problem(s): nothing imported")
        kinds = ", ".join(f"{n} {DecisionKind(k).name.lower()}" for k, n in sorted(report.by_kind.items()))
        summary = (f"{kinds}; {report.to_publish} to publish, {report.to_hold} held, "
                   f"{report.not_published} not published (warning only), "
                   f"{report.late} past the publication deadline")
        if dry_run:
            self.stdout.write(f"dry run, nothing saved: would import {summary}")
        else:
            self.stdout.write(f"imported (batch {report.batch.pk}): {summary}")

    def _counts(self, *, year: int, code: str | None):
        agencies = [self._agency(code)] if code else list(Agency.objects.order_by("path"))
        for agency in agencies:
            counts = selectors.decision_counts([agency.pk], year)
            cells = ", ".join(f"{label} {counts[kind]}" for kind, label in selectors.REPORT_ROWS.items())
            self.stdout.write(f"{agency.code} {agency.name} {year}: {cells}")
