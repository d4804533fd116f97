"""`gongkai search rebuild` (index every published item and other public object again, in
one transaction: the batch path, PostgreSQL's search indexes built once at the end;
``--batch-commit`` commits each batch instead, keeping the indexes as they go; ``--queue``
hands it to a worker), `gongkai search verify` (compare the index with what is public; exit 1
on drift) and `gongkai search sync` (decisions: take out those whose publication period
is over, put in those public since without an event; run it daily)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from gongkai.core import clock
from gongkai.portal import search


class Command(BaseCommand):
    help = "Rebuild or verify the full-text search index."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        rebuild = sub.add_parser("rebuild", help="index every published item again")
        rebuild.add_argument("--batch-size", type=int, default=2000)
        rebuild.add_argument(
            "--batch-commit",
            action="store_true",
            help="commit each batch (SQLite: do not hold the write lock for the whole rebuild)",
        )
        rebuild.add_argument(
            "--queue", action="store_true",
            help="hand the rebuild to a worker (the task search.rebuild) instead of running it here",
        )
        sub.add_parser("sync", help="bring the decisions in the index in line with today")
        verify = sub.add_parser("verify", help="report items missing from or extra in the index")
        verify.add_argument(
            "--skip-counts", action="store_true", help="do not recount the kept frequencies"
        )

    def handle(self, *args, action, **options):
        if action == "rebuild" and options["queue"]:
            with transaction.atomic():
                search.rebuild_later(key=clock.now().strftime("%Y%m%d%H%M%S"))
            self.stdout.write("search index rebuild queued: a worker runs it (task search.rebuild)")
            return
        if action == "rebuild":
            started = time.perf_counter()
            def progress(n):
                self.stderr.write(f"\r{n} items", ending="")

            if options["batch_commit"]:
                count = search.rebuild_index(
                    batch_size=options["batch_size"], commit_each_batch=True, progress=progress
                )
            else:
                with transaction.atomic():
                    count = search.rebuild_index(
                        batch_size=options["batch_size"], progress=progress
                    )
            self.stderr.write("")
            seconds = time.perf_counter() - started
            self.stdout.write(
                f"search index rebuilt: {count} items in {seconds:.1f} s "
                f"({count / max(seconds, 1e-9):,.0f} items/s)"
            )
            return
        if action == "sync":
            with transaction.atomic():
                added, removed = search.sync_decisions()
            self.stdout.write(f"search index synced: {added} decisions added, {removed} removed")
            return
        drift = search.verify_index(counts=not options.get("skip_counts"))
        if drift.ok:
            self.stdout.write("search index OK")
            return
        for label, ids in (
            ("missing from the index", drift.missing),
            ("extra in the index", drift.extra),
            ("indexed under an old publication date", drift.stale),
            ("strings with a wrong kept count", drift.wrong_counts),
        ):
            if ids:
                shown = ", ".join(map(str, ids[:20])) + (" …" if len(ids) > 20 else "")
                self.stdout.write(f"{len(ids)} {label}: {shown}")
        raise CommandError("search index drift: run `gongkai search rebuild`")
