"""The agency's own portal pages, rendered in-process as a visitor would get them, and
every link on them tried: what an inspector's link checker would find, without the
network.

The crawl starts at the agency's home page, every active column of its catalogue and
every item it has published (so items on the later pages of a column are reached too),
and follows the links that stay in the agency's section (pages whose address carries the
agency's code, its columns and items, without a query string). Every other link on those
pages is tried once: internal links through the same in-process client (a 404, 410 or 5xx
is broken; an attachment link that does not open is a missing attachment), external links
only through the configured fetcher (``fetchers``), else listed as not checked.

The requests go through the whole middleware stack with the host and scheme of
``GONGKAI_BASE_URL``; nothing leaves the process. The portal is reached by its URLs
only (``django.urls.resolve``), never by importing it.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from django.conf import settings
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from gongkai.core.models import Agency
from gongkai.inspection import fetchers
from gongkai.publishing.models import Column, Publication
from gongkai.publishing.models.publication import PublicationStatus

# URL names (namespace portal:) that mark what a link is.
ATTACHMENT = "publication-attachment"
SEARCH = "search"
ERROR_REPORT = "site-error-new"
HOME = "agency-home"
COLUMN = "column-detail"
PUBLICATION = "publication-detail"
SKIP_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "sms:")
# Links every page carries with its own address as a parameter (the footer's
# 「我为政府网站找错」 entry with ``?page=``, the 繁体/elder-mode switches with ``?next=``):
# whether they open does not depend on that parameter, so each is tried once, not once per
# page (which would spend most of the crawl's requests, and a CAPTCHA per page).
RETURN_PARAMETERS = {ERROR_REPORT: frozenset({"page"}), "preferences": frozenset({"next"})}


@dataclass(frozen=True)
class Broken:
    url: str
    page: str
    status: int | None
    on_home_page: bool
    label: str = ""


@dataclass(frozen=True)
class External:
    url: str
    page: str
    state: str  # "未检查", "不在允许列表", "正常", "无法访问"
    status: int | None = None


@dataclass
class CrawlResult:
    home_url: str
    home_status: int | None = None
    pages: list[str] = field(default_factory=list)
    requests: int = 0
    truncated: bool = False
    timed_out: bool = False  # stopped by the time budget (the office's 立即检查)
    broken_links: list[Broken] = field(default_factory=list)
    missing_attachments: list[Broken] = field(default_factory=list)
    external: list[External] = field(default_factory=list)
    has_search_form: bool = False
    search_status: int | None = None
    has_error_report_entry: bool = False


class _Links(HTMLParser):
    """The links (``a[href]``, ``img[src]``) and the GET forms of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.forms: list[tuple[str, str]] = []
        self._text: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append((attrs["href"], ""))
            self._text = []
        elif tag == "img" and attrs.get("src"):
            self.links.append((attrs["src"], attrs.get("alt") or ""))
        elif tag == "form":
            self.forms.append(((attrs.get("method") or "get").lower(), attrs.get("action") or ""))

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._text is not None and self.links:
            href, _ = self.links[-1]
            self.links[-1] = (href, " ".join("".join(self._text).split())[:80])
            self._text = None


def _close_unread(response) -> None:
    """Close a streamed response (a file download) without reading it. Closing fires
    ``request_finished``, whose ``close_old_connections`` would close the database
    connection in the middle of the job (or of a test's transaction): kept apart while
    closing, as Django's own test client does."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def base_url() -> tuple[str, str]:
    """The scheme and host the site answers to (``GONGKAI_BASE_URL``)."""
    parts = urlsplit(getattr(settings, "GONGKAI_BASE_URL", "") or "http://testserver")
    return parts.scheme or "http", parts.netloc or "testserver"


class Crawler:
    def __init__(self, agency: Agency, *, fetcher=None, max_requests: int = 3000,
                 time_budget: float | None = None, monotonic=time.monotonic):
        self.agency = agency
        self.fetcher = fetcher
        self.max_requests = max_requests
        # Seconds the crawl may take (None: no limit, the daily job): a crawl run inside a
        # web request must end before the server gives up on the request.
        self._monotonic = monotonic
        self._deadline = None if time_budget is None else monotonic() + time_budget
        self.scheme, self.host = base_url()
        self.client = Client(raise_request_exception=False, HTTP_HOST=self.host)
        self.secure = self.scheme == "https"
        self.skip_prefixes = tuple(p for p in (settings.STATIC_URL, settings.MEDIA_URL) if p)
        self.column_ids = set(Column.objects.filter(agency=agency, is_active=True)
                              .values_list("pk", flat=True))
        # Newest first: when the request limit cuts a large section short, what is left
        # unchecked is the oldest items, not the newest.
        self.publication_order = list(Publication.objects.filter(
            agency=agency, status=PublicationStatus.PUBLISHED)
            .order_by("-published_on", "-pk").values_list("pk", flat=True))
        self.publication_ids = set(self.publication_order)
        self.home_path = reverse(f"portal:{HOME}", args=[agency.code])
        self.result = CrawlResult(home_url=self._absolute(self.home_path))
        self._status: dict[str, int | None] = {}

    # --- addresses -------------------------------------------------------------------------

    def _absolute(self, path: str) -> str:
        return f"{self.scheme}://{self.host}{path}"

    def _classify(self, href: str, page_path: str) -> tuple[str, str] | None:
        """("internal", path?query) or ("external", url), or None for what is not a link
        to try (fragments, mail, static files)."""
        href = (href or "").strip()
        if not href or href.startswith("#") or href.lower().startswith(SKIP_SCHEMES):
            return None
        url = urljoin(self._absolute(page_path), href)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return None
        if parts.netloc.lower() != self.host.lower():
            return "external", urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
        path = parts.path or "/"
        if path.startswith(self.skip_prefixes):
            return None
        return "internal", path + (f"?{parts.query}" if parts.query else "")

    def _match(self, path: str):
        try:
            match = resolve(urlsplit(path).path)
        except Resolver404:
            return None
        return match if match.namespace == "portal" else None

    def _in_section(self, path: str) -> bool:
        """A page of the agency's own section, to render and read (no query strings: the
        filtered and paginated views of a column are tried, not read)."""
        if "?" in path:
            return False
        match = self._match(path)
        if match is None:
            return False
        if match.kwargs.get("code") == self.agency.code:
            return True
        if match.url_name == COLUMN:
            return match.kwargs.get("pk") in self.column_ids
        if match.url_name == PUBLICATION:
            return match.kwargs.get("pk") in self.publication_ids
        return False

    # --- requests --------------------------------------------------------------------------

    def _get(self, path: str) -> tuple[int, str, str]:
        """The status, content type and (for an HTML page) text of ``path``."""
        self.result.requests += 1
        response = self.client.get(path, secure=self.secure)
        # Every page as a first-time visitor sees it: a view switch tried as a link
        # (traditional characters, elder mode) must not change the pages read after it.
        self.client.cookies.clear()
        content_type = response.get("Content-Type", "")
        text = ""
        if response.streaming:
            _close_unread(response)
        elif response.status_code == 200 and "html" in content_type:
            text = response.content.decode(response.charset or "utf-8", "replace")
        return response.status_code, content_type, text

    def _key(self, path: str) -> str:
        """The address a link's status is kept under: without the return-address
        parameter of the links every page carries (``RETURN_PARAMETERS``)."""
        parts = urlsplit(path)
        if not parts.query:
            return path
        match = self._match(path)
        ignored = RETURN_PARAMETERS.get(match.url_name) if match is not None else None
        if not ignored:
            return path
        kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ignored]
        return parts.path + (f"?{urlencode(kept)}" if kept else "")

    def _spent(self) -> bool:
        """The request limit or the time budget is used up (and the result says so)."""
        if self.result.requests >= self.max_requests:
            self.result.truncated = True
        elif self._deadline is not None and self._monotonic() >= self._deadline:
            self.result.truncated = self.result.timed_out = True
        return self.result.truncated

    def _status_of(self, path: str) -> int | None:
        key = self._key(path)
        if key not in self._status:
            if self._spent():
                return None
            self._status[key] = self._get(path)[0]
        return self._status[key]

    # --- the crawl -------------------------------------------------------------------------

    def roots(self) -> list[str]:
        """Where the crawl starts, in order: the home page and the columns, then every
        published item, newest first."""
        paths = [self.home_path]
        paths += [reverse(f"portal:{COLUMN}", args=[pk]) for pk in sorted(self.column_ids)]
        paths += [reverse(f"portal:{PUBLICATION}", args=[pk]) for pk in self.publication_order]
        return paths

    def run(self) -> CrawlResult:
        roots = self.roots()
        first = 1 + len(self.column_ids)
        # The home page, the columns and every section page they link (the guide, the
        # annual reports …) come before the long list of items: a section cut short by
        # the limit still has its main pages checked.
        queue, items = deque(roots[:first]), deque(roots[first:])
        queued = set(roots)
        broken_seen: set[str] = set()
        external_seen: set[str] = set()
        referrer: dict[str, tuple[str, str]] = {}  # section page -> (page that linked it, label)
        while queue or items:
            if self._spent():
                break
            path = queue.popleft() if queue else items.popleft()
            status, _, text = self._get(path)
            self._status[path] = status
            is_home = path == self.home_path
            if is_home:
                self.result.home_status = status
            if not text:
                continue
            self.result.pages.append(path)
            parser = _Links()
            parser.feed(text)
            if is_home:
                self._home_functions(parser)
            for href, label in parser.links:
                target = self._classify(href, path)
                if target is None:
                    continue
                kind, address = target
                if kind == "external":
                    if address not in external_seen:
                        external_seen.add(address)
                        self.result.external.append(self._external(address, path))
                    continue
                if self._in_section(address):
                    if address not in queued:
                        queued.add(address)
                        queue.append(address)
                        referrer[address] = (path, label)
                    continue
                status = self._status_of(address)
                key = self._key(address)
                if status is None or key in broken_seen:
                    continue
                if status in (404, 410) or status >= 500:
                    broken_seen.add(key)
                    self._broken(address, path, status, is_home, label)
        # A section page that did not open is a broken link of the page that led to it; a
        # root (listed from the records, not from a link) that fails is its own page.
        for path, status in self._status.items():
            if path in broken_seen or status is None or not (status in (404, 410) or status >= 500):
                continue
            if self._in_section(path):
                broken_seen.add(path)
                page, label = referrer.get(path, (path, ""))
                self._broken(path, page, status, page == self.home_path, label)
        return self.result

    def _broken(self, address: str, page: str, status: int, on_home: bool, label: str) -> None:
        match = self._match(address)
        item = Broken(url=self._absolute(address), page=self._absolute(page), status=status,
                      on_home_page=on_home, label=label)
        if match is not None and match.url_name == ATTACHMENT:
            self.result.missing_attachments.append(item)
        else:
            self.result.broken_links.append(item)

    def _external(self, url: str, page: str) -> External:
        page_url = self._absolute(page)
        if self.fetcher is None:
            return External(url=url, page=page_url, state="未检查")
        if not self.fetcher.allows(url):
            return External(url=url, page=page_url, state="未检查（不在允许列表）")
        try:
            result = self.fetcher.fetch(url)
        except fetchers.HostNotAllowed:
            return External(url=url, page=page_url, state="未检查（不在允许列表）")
        return External(url=url, page=page_url, state="无法访问" if result.broken else "正常",
                        status=result.status)

    def _home_functions(self, parser: _Links) -> None:
        """The site search form and the 「我为政府网站找错」 entry on the home page."""
        for method, action in parser.forms:
            target = self._classify(action or self.home_path, self.home_path)
            if method == "get" and target and target[0] == "internal":
                match = self._match(target[1])
                if match is not None and match.url_name == SEARCH:
                    self.result.has_search_form = True
                    query = f"{urlsplit(target[1]).path}?" + urlencode(
                        {"q": self.agency.display_short_name, "agency": self.agency.code})
                    self.result.search_status = self._status_of(query)
                    break
        for href, _ in parser.links:
            target = self._classify(href, self.home_path)
            if target and target[0] == "internal":
                match = self._match(target[1])
                if match is not None and match.url_name == ERROR_REPORT:
                    self.result.has_error_report_entry = True
                    break


def crawl_agency(agency: Agency, *, fetcher=None, max_requests: int = 3000,
                 time_budget: float | None = None) -> CrawlResult:
    """Render the agency's portal section in-process and try every link on it (within
    ``max_requests`` and, if given, ``time_budget`` seconds)."""
    return Crawler(agency, fetcher=fetcher, max_requests=max_requests, time_budget=time_budget).run()
