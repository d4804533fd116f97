"""Anonymous public pages come from the cache until public content changes; publishing
and withdrawing invalidate on commit (never on a rollback); validators and conditional
GETs are right; signed-in visitors, forms with CSRF tokens and errors are never cached."""

import datetime as dt
import time

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils.http import http_date

from gongkai.core.errors import DomainError
from gongkai.portal import caching
from gongkai.portal.preferences import ELDER_COOKIE, SCRIPT_COOKIE
from gongkai.publishing.services import publications as svc

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_generation_file(settings, tmp_path):
    """Each test has its own content generation (the file other workers would read)."""
    settings.VAR_DIR = tmp_path
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what is deferred to the commit of the test's transaction, as a real commit
    would (pytest-django wraps each test in a transaction that never commits)."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def home(client, **headers):
    return client.get(reverse("portal:home"), headers=headers)


def column_page(site):
    return reverse("portal:column-detail", args=[site["columns"]["抽检计划及结果发布"].pk])


# --- storing and serving ------------------------------------------------------------------------


def test_an_anonymous_page_is_stored_then_served_without_the_database(
    client, site, django_assert_num_queries,
):
    first = home(client)
    assert first.status_code == 200
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = home(client)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["Content-Type"] == first["Content-Type"]
    assert second["X-Frame-Options"] == "DENY"


def test_cached_pages_carry_validators_and_must_be_revalidated(client, site):
    """Browsers and proxies may keep the page but must ask every time (a cheap 304), so a
    withdrawn page is never shown again from their caches."""
    response = home(client)
    assert response["ETag"].startswith('"') and len(response["ETag"]) == 34
    assert response["Last-Modified"]
    assert response["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert home(client)["Cache-Control"] == "public, max-age=0, must-revalidate"  # a hit too
    assert "Cookie" in response["Vary"]
    assert "Set-Cookie" not in str(response.cookies)


def test_the_etag_is_a_hash_of_the_body(client, site):
    import hashlib

    response = home(client)
    assert response["ETag"] == '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'


def test_if_none_match_gets_304_and_a_stale_etag_gets_the_page(client, site):
    etag = home(client)["ETag"]
    not_modified = home(client, if_none_match=etag)
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified["ETag"] == etag
    assert home(client, if_none_match='"someotherversion"').status_code == 200


def test_if_modified_since_gets_304_until_content_changes(client, site, commit, publisher):
    last_modified = home(client)["Last-Modified"]
    assert home(client, if_modified_since=last_modified).status_code == 304
    # No waiting: a change within the same second still moves Last-Modified on.
    commit(publisher.withdraw, site["news"])
    response = home(client, if_modified_since=last_modified)
    assert response.status_code == 200
    assert site["news"].title not in response.content.decode()


def test_the_first_answer_already_honours_a_conditional_get(client, site):
    """A miss is rendered, stored and then judged like a hit."""
    response = home(client)
    cache.clear()
    again = home(client, if_none_match=response["ETag"])
    assert again["X-Page-Cache"] == "miss"
    assert again.status_code == 304


def test_the_key_varies_on_path_query_and_view_preferences(client, site):
    page = column_page(site)
    assert client.get(page)["X-Page-Cache"] == "miss"
    assert client.get(page)["X-Page-Cache"] == "hit"
    assert client.get(page + "?year=2025")["X-Page-Cache"] == "miss"

    client.cookies[SCRIPT_COOKIE] = "traditional"
    converted = client.get(page)
    assert converted["X-Page-Cache"] == "miss"
    assert '<html lang="zh-Hant"' in converted.content.decode()
    assert client.get(page)["X-Page-Cache"] == "hit"

    client.cookies[ELDER_COOKIE] = "on"
    assert client.get(page)["X-Page-Cache"] == "miss"
    del client.cookies[SCRIPT_COOKIE]
    del client.cookies[ELDER_COOKIE]
    simplified = client.get(page)
    assert simplified["X-Page-Cache"] == "hit"
    assert '<html lang="zh-CN"' in simplified.content.decode()


def test_head_is_served_from_the_same_entry(client, site):
    home(client)
    response = client.head(reverse("portal:home"))
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "hit"


# --- what is never cached --------------------------------------------------------------------


def test_signed_in_visitors_are_never_served_or_stored(client_for, client, site, office):
    home(client)  # an anonymous entry exists
    signed_in = client_for(office)
    response = signed_in.get(reverse("portal:home"))
    assert response.status_code == 200
    assert "X-Page-Cache" not in response
    assert "public" not in response.get("Cache-Control", "")
    assert "Cookie" in response["Vary"]


@pytest.mark.parametrize("name", ["portal:apply", "portal:status"])
def test_pages_with_csrf_forms_are_never_cached(client, bureau, name):
    for _ in range(2):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert "X-Page-Cache" not in response
        assert "ETag" not in response
        assert "no-store" in response["Cache-Control"]
    assert django_settings.CSRF_COOKIE_NAME in response.cookies


def test_unknown_query_parameters_are_answered_but_never_stored(client, site):
    """``?junk=1``, ``?junk=2``… must not fill the cache; the parameters the portal's views
    read still are cached."""
    for n in range(3):
        response = client.get(reverse("portal:home"), {"junk": n})
        assert response.status_code == 200
        assert "X-Page-Cache" not in response and "ETag" not in response
    page = column_page(site)
    junk = client.get(page, {"year": 2025, "utm_source": "x"})
    assert junk.status_code == 200 and "X-Page-Cache" not in junk
    twice = client.get(page + "?year=2025&year=2026")
    assert twice.status_code == 200 and "X-Page-Cache" not in twice
    for query in ({"year": 2025, "page": 1}, {"topic": site["food"].pk, "validity": "valid"}):
        assert client.get(page, query)["X-Page-Cache"] == "miss"
        assert client.get(page, query)["X-Page-Cache"] == "hit"
    search = reverse("portal:search")
    params = {"q": "抽检", "agency": site["news"].agency.code, "order": "date", "page": 1}
    client.get(search, params)
    assert client.get(search, params)["X-Page-Cache"] == "hit"


def test_not_found_pages_are_not_cached(client, db):
    for _ in range(2):
        response = client.get(reverse("portal:publication-detail", args=[999999]))
        assert response.status_code == 404
        assert "X-Page-Cache" not in response


def test_large_answers_are_not_kept(client, site, monkeypatch):
    monkeypatch.setattr(caching, "MAX_ENTRY_BYTES", 100)
    for _ in range(2):
        response = home(client)
        assert response.status_code == 200
        assert "X-Page-Cache" not in response and "ETag" not in response


def test_a_visitor_with_pending_messages_gets_a_fresh_page(client, site):
    home(client)
    client.cookies["messages"] = "x"
    assert "X-Page-Cache" not in home(client)


def test_back_office_and_api_are_never_page_cached(client, db):
    assert "X-Page-Cache" not in client.get(reverse("api:agency-list"))
    assert "X-Page-Cache" not in client.get(reverse("staff:sign-in"))


# --- invalidation ------------------------------------------------------------------------------


def test_publishing_shows_the_new_item_at_once(client, site, commit, publisher):
    page = column_page(site)
    before = client.get(page)
    assert client.get(page)["X-Page-Cache"] == "hit"
    item = commit(publisher.publish, "关于2026年第一季度食品安全监督抽检情况的通告",
                  columns=[site["columns"]["抽检计划及结果发布"]])
    after = client.get(page)
    assert after["X-Page-Cache"] == "miss"
    assert item.title in after.content.decode()
    assert item.title not in before.content.decode()
    assert item.title in home(client).content.decode()


def test_withdrawing_removes_the_item_and_changes_the_etag(client, site, commit, publisher):
    page = reverse("portal:publication-detail", args=[site["sampling"].pk])
    listing = column_page(site)
    etag = client.get(listing)["ETag"]
    assert client.get(page).status_code == 200
    assert client.get(page)["X-Page-Cache"] == "hit"

    commit(publisher.withdraw, site["sampling"])

    assert client.get(page).status_code == 404
    after = client.get(listing, headers={"if_none_match": etag})
    assert after.status_code == 200
    assert after["ETag"] != etag
    assert site["sampling"].title not in after.content.decode()


def test_a_rolled_back_publish_changes_nothing(client, site, publisher, commit):
    home(client)
    generation = caching.current_generation().token
    item = publisher.draft("回滚的通告", columns=[site["columns"]["新闻动态"]])
    svc.publication_submit(actor=publisher.officer, publication=item)
    svc.publication_review(
        actor=publisher.reviewer, publication=item, involves_state_secrets=False,
        involves_privacy_or_trade_secrets=False, endangers_security_or_stability=False,
        conclusion="may_publish")
    svc.publication_approve(actor=publisher.leader, publication=item, opinion="同意")

    def publish_then_fail():
        with transaction.atomic():
            svc.publication_publish(actor=publisher.office, publication=item)
            raise DomainError("下游失败")

    with pytest.raises(DomainError):
        commit(publish_then_fail)
    assert caching.current_generation().token == generation
    response = home(client)
    assert response["X-Page-Cache"] == "hit"
    assert "回滚的通告" not in response.content.decode()


def test_nothing_changes_before_the_commit(site, publisher, django_capture_on_commit_callbacks):
    generation = caching.current_generation().token
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        publisher.withdraw(site["news"])
        assert caching.current_generation().token == generation
    assert callbacks
    for callback in callbacks:
        callback()
    assert caching.current_generation().token != generation


def test_many_changes_in_one_transaction_bump_once(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for _ in range(500):
            caching.content_changed()
    assert callbacks.count(caching._bump_after_commit) == 1


def test_a_change_in_a_rolled_back_savepoint_is_queued_again_by_the_next_one(
    db, django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        try:
            with transaction.atomic():
                caching.content_changed()
                raise RuntimeError
        except RuntimeError:
            pass
        caching.content_changed()
    assert callbacks.count(caching._bump_after_commit) == 1


def test_other_areas_invalidate_with_content_changed(client, site, commit):
    home(client)
    assert home(client)["X-Page-Cache"] == "hit"
    commit(caching.content_changed)
    assert home(client)["X-Page-Cache"] == "miss"


def test_a_bump_by_another_worker_is_seen_through_the_shared_generation(client, site):
    """With the in-process cache each gunicorn worker has its own entries; the
    generation is a file they all read, so a withdrawal in one worker empties them all."""
    home(client)
    assert home(client)["X-Page-Cache"] == "hit"
    other = caching.Generation.new()  # what another process writes
    (django_settings.VAR_DIR / "page-generation").write_text(other.dump())
    assert home(client)["X-Page-Cache"] == "miss"
    assert caching.current_generation().token == other.token


def test_each_generation_is_at_least_a_second_after_the_previous_one(db):
    """HTTP dates have one-second resolution: two changes in the same second must still
    give different Last-Modified values, or If-Modified-Since would get a wrong 304."""
    times = [caching.bump_generation().at for _ in range(5)]
    assert all(later - earlier >= 1 for earlier, later in zip(times, times[1:], strict=False))
    assert len({http_date(at) for at in times}) == 5


def test_two_changes_within_a_second_never_give_a_wrong_304(client, site, commit):
    change = transaction.atomic(caching.content_changed)  # in a transaction, as services do
    commit(change)
    last_modified = home(client)["Last-Modified"]
    commit(change)
    response = home(client, if_modified_since=last_modified)
    assert response.status_code == 200
    assert response["Last-Modified"] != last_modified


def test_the_generation_time_is_real_time_even_with_the_domain_clock_frozen(db):
    from gongkai.core import clock

    clock.freeze(dt.datetime(2020, 1, 1, 9, tzinfo=dt.UTC))
    try:
        before = time.time()
        generation = caching.bump_generation()
    finally:
        clock.freeze(None)
    assert before <= generation.at <= time.time() + 1


def test_the_generation_in_a_shared_cache_also_moves_on_by_a_second(db):
    original = caching._cache_is_per_process
    caching._cache_is_per_process = lambda: False
    try:
        first, second = caching.bump_generation(), caching.bump_generation()
    finally:
        caching._cache_is_per_process = original
    assert second.at - first.at >= 1 and second.token != first.token


def test_last_modified_is_the_time_of_the_generation(client, site, commit):
    commit(caching.content_changed)
    generation = caching.current_generation()
    assert home(client)["Last-Modified"] == http_date(generation.at)
    assert dt.datetime.fromtimestamp(generation.at, tz=dt.UTC) <= dt.datetime.now(dt.UTC)


# --- production pieces --------------------------------------------------------------------------


def test_with_a_shared_cache_the_generation_lives_in_the_cache(settings, client, site):
    """Redis in production: the cache is shared, so the generation is a cache key (here a
    locmem cache standing in for it, with the per-process check turned off)."""
    settings.VAR_DIR = settings.VAR_DIR / "absent"  # the file must not be used
    original = caching._cache_is_per_process
    caching._cache_is_per_process = lambda: False
    try:
        home(client)
        assert home(client)["X-Page-Cache"] == "hit"
        assert cache.get(caching.GENERATION_KEY)
        caching.bump_generation()
        assert home(client)["X-Page-Cache"] == "miss"
        assert not (settings.VAR_DIR / "page-generation").exists()
    finally:
        caching._cache_is_per_process = original


@pytest.fixture
def redis_cache(settings):
    """The production cache: Redis (the machine runs one on 127.0.0.1:6379), in a database
    of its own (13: the fixtures' cache.clear() flushes it) and a key prefix of its own."""
    import uuid

    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/13",
        "KEY_PREFIX": f"gongkai-test-{uuid.uuid4().hex}",
    }}
    yield
    cache.delete_many([caching.GENERATION_KEY])


def test_on_redis_pages_are_shared_and_a_withdrawal_empties_them(
    redis_cache, client, site, commit, publisher, settings,
):
    assert not caching._cache_is_per_process()
    page = reverse("portal:publication-detail", args=[site["news"].pk])
    assert client.get(page)["X-Page-Cache"] == "miss"
    assert client.get(page)["X-Page-Cache"] == "hit"
    assert cache.get(caching.GENERATION_KEY)
    commit(publisher.withdraw, site["news"])
    assert client.get(page).status_code == 404
    assert not (settings.VAR_DIR / "page-generation").exists()


def test_production_serves_static_files_fingerprinted_by_the_manifest_storage():
    from gongkai import settings as production

    assert production.STORAGES["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage")
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in production.MIDDLEWARE


def test_the_cache_middleware_sits_between_authentication_and_the_view_preferences():
    order = django_settings.MIDDLEWARE
    auth = order.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    page_cache = order.index("gongkai.portal.caching.PageCacheMiddleware")
    prefs = order.index("gongkai.portal.preferences.ViewPreferencesMiddleware")
    assert auth < page_cache < prefs


def test_the_500_page_renders_even_when_static_files_are_missing(settings, rf):
    """The error page must not fail in turn: no ``{% static %}`` (a manifest without the
    entry raises), no context processors; inline CSS the CSP allows."""
    from django.views.defaults import server_error

    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
    settings.STATIC_ROOT = settings.VAR_DIR / "no-static"  # no manifest at all
    response = server_error(rf.get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "服务器错误（500）" in html and '<html lang="zh-CN">' in html
    assert "<style>" in html and "stylesheet" not in html
    assert "'unsafe-inline'" in django_settings.GONGKAI_CSP.split("style-src")[1].split(";")[0]


def test_the_column_total_is_plain_text_not_a_live_region(client, site):
    """``role="status"`` announces changes; the total is rendered once with the page."""
    import re

    html = client.get(column_page(site)).content.decode()
    total = re.search(r'<p id="total"[^>]*>', html).group(0)
    assert total == '<p id="total">'
