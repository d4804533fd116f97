"""`gongkai workdays`: the working-day calendar from the command line.

    gongkai workdays add DATE N        the N-th working day after DATE (first line), and
                                       `provisional` on a second line when a counted day
                                       lies in a year without a schedule (counted with
                                       the holiday law's holidays and 补假 for now)
    gongkai workdays between A B       working days after A up to and including B
    gongkai workdays load FILE --source NOTICE    load a year's 休/班 schedule file
"""

import datetime as dt
import re
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gongkai.core.selectors import get_working_day_calendar
from gongkai.core.workdays import MAX_WORKING_DAYS, parse_schedule_file

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(text: str) -> dt.date:
    if not _ISO.match(text):
        raise CommandError(f"invalid date {text!r}: expected YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"invalid date {text!r}: no such day") from None


def parse_count(text: str) -> int:
    if not re.fullmatch(r"\d+", text):
        raise CommandError(f"invalid number of working days {text!r}: expected a whole number >= 0")
    n = int(text)
    if n > MAX_WORKING_DAYS:
        raise CommandError(f"number of working days {n} is too large (at most {MAX_WORKING_DAYS})")
    return n


class Command(BaseCommand):
    help = "Working-day arithmetic on the platform calendar, and loading schedule files."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="the N-th working day after DATE")
        add.add_argument("date")
        add.add_argument("n")
        between = sub.add_parser("between", help="working days after START up to END")
        between.add_argument("start")
        between.add_argument("end")
        load = sub.add_parser("load", help="load a 休/班 schedule file")
        load.add_argument("file")
        load.add_argument("--source", required=True, help="the State Council notice number")

    def handle(self, *args, action, **options):
        if action == "add":
            start, n = parse_date(options["date"]), parse_count(options["n"])
            span = get_working_day_calendar().explain_add_working_days(start, n)
            self.stdout.write(span.end.isoformat())
            if span.provisional:
                self.stdout.write("provisional")
        elif action == "between":
            start, end = parse_date(options["start"]), parse_date(options["end"])
            calendar = get_working_day_calendar()
            self.stdout.write(str(calendar.working_days_between(start, end)))
            lo, hi = min(start, end), max(start, end)
            if calendar.is_span_provisional(lo, hi):
                self.stdout.write("provisional")
        elif action == "load":
            self._load(options["file"], options["source"])

    def _load(self, path: str, source: str):
        from gongkai.core.models import User
        from gongkai.core.services.calendar import calendar_load_schedule

        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        parsed = parse_schedule_file(data)
        if not parsed.ok:
            for error in parsed.errors:
                sys.stderr.write(f"{path}: {error.message}\n")
            raise CommandError(f"{path}: not loaded ({len(parsed.errors)} error(s))")
        # The command line acts as the first platform administrator (recorded in the audit).
        actor = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if actor is None:
            raise CommandError("no platform administrator exists to record this change under")
        try:
            result = calendar_load_schedule(actor=actor, schedule=parsed, source=source)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(
            f"loaded {','.join(map(str, result.years))}: {result.created} created, "
            f"{result.updated} updated, {result.unchanged} unchanged, {result.removed} removed"
        )
