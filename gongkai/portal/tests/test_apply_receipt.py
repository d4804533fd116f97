"""Submitting is safe to repeat: Post/Redirect/Get to a receipt page, the form's one-time
token, the receipt as print and PDF, and the number and secret sent by e-mail and SMS."""

import io
import re

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader
from weasyprint import HTML

from gongkai.core import fonts, sms
from gongkai.core.models import IdempotencyRecord
from gongkai.foi.forms import FORM_EXPIRED, new_form_token
from gongkai.foi.models import FoiRequest
from gongkai.foi.tracking import check_secret
from gongkai.portal.tests.data import natural_person
from gongkai.reports.rendering import pdf as report_pdf

URL = reverse("portal:apply")

pytestmark = pytest.mark.django_db


def filled(to, token=None, **changes) -> dict:
    return {**natural_person(to, **changes), "form_token": token or new_form_token()}


def secret_on(html: str) -> str | None:
    found = re.search(r'<strong id="secret">([A-Z0-9]+)</strong>', html)
    return found.group(1) if found else None


def number_on(html: str) -> str:
    return re.search(r'<strong id="tracking-number">([^<]+)</strong>', html).group(1)


@pytest.fixture(autouse=True)
def _empty_outboxes():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """Post the form as committed: the e-mail and SMS go out after the commit."""

    def send(data, via=None):
        with django_capture_on_commit_callbacks(execute=True):
            return (via or client).post(URL, data)

    return send


def test_the_form_carries_a_fresh_hidden_token_on_every_visit(client, bureau):
    tokens = [re.search(r'<input type="hidden" name="form_token" value="([^"]+)"',
                        client.get(URL).content.decode()).group(1) for _ in range(2)]
    assert tokens[0] != tokens[1] and all(len(t) >= 22 for t in tokens)


def test_submitting_redirects_to_a_receipt_that_survives_three_reloads(client, bureau):
    response = client.post(URL, filled(bureau))
    assert response.status_code == 303
    request = FoiRequest.objects.get()
    receipt_url = reverse("portal:apply-receipt", args=[request.tracking_number])
    assert response["Location"] == receipt_url
    pages = [client.get(receipt_url) for _ in range(3)]
    assert [p.status_code for p in pages] == [200, 200, 200]
    htmls = [p.content.decode() for p in pages]
    assert {number_on(h) for h in htmls} == {request.tracking_number}
    secrets = {secret_on(h) for h in htmls}
    assert len(secrets) == 1 and check_secret(secrets.pop(), request.secret_hash)
    assert FoiRequest.objects.count() == 1
    for page in pages:
        assert "no-store" in page["Cache-Control"]
    assert request.agency.name in htmls[0] and "待确认收到" in htmls[0]


def test_the_secret_is_stored_only_encrypted_and_never_in_the_session(client, bureau):
    client.post(URL, filled(bureau))
    request = FoiRequest.objects.get()
    secret = secret_on(client.get(reverse("portal:apply-receipt", args=[request.tracking_number])).content.decode())
    assert secret
    record = IdempotencyRecord.objects.get()
    assert record.scope == "web" and record.reference == request.tracking_number
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT response, key_hash, body_hash FROM {IdempotencyRecord._meta.db_table}")
        raw = " ".join(cursor.fetchone())
    assert secret not in raw and request.tracking_number not in raw
    for session in Session.objects.all():
        assert secret not in session.session_data
        assert secret not in repr(session.get_decoded())


def test_another_browser_does_not_get_the_receipt(client, bureau):
    client.post(URL, filled(bureau))
    number = FoiRequest.objects.get().tracking_number
    other = Client()
    for name in ("portal:apply-receipt", "portal:apply-receipt-pdf"):
        response = other.get(reverse(name, args=[number]))
        assert response.status_code == 404
        assert "申请回执" not in response.content.decode()


def test_a_resubmitted_form_creates_nothing_and_shows_the_first_receipt(client, bureau, post):
    token = new_form_token()
    first = post(filled(bureau, token))
    first_html = client.get(first["Location"]).content.decode()
    # Back button, a change, submit again with the same token: still the first request.
    again = post(filled(bureau, token, description="另一份完全不同的信息的描述"))
    assert again.status_code == 303
    assert again["Location"] == first["Location"] + "?again=1"
    html = client.get(again["Location"]).content.decode()
    assert number_on(html) == number_on(first_html) and secret_on(html) == secret_on(first_html)
    assert 'id="resubmitted"' in html
    assert FoiRequest.objects.count() == 1
    assert len(mail.outbox) == 1  # told once


def test_a_double_click_from_a_second_client_with_the_same_token_creates_nothing(client, bureau):
    token = new_form_token()
    client.post(URL, filled(bureau, token))
    other = Client()
    response = other.post(URL, filled(bureau, token))
    assert response.status_code == 303
    assert FoiRequest.objects.count() == 1


def test_a_form_without_a_usable_token_is_refused_with_a_fresh_one_and_nothing_is_stored(client, bureau):
    for token in ("", "short", "x" * 80):
        response = client.post(URL, {**natural_person(bureau), "form_token": token})
        assert response.status_code == 400
        html = response.content.decode()
        assert FORM_EXPIRED in html
        fresh = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
        assert fresh != token and len(fresh) >= 22
    assert not FoiRequest.objects.exists() and not IdempotencyRecord.objects.exists()


def test_refused_input_does_not_use_up_the_token(client, bureau):
    token = new_form_token()
    assert client.post(URL, filled(bureau, token, name="")).status_code == 400
    assert not IdempotencyRecord.objects.exists()
    assert client.post(URL, filled(bureau, token)).status_code == 303
    assert FoiRequest.objects.count() == 1


def test_the_receipt_page_is_printable_and_offers_pdfs(client, bureau):
    response = client.post(URL, filled(bureau))
    html = client.get(response["Location"]).content.decode()
    assert '<style media="print">' in html
    assert 'id="receipt-pdf"' in html and 'id="receipt-pdf-with-code"' in html
    assert 'id="print-receipt"' in html


def _pdf_text(response) -> str:
    pdf = b"".join(response.streaming_content) if response.streaming else response.content
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def test_the_pdf_receipt_holds_the_facts_and_the_secret_only_when_asked(client, bureau, settings):
    settings.GONGKAI_BASE_URL = "https://gongkai.example.gov.cn"
    response = client.post(URL, filled(bureau))
    request = FoiRequest.objects.get()
    secret = secret_on(client.get(response["Location"]).content.decode())
    pdf_url = reverse("portal:apply-receipt-pdf", args=[request.tracking_number])

    plain = client.get(pdf_url)
    assert plain.status_code == 200 and plain["Content-Type"] == "application/pdf"
    assert "no-store" in plain["Cache-Control"]
    text = _pdf_text(plain)
    assert bureau.name in text and request.tracking_number in text
    assert "2024年本市食品安全抽检结果" in text
    assert "https://gongkai.example.gov.cn/status/" in text
    assert secret not in text

    with_code = _pdf_text(client.get(pdf_url, {"include_code": "1"}))
    assert secret in with_code
    embedded = fonts.embedded_fonts(client.get(pdf_url).content)
    assert embedded and all("CJK" in name for name in embedded), embedded


def test_a_missing_cjk_font_is_an_error_not_a_pdf_of_boxes(client, bureau, monkeypatch):
    """Where fontconfig finds no CJK font, WeasyPrint prints in a Latin font: the printer
    is made to answer such a PDF (a real one, embedding only DejaVu), and the page the
    applicant gets is the 503 page in Chinese, not a server error and not the PDF."""
    latin_only = HTML(string='<p style="font-family: DejaVu Sans">Receipt</p>').write_pdf()
    assert fonts.embedded_fonts(latin_only) and not any(
        "CJK" in name for name in fonts.embedded_fonts(latin_only))
    monkeypatch.setattr(report_pdf, "write_pdf", lambda html: latin_only)
    response = client.post(URL, filled(bureau))
    number = FoiRequest.objects.get().tracking_number
    client.get(response["Location"])
    answer = client.get(reverse("portal:apply-receipt-pdf", args=[number]))
    assert answer.status_code == 503 and answer["Content-Type"].startswith("text/html")
    assert "缺少中文字体" in answer.content.decode()


def test_the_number_and_secret_are_emailed_when_an_address_was_given(client, bureau, settings, post):
    settings.GONGKAI_BASE_URL = "https://gongkai.example.gov.cn"
    response = post(filled(bureau))
    request = FoiRequest.objects.get()
    secret = secret_on(client.get(response["Location"]).content.decode())
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["zhangsan@example.com"]
    assert request.tracking_number in message.subject
    assert request.tracking_number in message.body and secret in message.body
    assert "https://gongkai.example.gov.cn/status/" in message.body


def test_the_receipt_is_a_task_its_secret_encrypted_and_a_failed_send_is_retried(
        client, bureau, settings, post, monkeypatch):
    """The submission never waits for, nor fails with, the mail server: the receipt is a
    task written with the request (its secret encrypted in the task's arguments); a send
    that fails leaves the request standing and the task pending with its error, and the
    relay sends it later."""
    from django.core.mail.backends.locmem import EmailBackend

    from gongkai.foi.intake import RECEIPT_EMAIL
    from gongkai.tasks.models import OutboxState, OutboxTask
    from gongkai.tasks.outbox import relay

    def refused(self, messages):
        raise ConnectionRefusedError("the mail server is down")

    monkeypatch.setattr(EmailBackend, "send_messages", refused)
    response = post(filled(bureau))
    assert response.status_code == 303
    request = FoiRequest.objects.get()
    secret = secret_on(client.get(response["Location"]).content.decode())
    task = OutboxTask.objects.get(key=f"{RECEIPT_EMAIL}:{request.pk}")
    assert secret not in str(task.args) and task.args["request"] == request.pk
    assert task.state == OutboxState.PENDING and "ConnectionRefusedError" in task.last_error
    assert mail.outbox == []
    monkeypatch.undo()  # the mail server is back; the relay's next round, after the backoff
    at_later = task.next_attempt_at
    monkeypatch.setattr("gongkai.tasks.outbox.clock.now", lambda: at_later)
    relay()
    task.refresh_from_db()
    assert task.state == OutboxState.DONE
    assert len(mail.outbox) == 1 and secret in mail.outbox[0].body


def test_no_email_without_an_address(client, bureau, post):
    post(filled(bureau, email="", delivery="pickup"))
    assert FoiRequest.objects.count() == 1 and mail.outbox == []


def test_an_sms_is_sent_to_a_mobile_only_when_a_backend_is_configured(client, bureau, settings, post):
    post(filled(bureau))
    assert sms.outbox == []  # no backend configured: nothing sent
    settings.GONGKAI_SMS_BACKEND = "gongkai.core.sms.LocmemBackend"
    response = post(filled(bureau))
    secret = secret_on(client.get(response["Location"]).content.decode())
    number = FoiRequest.objects.order_by("-id").first().tracking_number
    assert len(sms.outbox) == 1
    assert sms.outbox[0].phone == "13800138000"
    assert number in sms.outbox[0].text and secret in sms.outbox[0].text
    post(filled(bureau, phone="010-12345678"))  # a landline gets no text
    assert len(sms.outbox) == 1
