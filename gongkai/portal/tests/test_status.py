"""The applicant's status look-up, /status/."""

import datetime as dt

import pytest
from django.urls import reverse

from gongkai.core.tests.helpers import at
from gongkai.foi.services.replies import request_reply
from gongkai.foi.services.requests import (
    ApplicantData,
    request_confirm_receipt,
    request_submit_online,
)
from gongkai.portal.tests.data import NATURAL_PERSON

URL = reverse("portal:status")

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(bureau):
    """An online request to the bureau and its secret."""
    return request_submit_online(agency=bureau, data=ApplicantData(**NATURAL_PERSON))


def lookup(client, number, secret, **extra):
    return client.post(URL, {"tracking_number": number, "secret": secret}, **extra)


def test_the_lookup_form_has_labels_and_prefills_the_number(client):
    html = client.get(URL, {"tracking_number": "2025-0001-00001"}).content.decode()
    assert '<label for="id_tracking_number">' in html and '<label for="id_secret">' in html
    assert 'value="2025-0001-00001"' in html
    assert 'method="post"' in html  # the secret never travels in the address


def test_a_request_awaiting_confirmation_shows_that_receipt_is_not_yet_confirmed(client, submitted):
    request, secret = submitted
    response = lookup(client, request.tracking_number, secret)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<td id="status-label">待确认收到</td>' in html
    assert '<td id="received-on">待确认收到</td>' in html
    assert "自行政机关确认收到申请之日起计算" in html
    assert 'id="days-left"' not in html
    assert "no-store" in response["Cache-Control"]


def test_the_secret_may_be_typed_in_lower_case_with_spaces(client, submitted):
    request, secret = submitted
    typed = f" {secret[:5].lower()} {secret[5:].lower()} "
    assert lookup(client, request.tracking_number, typed).status_code == 200


def test_a_confirmed_request_shows_receipt_date_due_date_and_days_left(client, bureau, office):
    at(dt.date(2025, 3, 3))  # a Monday; no holiday in the next 20 working days
    request, secret = request_submit_online(agency=bureau, data=ApplicantData(**NATURAL_PERSON))
    request_confirm_receipt(actor=office, request=request)
    at(dt.date(2025, 3, 10))
    html = lookup(client, request.tracking_number, secret).content.decode()
    assert '<td id="status-label">办理中</td>' in html
    assert '<td id="received-on">2025年3月3日</td>' in html
    assert '<td id="due-on">2025年3月31日</td>' in html
    assert '<td id="days-left">15个工作日</td>' in html


def test_a_deadline_in_a_year_without_a_published_schedule_is_marked_provisional(client, bureau, office):
    at(dt.date(2031, 12, 15))
    request, secret = request_submit_online(agency=bureau, data=ApplicantData(**NATURAL_PERSON))
    request_confirm_receipt(actor=office, request=request)
    html = lookup(client, request.tracking_number, secret).content.decode()
    assert "暂定" in html


def test_a_replied_request_shows_the_reply_type(client, bureau, office):
    at(dt.date(2025, 3, 3))
    request, secret = request_submit_online(agency=bureau, data=ApplicantData(**NATURAL_PERSON))
    request_confirm_receipt(actor=office, request=request)
    request_reply(actor=office, request=request, reply_type="disclosed", outcome="disclosed",
                  content="现将所申请的信息提供给您。")
    html = lookup(client, request.tracking_number, secret).content.decode()
    assert '<td id="status-label">已答复</td>' in html
    assert '<td id="reply-type">予以公开（第三十六条第二项）</td>' in html
    assert 'id="days-left"' not in html  # the clock has ended


def test_a_wrong_secret_and_an_unknown_number_get_the_same_answer(client, submitted):
    request, secret = submitted
    wrong_secret = lookup(client, request.tracking_number, "ABCDEFGHJK")
    unknown = lookup(client, "2099-9999-99999", secret)
    assert wrong_secret.status_code == unknown.status_code == 404
    for response in (wrong_secret, unknown):
        html = response.content.decode()
        assert '<p id="lookup-error">申请编号或查询码不正确。</p>' in html
        assert 'id="status-result"' not in html


def test_empty_fields_are_refused_in_chinese(client):
    response = lookup(client, "", "")
    assert response.status_code == 400
    html = response.content.decode()
    assert "请填写申请编号。" in html and "请填写查询码。" in html
    assert 'aria-describedby="id_secret_error"' in html


def test_more_than_30_lookups_an_hour_from_one_client_are_refused(client, submitted):
    request, secret = submitted
    for _ in range(30):
        assert lookup(client, request.tracking_number, "ABCDEFGHJK").status_code == 404
    response = lookup(client, request.tracking_number, secret)
    assert response.status_code == 429
    assert "操作过于频繁" in response.content.decode()
