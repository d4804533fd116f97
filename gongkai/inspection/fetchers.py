"""Fetching external links (links to other sites found on an agency's pages).

Off by default: the platform makes no request to another site unless the operator names
a fetcher in the ``GONGKAI_INSPECTION_FETCHER`` setting (a dotted path to a class, e.g.
``"gongkai.inspection.fetchers.HttpFetcher"``) and lists the hosts it may ask in
``GONGKAI_INSPECTION_ALLOWED_HOSTS``. When off, external links are listed as 未检查.

A fetcher is any class built with ``allowed_hosts`` whose ``fetch(url)`` returns a
``FetchResult``; it must refuse (``HostNotAllowed``) a host not on the list, including
one a redirect leads to.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.module_loading import import_string

TIMEOUT_SECONDS = 10
USER_AGENT = "gongkai-site-check/1.0"


class HostNotAllowed(Exception):
    """The link's host (or a redirect's) is not on the fetcher's allow-list."""


@dataclass(frozen=True)
class FetchResult:
    url: str
    status: int | None  # None: no answer (refused connection, timeout, bad address)
    error: str = ""

    @property
    def broken(self) -> bool:
        return self.status is None or self.status in (404, 410) or self.status >= 500


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def host_allowed(url: str, allowed_hosts) -> bool:
    """Exact host names, or ``.example.gov.cn`` for the domain and every sub-domain."""
    host = host_of(url)
    if not host:
        return False
    for allowed in allowed_hosts:
        allowed = allowed.lower().strip()
        if allowed.startswith(".") and (host == allowed[1:] or host.endswith(allowed)):
            return True
        if host == allowed:
            return True
    return False


class _RedirectGuard(urllib.request.HTTPRedirectHandler):
    def __init__(self, allowed_hosts):
        self.allowed_hosts = allowed_hosts

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not host_allowed(newurl, self.allowed_hosts):
            raise HostNotAllowed(f"跳转到不在允许列表中的主机：{host_of(newurl)}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class HttpFetcher:
    """Asks the link's server with a HEAD request (a GET when HEAD is not allowed), with
    a timeout, no proxy from the environment and no redirect off the allow-list."""

    def __init__(self, allowed_hosts=(), timeout: float = TIMEOUT_SECONDS):
        self.allowed_hosts = tuple(allowed_hosts)
        self.timeout = timeout
        self._opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), _RedirectGuard(self.allowed_hosts))

    def allows(self, url: str) -> bool:
        return urlsplit(url).scheme in ("http", "https") and host_allowed(url, self.allowed_hosts)

    def fetch(self, url: str) -> FetchResult:
        if not self.allows(url):
            raise HostNotAllowed(f"主机不在允许列表中：{host_of(url) or url}")
        status = self._ask(url, "HEAD")
        if status in (405, 501):
            status = self._ask(url, "GET")
        if isinstance(status, str):
            return FetchResult(url=url, status=None, error=status)
        return FetchResult(url=url, status=status)

    def _ask(self, url: str, method: str) -> int | str:
        # Only http(s) URLs of allowed hosts get here (``fetch`` checks with ``allows``).
        request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})  # noqa: S310
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except (urllib.error.URLError, OSError, ValueError) as exc:
            return str(getattr(exc, "reason", exc)) or exc.__class__.__name__


def configured_fetcher():
    """The fetcher the settings name, or None (the default: external links unchecked)."""
    path = getattr(settings, "GONGKAI_INSPECTION_FETCHER", None)
    if not path:
        return None
    allowed = getattr(settings, "GONGKAI_INSPECTION_ALLOWED_HOSTS", ())
    return import_string(path)(allowed_hosts=allowed)
