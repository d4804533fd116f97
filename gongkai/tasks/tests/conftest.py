"""A real Redis broker (db 15, flushed before and after; no other db is touched) and a
real Celery worker in a thread of the test process, so it shares the test database."""

from __future__ import annotations

import datetime as dt
import threading
import time
from zoneinfo import ZoneInfo

import pytest
import redis
from celery.contrib.testing.worker import start_worker

from gongkai.core import clock
from gongkai.tasks.queue import app
from gongkai.tasks.registry import handler

BROKER = "redis://127.0.0.1:6379/15"
DOWN = "redis://127.0.0.1:6390/0"  # nothing listens there: the broker "stopped"
MOMENT = dt.datetime(2026, 3, 2, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))

# The work the test handlers did, by key: the worker is a thread of this process.
done: dict[str, int] = {}
_lock = threading.Lock()


@handler("test.count")
def count(*, key: str) -> None:
    with _lock:
        done[key] = done.get(key, 0) + 1


@handler("test.tick")
def tick() -> None:
    """A scheduled job's shape: no arguments."""
    count(key="tick")


@handler("test.fail")
def fail(*, why: str) -> None:
    raise ConnectionError(why)


# What the give-up hook of "test.fail_noted" was told, by key.
given_up: dict[str, str] = {}


def note_give_up(*, why: str, error: BaseException) -> None:
    given_up[why] = f"{type(error).__name__}: {error}"


@handler("test.fail_noted", on_give_up=note_give_up)
def fail_noted(*, why: str) -> None:
    raise ConnectionError(why)


@pytest.fixture(autouse=True)
def frozen_clock():
    clock.freeze(MOMENT)
    done.clear()
    given_up.clear()
    yield MOMENT
    clock.freeze(None)


def _flush():
    redis.Redis.from_url(BROKER).flushdb()


@pytest.fixture
def broker(settings):
    """TASK_BROKER_URL on Redis db 15, empty."""
    _flush()
    settings.TASK_BROKER_URL = BROKER
    settings.CELERY_BROKER_URL = BROKER  # the worker's (Celery reads Django's settings live)
    yield BROKER
    _flush()


@pytest.fixture
def worker(broker, transactional_db):
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20) as w:
        yield w


def wait_for(predicate, *, seconds: float = 20.0):
    """Poll until ``predicate()`` holds (a worker runs beside the test); fail after a while.
    time.monotonic measures the wait only; no date in the code under test comes from it."""
    limit = time.monotonic() + seconds
    while time.monotonic() < limit:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"not within {seconds} s: {predicate.__doc__ or predicate}")
