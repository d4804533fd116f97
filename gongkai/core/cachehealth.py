"""Whether the shared cache answers, and what the platform does when it does not.

The cache (Redis, ``CACHE_URL``) is an accelerator, not a dependency: when it is down the
portal serves pages uncached (``portal.caching``) and rate limits count in the database
(``core.ratelimit``). Every cache caller catches ``ERRORS`` and reports them here:

- ``failed()`` marks the cache down for ``RETRY_AFTER``; until then ``usable()`` is False
  and callers skip the cache entirely, so a dead Redis costs one fast connection failure
  per worker every few seconds, not one per request. After that the next call tries again.
- While the cache is down, a warning line goes to the log and ``degraded_reports_total``
  goes up at most once per ``REPORT_EVERY`` per process (not per request); every failed
  call adds to ``errors_total``. ``/healthz`` shows both (``core.health``).
- ``succeeded()`` after an outage logs the recovery and raises a flag that the page cache
  takes (``take_recovery()``) to move its generation on: a page changed while the cache
  could not be told must not be served from it afterwards.

The state is per process (each gunicorn worker learns of an outage itself). Times come
from ``core.clock``, so tests move them with ``clock.freeze``.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading

from gongkai.core import clock

logger = logging.getLogger("gongkai.cache")

RETRY_AFTER = dt.timedelta(seconds=5)
REPORT_EVERY = dt.timedelta(seconds=60)
CONSEQUENCES = "pages are served uncached and rate limits are counted in the database"


def _errors() -> tuple[type[BaseException], ...]:
    try:
        from redis.exceptions import RedisError
    except ImportError:  # pragma: no cover - redis is a dependency
        return (OSError,)
    # OSError covers the standard ConnectionError and TimeoutError (socket level).
    return (RedisError, OSError)


ERRORS = _errors()


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.down_since: dt.datetime | None = None
        self.retry_at: dt.datetime | None = None
        self.reason = ""
        self.last_reported: dt.datetime | None = None
        self.recovered = False
        self.errors_total = 0
        self.degraded_reports_total = 0


_state = _State()


def usable() -> bool:
    """False while the cache is known to be down and it is not yet time to try again."""
    retry_at = _state.retry_at
    return retry_at is None or clock.now() >= retry_at


def failed(exc: BaseException, where: str = "") -> None:
    """A cache call raised ``exc``: the cache is down for now."""
    now = clock.now()
    reason = f"{type(exc).__name__}: {exc}"[:300]
    with _state.lock:
        _state.errors_total += 1
        if _state.down_since is None:
            _state.down_since = now
        _state.retry_at = now + RETRY_AFTER
        _state.reason = f"{where}: {reason}" if where else reason
        due = _state.last_reported is None or now - _state.last_reported >= REPORT_EVERY
        if due:
            _state.last_reported = now
            _state.degraded_reports_total += 1
    if due:
        report_degraded()


def report_degraded() -> None:
    logger.warning(
        "degraded: cache unavailable since %s (%s); %s",
        _state.down_since.isoformat() if _state.down_since else "?", _state.reason, CONSEQUENCES,
    )


def succeeded() -> None:
    """A cache call worked. Cheap when nothing was wrong (one attribute read)."""
    if _state.down_since is None:
        return
    with _state.lock:
        if _state.down_since is None:
            return
        since = _state.down_since
        _state.down_since = _state.retry_at = None
        _state.reason = ""
        _state.last_reported = None
        _state.recovered = True
    logger.warning("cache available again (down since %s)", since.isoformat())


def take_recovery() -> bool:
    """True once after the cache came back from an outage."""
    if not _state.recovered:
        return False
    with _state.lock:
        recovered, _state.recovered = _state.recovered, False
    return recovered


def status() -> dict:
    """For ``/healthz``: whether the cache is down, since when and why, and the counters."""
    return {
        "cache": "down" if _state.down_since is not None else "ok",
        "down_since": _state.down_since.isoformat() if _state.down_since else None,
        "reason": _state.reason,
        "errors_total": _state.errors_total,
        "degraded_reports_total": _state.degraded_reports_total,
    }


def reset() -> None:
    """Forget everything (tests, and a process that knows the cache was replaced)."""
    with _state.lock:
        _state.reset()
