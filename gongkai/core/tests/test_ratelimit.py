"""Rate limits (core.ratelimit): a sliding window over Django's cache."""

import datetime as dt
import threading
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.test import RequestFactory, override_settings

from gongkai.core import clock, ratelimit

UTC = ZoneInfo("UTC")
HOUR = 3600


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def into_window(seconds: float):
    """Freeze the clock ``seconds`` after the start of an hour-long window."""
    clock.freeze(dt.datetime(2025, 3, 3, 0, 0, tzinfo=UTC) + dt.timedelta(seconds=seconds))


def hits(n: int, key: str = "203.0.113.5", *, limit: int = 3, scope: str = "test") -> list[bool]:
    return [ratelimit.hit(scope, key, limit=limit, window_seconds=HOUR) for _ in range(n)]


def test_hits_up_to_the_limit_are_allowed_and_the_next_refused():
    into_window(0)
    assert hits(4) == [True, True, True, False]


def test_scopes_and_keys_are_counted_separately():
    into_window(0)
    assert hits(3, scope="a") == [True] * 3
    assert hits(1, scope="b") == [True]
    assert hits(1, key="198.51.100.7", scope="a") == [True]
    assert hits(1, scope="a") == [False]


def test_the_previous_window_still_counts_in_proportion():
    into_window(HOUR - 1)
    assert hits(3) == [True] * 3
    into_window(HOUR + 60)  # a minute into the next window: nearly all of the previous still counts
    assert hits(1) == [False]
    into_window(HOUR + 3 * HOUR // 4)  # a quarter of the previous 3, plus the refused hit: room for one
    assert hits(2) == [True, False]


def test_a_client_is_allowed_again_once_its_hits_slide_out_of_the_window():
    into_window(10)
    assert hits(4) == [True, True, True, False]
    into_window(2 * HOUR + 10)
    assert hits(3) == [True] * 3


def test_refused_hits_keep_a_hammering_client_refused():
    into_window(0)
    hits(50)
    into_window(HOUR + HOUR // 2)  # half of 50 still counts
    assert hits(1) == [False]


def test_keys_are_stored_hashed_not_in_clear():
    into_window(0)
    hits(1, key="203.0.113.99")
    stored = list(cache._cache)  # locmem's own store
    assert stored and not any("203.0.113.99" in k for k in stored)


def test_concurrent_hits_are_all_counted():
    into_window(0)
    results = []

    def worker():
        results.extend(hits(10, limit=25))

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 25 and results.count(False) == 25


def test_a_cache_outage_lets_the_request_through(monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError

    def down(*args, **kwargs):
        raise RedisConnectionError("down")

    monkeypatch.setattr(cache, "add", down)
    into_window(0)
    assert hits(5, limit=1) == [True] * 5


def test_limits_must_be_positive():
    with pytest.raises(ValueError):
        ratelimit.hit("x", "y", limit=0, window_seconds=HOUR)


REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                     "LOCATION": "redis://127.0.0.1:6379/15",
                     "KEY_PREFIX": f"gongkai-test-{uuid.uuid4().hex[:8]}"}}


@override_settings(CACHES=REDIS)
def test_the_limit_holds_on_redis_with_concurrent_clients():
    from django.core.cache import cache as redis_cache

    into_window(0)
    key = f"client-{uuid.uuid4().hex}"
    results = []

    def worker():
        results.extend(ratelimit.hit("redis-test", key, limit=20, window_seconds=HOUR)
                       for _ in range(10))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 20 and results.count(False) == 20
    # The counter expires on its own (no key left without a TTL).
    counter = redis_cache.make_and_validate_key(
        f"ratelimit:redis-test:{ratelimit._digest(key)}:{int(clock.now().timestamp()) // HOUR}")
    client = redis_cache._cache.get_client(counter)
    assert 0 < client.ttl(counter) <= 2 * HOUR
    client.delete(counter)  # not clear(): that would flush a database others' tests share


# --- client_key ---------------------------------------------------------------------------

rf = RequestFactory()


def test_the_client_is_remote_addr_and_forwarded_for_is_ignored_without_a_proxy():
    request = rf.get("/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert ratelimit.client_key(request) == "203.0.113.5"


@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_behind_a_proxy_the_last_forwarded_hop_is_the_client():
    request = rf.get("/", REMOTE_ADDR="10.0.0.1",
                     HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.1 , 203.0.113.5")
    assert ratelimit.client_key(request) == "203.0.113.5"


@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_behind_a_proxy_a_missing_or_garbled_forwarded_for_falls_back_to_remote_addr():
    assert ratelimit.client_key(rf.get("/", REMOTE_ADDR="10.0.0.1")) == "10.0.0.1"
    garbled = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, nonsense")
    assert ratelimit.client_key(garbled) == "10.0.0.1"


def test_an_ipv6_client_counts_as_its_64_network():
    a = rf.get("/", REMOTE_ADDR="2001:db8:1:2:aaaa::1")
    b = rf.get("/", REMOTE_ADDR="2001:db8:1:2:bbbb::2")
    assert ratelimit.client_key(a) == ratelimit.client_key(b) == "2001:db8:1:2::/64"
    mapped = rf.get("/", REMOTE_ADDR="::ffff:203.0.113.5")
    assert ratelimit.client_key(mapped) == "203.0.113.5"


def test_a_request_without_an_address_is_counted_as_unknown():
    assert ratelimit.client_key(rf.get("/", REMOTE_ADDR="")) == "unknown"
