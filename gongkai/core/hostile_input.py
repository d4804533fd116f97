"""Hostile request bodies get a 400 or 413 in Chinese, never a 500.

``HostileInputMiddleware`` sits right after Django's ``SecurityMiddleware``, before
anything reads the body (the CSRF check reads ``request.POST``), and refuses:

- **a body over the limit, before it is read.** ``body_limit(path)``: the first pattern of
  ``settings.GONGKAI_BODY_LIMITS`` that matches the path, else Django's
  ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (plain forms and JSON). A ``Content-Length`` above it is
  answered 413 without touching ``wsgi.input``. A body sent without one
  (``Transfer-Encoding: chunked``, which a WSGI server hands over de-chunked) is read
  through ``LimitedInput``, which stops one byte past the limit; a body within it is
  spooled (memory, then a temporary file) and given to Django with its length, since
  Django would otherwise read none of it.
- **a charset other than UTF-8** on a form or JSON body (``charset=gbk``). Our pages are
  UTF-8, so a browser submits UTF-8 (the HTML standard: a form is submitted in its
  document's encoding; ``application/x-www-form-urlencoded`` has no charset parameter),
  and JSON is UTF-8 (RFC 8259 §8.1). Another charset comes from a script, and a clear 400
  tells its author what to fix; decoding GBK would give the same bytes two readings. Before
  this check such a body was a bare 500 on every POST URL: Django refuses a non-UTF-8
  form body with ``BadRequest``, its 400 handler (``requires_csrf_token``) runs the CSRF
  check again, which reads ``request.POST`` again and raises again, and so did the 500
  handler. ``utf8`` and other spellings of UTF-8 are accepted (and normalised: Django
  refuses anything but the literal ``utf-8``).
- **a form body that cannot be parsed** (bad multipart, too many fields or files, a body
  whose percent-escapes are not UTF-8 such as ``%ED%A0%80``, a lone surrogate, which
  Django would silently turn into U+FFFD and store). The parse happens here, once, the
  same parse the CSRF check would run next; a failure marks the request's POST as empty
  so that nothing downstream parses it again.
- **a query string with too many parameters** (``DATA_UPLOAD_MAX_NUMBER_FIELDS``).
- **a NUL character (``%00``) in the path or the query.** No address or parameter of the
  site has one, and PostgreSQL refuses it in any text it is compared with (a 500 on
  every lookup by code or search); one check here covers every route.

JSON is decoded by the API with ``decode_json``: UTF-8 only, nesting refused beyond
``MAX_JSON_DEPTH`` before the decoder runs (a body nested 100,000 deep was a
``RecursionError``), and lone surrogates (``"\\ud800"``, which ``json`` decodes into a
string that cannot be encoded again, the 500 of an echoed choice value) refused after it.

Refusals are JSON (``{"error": …}``) under ``/api/``, an HTML page in Chinese elsewhere;
Django logs them as client errors (WARNING), never as server errors.
"""

from __future__ import annotations

import codecs
import io
import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string

MAX_JSON_DEPTH = 20
FORM_URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
FORM_TYPES = (FORM_URLENCODED, MULTIPART)
# Bodies whose text Django or the API decodes, and so whose charset matters.
TEXT_BODY_TYPES = (*FORM_TYPES, "application/json", "text/plain")
_BODILESS_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
_DEFAULT_BODY_LIMIT = 2_621_440  # Django's DATA_UPLOAD_MAX_MEMORY_SIZE default
_READ_CHUNK = 64 * 1024

TOO_LARGE = "请求体过大：此地址最多接收 {limit}，本次{actual}。请减小附件或分批提交。"
BAD_LENGTH = "请求头 Content-Length 无效。"
BAD_CHARSET = ("只接受 UTF-8 编码的提交，本次为“{charset}”。"
               "请将页面或程序的提交编码改为 UTF-8 后重新提交。")
BAD_UTF8 = "提交的内容含有无效字符（不是有效的 UTF-8 编码），请检查后重新提交。"
LONE_SURROGATE = "提交的内容含有无效的 Unicode 字符（单独的代理码位，如 \\ud800），请检查后重新提交。"
BAD_FORM = "提交的表单格式有误，无法读取，请刷新页面后重新提交。"
TOO_MANY_FIELDS = "提交的字段或文件过多。"
TOO_MANY_PARAMETERS = "地址中的参数过多。"
NUL_IN_ADDRESS = "地址或参数含有无效字符（NUL），请检查链接。"
UNREADABLE = "请求体未能完整接收，请重新提交。"
INVALID_JSON = "请求体不是有效的 JSON，请检查格式（应使用 UTF-8 编码）。"
TOO_DEEP = "JSON 嵌套层数过多（最多 {depth} 层）。"

_HEADINGS = {400: "请求无效（400）", 413: "请求体过大（413）"}
_SURROGATE = re.compile("[\ud800-\udfff]")
# A JSON string token (skipped whole), or a bracket; everything else is skipped by finditer.
# The closing quote is optional: an unterminated string is consumed once, to the end. With
# it required, every unmatched quote would scan to the end again: quadratic time on a body
# of quotes, a denial of service on the public API.
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\[\s\S])*"?|[\[{]|[\]}]')


class HostileInput(Exception):
    """A request body refused with ``status`` (400 or 413) and a Chinese ``message``."""

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f}".rstrip("0").rstrip(".") + " MB"
    if n >= 1024:
        return f"{n // 1024} KB"
    return f"{n} 字节"


def too_large(limit: int, actual: int | None = None) -> HostileInput:
    shown = f"约 {_size(actual)}" if actual is not None else "超过此限"
    return HostileInput(TOO_LARGE.format(limit=_size(limit), actual=shown), status=413)


# --- limits -------------------------------------------------------------------------------

def default_body_limit() -> int:
    """Plain forms and JSON: Django's own limit on what it reads into memory."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return limit if limit is not None else _DEFAULT_BODY_LIMIT


def body_limit(path: str) -> int:
    """The largest body ``path`` accepts, in bytes: the first of
    ``settings.GONGKAI_BODY_LIMITS`` (pattern, bytes) whose pattern matches, else
    ``default_body_limit()``."""
    for pattern, limit in _compiled_limits():
        if pattern.search(path):
            return limit
    return default_body_limit()


_compiled: tuple[object, list] = (None, [])


def _compiled_limits() -> list:
    global _compiled
    configured = getattr(settings, "GONGKAI_BODY_LIMITS", ())
    if _compiled[0] is not configured:
        _compiled = (configured, [(re.compile(p), int(n)) for p, n in configured])
    return _compiled[1]


class LimitedInput:
    """A file-like reader over ``stream`` that never reads more than ``limit + 1`` bytes
    in all, so that a body without a length can be read only as far as needed to know it
    is too long. ``exceeded`` says whether it was."""

    def __init__(self, stream, limit: int):
        self.stream, self.limit, self.consumed = stream, limit, 0

    @property
    def exceeded(self) -> bool:
        return self.consumed > self.limit

    def read(self, size: int = -1) -> bytes:
        remaining = self.limit + 1 - self.consumed
        if remaining <= 0:
            return b""
        size = remaining if size is None or size < 0 else min(size, remaining)
        data = self.stream.read(size)
        self.consumed += len(data)
        return data


def _spool_chunked(request, limit: int) -> None:
    """Read a body sent without Content-Length (at most ``limit + 1`` bytes) and hand it to
    Django with its length; 413 when it is longer than ``limit``."""
    reader = LimitedInput(request.environ["wsgi.input"], limit)
    # In memory, never a temporary file: the body may carry an applicant's ID scan, which
    # must not reach the disk unencrypted (it is bounded by ``limit``).
    spool = io.BytesIO()
    try:
        while chunk := reader.read(_READ_CHUNK):
            spool.write(chunk)
    except OSError:
        spool.close()
        raise HostileInput(UNREADABLE) from None
    if reader.exceeded:
        spool.close()
        raise too_large(limit)
    size = spool.tell()
    spool.seek(0)
    request.META["CONTENT_LENGTH"] = str(size)
    request._stream = LimitedStream(spool, size)  # Django's own stream over the body
    request._read_started = False
    request.gongkai_spooled_body = spool  # closed with the response (the middleware)


# --- text ----------------------------------------------------------------------------------

def has_lone_surrogate(text: str) -> bool:
    """Whether ``text`` holds a surrogate code point (U+D800–U+DFFF) on its own. Decoders
    pair valid surrogates into one character, so any left is lone and cannot be encoded
    as UTF-8 (in a response, a log line or the database)."""
    return _SURROGATE.search(text) is not None


def json_too_deep(text: str, max_depth: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON ``text`` nests arrays and objects deeper than ``max_depth``: one
    pass over its brackets outside strings, without recursion, so it is safe on any
    input."""
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        found = match.group()
        if found in ("[", "{"):
            depth += 1
            if depth > max_depth:
                return True
        elif found in ("]", "}"):
            depth -= 1
    return False


def _walk_strings(value, max_depth: int):
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            yield item
        elif depth < max_depth and isinstance(item, dict):
            for key, inner in item.items():
                yield key
                stack.append((inner, depth + 1))
        elif depth < max_depth and isinstance(item, list):
            stack.extend((inner, depth + 1) for inner in item)


def decode_json(raw: bytes | str, *, max_depth: int = MAX_JSON_DEPTH):
    """``raw`` (UTF-8, a byte-order mark allowed) as a JSON value, or ``HostileInput``
    (400, in Chinese) for anything else: not UTF-8, not JSON, nested deeper than
    ``max_depth``, a number too long to convert, or a lone surrogate in a string or key."""
    if isinstance(raw, bytes | bytearray):
        try:
            text = bytes(raw).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise HostileInput(INVALID_JSON) from None
    else:
        text = raw.removeprefix("\ufeff")
    if json_too_deep(text, max_depth):
        raise HostileInput(TOO_DEEP.format(depth=max_depth))
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # JSONDecodeError; ints past sys.get_int_max_str_digits
        raise HostileInput(INVALID_JSON) from None
    if any(has_lone_surrogate(s) for s in _walk_strings(value, max_depth + 1)):
        raise HostileInput(LONE_SURROGATE)
    return value


def _check_form_utf8(body: bytes) -> None:
    """A form-encoded body whose bytes, and whose percent-escapes, are strict UTF-8 (Django
    replaces what is not with U+FFFD and stores it)."""
    try:
        parse_qsl(body.decode("utf-8"), keep_blank_values=True, encoding="utf-8",
                  errors="strict", max_num_fields=None)
    except UnicodeDecodeError:
        raise HostileInput(BAD_UTF8) from None


# --- the middleware -------------------------------------------------------------------------

def _declared_length(request) -> int | None:
    raw = request.META.get("CONTENT_LENGTH")
    if raw is None or raw == "":
        return None
    raw = str(raw).strip()
    if not raw.isascii() or not raw.isdigit():
        raise HostileInput(BAD_LENGTH)
    return int(raw)


def _is_chunked(request) -> bool:
    return "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()


def _check_charset(request) -> None:
    charset = request.content_params.get("charset") if request.content_params else None
    if charset is None or request.content_type not in TEXT_BODY_TYPES:
        return
    try:
        name = codecs.lookup(charset.strip().strip('"')).name
    except LookupError:
        name = None
    if name != "utf-8":
        raise HostileInput(BAD_CHARSET.format(charset=charset[:40]))
    request.encoding = "utf-8"  # Django refuses a form body in "utf8", an alias


def _parse_form(request, limit: int) -> None:
    """Parse a POSTed form here, once, turning every parse failure into a refusal."""
    try:
        request.POST  # noqa: B018 - parses the body (and the files)
        request.FILES  # noqa: B018
        if request.content_type == FORM_URLENCODED:
            _check_form_utf8(request.body)
    except RequestDataTooBig:
        request._mark_post_parse_error()
        raise too_large(min(limit, default_body_limit())) from None
    except (TooManyFieldsSent, TooManyFilesSent):
        request._mark_post_parse_error()
        raise HostileInput(TOO_MANY_FIELDS) from None
    except (MultiPartParserError, BadRequest, SuspiciousOperation):
        request._mark_post_parse_error()
        raise HostileInput(BAD_FORM) from None
    except (UnreadablePostError, OSError):
        request._mark_post_parse_error()
        raise HostileInput(UNREADABLE) from None
    except HostileInput:
        request._mark_post_parse_error()
        raise


def check(request) -> None:
    """Raise ``HostileInput`` for a request whose body (or query) must not reach a view."""
    limit = body_limit(request.path_info)
    declared = _declared_length(request)
    if declared is not None and declared > limit:
        raise too_large(limit, declared)
    has_body = bool(declared) or (declared is None and _is_chunked(request))
    if declared is None and _is_chunked(request):
        _spool_chunked(request, limit)
    try:
        request.GET  # noqa: B018 - parsed here so that too many parameters are a 400
    except TooManyFieldsSent:
        raise HostileInput(TOO_MANY_PARAMETERS) from None
    if "\x00" in request.path_info or any(
            "\x00" in key or "\x00" in "".join(values) for key, values in request.GET.lists()):
        raise HostileInput(NUL_IN_ADDRESS)
    if request.method in _BODILESS_METHODS and not has_body:
        return
    _check_charset(request)
    if request.method == "POST" and request.content_type in FORM_TYPES:
        _parse_form(request, limit)


@dataclass(frozen=True)
class _Page:
    heading: str
    message: str


def refusal(request, exc: HostileInput) -> HttpResponse:
    """The answer to a refused request: JSON under /api/, a page in Chinese elsewhere.
    Rendered without the request (no context processor may read the body again)."""
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"error": exc.message}, status=exc.status,
                                json_dumps_params={"ensure_ascii": False})
    else:
        page = _Page(_HEADINGS.get(exc.status, f"请求无效（{exc.status}）"), exc.message)
        response = HttpResponse(
            render_to_string("core/hostile_input.html", {"page": page}),
            status=exc.status, content_type="text/html; charset=utf-8")
    # Set here: this answer does not pass the inner middleware that would add them.
    response.headers["Cache-Control"] = "no-store"
    response.headers.setdefault("Content-Security-Policy", settings.GONGKAI_CSP)
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


class HostileInputMiddleware:
    """Refuse hostile bodies before anything reads them (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            check(request)
        except HostileInput as exc:
            return refusal(request, exc)
        response = self.get_response(request)
        spool = getattr(request, "gongkai_spooled_body", None)
        if spool is not None:
            response._resource_closers.append(spool.close)
        return response
