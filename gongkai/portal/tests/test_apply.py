"""The public request form, /apply/ (Art. 29, Art. 31)."""

import re

import pytest
from django.urls import reverse

from gongkai.core.tests.factories import make_agency
from gongkai.foi.forms import new_form_token
from gongkai.foi.models import FoiRequest
from gongkai.foi.tracking import check_secret
from gongkai.foi.workflow import RequestStatus
from gongkai.portal.tests.data import ORGANISATION, natural_person

URL = reverse("portal:apply")

pytestmark = pytest.mark.django_db


def filled(to, **changes) -> dict:
    """The form as the browser sends it: the applicant's input and the one-time token."""
    return {**natural_person(to, **changes), "form_token": new_form_token()}


def test_the_form_offers_agencies_that_accept_requests_in_tree_order(client, tree):
    closed = make_agency(parent=tree["city"], name="测试市不受理局", accepts_requests=False)
    response = client.get(URL)
    assert response.status_code == 200
    options = response.context["form"].fields["agency"].queryset
    assert list(options) == sorted(options, key=lambda a: a.path)
    assert tree["bureau"] in options and closed not in options
    html = response.content.decode()
    assert 'name="agency"' in html and closed.name not in html


def test_the_agency_in_the_address_is_preselected(client, bureau):
    response = client.get(URL, {"agency": bureau.code})
    assert f'<option value="{bureau.code}" selected>' in response.content.decode()


def test_an_unknown_agency_in_the_address_is_ignored(client, bureau):
    response = client.get(URL, {"agency": "NOPE"})
    assert response.status_code == 200
    assert '<option value="" selected>' in response.content.decode()


def test_every_field_has_a_label_and_groups_have_legends(client, bureau):
    html = client.get(URL).content.decode()
    for field in ("agency", "applicant_type", "name", "contact_person", "id_type", "id_number",
                  "phone", "email", "address", "postal_code", "description", "purpose",
                  "attachments"):
        assert f'<label for="id_{field}">' in html, field
    for legend in ("受理机关", "申请人信息", "联系方式", "所需政府信息", "获取信息的方式"):
        assert f"<legend>{legend}</legend>" in html
    # Radio groups are fieldsets of their own, with the question as legend.
    assert "<legend>获取信息的方式（必填）</legend>" in html
    assert 'enctype="multipart/form-data"' in html
    # No inline script (the CSP forbids it): only the site's own script files.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and "onclick" not in html


def test_a_valid_request_is_stored_awaiting_confirmation_and_the_secret_shown_once(client, bureau):
    response = client.post(URL, filled(bureau))
    assert response.status_code == 303
    request = FoiRequest.objects.get()
    assert response["Location"] == reverse("portal:apply-receipt", args=[request.tracking_number])
    response = client.get(response["Location"])
    assert response.status_code == 200
    assert request.agency == bureau
    assert request.status == RequestStatus.AWAITING_CONFIRMATION
    assert request.received_on is None
    html = response.content.decode()
    assert request.tracking_number in html
    secret = re.search(r'<strong id="secret">([A-Z0-9]+)</strong>', html).group(1)
    assert check_secret(secret, request.secret_hash)
    assert "平台只保存查询码的加密摘要" in html and "待确认收到" in html
    assert "no-store" in response["Cache-Control"]


def test_an_organisation_can_apply(client, bureau):
    response = client.post(URL, {"agency": bureau.code, **ORGANISATION, "id_type": "uscc",
                                 "form_token": new_form_token()})
    assert response.status_code == 303
    assert FoiRequest.objects.get().applicant_type == "commercial_enterprise"


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"id_number": "110105194912310021"}, "id_number", "身份证号码校验位不正确"),
    ({"name": ""}, "name", "这个字段是必填项。"),
    ({"phone": "12345"}, "phone", "请填写有效的手机号码或固定电话。"),
    ({"email": ""}, "email", "选择电子邮件方式获取信息的，请填写电子邮箱。"),
    ({"agency": "NOPE"}, "agency", "该机关不存在或不受理政府信息公开申请。"),
])
def test_bad_input_is_refused_in_chinese_and_nothing_is_stored(client, bureau, changes, field, message):
    response = client.post(URL, filled(bureau, **changes))
    assert response.status_code == 400
    assert message in response.context["form"].errors[field]
    html = response.content.decode()
    # The message is tied to its field and listed in the summary with a link to it.
    assert f'id="id_{field}_error"' in html
    control = re.search(rf'<(?:input|select|textarea)\b[^>]*\bid="id_{field}"[^>]*>', html).group(0)
    assert f'aria-describedby="id_{field}_error"' in control
    assert 'aria-invalid="true"' in control
    assert f'href="#id_{field}"' in html
    assert not FoiRequest.objects.exists()


def test_an_agency_that_stopped_accepting_requests_is_refused(client, tree):
    agency = make_agency(parent=tree["city"], name="测试市某局")
    data = filled(agency)
    agency.accepts_requests = False
    agency.save(update_fields=["accepts_requests"])
    response = client.post(URL, data)
    assert response.status_code == 400
    assert "该机关不存在或不受理政府信息公开申请。" in response.context["form"].errors["agency"]
    assert not FoiRequest.objects.exists()


def test_more_than_20_submissions_an_hour_from_one_client_are_refused(client, bureau):
    bad = natural_person(bureau, name="")
    for _ in range(20):
        assert client.post(URL, bad).status_code == 400
    response = client.post(URL, filled(bureau))
    assert response.status_code == 429
    assert "操作过于频繁" in response.content.decode()
    assert not FoiRequest.objects.exists()
    # Another client is not affected.
    assert client.post(URL, filled(bureau), REMOTE_ADDR="10.1.2.3").status_code == 303


def test_the_form_is_protected_against_cross_site_posts(bureau):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(URL, filled(bureau))
    assert response.status_code == 403
    assert not FoiRequest.objects.exists()


def test_attachments_are_stored_with_the_request_and_other_files_refused(client, bureau, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("证明.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(URL, {**filled(bureau), "attachments": [fake]})
    assert response.status_code == 400
    assert "内容不是允许的类型" in response.content.decode()
    assert not FoiRequest.objects.exists()

    pdf = SimpleUploadedFile("证明.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    assert client.post(URL, {**filled(bureau), "attachments": [pdf]}).status_code == 303
    assert [a.original_name for a in FoiRequest.objects.get().attachments.all()] == ["证明.pdf"]
