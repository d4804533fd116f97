"""`gongkai idempotency purge`: delete the kept answers of repeatable writes (API
``Idempotency-Key``, the request form's one-time token) older than 24 hours. Every keyed
write purges too; run this nightly from cron so a quiet install does not keep them."""

from django.core.management.base import BaseCommand

from gongkai.core import idempotency


class Command(BaseCommand):
    help = "Delete idempotency records older than 24 hours."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("purge", help="delete records older than 24 hours")

    def handle(self, *args, action, **options):
        deleted = idempotency.purge()
        self.stdout.write(f"idempotency records purged: {deleted}")
