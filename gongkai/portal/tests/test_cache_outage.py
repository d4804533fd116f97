"""Degrade, don't fail (issue 15): with Redis stopped, every public page is served
uncached, the request form works, the rate limit counts in the database and still holds,
and /healthz says "degraded" with the reason — logged once a minute, not per request.

A private redis-server is started for the test on a free port and stopped in the middle
of it (never the machine's shared Redis)."""

import datetime as dt
import logging
import shutil
import socket
import subprocess
import time
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from gongkai.core import cachehealth, clock
from gongkai.core.models import RateLimitCounter
from gongkai.foi.models import FoiRequest
from gongkai.portal.tests.data import natural_person
from gongkai.portal.tests.test_apply import filled

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]

SHANGHAI = ZoneInfo("Asia/Shanghai")
T1 = dt.datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    def __init__(self, tmp_path):
        self.port = _free_port()
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(tmp_path)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        import redis

        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.2).ping()
                return
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError("the private redis-server did not start") from None
                time.sleep(0.05)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path, settings):
    server = PrivateRedis(tmp_path)
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": server.url,
        "KEY_PREFIX": f"gongkai-test-{uuid.uuid4().hex[:8]}",
        "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
    }}
    cachehealth.reset()
    yield server
    server.stop()
    cachehealth.reset()
    clock.freeze(None)


def public_pages(site, bureau):
    return [
        reverse("portal:home"),
        reverse("portal:publication-detail", args=[site["news"].pk]),
        reverse("portal:column-detail", args=[site["columns"]["新闻动态"].pk]),
        reverse("portal:apply"),
        reverse("portal:status"),
        reverse("portal:search") + "?q=专项行动",
        reverse("portal:agency-home", args=[site["news"].agency.code]),
        reverse("portal:sitemap"),
        reverse("portal:robots"),
    ]


def test_with_redis_stopped_the_portal_degrades_instead_of_failing(
        private_redis, client, site, caplog):
    bureau = site["news"].agency
    clock.freeze(T1)
    home = reverse("portal:home")
    pages = public_pages(site, bureau)

    # Redis up: pages come from the cache, the form works, the health check says ok.
    assert client.get(home)["X-Page-Cache"] == "miss"
    assert client.get(home)["X-Page-Cache"] == "hit"
    assert client.get("/healthz").content == b"ok"
    assert client.post(reverse("portal:apply"), filled(bureau)).status_code == 303

    private_redis.stop()
    caplog.set_level(logging.WARNING, logger="gongkai.cache")

    # Redis down: every page is served, rendered afresh.
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert "X-Page-Cache" not in response, page
    # The request form still takes requests.
    assert client.post(reverse("portal:apply"), filled(bureau)).status_code == 303
    assert FoiRequest.objects.count() == 2

    # The health check stays 200 and says why it is degraded.
    health = client.get("/healthz")
    assert health.status_code == 200
    text = health.content.decode()
    assert text.startswith("degraded\n")
    assert "cache unavailable since" in text
    assert "Connection" not in text and str(private_redis.port) not in text  # no error text, host, port
    as_json = client.get("/healthz", HTTP_ACCEPT="application/json").json()
    assert as_json["status"] == "degraded" and as_json["reasons"]
    assert as_json["metrics"]["degraded_reports_total"] == 1

    # One warning line for all of that, not one per request.
    degraded_lines = [r for r in caplog.records if "degraded: cache unavailable" in r.getMessage()]
    assert len(degraded_lines) == 1

    # A minute later, still down: one more line, and the metric says two.
    clock.freeze(T1 + dt.timedelta(seconds=61))
    assert Client().get(home).status_code == 200  # a visitor without the applicant's cookies
    degraded_lines = [r for r in caplog.records if "degraded: cache unavailable" in r.getMessage()]
    assert len(degraded_lines) == 2
    assert client.get("/healthz?format=json").json()["metrics"]["degraded_reports_total"] == 2


def test_with_redis_stopped_the_submission_limit_still_holds(private_redis, client, bureau):
    clock.freeze(T1)
    url = reverse("portal:apply")
    bad = natural_person(bureau, name="")
    for _ in range(10):
        assert client.post(url, bad).status_code == 400  # counted in Redis

    private_redis.stop()

    for _ in range(20):
        assert client.post(url, bad).status_code == 400  # counted in the database
    response = client.post(url, filled(bureau))
    assert response.status_code == 429
    assert "操作过于频繁" in response.content.decode()
    assert not FoiRequest.objects.exists()
    assert RateLimitCounter.objects.get().hits == 21
    # Another client is not affected.
    assert client.post(url, filled(bureau), REMOTE_ADDR="10.1.2.3").status_code == 303


def test_a_dead_redis_costs_one_fast_failure_then_is_skipped(private_redis, client, site):
    clock.freeze(T1)
    private_redis.stop()
    home = reverse("portal:home")
    started = time.perf_counter()
    client.get(home)
    first = time.perf_counter() - started
    errors_after_first = cachehealth.status()["errors_total"]
    for _ in range(5):
        client.get(home)
    assert cachehealth.status()["errors_total"] == errors_after_first  # not tried again
    assert first < 2.0  # refused or timed out in 0.25 s, not seconds per call
    clock.freeze(T1 + cachehealth.RETRY_AFTER + dt.timedelta(seconds=1))
    client.get(home)
    assert cachehealth.status()["errors_total"] == errors_after_first + 1  # tried again


def test_when_redis_answers_again_pages_changed_meanwhile_are_not_served_stale(
        private_redis, client, site, django_capture_on_commit_callbacks, publisher):
    """An outage that keeps Redis's data (a network break, simulated by pausing every
    client): the withdrawal could not bump the generation, so it is bumped on recovery."""
    import redis

    clock.freeze(T1)
    page = reverse("portal:publication-detail", args=[site["news"].pk])
    client.get(page)
    assert client.get(page)["X-Page-Cache"] == "hit"

    redis.Redis(port=private_redis.port).execute_command("CLIENT", "PAUSE", "3000", "ALL")
    with django_capture_on_commit_callbacks(execute=True):
        publisher.withdraw(site["news"])
    assert cachehealth.status()["cache"] == "down"
    time.sleep(3.1)  # the pause ends: Redis answers again, with the old entries
    clock.freeze(T1 + cachehealth.RETRY_AFTER + dt.timedelta(seconds=1))
    assert client.get(page).status_code == 404
    assert cachehealth.status()["cache"] == "ok"
