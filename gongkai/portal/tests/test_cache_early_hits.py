"""Page-cache hits are answered early (``caching.PageCacheHitMiddleware``, before the
session, CSRF, authentication and two-factor middleware) with every guarantee of the page
cache kept: never for a visitor with a session cookie, validators and 304, a withdrawal
never served afterwards (in-process cache and Redis), security headers on every hit, one
cache look-up per miss."""

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.cache import cache, caches
from django.urls import reverse

from gongkai.portal import caching

# The page-cache tests' own generation file per test (autouse) and their commit helper.
from gongkai.portal.tests.test_caching import (  # noqa: E402, F401, F811
    _own_generation_file,
    commit,
    redis_cache,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def session_middleware_runs(monkeypatch):
    """How many requests went through the session middleware."""
    calls = []
    original = SessionMiddleware.process_request

    def counted(self, request):
        calls.append(request.path)
        return original(self, request)

    monkeypatch.setattr(SessionMiddleware, "process_request", counted)
    return calls


def publication_page(site):
    return reverse("portal:publication-detail", args=[site["news"].pk])


def test_the_hit_middleware_sits_after_the_security_headers_and_before_the_session():
    order = django_settings.MIDDLEWARE
    hit = order.index("gongkai.portal.caching.PageCacheHitMiddleware")
    assert order.index("gongkai.core.middleware.SecurityHeadersMiddleware") < hit
    assert hit < order.index("django.contrib.sessions.middleware.SessionMiddleware")
    assert hit < order.index("gongkai.portal.caching.PageCacheMiddleware")


@pytest.mark.parametrize("backend", ["in-process", "redis"])
def test_a_hit_skips_the_session_middleware_and_a_miss_does_not(
    backend, request, client, site, session_middleware_runs, django_assert_num_queries,
):
    if backend == "redis":
        request.getfixturevalue("redis_cache")
    page = publication_page(site)
    assert client.get(page)["X-Page-Cache"] == "miss"
    assert session_middleware_runs == [page]
    with django_assert_num_queries(0):
        hit = client.get(page)
    assert hit["X-Page-Cache"] == "hit"
    assert session_middleware_runs == [page]  # the hit never reached it


def test_a_hit_keeps_the_headers_of_the_rendered_page(client, site):
    page = publication_page(site)
    miss = client.get(page)
    hit = client.get(page)
    assert hit["X-Page-Cache"] == "hit"
    assert hit.content == miss.content
    # Security headers come from the middleware above the early one.
    assert hit["Content-Security-Policy"] == miss["Content-Security-Policy"]
    assert hit["Permissions-Policy"] == miss["Permissions-Policy"]
    assert hit["X-Frame-Options"] == "DENY"
    assert hit["Content-Type"] == miss["Content-Type"]
    # CommonMiddleware, which would set it, runs after the early answer.
    assert hit["Content-Length"] == str(len(hit.content))
    assert "Cookie" in hit["Vary"]
    assert hit["Cache-Control"] == caching.BROWSER_CACHE_CONTROL
    assert hit["ETag"] == miss["ETag"]


def test_a_visitor_with_a_session_cookie_is_never_served_a_stored_page(
    client_for, client, site, office, session_middleware_runs,
):
    page = publication_page(site)
    client.get(page)
    assert client.get(page)["X-Page-Cache"] == "hit"
    signed_in = client_for(office)
    response = signed_in.get(page)
    assert response.status_code == 200
    assert "X-Page-Cache" not in response
    assert "public" not in response.get("Cache-Control", "")
    assert session_middleware_runs[-1] == page  # rendered through the whole stack


def test_a_stale_or_unknown_session_cookie_is_not_served_from_the_cache(client, site):
    page = publication_page(site)
    client.get(page)
    client.cookies[django_settings.SESSION_COOKIE_NAME] = "no-such-session"
    assert "X-Page-Cache" not in client.get(page)


@pytest.mark.parametrize("backend", ["in-process", "redis"])
def test_304_from_the_early_path(backend, request, client, site):
    if backend == "redis":
        request.getfixturevalue("redis_cache")
    page = publication_page(site)
    first = client.get(page)
    by_etag = client.get(page, headers={"if_none_match": first["ETag"]})
    assert by_etag.status_code == 304
    assert by_etag["X-Page-Cache"] == "hit"
    assert by_etag.content == b""
    by_date = client.get(page, headers={"if_modified_since": first["Last-Modified"]})
    assert by_date.status_code == 304
    assert client.get(page, headers={"if_none_match": '"other"'}).status_code == 200


@pytest.mark.parametrize("backend", ["in-process", "redis"])
def test_a_withdrawn_page_is_not_served_after_the_generation_moves(
    backend, request, client, site, commit, publisher,  # noqa: F811
):
    if backend == "redis":
        request.getfixturevalue("redis_cache")
        assert not caching._cache_is_per_process()
    page = publication_page(site)
    assert client.get(page)["X-Page-Cache"] == "miss"
    assert client.get(page)["X-Page-Cache"] == "hit"
    commit(publisher.withdraw, site["news"])
    assert client.get(page).status_code == 404
    assert client.get(page).status_code == 404


def test_a_miss_looks_the_page_up_once(client, site, monkeypatch):
    """The early middleware hands its look-up to the storing one: no second round trip."""
    lookups = []
    original = caching._look_up

    def counted(request):
        lookups.append(request.path)
        return original(request)

    monkeypatch.setattr(caching, "_look_up", counted)
    page = publication_page(site)
    assert client.get(page)["X-Page-Cache"] == "miss"
    assert lookups == [page]
    assert client.get(page)["X-Page-Cache"] == "hit"
    assert lookups == [page, page]


def test_without_the_early_middleware_the_storing_one_serves_hits(settings, client, site):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("HitMiddleware")]
    page = publication_page(site)
    assert client.get(page)["X-Page-Cache"] == "miss"
    hit = client.get(page)
    assert hit["X-Page-Cache"] == "hit"
    assert hit["Content-Length"] == str(len(hit.content))


def test_on_redis_one_client_serves_every_look_up_of_a_thread(redis_cache, client, site):  # noqa: F811
    """Django's RedisCache builds a new redis.Redis per call; the look-up keeps one."""
    page = publication_page(site)
    client.get(page)
    reader = caches["default"]._cache.__dict__["_gongkai_reader"]
    assert client.get(page)["X-Page-Cache"] == "hit"
    assert caches["default"]._cache.__dict__["_gongkai_reader"] is reader
    # It reads what Django's own get_many reads, values unpickled, absent keys left out.
    backend = caches["default"]
    cache.set("early-hits-test", {"content": b"<p>", "n": 1})
    keys = ["early-hits-test", "early-hits-absent", caching.GENERATION_KEY]
    found = caching._redis_get_many(backend, keys)
    assert found == backend.get_many(keys)
    assert found["early-hits-test"] == {"content": b"<p>", "n": 1}
    assert "early-hits-absent" not in found
    cache.delete("early-hits-test")
