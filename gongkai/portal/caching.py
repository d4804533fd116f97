"""Caching of anonymous public pages, invalidated when public content changes.

A page is kept in Django's cache (Redis in production, ``CACHE_URL``) under a key made
of the address and the visitor's view preferences, tagged with the site-wide *content
generation* current when it was rendered. Whatever makes content public or takes it
down moves the generation on — the domain apps emit the "content changed" and
"publication visibility" events of ``core.listeners``, to which ``connect()`` subscribes
``content_changed()`` — after the transaction commits, so a rolled-back change
invalidates nothing and a committed withdrawal is never served from the cache
afterwards: an entry of an older generation is simply ignored.

Where the generation lives: in the cache itself when the cache is shared by every worker
(Redis); with the in-process default cache each gunicorn worker has its own cache, so the
generation is a small file in ``VAR_DIR`` that every worker on the host reads — a
withdrawal in one worker is seen by all of them.

Never cached: signed-in visitors (anyone with a session cookie), responses that set
cookies or use a CSRF token, anything but 200, pages marked ``never_cache`` (the request
form and the status look-up), non-public paths, and addresses with a query parameter the
portal's views do not read (``?junk=1``, ``?junk=2``… would otherwise each fill an entry):
those are answered, just not kept. Cached pages carry a strong ``ETag`` (a hash of the
body) and ``Last-Modified`` (the generation's time, from the real clock and at least a
second after the previous generation's, so two changes within one second never share a
``Last-Modified``), and answer conditional GETs with 304. Browsers and proxies must
revalidate every time (``max-age=0, must-revalidate``): a withdrawn page is never reused
from their caches, and revalidation is a cheap 304.

Where it runs: two middleware. ``PageCacheHitMiddleware`` sits early, right after the
security headers and before the session, CSRF, authentication and two-factor middleware,
and answers hits: a hit is only ever for a request without a session or messages cookie,
which those middleware would pass through unchanged, so it skips their cost (about a
third of a hit's time in Django). ``PageCacheMiddleware`` sits after authentication and
stores what the view rendered, where the session and the user can be checked. On a miss
the early one hands its look-up (key and generation) to the late one through the request,
so a miss costs one cache round trip, as before. Without the early one in ``MIDDLEWARE``
the late one answers hits itself.

When the cache is down (``core.cachehealth``), pages are rendered and served uncached:
no cache error reaches the visitor. A generation bump that could not reach the cache is
made up for when it answers again — every process that saw the outage moves the
generation on before it uses the cache again — so a page withdrawn during the outage is
not served from entries stored before it.
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from gongkai.core import cachehealth, listeners
from gongkai.portal import preferences

GENERATION_KEY = "portal:page-generation"
PAGE_KEY_PREFIX = "portal:page:"
PAGE_TIMEOUT = 600  # seconds an entry may live even if nothing changes
# Browsers and proxies may store a page but must ask again before reusing it: a withdrawal
# is visible at once everywhere, and the question costs a 304 from the cache.
BROWSER_CACHE_CONTROL = "public, max-age=0, must-revalidate"
CACHED_METHODS = ("GET", "HEAD")
MAX_ENTRY_BYTES = 1_000_000  # pages, feeds and sitemaps fit; a large download is not kept
# Headers a stored page keeps; cookies and per-request headers are never stored.
STORED_HEADERS = ("Content-Type", "Content-Language", "X-Frame-Options", "X-Robots-Tag")
PUBLIC_PREFIX_EXCLUDED = preferences.NON_PUBLIC_PREFIXES + ("/healthz",)
# The query parameters the public views read (portal.forms' ColumnFilterForm and
# SearchForm, the sitemap's ``p``, decisions' ``kind``, annual reports' ``version``). An
# address with any other parameter, or one given twice, is answered but never stored.
CACHEABLE_PARAMETERS = frozenset({
    "page", "p", "year", "topic", "validity", "q", "agency", "column", "order", "kind",
    "version",
})


# --- the content generation --------------------------------------------------------------------


class Generation:
    """An opaque token that changes whenever public content changes, and its time."""

    __slots__ = ("token", "at")

    def __init__(self, token: str, at: float):
        self.token, self.at = token, at

    @classmethod
    def new(cls, previous: Generation | None = None) -> Generation:
        """The real time (not ``core.clock``, which tests freeze in the past), and at least
        one second after ``previous``: ``Last-Modified`` has one-second resolution, so two
        generations within a second would otherwise look the same to ``If-Modified-Since``."""
        at = time.time()
        if previous is not None:
            at = max(at, previous.at + 1.0)
        return cls(uuid.uuid4().hex, at)

    def dump(self) -> str:
        return f"{self.token} {self.at!r}"

    @classmethod
    def load(cls, text: str | None) -> Generation | None:
        try:
            token, at = (text or "").split()
            return cls(token, float(at))
        except ValueError:
            return None


def _cache_is_per_process() -> bool:
    return isinstance(caches[DEFAULT_CACHE_ALIAS], LocMemCache | DummyCache)


def _generation_file() -> Path:
    return Path(settings.VAR_DIR) / "page-generation"


def _load_file_generation() -> Generation | None:
    try:
        return Generation.load(_generation_file().read_text())
    except OSError:
        return None


def _read_file_generation() -> Generation:
    return _load_file_generation() or _write_file_generation()


def _write_file_generation() -> Generation:
    """Replace the file atomically (write, then rename), so a reader in another worker
    sees the old token or the new one, never half of one."""
    generation = Generation.new(_load_file_generation())
    path = _generation_file()
    temporary = path.with_name(f"{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}")
    temporary.write_text(generation.dump())
    os.replace(temporary, path)
    return generation


def current_generation() -> Generation:
    if _cache_is_per_process():
        return _read_file_generation()
    generation = Generation.load(cache.get(GENERATION_KEY))
    if generation is None:
        generation = Generation.new()
        # add(): of two workers starting a generation at once, one wins and both use it.
        if not cache.add(GENERATION_KEY, generation.dump(), timeout=None):
            generation = Generation.load(cache.get(GENERATION_KEY)) or generation
    return generation


def bump_generation() -> Generation:
    """Invalidate every cached page now."""
    if _cache_is_per_process():
        return _write_file_generation()
    generation = Generation.new(Generation.load(cache.get(GENERATION_KEY)))
    cache.set(GENERATION_KEY, generation.dump(), timeout=None)
    return generation


def _bump_after_commit() -> None:
    try:
        bump_generation()
    except cachehealth.ERRORS as exc:
        # The change is committed; the cache will be invalidated when it answers again
        # (cachehealth's recovery flag, taken by the middleware).
        cachehealth.failed(exc, "page cache invalidation")


def content_changed(*, using: str | None = None) -> None:
    """Call when something public changed (published, withdrawn, corrected): every cached
    page is dropped when the current transaction commits, or now outside one. Several
    calls in one transaction (a bulk import) cost one bump."""
    connection = transaction.get_connection(using)
    if connection.in_atomic_block:
        savepoints = set(connection.savepoint_ids)
        pending = getattr(connection, "_gongkai_page_bump_at", None)
        queue = connection.run_on_commit
        if (
            pending is not None
            and pending < len(queue)
            and queue[pending][1] is _bump_after_commit
            and queue[pending][0] == savepoints
        ):
            # Already queued under the same savepoints: whatever would discard the new
            # bump discards that one too, and whatever commits it commits both.
            return
        connection._gongkai_page_bump_at = len(queue)
    transaction.on_commit(_bump_after_commit, using=using)


def _on_visibility(publication, visible: bool) -> None:
    content_changed()


def connect() -> None:
    """Drop the cached pages whenever the domain apps say public content changed
    (``core.listeners``): an item published or withdrawn, and every other change."""
    listeners.subscribe(listeners.CONTENT_CHANGED, content_changed)
    listeners.subscribe(listeners.PUBLICATION_VISIBILITY, _on_visibility)


# --- the middleware ------------------------------------------------------------------------------


def page_key(request) -> str:
    """One entry per scheme, host, path with query, and view preferences."""
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(address.encode("utf-8", "surrogateescape")).hexdigest()[:40]
    return f"{PAGE_KEY_PREFIX}{preferences.from_cookies(request.COOKIES).key}:{digest}"


def _may_use_cache(request) -> bool:
    return (
        request.method in CACHED_METHODS
        and settings.SESSION_COOKIE_NAME not in request.COOKIES  # signed in, or has a session
        and getattr(settings, "MESSAGE_COOKIE_NAME", "messages") not in request.COOKIES
        and not request.path.startswith(PUBLIC_PREFIX_EXCLUDED)
    )


def _query_is_cacheable(request) -> bool:
    return all(
        name in CACHEABLE_PARAMETERS and len(values) == 1
        for name, values in request.GET.lists()
    )


def _may_store(request, response) -> bool:
    if not _query_is_cacheable(request):
        return False
    match = getattr(request, "resolver_match", None)
    if match is None or "portal" not in match.namespaces:
        return False
    if response.status_code != 200 or getattr(response, "streaming", False):
        return False
    if len(response.content) > MAX_ENTRY_BYTES:
        return False
    if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if any(word in cache_control for word in ("no-cache", "no-store", "private", "max-age=0")):
        return False
    session = getattr(request, "session", None)
    if session is not None and (session.modified or not session.is_empty()):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


def _etag(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def _finish(request, response: HttpResponse, *, etag: str, last_modified: float) -> HttpResponse:
    """Validators and freshness headers; 304 when the visitor's copy is current."""
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = BROWSER_CACHE_CONTROL
    patch_vary_headers(response, ("Cookie",))
    conditional = get_conditional_response(
        request, etag=etag, last_modified=int(last_modified), response=response
    )
    if conditional is not response and response.has_header("X-Page-Cache"):
        conditional["X-Page-Cache"] = response["X-Page-Cache"]
    return conditional


# The request attribute through which the early middleware hands its look-up on a miss to
# the late one: (key, generation), or None when it decided the cache is not to be used.
_LOOKUP_ATTRIBUTE = "_gongkai_page_cache_lookup"


def _redis_get_many(backend: RedisCache, keys: list[str]) -> dict:
    """``backend.get_many(keys)`` without its cost per call: Django's ``RedisCache`` builds
    a new ``redis.Redis`` client (and its table of ~170 response callbacks) for every
    call, a tenth of a millisecond on every hit; one client is kept per cache client
    (Django's caches are per thread, so it is never shared between threads)."""
    inner = backend._cache
    reader = inner.__dict__.get("_gongkai_reader")
    if reader is None:
        reader = inner.__dict__["_gongkai_reader"] = inner.get_client(None)
    values = reader.mget([backend.make_and_validate_key(key) for key in keys])
    return {
        key: inner._serializer.loads(value)
        for key, value in zip(keys, values, strict=True)
        if value is not None
    }


def _look_up(request) -> tuple[str, Generation, dict | None] | None:
    """(key, generation, entry or None), or None when this request is not to use the
    cache: not eligible, or the cache is down (reported to ``cachehealth``)."""
    if not _may_use_cache(request) or not cachehealth.usable():
        return None
    key = page_key(request)
    try:
        if _cache_is_per_process():
            return key, current_generation(), cache.get(key)
        backend = caches[DEFAULT_CACHE_ALIAS]
        keys = [GENERATION_KEY, key]
        found = (_redis_get_many(backend, keys) if type(backend) is RedisCache
                 else backend.get_many(keys))
        cachehealth.succeeded()
        if cachehealth.take_recovery():
            # Back after an outage: content may have changed while the cache could not
            # be told, so nothing stored before counts.
            return key, bump_generation(), None
        generation = Generation.load(found.get(GENERATION_KEY)) or current_generation()
        return key, generation, found.get(key)
    except cachehealth.ERRORS as exc:
        cachehealth.failed(exc, "page cache")
        return None


def _hit(request, entry: dict | None, generation: Generation) -> HttpResponse | None:
    """The stored page if ``entry`` is of the current generation, else None."""
    if entry is None or entry["generation"] != generation.token:
        return None
    response = HttpResponse(entry["content"], status=200)
    for name, value in entry["headers"]:
        response[name] = value
    # CommonMiddleware would set it, but the early middleware answers before it runs.
    response["Content-Length"] = str(len(entry["content"]))
    response["X-Page-Cache"] = "hit"  # for tests and benchmarks
    return _finish(request, response, etag=entry["etag"], last_modified=generation.at)


class PageCacheHitMiddleware:
    """Answers cache hits before the session, CSRF, authentication and two-factor
    middleware (it sits right after ``SecurityHeadersMiddleware``, so hits still get the
    security headers). Only requests without a session or messages cookie are looked
    up — exactly those for which that middleware changes nothing — and it stores
    nothing: ``PageCacheMiddleware`` does, after authentication."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = _look_up(request)
        if found is not None:
            key, generation, entry = found
            response = _hit(request, entry, generation)
            if response is not None:
                return response
            setattr(request, _LOOKUP_ATTRIBUTE, (key, generation))
        else:
            setattr(request, _LOOKUP_ATTRIBUTE, None)
        return self.get_response(request)


class PageCacheMiddleware:
    """Serves anonymous public pages from the cache and stores new ones. Sits after the
    authentication middleware and before ``ViewPreferencesMiddleware``, so that what it
    stores is the page as the visitor sees it (converted to traditional characters when
    asked). When ``PageCacheHitMiddleware`` already looked the page up, its look-up is
    used (no second round trip); otherwise this one looks up and serves hits itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if hasattr(request, _LOOKUP_ATTRIBUTE):
            handed = getattr(request, _LOOKUP_ATTRIBUTE)
            if handed is None:
                return self.get_response(request)
            key, generation = handed
        else:
            found = _look_up(request)
            if found is None:
                return self.get_response(request)
            key, generation, entry = found
            response = _hit(request, entry, generation)
            if response is not None:
                return response

        response = self.get_response(request)
        if not _may_store(request, response):
            if response.status_code == 200 and "portal" in getattr(
                getattr(request, "resolver_match", None), "namespaces", ()
            ):
                patch_vary_headers(response, ("Cookie",))
            return response
        content = response.content
        etag = _etag(content)
        try:
            cache.set(key, {
                "generation": generation.token,
                "content": content,
                "etag": etag,
                "headers": [(h, response[h]) for h in STORED_HEADERS if response.has_header(h)],
            }, timeout=PAGE_TIMEOUT)
        except cachehealth.ERRORS as exc:
            # Down since the look-up: this page goes out unstored, with its validators.
            cachehealth.failed(exc, "page cache")
        response["X-Page-Cache"] = "miss"
        return _finish(request, response, etag=etag, last_modified=generation.at)
