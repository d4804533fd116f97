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

Client addresses are personal data: keys are stored hashed, never in clear.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from gongkai.core import clock

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


def hit(scope: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit of ``key`` in ``scope``; True if it is within ``limit`` per
    ``window_seconds``. If the cache cannot be reached the hit is allowed (and logged):
    a Redis outage must not close the public request form."""
    if limit < 1 or window_seconds < 1:
        raise ValueError("limit and window_seconds must be positive")
    now = clock.now().timestamp()
    window, into = divmod(now, window_seconds)
    window = int(window)
    base = f"ratelimit:{scope}:{_digest(key)}"
    try:
        current = _increment(f"{base}:{window}", timeout=2 * window_seconds)
        previous = cache.get(f"{base}:{window - 1}", 0)
    except _cache_errors() as exc:
        logger.warning("rate limit %s not checked: cache unavailable (%s)", scope, exc)
        return True
    weight = 1 - into / window_seconds
    return previous * weight + current <= limit


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


def _cache_errors() -> tuple[type[BaseException], ...]:
    try:
        from redis.exceptions import RedisError
    except ImportError:  # pragma: no cover - redis is a dependency
        return (ConnectionError, TimeoutError)
    return (RedisError, ConnectionError, TimeoutError)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def client_key(request) -> str:
    """Who is asking, for counting: the client's address.

    ``REMOTE_ADDR`` unless the site runs behind a proxy (``SECURE_PROXY_SSL_HEADER`` is
    set only then): the proxy appends the address it saw to ``X-Forwarded-For``, so the
    *last* hop is the one we can trust — earlier entries are whatever the client wrote.
    An IPv6 client holds a whole /64, so it counts as one network.
    """
    address = request.META.get("REMOTE_ADDR", "")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if hops and _parse(hops[-1]) is not None:
            address = hops[-1]
    ip = _parse(address)
    if ip is None:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None
