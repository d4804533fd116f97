"""The applicant sees the whole case on /status/: the steps in plain words, the letters
issued to them and, once replied, the disclosed files, downloadable after a look-up."""

import datetime as dt
import hashlib

import pytest
from django.core import signing
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from gongkai.core.models import AuditEvent
from gongkai.core.tests.helpers import at
from gongkai.foi.models import DisclosedFile, Letter
from gongkai.foi.services.replies import request_reply
from gongkai.foi.services.requests import (
    ApplicantData,
    request_assign,
    request_confirm_receipt,
    request_end_consultation,
    request_start_consultation,
    request_submit_online,
)
from gongkai.portal.tests.data import NATURAL_PERSON
from gongkai.portal.views import requests as views

URL = reverse("portal:status")
THIRD_PARTY = "青岚某某食品有限公司"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def letter(request, *, kind="reply", visible=True, serial=None, title="政府信息公开申请答复告知书"):
    # Numbers after any the services issued themselves.
    serial = serial or 100 + Letter.objects.filter(agency=request.agency).count()
    row = Letter(agency=request.agency, request=request, kind=kind, year=2025, serial=serial,
                 document_number=f"青市监公开〔2025〕{serial}号", title=title, addressee="张三",
                 issued_on=dt.date(2025, 3, 10), visible_to_applicant=visible)
    row.pdf.save(f"letter-{serial}.pdf", ContentFile(b"%PDF-1.4 letter " + str(serial).encode()), save=False)
    row.docx.save(f"letter-{serial}.docx", ContentFile(b"PK docx " + str(serial).encode()), save=False)
    row.save()
    return row


def disclosed(request, name="2024年抽检汇总表.xlsx", content=b"xlsx bytes"):
    row = DisclosedFile(request=request, display_name=name, content_type="application/octet-stream",
                        size=len(content), sha256=hashlib.sha256(content).hexdigest())
    row.file.save("f.xlsx", ContentFile(content), save=False)
    row.save()
    return row


@pytest.fixture
def case(bureau, office, department):
    """A request taken through receipt, assignment, a consultation and the reply."""
    at(dt.date(2025, 3, 3))
    request, secret = request_submit_online(agency=bureau, data=ApplicantData(**NATURAL_PERSON))
    request_confirm_receipt(actor=office, request=request)
    request_assign(actor=office, request=request, department=department, reason="内部分办说明")
    consultation = request_start_consultation(actor=office, request=request, party_kind="third_party",
                                              party_name=THIRD_PARTY)
    at(dt.date(2025, 3, 5))
    request_end_consultation(actor=office, consultation=consultation, opinion="agree")
    return request, secret


def lookup(client, request, secret):
    return client.post(URL, {"tracking_number": request.tracking_number, "secret": secret})


def test_the_timeline_speaks_plainly_and_hides_internal_steps_names_and_the_third_party(
        client, case, office):
    request, secret = case
    response = lookup(client, request, secret)
    assert response.status_code == 200
    html = response.content.decode()
    timeline = html[html.index('id="timeline"'):html.index("</ol>", html.index('id="timeline"'))]
    for words in ("网上提交申请", "确认收到申请", "征求第三方意见", "征求意见结束"):
        assert words in timeline, words
    assert "2025年3月3日" in timeline and "2025年3月5日" in timeline
    assert "分办" not in timeline and "内部分办说明" not in html
    assert THIRD_PARTY not in html
    assert office.username not in html and (office.full_name or office.username) not in html


def test_letters_visible_to_the_applicant_are_listed_with_both_formats(client, case, office):
    request, secret = case
    shown = letter(request, kind="extension", title="延期答复告知书")
    hidden = letter(request, kind="consultation", title="第三方意见征询函", visible=False)
    html = lookup(client, request, secret).content.decode()
    assert "延期答复告知书" in html and shown.document_number in html
    assert hidden.document_number not in html and "第三方意见征询函" not in html
    for fmt in ("pdf", "docx"):
        assert reverse("portal:status-file", args=[request.tracking_number, f"letter-{shown.pk}.{fmt}"]) in html
    assert 'id="disclosed-files"' not in html  # not replied yet


def test_disclosed_files_appear_once_replied_and_every_download_is_audited_and_counted(
        client, case, office):
    request, secret = case
    file = disclosed(request)
    assert "2024年抽检汇总表" not in lookup(client, request, secret).content.decode()
    request_reply(actor=office, request=request, reply_type="disclosed", outcome="disclosed",
                  content="现将所申请的信息提供给您。")
    reply_letter = letter(request)
    html = lookup(client, request, secret).content.decode()
    assert "2024年抽检汇总表.xlsx" in html and "作出答复" in html
    file_url = reverse("portal:status-file", args=[request.tracking_number, f"disclosed-{file.pk}"])
    assert file_url in html and secret not in file_url

    for expected_count in (1, 2):
        response = client.get(file_url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"xlsx bytes"
        assert "2024" in response["Content-Disposition"]
        entry = AuditEvent.objects.filter(action="foi.applicant.download").latest("seq")
        assert entry.after["who"] == "申请人" and entry.after["via"] == "status"
        assert entry.after["file"] == f"disclosed-{file.pk}" and entry.after["count"] == expected_count
        assert entry.object_id == str(request.pk) and entry.agency_id == request.agency_id

    pdf = client.get(reverse("portal:status-file", args=[request.tracking_number,
                                                          f"letter-{reply_letter.pk}.pdf"]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert pdf["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action="foi.applicant.download").count() == 3


def test_downloads_need_a_lookup_in_this_browser_and_expire_after_two_hours(client, case, office):
    request, secret = case
    shown = letter(request)
    url = reverse("portal:status-file", args=[request.tracking_number, f"letter-{shown.pk}.pdf"])
    assert client.get(url).status_code == 403  # no look-up yet
    lookup(client, request, secret)
    assert Client().get(url).status_code == 403  # another browser
    assert client.get(url).status_code == 200
    # A grant older than two hours no longer opens anything.
    session = client.session
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("time.time", lambda: 1_000_000_000)  # signed long ago
        old = signing.dumps(request.pk, salt=views.GRANT_SALT)
    session[views.SESSION_GRANTS] = {request.tracking_number: old}
    session.save()
    response = client.get(url)
    assert response.status_code == 403
    assert "请先凭申请编号和查询码查询" in response.content.decode()


def test_a_file_of_another_request_or_a_hidden_letter_is_not_served(client, case, bureau):
    request, secret = case
    other, _ = request_submit_online(agency=bureau, data=ApplicantData(**NATURAL_PERSON))
    foreign = letter(other)
    hidden = letter(request, kind="consultation", visible=False)
    lookup(client, request, secret)
    for ref in (f"letter-{foreign.pk}.pdf", f"letter-{hidden.pk}.pdf", "disclosed-999", "..x"):
        assert client.get(reverse("portal:status-file", args=[request.tracking_number, ref])).status_code == 404
    assert not AuditEvent.objects.filter(action="foi.applicant.download").exists()


def test_the_status_page_with_results_is_not_stored(client, case):
    request, secret = case
    assert "no-store" in lookup(client, request, secret)["Cache-Control"]
