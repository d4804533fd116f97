"""The `gongkai` console command: Django's management commands under one name.

`gongkai serve`, `gongkai demo`, `gongkai workdays add DATE N`, `gongkai audit verify`, and
every standard command (`gongkai migrate`, `gongkai check --deploy`, …).

`gongkai report check FILE... [--json] [--workers N]` needs no database: it runs without
loading Django's settings or apps (gongkai.reports.checker.cli), with the same output and
exit status as the management command, which serves any other option (--verbosity …).

`gongkai worker [celery worker options]` and `gongkai scheduler [celery beat options]` run
Celery's worker and beat on the project's app (gongkai.celery_app). Without a broker the
scheduler runs each job in its own process (what `gongkai serve` starts beside itself)."""

import os
import sys

# gongkai subcommand → Celery subcommand, on the app with every scheduled job.
_CELERY = {"worker": "worker", "scheduler": "beat"}
_CHECK_OPTIONS = frozenset({"--json", "--workers", "--help", "-h"})


def _checker_argv(args: list[str]) -> list[str] | None:
    """The arguments after ``report check`` when the Django-free checker can serve them."""
    if args[:2] != ["report", "check"]:
        return None
    rest = args[2:]
    options = {a.split("=", 1)[0] for a in rest if a.startswith("-") and a != "-"}
    if "--" in rest or not options <= _CHECK_OPTIONS:
        return None
    return rest


def _check_without_django(rest: list[str]) -> None:
    try:
        from gongkai.reports.checker.cli import main as check
    except Exception as error:  # noqa: BLE001 - a module of the checker still needs Django: use it
        from django.core.exceptions import AppRegistryNotReady, ImproperlyConfigured

        if not isinstance(error, AppRegistryNotReady | ImproperlyConfigured):
            raise
        return
    sys.exit(check(rest))


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    rest = _checker_argv(args)
    if rest is not None:
        _check_without_django(rest)  # exits, unless a module it imports needs Django
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    # A configuration error (a missing production variable, a malformed value) is the
    # operator's to fix: say what it is, one line each, instead of a traceback.
    try:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018 (loads the settings module)
    except ImproperlyConfigured as error:
        for line in str(error).splitlines():
            print(f"gongkai: {line}", file=sys.stderr)
        sys.exit(1)
    if args and args[0] in _CELERY:
        from celery.bin.celery import main as celery

        if args[0] == "scheduler":
            from gongkai.tasks.queue import scheduler_runs_jobs_itself_without_a_broker

            scheduler_runs_jobs_itself_without_a_broker()

        sys.argv = ["gongkai", "-A", "gongkai.celery_app", _CELERY[args[0]], *args[1:]]
        sys.exit(celery())
    execute_from_command_line(["gongkai", *args])


if __name__ == "__main__":
    main()
