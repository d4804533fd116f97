"""Hostile request bodies get a 400 or 413 in Chinese, never a 500 (issue 15, finding 6):
lone surrogates, deep nesting, non-UTF-8 charsets, bodies over the limit (refused before
they are read), unparseable forms. JSON under /api/, an HTML page elsewhere; nothing is
logged as a server error."""

from __future__ import annotations

import io
import json
import logging
import sys
from urllib.parse import urlencode

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client

from gongkai.core import hostile_input
from gongkai.core.hostile_input import HostileInput, LimitedInput, body_limit, decode_json
from gongkai.foi.forms import ATTACHMENT_MAX_BYTES, MAX_ATTACHMENTS, new_form_token
from gongkai.foi.models import FoiRequest
from gongkai.portal.tests.data import natural_person

MB = 1024 * 1024
SUBMIT = "/api/v1/foi/requests"
STATUS_POST = "/api/v1/foi/requests/2026-0001-00001/status"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(autouse=True)
def _no_server_errors(caplog):
    """Every test here: no log record at ERROR or above (a 500 logs one)."""
    caplog.set_level(logging.WARNING)
    yield
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def wsgi_in_test_transaction():
    """Calls straight into the WSGI application (not through Django's test client) run
    inside the test's transaction: like the test client, keep the request signals from
    closing that connection (on PostgreSQL they would, as autocommit is off)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api():
    return Client(enforce_csrf_checks=True, raise_request_exception=False)


@pytest.fixture
def browser():
    """A browser-like client holding a CSRF cookie, as after any visit to a form page."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    assert client.get("/apply/").status_code == 200
    client.csrf = client.cookies["csrftoken"].value
    return client


def json_error(response, status: int) -> str:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    return response.json()["error"]


def html_error(response, status: int) -> str:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert '<html lang="zh-CN"' in html
    return html


def json_with(payload: dict, field: str, escaped: str) -> str:
    """``payload`` as JSON text, with the value of ``field`` replaced by the JSON string
    literal ``escaped`` (escapes kept as written, e.g. a lone ``\\ud800``)."""
    body = json.dumps({**payload, field: "@@"}, ensure_ascii=False)
    return body.replace('"@@"', f'"{escaped}"')


# --- lone surrogates ---------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize(("field", "escaped"), [
    ("name", "\\ud800"),  # a text field: stored as it was before
    ("applicant_type", "\\udfff"),  # a choice field: its error message echoed it (the 500)
    ("delivery", "a\\udbffb"),
    ("description", "食品安全抽检结果\\ude00汇总"),
])
def test_a_lone_surrogate_in_json_is_a_400_and_nothing_is_stored(api, bureau, field, escaped):
    body = json_with(natural_person(bureau), field, escaped)
    message = json_error(api.post(SUBMIT, body, content_type="application/json"), 400)
    assert "代理码位" in message
    assert FoiRequest.objects.count() == 0


@pytest.mark.django_db
def test_a_lone_surrogate_in_a_json_key_or_the_status_secret_is_a_400(api, bureau):
    payload = natural_person(bureau)
    body = json.dumps(payload)[:-1] + ', "\\ud800": "x"}'
    assert "代理码位" in json_error(api.post(SUBMIT, body, content_type="application/json"), 400)
    status = api.post(STATUS_POST, '{"secret": "\\ud800"}', content_type="application/json")
    assert "代理码位" in json_error(status, 400)


@pytest.mark.django_db
def test_a_surrogate_pair_is_one_character_and_accepted(api, bureau):
    body = json_with(natural_person(bureau), "description",
                     "2024年本市食品安全抽检结果的汇总表\\ud83d\\ude00")
    response = api.post(SUBMIT, body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert FoiRequest.objects.get().description.endswith("\U0001f600")


@pytest.mark.django_db
@pytest.mark.parametrize("escape", ["%ED%A0%80", "%ED%BF%BF", "%FF", "%C3"])
def test_a_form_value_that_is_not_utf8_is_a_400_page_in_chinese(browser, bureau, escape):
    """%ED%A0%80 is U+D800 encoded as UTF-8: Django turned it into U+FFFD and went on."""
    fields = {**natural_person(bureau), "form_token": new_form_token(),
              "csrfmiddlewaretoken": browser.csrf}
    body = urlencode(fields).replace("applicant_type=natural_person",
                                     f"applicant_type={escape}")
    html = html_error(browser.post("/apply/", body, content_type=FORM), 400)
    assert "不是有效的 UTF-8 编码" in html
    assert FoiRequest.objects.count() == 0


@pytest.mark.django_db
def test_a_utf8_form_with_chinese_is_still_accepted(browser, bureau):
    fields = {**natural_person(bureau), "form_token": new_form_token(),
              "csrfmiddlewaretoken": browser.csrf}
    response = browser.post("/apply/", urlencode(fields), content_type=FORM)
    assert response.status_code == 303
    assert FoiRequest.objects.get().name == "张三"


# --- deep nesting and other hostile JSON ---------------------------------------------------

@pytest.mark.parametrize("body", ['"' + '\\"' * 1_000_000, '"' * 2_000_000, '["' + "a" * 2_000_000])
def test_unterminated_strings_are_scanned_once(body):
    # Each unmatched quote used to start a scan to the end of the body: quadratic, hours
    # of CPU for 2 MB on the public API. Now one pass, then refused as malformed JSON.
    assert hostile_input.json_too_deep(body) is False
    with pytest.raises(HostileInput, match="不是有效的 JSON"):
        decode_json(body.encode())


@pytest.mark.django_db
@pytest.mark.parametrize("url", [SUBMIT, STATUS_POST])
@pytest.mark.parametrize("body", ["[" * 100_000 + "]" * 100_000, '{"a":' * 100_000 + "1" + "}" * 100_000,
                                  "[" * 100_000])
def test_json_nested_100000_deep_is_a_400(api, url, body):
    message = json_error(api.post(url, body, content_type="application/json"), 400)
    assert "嵌套层数过多" in message


def test_the_nesting_limit_is_counted_outside_strings():
    deepest = "[" * hostile_input.MAX_JSON_DEPTH + "]" * hostile_input.MAX_JSON_DEPTH
    assert decode_json(deepest.encode()) is not None
    with pytest.raises(HostileInput, match="嵌套"):
        decode_json(("[" + deepest + "]").encode())
    # brackets inside strings (with escaped quotes) are text, not nesting
    text = json.dumps({"a": "[[[[" * 100 + '\\"{{{{' * 100})
    assert decode_json(text.encode())["a"].startswith("[[[[")


@pytest.mark.django_db
@pytest.mark.parametrize("body", [
    b'{"name": ' + b"9" * 100_000 + b"}",  # past Python's int digit limit: ValueError
    '{"name": "张三"}'.encode("gbk"),
    '{"name": "张三"}'.encode("utf-16"),
    b'{"name": "\xed\xa0\x80"}',  # a surrogate encoded as UTF-8 bytes
])
def test_json_that_is_not_utf8_json_is_a_400(api, body):
    message = json_error(api.post(SUBMIT, body, content_type="application/json"), 400)
    assert "不是有效的 JSON" in message


def test_decode_json_accepts_a_byte_order_mark():
    assert decode_json('\ufeff{"a": "b"}'.encode()) == {"a": "b"}


# --- charsets ----------------------------------------------------------------------------

POST_URLS = ["/apply/", "/status/", "/staff/sign-in/", "/search/", "/no-such-page/"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", POST_URLS)
@pytest.mark.parametrize("charset", ["gbk", "GB18030", "latin-1", "no-such-charset"])
def test_a_form_in_another_charset_with_a_csrf_cookie_is_a_400_not_a_bare_500(browser, url, charset):
    """Django refuses the body (BadRequest); its 400 handler ran the CSRF check again,
    which read the body again: a bare 500 on every POST URL."""
    body = f"name=张三&csrfmiddlewaretoken={browser.csrf}".encode("gbk")
    response = browser.generic("POST", url, body, content_type=f"{FORM}; charset={charset}")
    html = html_error(response, 400)
    assert "只接受 UTF-8 编码的提交" in html and charset in html


@pytest.mark.django_db
@pytest.mark.parametrize("content_type", ["application/json; charset=gbk",
                                          f"{FORM}; charset=gbk",
                                          "multipart/form-data; boundary=x; charset=gbk"])
def test_the_api_refuses_another_charset_in_json(api, content_type):
    response = api.generic("POST", SUBMIT, '{"name": "张三"}'.encode("gbk"), content_type=content_type)
    assert "只接受 UTF-8 编码的提交" in json_error(response, 400)


@pytest.mark.django_db
@pytest.mark.parametrize("charset", ["utf8", "UTF-8", '"utf-8"'])
def test_utf8_under_another_spelling_is_accepted(browser, bureau, charset):
    """Django itself refused charset=utf8 on a form (anything but the literal utf-8)."""
    fields = {**natural_person(bureau), "form_token": new_form_token(),
              "csrfmiddlewaretoken": browser.csrf}
    response = browser.post("/apply/", urlencode(fields), content_type=f"{FORM}; charset={charset}")
    assert response.status_code == 303
    assert FoiRequest.objects.count() == 1


# --- unparseable forms and queries -------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("content_type", ["multipart/form-data", "multipart/form-data; boundary=",
                                          "multipart/form-data; boundary=é"])
def test_a_multipart_body_without_a_usable_boundary_is_a_400_page(browser, content_type):
    body = b"--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--x--\r\n"
    response = browser.generic("POST", "/apply/", body, content_type=content_type)
    assert "表单格式有误" in html_error(response, 400)


@pytest.mark.django_db
def test_too_many_form_fields_or_parameters_are_a_400(browser, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    body = "&".join(f"f{i}=1" for i in range(60)) + f"&csrfmiddlewaretoken={browser.csrf}"
    assert "字段或文件过多" in html_error(browser.post("/status/", body, content_type=FORM), 400)
    query = "&".join(f"q{i}=1" for i in range(60))
    assert "参数过多" in html_error(browser.get(f"/search/?{query}"), 400)
    assert "参数过多" in json_error(browser.get(f"/api/v1/publications?{query}"), 400)


@pytest.mark.django_db
@pytest.mark.usefixtures("wsgi_in_test_transaction")
def test_an_invalid_content_length_is_a_400():
    environ = _environ("/status/", RecordingInput(10), CONTENT_LENGTH="ten", CONTENT_TYPE=FORM)
    status, _, _ = _call(environ)
    assert status.startswith("400")


# --- bodies over the limit -----------------------------------------------------------------

class RecordingInput:
    """A ``wsgi.input`` of ``size`` bytes, produced lazily, that records how much was read."""

    def __init__(self, size: int, data: bytes | None = None):
        self.data = data
        self.size = len(data) if data is not None else size
        self.read_bytes = 0

    def read(self, n: int = -1) -> bytes:
        left = self.size - self.read_bytes
        n = left if n is None or n < 0 else min(n, left)
        if self.data is not None:
            chunk = self.data[self.read_bytes:self.read_bytes + n]
        else:
            chunk = b"x" * n
        self.read_bytes += n
        return chunk

    def readline(self, n: int = -1) -> bytes:
        return self.read(n if n and n > 0 else 65536)


def _environ(path: str, stream, **extra) -> dict:
    return {
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "QUERY_STRING": "",
        "SERVER_NAME": "testserver", "SERVER_PORT": "80", "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": stream, "wsgi.errors": sys.stderr, "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0), "wsgi.multithread": False, "wsgi.multiprocess": False,
        "wsgi.run_once": False, **extra,
    }


def _call(environ) -> tuple[str, dict, bytes]:
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(headers)

    result = WSGIHandler()(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return seen["status"], seen["headers"], body


@pytest.mark.django_db
@pytest.mark.usefixtures("wsgi_in_test_transaction")
@pytest.mark.parametrize(("path", "is_json"), [("/apply/", False), (SUBMIT, True),
                                               ("/status/", False), ("/staff/sign-in/", False)])
def test_a_300_mb_body_is_refused_before_a_byte_is_read(path, is_json):
    stream = RecordingInput(300 * MB)
    environ = _environ(path, stream, CONTENT_LENGTH=str(300 * MB),
                       CONTENT_TYPE="multipart/form-data; boundary=x",
                       HTTP_COOKIE="csrftoken=" + "a" * 32)
    status, headers, body = _call(environ)
    assert status.startswith("413")
    assert stream.read_bytes == 0
    text = body.decode()
    assert "请求体过大" in text and "300 MB" in text
    assert headers["Content-Type"].startswith("application/json" if is_json else "text/html")


@pytest.mark.django_db
@pytest.mark.usefixtures("wsgi_in_test_transaction")
def test_a_chunked_body_is_read_only_up_to_the_limit():
    """No Content-Length (the server de-chunks): read through LimitedInput, which stops one
    byte past the path's limit."""
    stream = RecordingInput(300 * MB)
    environ = _environ("/status/", stream, HTTP_TRANSFER_ENCODING="chunked", CONTENT_TYPE=FORM)
    status, _, body = _call(environ)
    assert status.startswith("413")
    limit = body_limit("/status/")
    assert limit < stream.read_bytes <= limit + 1
    assert "请求体过大" in body.decode()


@pytest.mark.django_db
@pytest.mark.usefixtures("wsgi_in_test_transaction")
def test_a_chunked_json_body_within_the_limit_reaches_the_api(bureau):
    """Django reads nothing of a body without Content-Length; spooled, it is read."""
    data = json.dumps(natural_person(bureau)).encode()
    environ = _environ(SUBMIT, RecordingInput(0, data), HTTP_TRANSFER_ENCODING="chunked",
                       CONTENT_TYPE="application/json")
    status, _, body = _call(environ)
    assert status.startswith("201"), body
    assert FoiRequest.objects.get().name == "张三"


def test_limited_input_never_reads_past_the_limit():
    source = io.BytesIO(b"y" * 1000)
    reader = LimitedInput(source, 100)
    assert len(reader.read()) == 101 and reader.exceeded
    assert reader.read(10) == b"" and source.tell() == 101
    small = LimitedInput(io.BytesIO(b"z" * 50), 100)
    assert small.read(1000) == b"z" * 50 and not small.exceeded


@pytest.mark.django_db
def test_a_form_body_over_djangos_memory_limit_is_a_413_page(browser):
    body = "description=" + "x" * (3 * MB)
    html = html_error(browser.post("/status/", body, content_type=FORM), 413)
    assert "请求体过大" in html


@pytest.mark.django_db
def test_an_attachment_larger_than_a_plain_form_still_reaches_the_request_form(api, bureau):
    """/apply/ and the API take attachments: a 3 MB scan is over the plain limit (2.5 MB)
    and within theirs."""
    scan = io.BytesIO(b"%PDF-1.4\n" + b"0" * (3 * MB))
    scan.name = "身份证.pdf"
    response = api.post(SUBMIT, {**natural_person(bureau), "attachments": scan})
    assert response.status_code == 201, response.content
    assert FoiRequest.objects.get().attachments.count() == 1


def test_the_limits_hold_the_upload_rules(settings):
    """Each path that takes files accepts what its rules allow, with room for the fields."""
    from gongkai.foi.services.replies import DISCLOSED_FILE_MAX_BYTES
    from gongkai.reports.checker.forms import MAX_TOTAL_BYTES

    request_files = MAX_ATTACHMENTS * ATTACHMENT_MAX_BYTES
    for path in ("/apply/", SUBMIT):
        assert body_limit(path) >= request_files + MB
    assert body_limit("/staff/reports/checker/") >= MAX_TOTAL_BYTES + MB
    assert body_limit("/staff/anything/") >= 5 * DISCLOSED_FILE_MAX_BYTES
    # plain forms and JSON: Django's in-memory limit, which it enforces itself too
    for path in ("/status/", STATUS_POST, "/staff-not/", "/apply/receipt/x/", SUBMIT + "/x"):
        assert body_limit(path) == settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_an_upload_larger_than_djangos_memory_default_stays_in_memory(rf):
    # Django writes uploads over 2.5 MB to a named temporary file by default: an ID scan
    # would reach the disk unencrypted before the encrypted storage sees it.
    from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile

    scan = SimpleUploadedFile("身份证.png", b"\x89PNG\r\n\x1a\n" + b"x" * (3 * 1024 * 1024))
    request = rf.post("/apply/", {"attachments": scan})
    upload = request.FILES["attachments"]
    assert isinstance(upload, InMemoryUploadedFile)
    assert upload.size > 3 * 1024 * 1024


@pytest.mark.django_db
@pytest.mark.parametrize("url", [
    "/agencies/a%00b/",  # an agency looked up by code
    "/search/?q=%E9%A3%9F%00",  # a search term
    "/search/?%00=1",  # a parameter's name
    "/staff/sign-in/?next=/%00",
])
def test_a_nul_in_the_address_is_a_400_page_in_chinese(api, url):
    """PostgreSQL refuses NUL in any text it compares: every lookup by code or term was a
    500 there. One check before the views covers every route."""
    html = html_error(api.get(url), 400)
    assert "无效字符（NUL）" in html


@pytest.mark.django_db
def test_a_nul_in_an_api_parameter_is_a_400_in_json(api):
    response = api.get("/api/v1/publications?q=%00")
    assert response.status_code == 400
    assert "无效字符（NUL）" in response.json()["error"]
