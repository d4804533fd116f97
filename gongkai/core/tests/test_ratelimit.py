"""Rate limits (core.ratelimit): a sliding window over Django's cache, counted in the
database while the cache is down."""

import datetime as dt
import threading
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.test import RequestFactory, override_settings

from gongkai.core import cachehealth, clock, ratelimit
from gongkai.core.models import RateLimitCounter
from gongkai.core.tests.parallel import database_for_threads, in_thread

UTC = ZoneInfo("UTC")
HOUR = 3600


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    cachehealth.reset()
    yield
    cache.clear()
    cachehealth.reset()


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


def _cache_down(monkeypatch) -> list:
    """Every cache call that a rate limit makes raises, as a dead Redis does."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    calls = []

    def down(*args, **kwargs):
        calls.append(args)
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    for name in ("add", "incr", "get", "decr"):
        monkeypatch.setattr(cache, name, down)
    return calls


@pytest.mark.django_db
def test_a_cache_outage_counts_in_the_database_and_the_limit_still_holds(monkeypatch):
    calls = _cache_down(monkeypatch)
    into_window(0)
    assert hits(5, limit=2) == [True, True, False, False, False]
    # The first failure marks the cache down: the next hits do not try it again.
    assert len(calls) == 1
    (row,) = RateLimitCounter.objects.all()
    assert row.hits == 5
    assert "203.0.113.5" not in row.bucket  # hashed, as in the cache


@pytest.mark.django_db
def test_the_database_window_slides_like_the_cache_one(monkeypatch):
    _cache_down(monkeypatch)
    into_window(HOUR - 1)
    assert hits(3) == [True] * 3
    into_window(HOUR + 3 * HOUR // 4)  # a quarter of the previous 3 still counts
    assert hits(3) == [True, True, False]


@pytest.mark.django_db
def test_after_a_few_seconds_the_cache_is_tried_again_and_used_when_back(monkeypatch):
    calls = _cache_down(monkeypatch)
    into_window(0)
    hits(2, limit=10)
    assert len(calls) == 1
    into_window(cachehealth.RETRY_AFTER.total_seconds() + 1)
    hits(1, limit=10)
    assert len(calls) == 2  # tried once more, still down
    monkeypatch.undo()
    into_window(2 * cachehealth.RETRY_AFTER.total_seconds() + 2)
    assert hits(1, limit=10) == [True]
    assert cachehealth.status()["cache"] == "ok"
    assert RateLimitCounter.objects.get().hits == 3  # the cache's hit is not in the database


@pytest.mark.django_db
def test_expired_database_counters_are_purged(monkeypatch):
    _cache_down(monkeypatch)
    into_window(0)
    hits(1, key="198.51.100.1")
    into_window(3 * HOUR)  # that window and the next are over
    ratelimit._purge_schedule.reset()
    hits(1, key="198.51.100.2")
    assert RateLimitCounter.objects.count() == 1


@pytest.mark.django_db
def test_a_refund_gives_one_hit_back_in_the_cache_and_in_the_database(monkeypatch):
    into_window(0)
    assert hits(2, limit=2) == [True, True]
    ratelimit.refund("test", "203.0.113.5", window_seconds=HOUR)
    assert hits(2, limit=2) == [True, False]
    _cache_down(monkeypatch)
    assert hits(2, key="198.51.100.9", limit=2) == [True, True]
    ratelimit.refund("test", "198.51.100.9", window_seconds=HOUR)
    ratelimit.refund("test", "198.51.100.9", window_seconds=HOUR)
    ratelimit.refund("test", "198.51.100.9", window_seconds=HOUR)  # never below zero
    assert hits(3, key="198.51.100.9", limit=2) == [True, True, False]


def test_first_in_window_is_true_once_per_fixed_window_and_key():
    into_window(10)
    assert [ratelimit.first_in_window("audit", "a", window_seconds=HOUR) for _ in range(3)] == [
        True, False, False]
    assert ratelimit.first_in_window("audit", "b", window_seconds=HOUR)  # another key
    assert ratelimit.first_in_window("other", "a", window_seconds=HOUR)  # another scope
    into_window(HOUR - 1)
    assert not ratelimit.first_in_window("audit", "a", window_seconds=HOUR)
    into_window(HOUR)  # the next window
    assert ratelimit.first_in_window("audit", "a", window_seconds=HOUR)
    assert not ratelimit.first_in_window("audit", "a", window_seconds=HOUR)


@pytest.mark.django_db
def test_first_in_window_holds_in_the_database_while_the_cache_is_down(monkeypatch):
    _cache_down(monkeypatch)
    into_window(10)
    assert [ratelimit.first_in_window("audit", "a", window_seconds=HOUR) for _ in range(3)] == [
        True, False, False]
    into_window(HOUR + 10)
    assert ratelimit.first_in_window("audit", "a", window_seconds=HOUR)
    # Its rows expire with their window and are purged like the counters.
    into_window(3 * HOUR)
    ratelimit._purge_schedule.reset()
    assert ratelimit.first_in_window("audit", "b", window_seconds=HOUR)
    assert RateLimitCounter.objects.count() == 1


def test_occasionally_is_due_once_per_interval_and_again_if_the_clock_goes_back():
    every = ratelimit.Occasionally(dt.timedelta(minutes=1))
    t = dt.datetime(2025, 3, 3, 0, 0, tzinfo=UTC)
    assert every.due(t)
    assert not every.due(t + dt.timedelta(seconds=59))
    assert every.due(t + dt.timedelta(seconds=60))
    assert not every.due(t + dt.timedelta(seconds=61))
    assert every.due(t)  # the clock went back (a test's frozen clock): due again
    every.reset()
    assert every.due(t)


def test_occasionally_lets_one_of_many_threads_through():
    every = ratelimit.Occasionally(dt.timedelta(minutes=1))
    t = dt.datetime(2025, 3, 3, 0, 0, tzinfo=UTC)
    barrier = threading.Barrier(8)
    results = []

    def worker():
        barrier.wait()
        results.append(every.due(t))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]


def test_the_upsert_names_the_counter_table():
    assert f'"{RateLimitCounter._meta.db_table}"' in ratelimit._UPSERT


# Nothing listens on port 1: connections are refused at once, as by a stopped Redis.
DEAD_REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": "redis://127.0.0.1:1/0",
                          "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}}}


@pytest.mark.django_db(transaction=True)
@override_settings(CACHES=DEAD_REDIS)
def test_the_database_limit_holds_with_parallel_clients(tmp_path):
    """PostgreSQL and a SQLite file: 40 parallel hits against a limit of 20 while Redis
    is unreachable, 20 allowed, all 40 counted in the database."""
    into_window(0)
    use_database = database_for_threads(tmp_path)
    barrier = threading.Barrier(4)
    results, errors = [], []

    def worker():
        use_database()
        try:
            barrier.wait()
            results.extend(ratelimit.hit("db-test", "203.0.113.7", limit=20, window_seconds=HOUR)
                           for _ in range(10))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            from django.db import connections

            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert results.count(True) == 20 and results.count(False) == 20
    assert in_thread(use_database, lambda: RateLimitCounter.objects.get().hits) == 40


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


@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
                   GONGKAI_TRUSTED_PROXIES=[])
def test_a_proxy_ssl_header_alone_does_not_make_forwarded_for_believed():
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert ratelimit.client_key(request) == "10.0.0.1"


@override_settings(GONGKAI_TRUSTED_PROXIES=["10.0.0.1"])
def test_behind_a_trusted_proxy_the_last_forwarded_hop_is_the_client():
    request = rf.get("/", REMOTE_ADDR="10.0.0.1",
                     HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.1 , 203.0.113.5")
    assert ratelimit.client_key(request) == "203.0.113.5"


@override_settings(GONGKAI_TRUSTED_PROXIES=["10.0.0.1"])
def test_behind_a_proxy_a_missing_or_garbled_forwarded_for_falls_back_to_the_proxy():
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
