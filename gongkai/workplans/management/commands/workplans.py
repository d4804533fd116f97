"""`gongkai workplans`: the work plans' sweeps.

    gongkai workplans remind [--dry-run]
        e-mail the responsible department's officers and the office about every open
        task due within the agency's reminder window (default ``data/reminders.toml``)
        or overdue; at most once a task a day, so it is safe to run twice. --dry-run
        lists who would be reminded and sends and records nothing.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Work plans (工作要点): reminders of tasks due soon or overdue."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        remind = sub.add_parser("remind", help="e-mail the responsible side of tasks due soon or overdue "
                                               "(once a task a day, safe to run twice)")
        remind.add_argument("--dry-run", action="store_true", help="list who would be reminded, send nothing")

    def handle(self, *args, action, **options):
        if action == "remind":
            self._remind(dry_run=options["dry_run"])

    def _remind(self, *, dry_run: bool) -> None:
        from gongkai.workplans.reminders import send_task_reminders

        results = send_task_reminders(dry_run=dry_run)
        for r in results:
            self.stdout.write(f"{r.task.plan.agency.name}\t{r.task.number}\t{r.task.due_on.isoformat()}\t"
                              f"{r.kind}\t{r.status}\t{len(r.recipients)}")
        sent = sum(r.status == "sent" for r in results)
        self.stdout.write(f"{len(results)} tasks due, {sent} reminders sent" + (" (dry run)" if dry_run else ""))
