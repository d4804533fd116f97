"""`gongkai tasks relay`: send the outbox rows the broker should have (pending ones whose
time has come, and sent ones long unsettled). Beat runs the same every minute; use this
after a Redis outage or from a shell. `gongkai tasks failed`: list the failed tasks."""

from django.core.management.base import BaseCommand, CommandError
from kombu.utils.url import maybe_sanitize_url

from gongkai.tasks import outbox
from gongkai.tasks.models import OutboxState, OutboxTask


class Command(BaseCommand):
    help = "The task outbox: relay rows to the broker, list failed tasks."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        relay = sub.add_parser("relay", help="send due outbox rows to the broker (or run them, locally)")
        relay.add_argument("--limit", type=int, default=1000)
        sub.add_parser("failed", help="list failed tasks with their last error")

    def handle(self, *args, action, **options):
        if action == "relay":
            sent, left = outbox.relay(limit=options["limit"])
            url = outbox.broker_url()
            where = maybe_sanitize_url(url) if url else "this process (no TASK_BROKER_URL)"
            self.stdout.write(f"relayed {sent} task(s) to {where}")
            if left:
                raise CommandError(f"{left} task(s) still due: the broker is unreachable")
            return
        for row in OutboxTask.objects.filter(state=OutboxState.FAILED).order_by("updated_at"):
            self.stdout.write(f"{row.pk}\t{row.name}\t{row.key}\t{row.attempts}\t{row.last_error}")
