"""The `gongkai` console command: Django's management commands under one name.

`gongkai serve`, `gongkai demo`, `gongkai workdays add DATE N`, `gongkai audit verify`, and
every standard command (`gongkai migrate`, `gongkai check --deploy`, …)."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gongkai", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
