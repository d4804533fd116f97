"""`gongkai audit verify`: check the audit trail's hash chain and report the first broken
link (exit 1), or print the verified head (exit 0) so it can be recorded elsewhere."""

from django.core.management.base import BaseCommand, CommandError

from gongkai.core import audit


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="verify the whole chain")

    def handle(self, *args, action, **options):
        result = audit.verify()
        if not result.ok:
            raise CommandError(
                f"audit chain BROKEN at {result.broken} ({result.checked} entries verified before it)"
            )
        self.stdout.write(
            f"audit chain OK: {result.checked} entries, head seq={result.head_seq} hash={result.head_hash}"
        )
