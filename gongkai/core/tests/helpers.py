"""Helpers shared by the tests of every app: the frozen clock, and data built once for a
group of tests that only read it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from gongkai.core import clock

T = TypeVar("T")


def at(day: dt.date, hour: int = 10) -> None:
    """Freeze the platform clock at ``hour`` o'clock on ``day`` (Asia/Shanghai)."""
    clock.freeze(timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour)))


def built_once(django_db_blocker, build: Callable[[], T], *, media_root: Path) -> Iterator[T]:
    """For a fixture of a wider scope than one test (``yield from built_once(...)``): run
    ``build()`` inside a transaction that stays open while the fixture lives, and roll it
    back afterwards. Files the build stores (letters, reports) go to ``media_root``, a
    directory that lasts as long as the fixture (``tmp_path_factory.mktemp``), never var/.

    Each test still runs in its own savepoint inside that transaction (pytest-django's
    ``db``), so whatever a test changes is undone before the next one, and every test
    starts from the data as ``build()`` left it. The Python objects ``build()`` returned
    are shared, though: a test must not change them in memory (re-read a row instead).
    Use it with class scope, so that only the tests of one class see the data: a module
    scoped transaction would also hold the data under the module's other tests.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media_root):
            data = build()
            clock.freeze(None)
        yield data
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
