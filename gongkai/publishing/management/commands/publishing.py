"""`gongkai publishing`: sweeps over proactive disclosure.

gongkai publishing release-due [--dry-run]
    publish every scheduled item whose time has come. Each item goes out in its own
    transaction and only while it is still scheduled, so running it again (or twice at
    once) publishes nothing twice; --dry-run lists what is due and changes nothing.
    Run it every few minutes.

gongkai publishing column-dates [--repair]
    check each column's kept newest public item (``publishing.column_dates``, read by the
    oversight table) against its items; --repair writes the ones that differ. Exit 1 when
    some differ and were not repaired. The scheduler repairs them every night.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongkai.core import clock
from gongkai.publishing.models import Publication, PublicationStatus
from gongkai.publishing.services import publications as svc


class Command(BaseCommand):
    help = "Sweeps over proactive disclosure (publish scheduled items that are due)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        due = sub.add_parser("release-due", help="publish scheduled items whose time has come")
        due.add_argument("--dry-run", action="store_true", help="list what is due, publish nothing")
        dates = sub.add_parser("column-dates", help="check (and --repair) each column's newest public date")
        dates.add_argument("--repair", action="store_true", help="write the dates that differ")

    def handle(self, *args, action, **options):
        if action == "release-due":
            self._release_due(dry_run=options["dry_run"])
        elif action == "column-dates":
            self._column_dates(repair=options["repair"])

    def _column_dates(self, *, repair: bool):
        from gongkai.publishing import column_dates

        wrong = column_dates.repair() if repair else column_dates.out_of_step()
        for pk, (kept, counted) in sorted(wrong.items()):
            self.stdout.write(f"column {pk}: kept {kept or '-'}, items {counted or '-'}")
        if not wrong:
            self.stdout.write("column-dates: every column's date matches its items")
        elif repair:
            self.stdout.write(f"column-dates: {len(wrong)} column(s) repaired")
        else:
            raise CommandError(f"column-dates: {len(wrong)} column(s) out of step; run with --repair",
                               returncode=1)

    def _line(self, publication) -> str:
        at = (
            timezone.localtime(publication.scheduled_for).strftime("%Y-%m-%d %H:%M")
            if publication.scheduled_for
            else "-"
        )
        return f"{publication.index_number} (scheduled {at}) {publication.title}"

    def _release_due(self, *, dry_run: bool):
        now = clock.now()
        if dry_run:
            due = Publication.objects.filter(
                status=PublicationStatus.SCHEDULED, scheduled_for__lte=now
            ).order_by("scheduled_for", "pk")
            for publication in due:
                self.stdout.write(f"due: {self._line(publication)}")
            self.stdout.write(f"release-due (dry run): {len(due)} item(s) due, nothing published")
            return
        released = svc.publications_release_due(now=now)
        for publication in released:
            self.stdout.write(f"published: {publication.index_number} {publication.title}")
        self.stdout.write(f"release-due: {len(released)} item(s) published")
