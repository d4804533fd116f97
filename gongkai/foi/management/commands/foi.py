"""`gongkai foi`: sweeps over requests.

    gongkai foi digest [--dry-run] [--date YYYY-MM-DD]
        e-mail each agency's disclosure office its open requests that are overdue or due
        within 3 working days. Once per agency per day (recorded in the audit trail), so it
        is safe to run again; --dry-run prints the messages and sends and records nothing.
"""

from django.core.management.base import BaseCommand, CommandError

from gongkai.core import clock
from gongkai.core.management.commands.workdays import parse_date
from gongkai.core.models import Agency
from gongkai.foi import notifications


class Command(BaseCommand):
    help = "Sweeps over requests for information (digest of due and overdue requests)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        digest = sub.add_parser("digest", help="e-mail each office its overdue and soon-due requests")
        digest.add_argument("--dry-run", action="store_true", help="print, send nothing")
        digest.add_argument("--date", help="the day to report as of (YYYY-MM-DD), default today")

    def handle(self, *args, action, **options):
        if action == "digest":
            self._digest(dry_run=options["dry_run"], date=options.get("date"))

    def _digest(self, *, dry_run: bool, date: str | None):
        as_of = parse_date(date) if date else clock.today()
        failures = 0
        counts: dict[str, int] = {}
        for agency in Agency.objects.filter(is_active=True).order_by("path"):
            try:
                result = notifications.digest_send(agency=agency, as_of=as_of, dry_run=dry_run)
            except Exception as exc:  # one agency's mail failure must not stop the others
                failures += 1
                self.stderr.write(f"{agency.name}: sending failed: {exc}")
                continue
            counts[result.status] = counts.get(result.status, 0) + 1
            if result.status == "dry_run":
                self.stdout.write(f"--- {agency.name} → {', '.join(result.recipients)}")
                self.stdout.write(f"Subject: {result.digest.subject}")
                self.stdout.write(result.digest.body)
                self.stdout.write("")
            elif result.status == "sent":
                self.stdout.write(f"{agency.name}: sent to {len(result.recipients)} recipient(s)")
            elif result.status == "already_sent":
                self.stdout.write(f"{agency.name}: already sent for {as_of.isoformat()}, skipped")
            elif result.status == "no_recipients":
                self.stderr.write(f"{agency.name}: requests need attention but no office staff "
                                  "has an e-mail address")
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "no agencies"
        self.stdout.write(f"digest {as_of.isoformat()}{' (dry run)' if dry_run else ''}: {summary}")
        if failures:
            raise CommandError(f"{failures} agency digest(s) could not be sent")
