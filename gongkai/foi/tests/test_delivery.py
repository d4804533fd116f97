"""送达 by e-mail (request_deliver with the method 电子邮件): the mail is queued in the
step's transaction (``DeliveryEmail``, with its Message-ID) and sent only once that
commits; then the request is delivered, dated the day the mail went, or the failure is
in its history and on the office's page. The letters and disclosed files attached, or a
30-day link (dated by the platform clock) when they are too large; applicant downloads
counted one after the other."""

import datetime as dt
import hashlib
import html
import smtplib
import threading
import time

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongkai.core import audit, clock
from gongkai.core.errors import DomainError
from gongkai.core.models import AuditEvent
from gongkai.core.tests.helpers import at
from gongkai.foi import delivery
from gongkai.foi.models import DeliveryEmail, DeliveryEmailState, DisclosedFile, FoiEvent, Letter
from gongkai.foi.services import requests as svc
from gongkai.foi.services.replies import request_reply
from gongkai.foi.services.requests import request_deliver
from gongkai.foi.workflow import Action, RequestStatus
from gongkai.tasks import outbox as task_outbox
from gongkai.tasks.models import OutboxState, OutboxTask

pytestmark = pytest.mark.django_db

REPLIED_ON = dt.date(2025, 3, 4)
REFUSING_BACKEND = "gongkai.foi.tests.test_delivery.RefusingBackend"


class RefusingBackend(BaseEmailBackend):
    """A mail server that hangs up on every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def replied(register, office):
    """`replied(**applicant fields)` → a request replied with a letter and a disclosed file."""

    def make(content=b"a,b\n1,2\n", **fields):
        request = register(dt.date(2025, 3, 3), **fields)
        at(REPLIED_ON)
        request_reply(actor=office, request=request, reply_type="disclosed", outcome="disclosed",
                      content="现将所申请的信息提供给您。")
        letter = Letter(agency=request.agency, request=request, kind="reply", year=2025,
                        serial=500 + Letter.objects.count(), document_number="青市监公开〔2025〕500号",
                        title="政府信息公开申请答复告知书", addressee="张三", issued_on=REPLIED_ON)
        letter.pdf.save("reply.pdf", ContentFile(b"%PDF-1.4 the reply letter"), save=False)
        letter.docx.save("reply.docx", ContentFile(b"PK the docx"), save=False)
        letter.save()
        hidden = Letter(agency=request.agency, request=request, kind="consultation", year=2025,
                        serial=501 + Letter.objects.count(), document_number="青市监公开〔2025〕501号",
                        title="第三方意见征询函", addressee="第三方", issued_on=REPLIED_ON,
                        visible_to_applicant=False)
        hidden.pdf.save("consult.pdf", ContentFile(b"%PDF-1.4 to the third party"), save=False)
        hidden.save()
        file = DisclosedFile(request=request, display_name="抽检结果.csv", content_type="text/csv",
                             size=len(content), sha256=hashlib.sha256(content).hexdigest())
        file.file.save("result.csv", ContentFile(content), save=False)
        file.save()
        request.refresh_from_db()
        return request, letter, file

    return make


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    """`deliver(actor, request, **kw)` → the step as the view takes it: its transaction
    commits, and the callbacks queued for the commit (the send) run."""

    def run(actor, request, method="email", **kw):
        with django_capture_on_commit_callbacks(execute=True):
            request_deliver(actor=actor, request=request, method=method, **kw)
        request.refresh_from_db()
        return request

    return run


def deliver_event(request) -> FoiEvent:
    return FoiEvent.objects.filter(request=request, action="deliver").get()


def text_of(response) -> str:
    return html.unescape(response.content.decode())


# --- the outbox: queued in the transaction, sent after the commit ----------------------------------

def test_the_mail_goes_only_after_the_step_commits_and_then_the_request_is_delivered(
        replied, office, django_capture_on_commit_callbacks):
    request, letter, file = replied()
    with django_capture_on_commit_callbacks() as callbacks:
        request_deliver(actor=office, request=request, method="email")
        # Inside the step's transaction: queued with its Message-ID, nothing sent, not delivered.
        queued = DeliveryEmail.objects.get(request=request)
        assert queued.state == DeliveryEmailState.QUEUED and queued.message_id.startswith("<")
        assert mail.outbox == []
        assert not FoiEvent.objects.filter(request=request, action="deliver").exists()
        assert AuditEvent.objects.get(action="foi.delivery_email.queue").after["message_id"] == queued.message_id
    assert len(callbacks) == 1
    callbacks[0]()  # the commit
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == queued.message_id
    queued.refresh_from_db()
    assert queued.state == DeliveryEmailState.SENT
    request.refresh_from_db()
    assert request.status == RequestStatus.DELIVERED
    assert deliver_event(request).data["message_id"] == queued.message_id


def test_small_files_are_attached_and_the_message_id_is_recorded(replied, office, deliver):
    request, letter, file = replied()
    deliver(office, request, delivered_on=REPLIED_ON)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["zhangsan@example.invalid"]
    assert request.tracking_number in message.subject
    names = {name: (content, ctype) for name, content, ctype in message.attachments}
    # Every letter visible to the applicant as PDF (the reply service may issue its own
    # too), never the one to the third party, and the disclosed file.
    assert names["政府信息公开申请答复告知书（青市监公开〔2025〕500号）.pdf"] == (
        b"%PDF-1.4 the reply letter", "application/pdf")
    assert names["抽检结果.csv"] == ("a,b\n1,2\n", "text/csv")  # text parts come back decoded
    assert not any("第三方意见征询函" in name for name in names)
    assert all(name.endswith(".pdf") for name in names if name != "抽检结果.csv")
    message_id = message.extra_headers["Message-ID"]
    assert message_id.startswith("<") and message_id in message.message().as_string()
    event = deliver_event(request)
    assert event.data["method"] == "email" and event.data["message_id"] == message_id
    assert event.data["link_sent"] is False and event.actor == office
    entry = AuditEvent.objects.filter(action="foi.deliver").latest("seq")
    assert entry.after["message_id"] == message_id and entry.actor == office
    assert request.status == RequestStatus.DELIVERED


def test_an_email_delivery_is_dated_the_day_the_mail_went_out(replied, office,
                                                             django_capture_on_commit_callbacks):
    request, letter, file = replied()
    at(dt.date(2025, 3, 10))
    # No back-dating: the delivery date of an e-mail is the sending day.
    with pytest.raises(DomainError, match="以邮件发出之日为送达日期"):
        request_deliver(actor=office, request=request, method="email", delivered_on=dt.date(2025, 3, 5))
    assert not DeliveryEmail.objects.exists() and mail.outbox == []
    clock.freeze(timezone.make_aware(dt.datetime(2025, 3, 10, 23, 58)))
    with django_capture_on_commit_callbacks() as callbacks:
        request_deliver(actor=office, request=request, method="email")
    clock.freeze(timezone.make_aware(dt.datetime(2025, 3, 11, 0, 1)))  # the worker sent it past midnight
    callbacks[0]()
    assert deliver_event(request).on == dt.date(2025, 3, 11)


def test_the_office_form_refuses_another_date_for_an_email_delivery(replied, office, client_for):
    request, letter, file = replied()
    at(dt.date(2025, 3, 10))
    response = client_for(office).post(reverse("staff:foi-deliver", args=[request.pk]), {
        "deliver-method": "email", "deliver-delivered_on": "2025-03-05"})
    assert response.status_code == 400
    assert "电子邮件送达以邮件发出之日（今天）为送达日期" in text_of(response)
    assert not DeliveryEmail.objects.exists() and mail.outbox == []


# --- failures ----------------------------------------------------------------------------------

def test_a_refusing_mail_server_is_recorded_in_the_history_and_nothing_is_delivered(
        replied, office, deliver, settings):
    settings.EMAIL_BACKEND = REFUSING_BACKEND
    settings.TASK_MAX_ATTEMPTS = 1  # the first refusal is the last: recorded at once
    request, letter, file = replied()
    deliver(office, request)
    assert request.status == RequestStatus.REPLIED
    outbox = DeliveryEmail.objects.get(request=request)
    assert (outbox.state, outbox.error) == (DeliveryEmailState.FAILED, "SMTPServerDisconnected")
    failed = FoiEvent.objects.get(request=request, action=Action.DELIVERY_EMAIL_FAILED)
    assert failed.actor == office and failed.data["message_id"] == outbox.message_id
    assert "电子邮件发送失败（SMTPServerDisconnected），未送达" in failed.reason
    entry = AuditEvent.objects.get(action="foi.delivery_email_failed")
    assert entry.after["message_id"] == outbox.message_id and entry.actor == office
    assert not FoiEvent.objects.filter(request=request, action="deliver").exists()
    # The office may send again once the server is back.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    deliver(office, request)
    assert request.status == RequestStatus.DELIVERED and len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_the_office_is_told_at_once_whether_the_mail_went(replied, office, client_for, settings):
    """Over HTTP with real commits, as in production: the step commits inside the view,
    the mail is sent, and the view's answer says what happened."""
    request, letter, file = replied()
    client = client_for(office)
    url = reverse("staff:foi-deliver", args=[request.pk])
    form = {"deliver-method": "email", "deliver-delivered_on": REPLIED_ON.isoformat()}

    settings.EMAIL_BACKEND = REFUSING_BACKEND
    settings.TASK_MAX_ATTEMPTS = 1  # no broker, no retry left: the task runs and fails here
    refused = client.post(url, form)
    assert refused.status_code == 400
    text = text_of(refused)
    assert "送达未完成：电子邮件发送失败（SMTPServerDisconnected），未登记送达" in text
    assert "本申请尚未送达" in text  # the notice on the page
    assert "送达邮件发送失败" in text  # and the step in the history
    request.refresh_from_db()
    assert request.status == RequestStatus.REPLIED

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sent = client.post(url, form, follow=True)
    [message] = mail.outbox
    assert f"已登记送达：送达邮件已发出（Message-ID {message.extra_headers['Message-ID']}）" in text_of(sent)
    assert 'data-testid="delivery-email"' not in sent.content.decode()
    request.refresh_from_db()
    assert request.status == RequestStatus.DELIVERED


def test_a_refused_mail_is_retried_with_backoff_and_sent_once(replied, office, deliver, settings):
    """The queue retries a refusal (the task's backoff); meanwhile the mail is on its way,
    not failed; the retry sends it, and a further run of the task sends nothing more."""
    settings.EMAIL_BACKEND = REFUSING_BACKEND
    request, letter, file = replied()
    deliver(office, request)
    queued = DeliveryEmail.objects.get(request=request)
    task = OutboxTask.objects.get(name="foi.delivery_email")
    assert task.args == {"delivery_email": queued.pk}  # no address, name or link in the queue
    assert (task.state, task.attempts) == (OutboxState.PENDING, 1)
    assert task.last_error == "DeliveryEmailNotSent: SMTPServerDisconnected"  # no server reply
    assert queued.state == DeliveryEmailState.QUEUED and request.status == RequestStatus.REPLIED
    assert not FoiEvent.objects.filter(request=request, action=Action.DELIVERY_EMAIL_FAILED).exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    at(REPLIED_ON, 10)
    clock.freeze(clock.now() + dt.timedelta(minutes=1))  # the backoff has passed
    task_outbox.relay()
    [message] = mail.outbox
    assert message.extra_headers["Message-ID"] == queued.message_id
    queued.refresh_from_db()
    request.refresh_from_db()
    assert queued.state == DeliveryEmailState.SENT and request.status == RequestStatus.DELIVERED
    # The task delivered twice (a worker lost its lease after sending): no second mail.
    delivery.send_queued_delivery_email(delivery_email=queued.pk)
    assert len(mail.outbox) == 1


def test_a_mail_refused_on_every_try_is_recorded_as_failed_at_the_last(replied, office, deliver,
                                                                      settings):
    settings.EMAIL_BACKEND = REFUSING_BACKEND
    request, letter, file = replied()
    deliver(office, request)
    for minute in (1, 2):  # TASK_MAX_ATTEMPTS is 3 in the tests
        clock.freeze(timezone.make_aware(dt.datetime(2025, 3, 4, 10, minute)))
        task_outbox.relay()
    assert OutboxTask.objects.get(name="foi.delivery_email").state == OutboxState.FAILED
    queued = DeliveryEmail.objects.get(request=request)
    assert (queued.state, queued.error) == (DeliveryEmailState.FAILED, "SMTPServerDisconnected")
    assert FoiEvent.objects.filter(request=request, action=Action.DELIVERY_EMAIL_FAILED).count() == 1
    assert mail.outbox == []


def test_a_mail_not_sent_within_the_window_is_never_sent(replied, office,
                                                         django_capture_on_commit_callbacks):
    """After EMAIL_SEND_WINDOW the office may queue another mail: the first, its queue
    held up (a worker down), must not reach the applicant as well."""
    request, letter, file = replied()
    at(REPLIED_ON, 10)
    with django_capture_on_commit_callbacks():  # the commit's push is dropped: no worker
        request_deliver(actor=office, request=request, method="email")
    clock.freeze(clock.now() + svc.EMAIL_SEND_WINDOW + dt.timedelta(seconds=1))
    task_outbox.relay()
    assert mail.outbox == []
    queued = DeliveryEmail.objects.get(request=request)
    assert (queued.state, queued.error) == (DeliveryEmailState.FAILED, "未能在10分钟内发出")
    request.refresh_from_db()
    assert request.status == RequestStatus.REPLIED


def test_a_send_still_under_way_is_shown_as_such(replied, office, client_for):
    """Under a test's own transaction the send waits for a commit that never comes: the
    view says the mail is on its way rather than claiming delivery."""
    request, letter, file = replied()
    client = client_for(office)
    response = client.post(reverse("staff:foi-deliver", args=[request.pk]), {
        "deliver-method": "email", "deliver-delivered_on": REPLIED_ON.isoformat()}, follow=True)
    text = text_of(response)
    assert "送达邮件已提交发送，发送结果将记入办理记录" in text
    assert "尚无发送结果，请稍后刷新页面" in text
    request.refresh_from_db()
    assert request.status == RequestStatus.REPLIED and mail.outbox == []


def test_a_mail_sent_whose_result_could_not_be_recorded_keeps_its_record(
        replied, office, deliver, monkeypatch, client_for):
    """The applicant got the mail, then the database refused the result: the queued row
    (committed before the send) still names the mail, and the office sees the result
    is unknown once a send would long have finished."""
    request, letter, file = replied()

    def broken(outbox_pk, *, error=""):
        raise RuntimeError("database went away")

    monkeypatch.setattr(svc, "delivery_email_record_result", broken)
    deliver(office, request)
    [message] = mail.outbox
    outbox = DeliveryEmail.objects.get(request=request)
    assert outbox.state == DeliveryEmailState.QUEUED
    assert outbox.message_id == message.extra_headers["Message-ID"]
    assert request.status == RequestStatus.REPLIED  # never "delivered" without a recorded send
    # Within the send window a second click is refused: the applicant gets one mail.
    with pytest.raises(DomainError, match="尚无发送结果"):
        request_deliver(actor=office, request=request, method="email")
    at(REPLIED_ON, 11)
    page = text_of(client_for(office).get(reverse("staff:foi-detail", args=[request.pk])))
    assert "未记录发送结果，申请人是否收到不明" in page and outbox.message_id in page


def test_no_address_is_refused_in_chinese_and_nothing_is_queued(replied, office):
    request, letter, file = replied(email="", delivery="pickup")
    with pytest.raises(DomainError, match="申请人未提供电子邮箱"):
        request_deliver(actor=office, request=request, delivered_on=REPLIED_ON, method="email")
    request.refresh_from_db()
    assert request.status == RequestStatus.REPLIED
    assert mail.outbox == [] and not DeliveryEmail.objects.exists()
    assert not FoiEvent.objects.filter(request=request, action="deliver").exists()


def test_other_methods_send_nothing_and_keep_their_date(replied, office, deliver):
    request, letter, file = replied()
    at(dt.date(2025, 3, 10))
    deliver(office, request, method="pickup", delivered_on=dt.date(2025, 3, 6))
    assert mail.outbox == [] and not DeliveryEmail.objects.exists()
    event = deliver_event(request)
    assert event.data == {"method": "pickup"} and event.on == dt.date(2025, 3, 6)


def test_only_the_office_may_deliver_by_email(replied, officer):
    request, letter, file = replied()
    with pytest.raises(PermissionDenied):
        request_deliver(actor=officer, request=request, delivered_on=REPLIED_ON, method="email")
    assert mail.outbox == [] and not DeliveryEmail.objects.exists()


# --- the delivery link ---------------------------------------------------------------------------

def test_files_over_the_limit_go_as_a_link_valid_for_30_days(replied, office, deliver, settings):
    settings.GONGKAI_DELIVERY_ATTACHMENT_LIMIT = 100
    settings.GONGKAI_BASE_URL = "https://gongkai.example.gov.cn"
    request, letter, file = replied(content=b"x" * 200)
    deliver(office, request)
    message = mail.outbox[0]
    names = [name for name, _, _ in message.attachments]
    assert "政府信息公开申请答复告知书（青市监公开〔2025〕500号）.pdf" in names
    assert "抽检结果.csv" not in names
    assert "请在30日内（2025年4月3日前）通过以下链接下载" in message.body
    link = next(line for line in message.body.splitlines() if line.startswith("https://"))
    assert link.startswith("https://gongkai.example.gov.cn/delivery/")
    assert deliver_event(request).data["link_sent"] is True

    path = link.removeprefix("https://gongkai.example.gov.cn")
    client = Client()
    page = client.get(path)
    assert page.status_code == 200
    text = text_of(page)
    assert "抽检结果.csv" in text and "第三方意见征询函" not in text
    assert "本下载链接有效期至2025年4月3日" in text
    token = path.split("/")[2]
    download = client.get(reverse("portal:delivery-file", args=[token, f"disclosed-{file.pk}"]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"x" * 200
    entry = AuditEvent.objects.filter(action="foi.applicant.download").get()
    assert entry.after["via"] == "link" and entry.after["who"] == "申请人"


def test_a_delivery_link_expires_by_the_platform_clock_and_cannot_be_forged(replied):
    request, letter, file = replied()
    at(dt.date(2025, 3, 5))
    token = delivery.delivery_token(request)
    at(dt.date(2025, 4, 4))  # the 30th day after issue: still open
    assert delivery.delivery_request(token) == request
    assert Client().get(reverse("portal:delivery", args=[token])).status_code == 200
    at(dt.date(2025, 4, 5))  # the 31st: expired
    assert delivery.delivery_request(token) is None
    response = Client().get(reverse("portal:delivery", args=[token]))
    assert response.status_code == 404 and "已过期" in response.content.decode()
    assert Client().get(reverse("portal:delivery-file", args=[token, f"disclosed-{file.pk}"])).status_code == 404
    fresh = delivery.delivery_token(request)
    assert delivery.delivery_request(fresh) == request
    assert delivery.delivery_request(fresh[:-2] + "xx") is None


# --- download counts ---------------------------------------------------------------------------

def test_each_download_is_counted_in_turn(replied):
    request, letter, file = replied()
    item = delivery.applicant_documents(request).get(f"disclosed-{file.pk}")
    assert [delivery.record_applicant_download(request, item, via="status") for _ in range(3)] == [1, 2, 3]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel writers need PostgreSQL")
def test_simultaneous_downloads_get_distinct_counts(replied, monkeypatch):
    """Two downloads at once: the second waits for the first's count (the request's row
    lock) instead of counting the same entries and recording the same number."""
    request, letter, file = replied()
    item = delivery.applicant_documents(request).get(f"disclosed-{file.pk}")
    first_counted = threading.Event()
    real_record = audit.record

    def record_slowly(**kwargs):
        if threading.current_thread().name == "first":
            first_counted.set()
            time.sleep(0.5)  # the second download arrives while the first is writing
        return real_record(**kwargs)

    monkeypatch.setattr(audit, "record", record_slowly)
    counts, errors = [], []

    def download(wait: bool):
        try:
            if wait:
                first_counted.wait(5)
            counts.append(delivery.record_applicant_download(request, item, via="status"))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=download, args=(False,), name="first"),
               threading.Thread(target=download, args=(True,), name="second")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(counts) == [1, 2]
    recorded = AuditEvent.objects.filter(action="foi.applicant.download").values_list("after", flat=True)
    assert sorted(entry["count"] for entry in recorded) == [1, 2]
