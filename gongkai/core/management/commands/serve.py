"""`gongkai serve`: apply pending migrations, collect static files and run gunicorn (a
production WSGI server; static files are served by WhiteNoise from the same process)."""

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

    def handle(self, *args, host, port, workers, threads, no_migrate, **options):
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
        GongkaiServer().run()

    def _say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()


def task_mode() -> str:
    """Where background tasks (e-mail, scheduled jobs) run, as the operator should know."""
    from kombu.utils.url import maybe_sanitize_url

    broker = getattr(settings, "TASK_BROKER_URL", None)
    if not broker:
        return ("tasks: run in this process right after each commit (local mode, no "
                "TASK_BROKER_URL); scheduled jobs do not run: use their gongkai commands")
    return (f"tasks: queued to {maybe_sanitize_url(broker)}; run `gongkai worker` and one "
            "`gongkai scheduler` beside this server")
