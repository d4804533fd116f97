"""The status secret in the API travels in a header (or a POST body), never in an address,
and never reaches a log line."""

import datetime as dt
import hashlib
import json
import logging
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from gongkai.core.logfilters import REDACTED, RedactSecretsFilter, gunicorn_logger_class, redact
from gongkai.core.models import AuditEvent
from gongkai.foi.models import DisclosedFile, FoiRequest, Letter
from gongkai.foi.services.replies import request_reply
from gongkai.foi.services.requests import request_confirm_receipt
from gongkai.portal.tests.data import natural_person

SUBMIT = reverse("api:foi-request-submit")
LOGGERS = ("django.request", "django.server", "gunicorn.access")

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def created(api, bureau):
    response = api.post(SUBMIT, json.dumps(natural_person(bureau)), content_type="application/json")
    return response.json()


@pytest.fixture
def replied(created, office, settings, tmp_path):
    """The request replied, with a reply letter and a disclosed file."""
    settings.MEDIA_ROOT = tmp_path
    request = FoiRequest.objects.get(tracking_number=created["tracking_number"])
    request_confirm_receipt(actor=office, request=request)
    request_reply(actor=office, request=request, reply_type="disclosed", outcome="disclosed",
                  content="现将所申请的信息提供给您。")
    letter = Letter(agency=request.agency, request=request, kind="reply", year=2025,
                    serial=900 + Letter.objects.count(), document_number="青市监公开〔2025〕900号",
                    title="政府信息公开申请答复告知书", addressee="张三", issued_on=dt.date(2025, 3, 10))
    letter.pdf.save("reply.pdf", ContentFile(b"%PDF-1.4 reply"), save=False)
    letter.save()
    content = b"col1,col2\n1,2\n"
    file = DisclosedFile(request=request, display_name="抽检结果.csv", content_type="text/csv",
                         size=len(content), sha256=hashlib.sha256(content).hexdigest())
    file.file.save("result.csv", ContentFile(content), save=False)
    file.save()
    return created, letter, file


def status_url(number):
    return reverse("api:foi-request-status", args=[number])


def test_the_secret_in_a_header_gives_the_status(api, created):
    response = api.get(status_url(created["tracking_number"]), HTTP_X_TRACKING_SECRET=created["secret"])
    assert response.status_code == 200
    assert response.json()["status"] == "awaiting_confirmation"
    assert response.json()["timeline"][0]["label"] == "网上提交申请"


def test_the_secret_in_a_json_body_gives_the_same_answer(api, created):
    url = reverse("api:foi-request-status-post", args=[created["tracking_number"]])
    by_body = api.post(url, json.dumps({"secret": created["secret"]}), content_type="application/json")
    by_header = api.get(status_url(created["tracking_number"]), HTTP_X_TRACKING_SECRET=created["secret"])
    assert by_body.status_code == 200 and by_body.json() == by_header.json()
    wrong = api.post(url, json.dumps({"secret": "ABCDEFGHJK"}), content_type="application/json")
    assert wrong.status_code == 404 and wrong.json() == {"error": "申请编号或查询码不正确。"}
    assert api.post(url, json.dumps({}), content_type="application/json").status_code == 400
    assert api.post(url, "secret=x", content_type="text/plain").status_code == 415


@pytest.mark.parametrize("name", ["secret", "tracking_secret", "SECRET"])
def test_a_secret_in_the_query_string_is_refused_even_when_right(api, created, name):
    response = api.get(status_url(created["tracking_number"]), {name: created["secret"]},
                       HTTP_X_TRACKING_SECRET=created["secret"])
    assert response.status_code == 400
    assert "X-Tracking-Secret" in response.json()["error"] and "地址" in response.json()["error"]


def test_letters_and_disclosed_files_are_listed_with_download_paths_without_the_secret(api, replied):
    created, letter, file = replied
    body = api.get(status_url(created["tracking_number"]), HTTP_X_TRACKING_SECRET=created["secret"]).json()
    [reply_letter] = [entry for entry in body["letters"] if entry["document_number"] == letter.document_number]
    assert reply_letter["kind"] == "reply" and reply_letter["title"] == "政府信息公开申请答复告知书"
    assert reply_letter["issued_on"] == "2025-03-10"
    [pdf] = reply_letter["files"]
    assert pdf["format"] == "pdf" and pdf["size"] == len(b"%PDF-1.4 reply")
    assert body["disclosed_files"] == [{
        "ref": f"disclosed-{file.pk}", "name": "抽检结果.csv", "format": "file", "size": 14,
        "content_type": "text/csv",
        "download_path": reverse("api:foi-request-file", args=[created["tracking_number"], f"disclosed-{file.pk}"]),
    }]
    assert created["secret"] not in json.dumps(body)

    download = api.get(body["disclosed_files"][0]["download_path"], HTTP_X_TRACKING_SECRET=created["secret"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"col1,col2\n1,2\n"
    entry = AuditEvent.objects.filter(action="foi.applicant.download").get()
    assert entry.after["via"] == "api" and entry.after["who"] == "申请人" and entry.after["count"] == 1

    path = pdf["download_path"]
    assert api.get(path).status_code == 404  # no secret
    assert api.get(path, HTTP_X_TRACKING_SECRET="ABCDEFGHJK").status_code == 404
    assert api.get(path, {"secret": created["secret"]}).status_code == 400
    assert AuditEvent.objects.filter(action="foi.applicant.download").count() == 1


# --- logs -------------------------------------------------------------------------------------


def gunicorn_access_line(path: str, query: str, headers: dict) -> str:
    """The access-log line gongkai serve's gunicorn would write for this request."""
    from gunicorn.config import Config

    cfg = Config()
    cfg.set("accesslog", None)
    logger = gunicorn_logger_class()(cfg)
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": path + (f"?{query}" if query else ""),
               "SERVER_PROTOCOL": "HTTP/1.1", "PATH_INFO": path, "QUERY_STRING": query,
               "REMOTE_ADDR": "203.0.113.9", "HTTP_REFERER": f"https://example.org{path}?{query}"}
    environ.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    request = SimpleNamespace(headers=list(headers.items()))
    atoms = logger.atoms(response, request, environ, dt.timedelta(seconds=0, microseconds=1500))
    fmt = cfg.access_log_format + ' %({x-tracking-secret}i)s %({http_x_tracking_secret}e)s'
    return fmt % logger.atoms_wrapper_class(atoms)


def test_no_secret_reaches_the_request_logs_or_the_access_log(api, replied, caplog):
    created, letter, file = replied
    number, secret = created["tracking_number"], created["secret"]
    caplog.set_level(logging.DEBUG)
    for name in LOGGERS:
        logging.getLogger(name).addHandler(caplog.handler)
    status_post = reverse("api:foi-request-status-post", args=[number])
    file_path = reverse("api:foi-request-file", args=[number, f"disclosed-{file.pk}"])
    calls = [  # (path, query, headers) as the API tests send them, refusals included
        (status_url(number), "", {"X-Tracking-Secret": secret}),
        (status_url(number), "", {"X-Tracking-Secret": "ABCDEFGHJK"}),
        (status_url(number), f"secret={secret}", {}),
        (file_path, "", {"X-Tracking-Secret": secret}),
        (file_path, f"secret={secret}", {}),
        (status_url("2099-9999-99999"), "", {"X-Tracking-Secret": secret}),
    ]
    try:
        for path, query, headers in calls:
            meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
            api.get(path + (f"?{query}" if query else ""), **meta)
        api.post(status_post, json.dumps({"secret": secret}), content_type="application/json")
        api.post(status_post, json.dumps({"secret": secret}), content_type="text/plain")
        # Records pass through the filter that settings.LOGGING puts on every handler.
        redactor = RedactSecretsFilter()
        for record in caplog.records:
            redactor.filter(record)
    finally:
        for name in LOGGERS:
            logging.getLogger(name).removeHandler(caplog.handler)
    assert any(r.name == "django.request" for r in caplog.records)  # the refusals were logged
    for record in caplog.records:
        assert secret not in record.getMessage(), record.getMessage()
    for path, query, headers in calls:
        line = gunicorn_access_line(path, query, headers)
        assert secret not in line, line
        assert path in line
    assert REDACTED in gunicorn_access_line(status_url(number), f"secret={secret}", {})


def test_the_filter_redacts_secret_parameters_wherever_they_appear(settings):
    assert redact("GET /api/v1/foi/requests/1?secret=ABCDE23456&x=1 HTTP/1.1") == (
        f"GET /api/v1/foi/requests/1?secret={REDACTED}&x=1 HTTP/1.1")
    assert "ABCDE23456" not in redact("/status/?tracking_secret=ABCDE23456")
    assert redact("nothing to hide") == "nothing to hide"
    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, '"%s" %s %s',
                               ("GET /x?secret=ABCDE23456 HTTP/1.1", "400", "12"), None)
    assert RedactSecretsFilter().filter(record) is True
    assert "ABCDE23456" not in record.getMessage()
    console = settings.LOGGING["handlers"]["console"]
    assert "redact_secrets" in console["filters"]
    assert settings.LOGGING["filters"]["redact_secrets"]["()"].endswith("RedactSecretsFilter")
