"""`gongkai agencies`: the agency tree from the command line.

    gongkai agencies import FILE [--dry-run] [--user USERNAME]
        import (or, with --dry-run, only plan) the agency tree from a CSV or XLSX file
        (core.agency_import); each change is audited under USERNAME, a platform
        administrator (default: the only active one). Bad rows are listed and left out,
        the rest applied; the exit status is 1 when any row was bad.
"""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from gongkai.core import agency_import as rules
from gongkai.core.errors import DomainError
from gongkai.core.models import User
from gongkai.core.services.agencies import agency_import


class Command(BaseCommand):
    help = "The agency tree: import from a CSV or XLSX file."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import the agency tree from a CSV or XLSX file")
        imp.add_argument("file", help="path of the CSV or XLSX file")
        imp.add_argument("--dry-run", action="store_true", help="show what would change, change nothing")
        imp.add_argument("--user", help="the platform administrator the changes are recorded under")
        imp.add_argument("--verbose-changes", action="store_true", help="list every row's field changes")

    def handle(self, *args, action, **options):
        if action == "import":
            self._import(**options)

    def _actor(self, username: str | None) -> User:
        admins = User.objects.filter(is_active=True, is_superuser=True)
        if username:
            actor = admins.filter(username=username).first()
            if actor is None:
                raise CommandError(f"no active platform administrator {username!r}")
            return actor
        found = list(admins[:2])
        if len(found) != 1:
            raise CommandError("name the platform administrator to record the import under: --user USERNAME")
        return found[0]

    def _import(self, *, file, dry_run, user, verbose_changes, **_):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        actor = self._actor(user)
        try:
            plan = agency_import(actor=actor, data=path.read_bytes(), file_name=path.name, dry_run=dry_run)
        except rules.FileRefused as exc:
            raise CommandError(f"{path.name}: {exc.message}") from None
        except (PermissionDenied, DomainError, ValidationError) as exc:
            raise CommandError("; ".join(getattr(exc, "messages", [str(exc)]))) from None
        if verbose_changes:
            for change in plan.pending:
                diffs = "; ".join(f"{k}: {old} -> {new}" for k, (old, new) in change.diffs.items())
                self.stdout.write(f"row {change.row} {change.code} {change.action}: {diffs}")
        for bad in plan.bad:
            self.stderr.write(f"row {bad.row} {bad.code or '-'}: {'; '.join(bad.reasons)}")
        counts = plan.counts()
        verbs = ("to create", "to update", "to move") if dry_run else ("created", "updated", "moved")
        summary = ", ".join(f"{counts[k]} {verb}" for k, verb in zip(("create", "update", "move"), verbs, strict=True))
        summary += f", {counts['unchanged']} unchanged, {counts['bad']} bad row(s) left out"
        self.stdout.write(f"dry run, nothing changed: {summary}" if dry_run else f"imported {path.name}: {summary}")
        if counts["bad"]:
            raise SystemExit(1)
