"""`gongkai import_publications FILE --agency CODE --user USERNAME`: bring an old
system's published items into gongkai (see gongkai.publishing.importer).

    --format csv|json     default: from the file name (.json is JSON, anything else CSV)
    --dry-run             validate and say what would be imported; write nothing
    --errors REPORT.csv   write the errors (行号, 字段, 错误信息) to a CSV file (UTF-8 with BOM,
                          so Excel opens it); written on every run, header only when clean
    --batch-commit        commit every batch on its own after validating the whole file
                          (for imports too large for one transaction; see the importer)
    --batch-size N        rows per bulk insert (default 2000)
    --max-errors N        errors listed (default 1000); all are counted

Exit status: 0 imported (or a clean dry run), 1 the file has errors (nothing written) or
the database changed under the import, 2 the file cannot be read, or the agency, user or
permission is wrong (nothing checked, nothing written).
"""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from gongkai.core.errors import DomainError
from gongkai.core.models import Agency, User
from gongkai.publishing import importer

UNREADABLE = 2
ERRORS_SHOWN = 20  # on stderr; the --errors file has them all


class Command(BaseCommand):
    help = "Import items already published in an old disclosure system, from CSV or JSON."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--agency", required=True, metavar="CODE", help="the agency's code (机关代码)"
        )
        parser.add_argument(
            "--user",
            required=True,
            metavar="USERNAME",
            help="who imports: the agency's disclosure office or a platform administrator",
        )
        parser.add_argument("--format", choices=["csv", "json"], dest="fmt")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--errors", metavar="REPORT.csv")
        parser.add_argument("--batch-commit", action="store_true")
        parser.add_argument("--batch-size", type=int, default=importer.BATCH_SIZE)
        parser.add_argument("--max-errors", type=int, default=importer.MAX_ERRORS)

    def handle(
        self,
        *args,
        file,
        agency,
        user,
        fmt,
        dry_run,
        errors,
        batch_commit,
        batch_size,
        max_errors,
        **options,
    ):
        path = Path(file)
        fmt = fmt or ("json" if path.suffix.lower() == ".json" else "csv")
        target = Agency.objects.filter(code=agency).first()
        if target is None:
            raise CommandError(f"no agency with code {agency!r}", returncode=UNREADABLE)
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"no active user {user!r}", returncode=UNREADABLE)
        if batch_size < 1 or max_errors < 0:
            raise CommandError(
                "--batch-size must be at least 1 and --max-errors at least 0", returncode=UNREADABLE
            )
        try:
            source = path.open("rb")
        except OSError as exc:
            raise CommandError(
                f"cannot read {file}: {exc.strerror}", returncode=UNREADABLE
            ) from None
        try:
            with source:
                report = importer.import_publications(
                    actor=actor,
                    agency=target,
                    source=source,
                    fmt=fmt,
                    dry_run=dry_run,
                    batch_commit=batch_commit,
                    batch_size=batch_size,
                    max_errors=max_errors,
                )
        except importer.ImportFileError as exc:
            self._write_errors(errors, [importer.RowError(0, "", exc.message)])
            raise CommandError(
                f"cannot read {file}: {exc.message}", returncode=UNREADABLE
            ) from None
        except PermissionDenied as exc:
            raise CommandError(f"refused: {exc}", returncode=UNREADABLE) from None
        except DomainError as exc:
            raise CommandError(exc.message, returncode=1) from None

        self._write_errors(errors, report.errors)
        self.stdout.write(self._summary(report, target))
        if not report.ok:
            for error in report.errors[:ERRORS_SHOWN]:
                self.stderr.write(f"  第{error.row}行 {error.field}: {error.message}")
            unlisted = report.error_count - min(len(report.errors), ERRORS_SHOWN)
            if unlisted:
                where = (
                    f"; all listed in {errors}"
                    if errors and len(report.errors) == report.error_count
                    else ""
                )
                self.stderr.write(f"  … {unlisted} more{where}")
            raise CommandError(
                f"{report.error_count} error(s) in {file}: nothing imported", returncode=1
            )

    def _write_errors(self, path, errors) -> None:
        if path:
            with open(path, "w", encoding="utf-8-sig", newline="") as out:
                importer.write_error_report(errors, out)

    def _summary(self, report: importer.ImportReport, agency: Agency) -> str:
        where = f"{agency.name} ({agency.code}); mode: {report.mode} ({report.mode_label})"
        if not report.ok:
            return f"nothing imported into {where}: {report.rows:,} rows read, {report.error_count:,} error(s)"
        if report.mode == "dry_run":
            head = f"would import {report.valid_rows:,} of {report.rows:,} rows into {where}"
        else:
            head = f"imported {report.imported:,} of {report.rows:,} rows into {where}"
        lines = [
            head,
            f"  index numbers: {report.kept_numbers:,} kept from the old system, "
            f"{report.generated_numbers:,} generated",
        ]
        if report.series:
            lines.append(
                "  series (last number per year, before → after): "
                + ", ".join(
                    f"{year}: {before} → {after}"
                    for year, (before, after) in sorted(report.series.items())
                )
            )
        lines.append(
            f"  validated in {report.validate_seconds:.1f} s"
            + (f", written in {report.write_seconds:.1f} s" if report.write_seconds else "")
            + f"; file sha256 {report.sha256}"
        )
        return "\n".join(lines)
