"""The `gongkai` console command: Django's management commands under one name.

`gongkai serve`, `gongkai demo`, `gongkai workdays add DATE N`, `gongkai audit verify`, and
every standard command (`gongkai migrate`, `gongkai check --deploy`, …)."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
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
    execute_from_command_line(["gongkai", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
