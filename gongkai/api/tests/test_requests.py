"""POST /api/v1/foi/requests and GET /api/v1/foi/requests/{tracking_number}."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from gongkai.core import clock
from gongkai.core.tests.factories import make_agency
from gongkai.foi.models import FoiRequest
from gongkai.foi.services.replies import request_reply
from gongkai.foi.services.requests import request_confirm_receipt
from gongkai.foi.tracking import check_secret
from gongkai.portal.tests.data import NATURAL_PERSON, ORGANISATION, natural_person

SUBMIT = reverse("api:foi-request-submit")

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    """A client that enforces CSRF like a browser would: the API must not need a token."""
    return Client(enforce_csrf_checks=True)


def post_json(api, payload, **extra):
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return api.post(SUBMIT, body, content_type="application/json", **extra)


def status_url(number):
    return reverse("api:foi-request-status", args=[number])


def submit(api, agency, **changes) -> dict:
    response = post_json(api, natural_person(agency, **changes))
    assert response.status_code == 201, response.content.decode()
    return response.json()


# --- submitting ---------------------------------------------------------------------------

def test_a_valid_json_request_is_created_awaiting_confirmation(api, bureau):
    response = post_json(api, natural_person(bureau))
    assert response.status_code == 201
    body = response.json()
    request = FoiRequest.objects.get()
    assert body["tracking_number"] == request.tracking_number
    assert check_secret(body["secret"], request.secret_hash)
    assert body["status"] == "awaiting_confirmation" and body["status_label"] == "待确认收到"
    assert request.agency == bureau and request.received_on is None
    assert request.channel == "online"
    assert "no-store" in response["Cache-Control"]


def test_the_id_type_defaults_from_the_kind_of_applicant(api, bureau):
    person = {k: v for k, v in natural_person(bureau).items() if k not in ("id_type", "form")}
    assert post_json(api, person).status_code == 201
    organisation = {"agency": bureau.code, **ORGANISATION}
    assert post_json(api, organisation).status_code == 201
    stored = dict(FoiRequest.objects.values_list("applicant_type", "id_type"))
    assert stored == {"natural_person": "resident_id", "commercial_enterprise": "uscc"}
    assert set(FoiRequest.objects.values_list("form", flat=True)) == {"electronic", "paper"}


def test_a_form_encoded_request_is_accepted(api, bureau):
    response = api.post(SUBMIT, natural_person(bureau))  # multipart, as an HTML form sends
    assert response.status_code == 201
    assert FoiRequest.objects.count() == 1


def test_invalid_input_gets_chinese_field_errors_and_nothing_is_stored(api, bureau):
    response = post_json(api, natural_person(
        bureau, id_number="110105194912310021", phone="12345", description=""))
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "提交的申请有误，请按提示修改。"
    assert body["errors"]["id_number"] == ["身份证号码校验位不正确"]
    assert body["errors"]["phone"] == ["请填写有效的手机号码或固定电话。"]
    assert body["errors"]["description"] == ["这个字段是必填项。"]
    assert not FoiRequest.objects.exists()
    assert "身份证号码" in response.content.decode()  # Chinese as is, not \\u escapes


def test_missing_required_fields_are_each_reported(api, bureau):
    body = post_json(api, {}).json()
    for field in ("agency", "applicant_type", "name", "id_number", "phone", "description",
                  "delivery"):
        assert body["errors"][field], field


def test_an_unknown_agency_is_an_error_on_agency(api, bureau):
    response = post_json(api, natural_person(bureau, agency="NOSUCHAGENCY"))
    assert response.status_code == 400
    assert response.json()["errors"] == {"agency": ["该机关不存在或不受理政府信息公开申请。"]}
    assert not FoiRequest.objects.exists()


def test_an_agency_that_does_not_accept_requests_is_refused(api, tree):
    agency = make_agency(parent=tree["city"], name="测试市不受理局", accepts_requests=False)
    response = post_json(api, natural_person(agency))
    assert response.status_code == 400
    assert "agency" in response.json()["errors"]
    assert not FoiRequest.objects.exists()


@pytest.mark.parametrize("body", ['{"agency": ', "not json", b"\xff\xfe"])
def test_malformed_json_is_refused_in_chinese(api, bureau, body):
    response = post_json(api, body)
    assert response.status_code == 400
    assert "不是有效的 JSON" in response.json()["error"]
    assert not FoiRequest.objects.exists()


def test_a_json_body_that_is_not_an_object_is_refused(api, bureau):
    response = post_json(api, [natural_person(bureau)])
    assert response.status_code == 400
    assert response.json()["error"] == "请求体应为 JSON 对象。"


def test_fields_that_are_not_strings_are_refused(api, bureau):
    response = post_json(api, natural_person(bureau, phone=13800138000, name=["张三"]))
    assert response.status_code == 400
    assert response.json()["errors"] == {"phone": ["应为字符串。"], "name": ["应为字符串。"]}
    assert not FoiRequest.objects.exists()


def test_other_content_types_are_refused(api, bureau):
    response = api.post(SUBMIT, "agency=x", content_type="text/plain")
    assert response.status_code == 415
    assert "JSON" in response.json()["error"]


def test_other_methods_get_a_json_405(api):
    response = api.get(SUBMIT)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json()["error"] == "不支持 GET 方法。"


def test_more_than_20_submissions_an_hour_from_one_client_are_refused(api, bureau):
    for _ in range(20):
        assert post_json(api, natural_person(bureau, name="")).status_code == 400
    response = post_json(api, natural_person(bureau))
    assert response.status_code == 429
    assert response.json() == {"error": "请求过于频繁，请稍后再试。"}
    assert int(response["Retry-After"]) > 0
    assert not FoiRequest.objects.exists()
    assert post_json(api, natural_person(bureau), REMOTE_ADDR="10.9.8.7").status_code == 201


def test_the_portal_and_the_api_share_one_allowance(api, client, bureau):
    for _ in range(20):
        assert client.post(reverse("portal:apply"), natural_person(bureau, name="")).status_code == 400
    assert post_json(api, natural_person(bureau)).status_code == 429


# --- status ---------------------------------------------------------------------------------

def test_a_new_request_reports_awaiting_confirmation(api, bureau):
    created = submit(api, bureau)
    response = api.get(status_url(created["tracking_number"]), HTTP_X_TRACKING_SECRET=created["secret"])
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "tracking_number": created["tracking_number"],
        "agency": bureau.code,
        "status": "awaiting_confirmation",
        "status_label": "待确认收到",
        "received_on": None,
        "deadline_state": None,
        "due_on": None,
        "working_days_left": None,
        "provisional": False,
        "reply_type": None,
        "reply_type_label": None,
        "replied_on": None,
        "timeline": [{"on": body["timeline"][0]["on"], "action": "submit", "label": "网上提交申请"}],
        "letters": [],
        "disclosed_files": [],
    }
    assert "no-store" in response["Cache-Control"]


def test_a_confirmed_request_reports_receipt_due_date_and_days_left(api, bureau, office):
    clock.freeze(dt.datetime(2025, 3, 3, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    created = submit(api, bureau)
    request_confirm_receipt(actor=office, request=FoiRequest.objects.get())
    clock.freeze(dt.datetime(2025, 3, 10, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    body = api.get(status_url(created["tracking_number"]), HTTP_X_TRACKING_SECRET=created["secret"]).json()
    assert body["status"] == "in_progress" and body["status_label"] == "办理中"
    assert body["received_on"] == "2025-03-03"
    assert body["deadline_state"] == "running"
    assert body["due_on"] == "2025-03-31"
    assert body["working_days_left"] == 15
    assert body["provisional"] is False


def test_a_deadline_in_an_unpublished_year_is_provisional(api, bureau, office):
    clock.freeze(dt.datetime(2031, 12, 15, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    created = submit(api, bureau)
    request_confirm_receipt(actor=office, request=FoiRequest.objects.get())
    body = api.get(status_url(created["tracking_number"]), HTTP_X_TRACKING_SECRET=created["secret"]).json()
    assert body["provisional"] is True


def test_a_replied_request_reports_its_reply_type(api, bureau, office):
    clock.freeze(dt.datetime(2025, 3, 3, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    created = submit(api, bureau)
    request = FoiRequest.objects.get()
    request_confirm_receipt(actor=office, request=request)
    request_reply(actor=office, request=request, reply_type="disclosed", outcome="disclosed",
                  content="现将所申请的信息提供给您。")
    body = api.get(status_url(created["tracking_number"]), HTTP_X_TRACKING_SECRET=created["secret"]).json()
    assert body["status"] == "replied"
    assert body["reply_type"] == "disclosed"
    assert body["reply_type_label"] == "予以公开（第三十六条第二项）"
    assert body["replied_on"] == "2025-03-03"
    assert body["working_days_left"] is None and body["due_on"] is None


def test_a_wrong_secret_is_answered_exactly_like_an_unknown_number(api, bureau):
    created = submit(api, bureau)
    wrong = api.get(status_url(created["tracking_number"]), HTTP_X_TRACKING_SECRET="ABCDEFGHJK")
    missing = api.get(status_url(created["tracking_number"]))
    unknown = api.get(status_url("2099-9999-99999"), HTTP_X_TRACKING_SECRET=created["secret"])
    assert wrong.status_code == missing.status_code == unknown.status_code == 404
    assert wrong.content == missing.content == unknown.content
    assert wrong.json() == {"error": "申请编号或查询码不正确。"}


def test_more_than_30_lookups_an_hour_from_one_client_are_refused(api, bureau):
    created = submit(api, bureau)
    url = status_url(created["tracking_number"])
    for _ in range(30):
        assert api.get(url, HTTP_X_TRACKING_SECRET="ABCDEFGHJK").status_code == 404
    response = api.get(url, HTTP_X_TRACKING_SECRET=created["secret"])
    assert response.status_code == 429
    assert response.json() == {"error": "请求过于频繁，请稍后再试。"}


def test_the_applicant_data_example_is_a_valid_request(api, bureau):
    # The shared test data must stay valid input, or every other test proves nothing.
    assert post_json(api, {"agency": bureau.code, **NATURAL_PERSON}).status_code == 201


def test_a_multipart_request_may_carry_attachments(api, bureau, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    pdf = SimpleUploadedFile("授权书.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = api.post(SUBMIT, {**natural_person(bureau), "attachments": [pdf]})
    assert response.status_code == 201
    assert FoiRequest.objects.get().attachments.count() == 1


def test_a_refusal_by_the_service_is_an_error_on_agency_and_nothing_is_stored(api, bureau, monkeypatch):
    from gongkai.core.errors import DomainError
    from gongkai.foi import intake

    def refuse(**kwargs):
        raise DomainError("该机关不受理政府信息公开申请")

    monkeypatch.setattr(intake, "request_submit_online", refuse)
    response = post_json(api, natural_person(bureau))
    assert response.status_code == 400
    assert response.json()["errors"] == {"agency": ["该机关不受理政府信息公开申请"]}
    assert not FoiRequest.objects.exists()
