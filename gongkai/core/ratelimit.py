"""Rate limits for anonymous public actions (submitting a request, looking one up).

Counts live in Django's cache, so every worker shares them when production sets
``CACHE_URL=redis://…``; the local in-process cache works the same for one process.
Only ``add`` and ``incr`` touch a counter, and both are atomic on locmem and Redis, so
concurrent hits are never lost.

The window slides: the count is the current fixed window's hits plus the previous
window's, weighted by how much of it still lies within the last ``window_seconds``
(the "sliding window counter"). A fixed window alone would let a client spend its
allowance at the end of one hour and again at the start of the next — twice the limit
in a few minutes. Refused hits count too, so a client that keeps hammering stays
refused until it slows down.

When the cache is unavailable (Redis down: ``core.cachehealth``), the same counts are
kept in the database instead (``RateLimitCounter``): one atomic upsert per hit, so the
limit still holds across workers, only slower. Counts do not move between the two stores:
in the window in which Redis fails or returns a client may get up to twice its allowance.
Expired database rows are purged by the process that counts, at most once a minute
(``Occasionally``, which other periodic housekeeping shares).

``first_in_window`` answers "is this the first time in the current fixed window?" from the
same counters, atomically across workers: it lets a flood of refusals be audited once per
window instead of once per request.

Client addresses are personal data: keys are stored hashed, never in clear. Who the client
is comes from ``core.clientaddress`` (``X-Forwarded-For`` only from trusted proxies).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import logging
import threading
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import F

from gongkai.core import cachehealth, clientaddress, clock

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rule:
    """A named limit: at most ``limit`` hits per ``window_seconds`` for one client."""

    scope: str
    limit: int
    window_seconds: int

    def allows(self, request) -> bool:
        return hit(self.scope, client_key(request), limit=self.limit,
                   window_seconds=self.window_seconds)

    def refund(self, request) -> None:
        """Take back this client's latest hit (an attempt that turned out not to count)."""
        refund(self.scope, client_key(request), window_seconds=self.window_seconds)


def hit(scope: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit of ``key`` in ``scope``; True if it is within ``limit`` per
    ``window_seconds``. In the cache, or in the database while the cache is down."""
    if limit < 1 or window_seconds < 1:
        raise ValueError("limit and window_seconds must be positive")
    now = clock.now().timestamp()
    window, into = divmod(now, window_seconds)
    window = int(window)
    base = _base(scope, key)
    counts = None
    if cachehealth.usable():
        try:
            current = _increment(f"{base}:{window}", timeout=2 * window_seconds)
            previous = cache.get(f"{base}:{window - 1}", 0)
            counts = current, previous
            cachehealth.succeeded()
        except cachehealth.ERRORS as exc:
            cachehealth.failed(exc, f"rate limit {scope}")
    if counts is None:
        counts = _db_increment(base, window, window_seconds)
    current, previous = counts
    weight = 1 - into / window_seconds
    return previous * weight + current <= limit


def refund(scope: str, key: str, *, window_seconds: int) -> None:
    """Undo one hit of ``key`` in the current window (never below zero)."""
    window = int(clock.now().timestamp() // window_seconds)
    bucket = f"{_base(scope, key)}:{window}"
    if cachehealth.usable():
        try:
            if cache.decr(bucket) < 0:  # refunded twice: back to zero
                cache.incr(bucket)
            cachehealth.succeeded()
            return
        except ValueError:  # the key expired meanwhile: nothing to take back
            return
        except cachehealth.ERRORS as exc:
            cachehealth.failed(exc, f"rate limit {scope}")
    from gongkai.core.models import RateLimitCounter

    RateLimitCounter.objects.filter(bucket=bucket, hits__gt=0).update(hits=F("hits") - 1)


def first_in_window(scope: str, key: str, *, window_seconds: int) -> bool:
    """True for the first call for ``key`` in ``scope`` within the current fixed window of
    ``window_seconds``, False for every later one in that window — whichever worker makes
    it (one atomic increment, in the cache or, while it is down, in the database). Counts
    do not move between the two stores, so the window in which the cache fails or returns
    may answer True twice."""
    if window_seconds < 1:
        raise ValueError("window_seconds must be positive")
    window = int(clock.now().timestamp() // window_seconds)
    bucket = f"{_base(scope, key)}:{window}"
    if cachehealth.usable():
        try:
            count = _increment(bucket, timeout=window_seconds)
            cachehealth.succeeded()
            return count == 1
        except cachehealth.ERRORS as exc:
            cachehealth.failed(exc, f"rate limit {scope}")
    _purge_expired()
    return _db_upsert(bucket, dt.datetime.fromtimestamp((window + 1) * window_seconds, tz=dt.UTC)) == 1


def _base(scope: str, key: str) -> str:
    return f"ratelimit:{scope}:{_digest(key)}"


def _increment(cache_key: str, *, timeout: int) -> int:
    for _ in range(3):
        if cache.add(cache_key, 1, timeout):
            return 1
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add() and incr(): start again
            continue
        if count == 1:
            # Redis INCR re-created a key that expired after Django's existence check;
            # such a key has no TTL, so give it one.
            cache.touch(cache_key, timeout)
        return count
    raise RuntimeError(f"rate limit counter {cache_key} could not be incremented")


class Occasionally:
    """Lets a piece of housekeeping run at most once per ``every`` in this process:
    ``due()`` is True for the first caller, then False until ``every`` has passed (or the
    clock went back, as a test's frozen clock may). Thread-safe; each process keeps its
    own, which is enough for purges that any worker may run."""

    def __init__(self, every: dt.timedelta):
        self.every = every
        self._lock = threading.Lock()
        self._last: dt.datetime | None = None

    def due(self, now: dt.datetime | None = None) -> bool:
        now = now or clock.now()
        with self._lock:
            if self._last is not None and self._last <= now < self._last + self.every:
                return False
            self._last = now
            return True

    def reset(self) -> None:
        """Make the next ``due()`` True (tests)."""
        with self._lock:
            self._last = None


_purge_schedule = Occasionally(dt.timedelta(minutes=1))


# The table of RateLimitCounter (checked by the tests).
_UPSERT = (
    'INSERT INTO "core_ratelimitcounter" (bucket, hits, expires_at) VALUES (%s, 1, %s) '
    'ON CONFLICT (bucket) DO UPDATE SET hits = "core_ratelimitcounter".hits + 1 RETURNING hits'
)


def _db_increment(base: str, window: int, window_seconds: int) -> tuple[int, int]:
    """The database's count for the current window after this hit, and the previous
    window's: one INSERT … ON CONFLICT DO UPDATE … RETURNING (PostgreSQL, SQLite >= 3.35),
    atomic however many workers count at once."""
    from gongkai.core.models import RateLimitCounter

    _purge_expired()
    current = _db_upsert(f"{base}:{window}",
                         dt.datetime.fromtimestamp((window + 2) * window_seconds, tz=dt.UTC))
    previous = (
        RateLimitCounter.objects.filter(bucket=f"{base}:{window - 1}")
        .values_list("hits", flat=True).first()
    ) or 0
    return current, previous


def _db_upsert(bucket: str, expires: dt.datetime) -> int:
    """Add one hit to ``bucket`` in the database; its count after this hit."""
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, [bucket, connection.ops.adapt_datetimefield_value(expires)])
        return cursor.fetchone()[0]


def _purge_expired() -> None:
    """Delete counters whose windows have passed, at most once a minute per process."""
    now = clock.now()
    if not _purge_schedule.due(now):
        return
    from gongkai.core.models import RateLimitCounter

    RateLimitCounter.objects.filter(expires_at__lt=now).delete()


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def client_key(request) -> str:
    """Who is asking, for counting: the client's address (``core.clientaddress``: from
    ``X-Forwarded-For`` only when the peer is a trusted proxy). An IPv6 client holds a
    whole /64, so it counts as one network."""
    ip = clientaddress.client_ip(request)
    if ip is None:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)
