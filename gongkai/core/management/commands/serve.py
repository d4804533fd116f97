"""`gongkai serve`: apply pending migrations, collect static files and run gunicorn (a
production WSGI server; static files are served by WhiteNoise from the same process).

Without a broker (local mode, `make run`) it also starts `gongkai scheduler` beside itself,
which runs the scheduled jobs and retries what failed, so one command runs everything; with
a broker the operator runs workers and one scheduler (the README's deployment section)."""

import atexit
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Migrate, collect static files and serve gongkai with gunicorn."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=settings.GONGKAI_WORKERS)
        parser.add_argument("--threads", type=int, default=settings.GONGKAI_THREADS)
        parser.add_argument("--no-migrate", action="store_true", help="skip applying migrations")
        parser.add_argument("--no-scheduler", action="store_true",
                            help="local mode: do not start the scheduler beside the server")

    def handle(self, *args, host, port, workers, threads, no_migrate, no_scheduler, **options):
        if not 0 < port < 65536:
            raise CommandError(f"invalid port {port}")
        # A first start on an empty database takes a while (migrations, then static files
        # fingerprinted and compressed): say so, so that a slow start is not taken for a hang.
        if not no_migrate:
            self._say("gongkai: applying pending migrations…")
            call_command("migrate", interactive=False, verbosity=0)
        self._say("gongkai: collecting static files…")
        call_command("collectstatic", interactive=False, verbosity=0)
        from django.core.wsgi import get_wsgi_application
        from gunicorn.app.base import BaseApplication

        from gongkai.core.logfilters import gunicorn_logger_class

        # What gongkai/wsgi.py builds, without core importing the project module above it.
        application = get_wsgi_application()

        class GongkaiServer(BaseApplication):
            def load_config(self):
                options = {
                    "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
                    "workers": workers,
                    "threads": threads,
                    "worker_class": "gthread",
                    "accesslog": "-",
                    # The access line carries the query string: redact secret=… in it.
                    "logger_class": gunicorn_logger_class(),
                    "timeout": 60,
                    "graceful_timeout": 20,
                    "forwarded_allow_ips": "127.0.0.1,::1",
                }
                # gunicorn >= 25.1 opens a control socket at one path per OS account
                # (~/.gunicorn/gunicorn.ctl): a second instance unlinks the first's and
                # stopping either removes it. Keep one per install, in var/.
                if "control_socket" in self.cfg.settings:
                    options["control_socket"] = str(settings.VAR_DIR / "gunicorn.ctl")
                for key, value in options.items():
                    self.cfg.set(key, value)

            def load(self):
                return application

        self._say(f"gongkai serving on http://{host}:{port}/ (Ctrl-C to stop)")
        self._say(task_mode())
        if local_mode() and not no_scheduler:
            scheduler = start_local_scheduler()
            self._say(f"scheduler: started beside the server (pid {scheduler.pid}): scheduled "
                      "jobs run at their times, failed tasks are retried")
        GongkaiServer().run()

    def _say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()


def local_mode() -> bool:
    return not getattr(settings, "TASK_BROKER_URL", None)


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: the scheduler gets SIGTERM when the server dies, even by SIGKILL."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def start_local_scheduler() -> subprocess.Popen:
    """`gongkai scheduler` as a child of the server, stopped with it. Two servers on one
    database (or a restart within the minute) do not run a job twice: beat's sends become
    one outbox row per job and minute."""
    proc = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "gongkai", "scheduler", "--loglevel", "WARNING"],
        preexec_fn=_die_with_parent,  # noqa: PLW1509 - no threads yet in this process
    )

    def stop() -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()

    atexit.register(stop)
    return proc


def task_mode() -> str:
    """Where background tasks (e-mail, scheduled jobs) run, as the operator should know."""
    from kombu.utils.url import maybe_sanitize_url

    broker = getattr(settings, "TASK_BROKER_URL", None)
    if not broker:
        return ("tasks: run in this process right after each commit (local mode, no "
                "TASK_BROKER_URL); scheduled jobs and retries run in a scheduler beside it")
    return (f"tasks: queued to {maybe_sanitize_url(broker)}; run `gongkai worker` and one "
            "`gongkai scheduler` beside this server")
