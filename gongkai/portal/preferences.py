"""View preferences of a public visitor: traditional characters and elder mode.

Each preference is a long-lived cookie (no session, no sign-in), set by the
``portal:preferences`` link and read on every request, so a cached page can vary on it
(``caching.page_key``). The traditional view converts the rendered HTML of public pages
from simplified to traditional characters with OpenCC: text between tags and a few
human-readable attributes only — never URLs, names, values, scripts, styles or what a
visitor typed into a form, so links, forms and submitted input survive unchanged.
Elder mode only adds ``class="elder"`` to the page and a stylesheet
(``gongkai/elder.css``, 适老化: 国办公开办函〔2021〕28号).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

SCRIPT_COOKIE = "gk_script"
ELDER_COOKIE = "gk_elder"
COOKIE_MAX_AGE = 365 * 24 * 3600  # remembered for a year
TRADITIONAL, SIMPLIFIED = "traditional", "simplified"

# Paths that are never public pages, whatever they resolve to.
NON_PUBLIC_PREFIXES = ("/staff/", "/admin/", "/api/", "/static/", "/media/")


@dataclass(frozen=True)
class ViewPreferences:
    traditional: bool = False
    elder: bool = False

    @property
    def lang(self) -> str:
        return "zh-Hant" if self.traditional else "zh-CN"

    @property
    def html_class(self) -> str:
        return "elder" if self.elder else ""

    @property
    def key(self) -> str:
        """A short token for cache keys: one value per distinct rendering."""
        return f"{'t' if self.traditional else 's'}{'e' if self.elder else 'n'}"


DEFAULT = ViewPreferences()


def from_cookies(cookies) -> ViewPreferences:
    """The preferences a visitor's cookies ask for (unknown values mean the default)."""
    return ViewPreferences(
        traditional=cookies.get(SCRIPT_COOKIE) == TRADITIONAL,
        elder=cookies.get(ELDER_COOKIE) == "on",
    )


def is_public_request(request) -> bool:
    """A page of the public site: resolved in the ``portal:`` namespace (or unresolved,
    i.e. the public 404 page), and not under a back-office or machine prefix."""
    if request.path.startswith(NON_PUBLIC_PREFIXES):
        return False
    match = getattr(request, "resolver_match", None)
    return match is None or "portal" in match.namespaces


def for_request(request) -> ViewPreferences:
    """The preferences that apply to this request: the visitor's on public pages, the
    defaults everywhere else (the back office is always simplified, standard layout)."""
    if not is_public_request(request):
        return DEFAULT
    prefs = getattr(request, "view_prefs", None)
    return prefs if prefs is not None else from_cookies(request.COOKIES)


def context(request) -> dict:
    """Context processor: ``view_prefs`` with ``traditional``, ``elder``, ``lang`` and
    ``html_class``."""
    return {"view_prefs": for_request(request)}


# --- the switch ----------------------------------------------------------------------------

INVALID_SCRIPT = "字体参数无效：script 只能是 traditional（繁体）或 simplified（简体）。"
INVALID_ELDER = "长者模式参数无效：elder 只能是 on 或 off。"


def safe_next(value: str | None) -> str:
    """``value`` if it is a path on this site, else ``/``: never an open redirect."""
    if (
        value
        and value.startswith("/")
        and not value.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(value, allowed_hosts=set())
    ):
        return value
    return "/"


@never_cache
@require_GET
def preferences(request):
    """GET /preferences/?script=traditional|simplified&elder=on|off&next=<local path>:
    remember the choice in a cookie and go back to ``next``. A link rather than a form,
    so that cached pages need no CSRF token."""
    script, elder = request.GET.get("script"), request.GET.get("elder")
    if script is not None and script not in (TRADITIONAL, SIMPLIFIED):
        return HttpResponseBadRequest(INVALID_SCRIPT, content_type="text/plain; charset=utf-8")
    if elder is not None and elder not in ("on", "off"):
        return HttpResponseBadRequest(INVALID_ELDER, content_type="text/plain; charset=utf-8")
    response = HttpResponseRedirect(safe_next(request.GET.get("next")))
    options = {
        "max_age": COOKIE_MAX_AGE,
        "samesite": "Lax",
        "httponly": True,  # no script reads them
        "secure": bool(getattr(settings, "SESSION_COOKIE_SECURE", False)),
    }
    if script is not None:
        response.set_cookie(SCRIPT_COOKIE, script, **options)
    if elder is not None:
        response.set_cookie(ELDER_COOKIE, elder, **options)
    return response


# --- conversion ------------------------------------------------------------------------------

# A tag (quoted attribute values may hold ">"), a comment, or a doctype.
_TAG = re.compile(r"""<!--.*?-->|<(?:[^>"']|"[^"]*"|'[^']*')*>""", re.DOTALL)
_TAG_NAME = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9-]*)")
# Attributes whose values are words for people; every other attribute (href, src, name,
# value, id, class, data-*, content…) is left exactly as it is.
_TEXT_ATTRS = re.compile(
    r"""(\s(?:title|alt|aria-label|aria-description|aria-roledescription|placeholder|label)\s*=\s*)"""
    r"""("[^"]*"|'[^']*')""",
    re.IGNORECASE,
)
_HTML_LANG = re.compile(r"""(<html\b[^>]*?\blang\s*=\s*)("[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)
# Elements whose content is not prose: code, styles, and what the visitor typed.
_RAW = frozenset({"script", "style", "textarea"})
# Between these comments nothing is converted (the switch back to 简体 must say 简体).
NO_CONVERT_START, NO_CONVERT_END = "<!--nocc-->", "<!--/nocc-->"
TRADITIONAL_CONFIG = "s2tw"  # OpenCC configuration of the traditional view
_SEPARATOR = "\ue000"  # a private-use character: never in a page, never in a dictionary


class _Converter:
    """One OpenCC converter per process, created on first use. The binding's thread
    safety is not documented, so calls are serialised with a lock (gunicorn's gthread
    workers run several requests at once in one process)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._opencc = None

    def __call__(self, text: str) -> str:
        with self._lock:
            if self._opencc is None:
                import opencc

                # s2tw: Taiwan standard character forms (為, 眾, 裡, 著), not OpenCC's
                # older ones (爲, 衆, 裏); characters only, so 软件 stays 軟件 (s2twp
                # would also swap vocabulary: 軟體).
                self._opencc = opencc.OpenCC(TRADITIONAL_CONFIG)
            return self._opencc.convert(text)


to_traditional = _Converter()


def _convert_many(parts: list[str]) -> list[str]:
    """Convert many strings with one call (each call has a fixed cost); the separator
    keeps a phrase from spanning two of them."""
    if not parts:
        return []
    converted = to_traditional(_SEPARATOR.join(parts)).split(_SEPARATOR)
    if len(converted) != len(parts):  # the separator occurred in the page itself
        converted = [to_traditional(p) for p in parts]
    return converted


def convert_html(html: str) -> str:
    """The page in traditional characters: text nodes and human-readable attributes
    converted; tags, URLs, form values, scripts, styles, textareas and ``nocc`` regions
    unchanged; ``<html lang>`` set to ``zh-Hant``."""
    pieces: list[str] = []
    targets: list[int] = []  # indexes in pieces to convert
    raw_until: str | None = None
    frozen = False
    position = 0

    def text(segment: str) -> None:
        pieces.append(segment)
        if segment and not frozen and raw_until is None and not segment.isascii():
            targets.append(len(pieces) - 1)

    for match in _TAG.finditer(html):
        text(html[position:match.start()])
        tag = match.group(0)
        position = match.end()
        if tag == NO_CONVERT_START:
            frozen = True
        elif tag == NO_CONVERT_END:
            frozen = False
        if tag.startswith("<!--"):
            pieces.append(tag)
            continue
        name_match = _TAG_NAME.match(tag)
        name = name_match.group(2).lower() if name_match else ""
        closing = bool(name_match and name_match.group(1))
        if raw_until is not None:
            if closing and name == raw_until:
                raw_until = None
            pieces.append(tag)
            continue
        if name == "html" and not closing:
            tag = _HTML_LANG.sub(r'\1"zh-Hant"', tag, count=1)
        if not frozen and not tag.isascii():
            # Values of human-text attributes become pieces of their own, converted in
            # the same single call as the text.
            last = 0
            for attr in _TEXT_ATTRS.finditer(tag):
                pieces.append(tag[last:attr.start(2)])
                pieces.append(attr.group(2))
                targets.append(len(pieces) - 1)
                last = attr.end(2)
            pieces.append(tag[last:])
        else:
            pieces.append(tag)
        if name in _RAW and not closing and not tag.endswith("/>"):
            raw_until = name
    text(html[position:])
    for index, converted in zip(targets, _convert_many([pieces[i] for i in targets]), strict=True):
        pieces[index] = converted
    return "".join(pieces)


def _convertible(request, response) -> bool:
    if getattr(response, "streaming", False) or not is_public_request(request):
        return False
    if response.get("Content-Disposition", "").lower().startswith("attachment"):
        return False
    return response.get("Content-Type", "").split(";")[0].strip().lower() == "text/html"


class ViewPreferencesMiddleware:
    """Reads the preference cookies into ``request.view_prefs`` and, for a visitor who
    chose traditional characters, converts public HTML pages on the way out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.view_prefs = from_cookies(request.COOKIES)
        response = self.get_response(request)
        if request.view_prefs.traditional and _convertible(request, response):
            charset = response.charset or "utf-8"
            response.content = convert_html(response.content.decode(charset)).encode(charset)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
