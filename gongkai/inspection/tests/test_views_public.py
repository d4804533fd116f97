"""The public 「我为政府网站找错」 form: CAPTCHA, receipt with its number, the office's queue,
refusals that save nothing, and the rate limit."""

import re

import pytest
from django.urls import reverse

from gongkai.core import ratelimit
from gongkai.inspection.forms import SUBMIT_RATE
from gongkai.inspection.models import SiteErrorReport
from gongkai.inspection.views import public

pytestmark = pytest.mark.django_db
ANSWER = "24680"


@pytest.fixture(autouse=True)
def fixed_captcha(settings):
    settings.INTERACTION_CAPTCHA_TEST_ANSWER = ANSWER


def _url(agency):
    return reverse("portal:site-error-new", args=[agency.code])


def _token(client, agency):
    page = client.get(_url(agency) + "?page=/agencies/x/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="/agencies/x/"' in html  # the page it came from, filled in
    token = re.search(r'name="captcha_token" value="([^"]+)"', html).group(1)
    form_token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    return token, form_token


def _post(client, agency, tokens, answer=ANSWER, **extra):
    token, form_token = tokens
    body = {"page_url": "https://example.gov.cn/columns/3/", "description": "附件链接打不开，提示页面不存在。",
            "contact": "13800138000", "captcha_token": token, "captcha": answer, "form_token": form_token,
            **extra}
    return client.post(_url(agency), body)


def test_a_report_is_filed_and_the_receipt_shows_its_number(client, bureau, today):
    response = _post(client, bureau, _token(client, bureau))
    assert response.status_code == 303
    report = SiteErrorReport.objects.get()
    assert report.agency == bureau and report.contact == "13800138000"
    receipt = client.get(response["Location"])
    assert receipt.status_code == 200
    assert report.tracking_number in receipt.content.decode()
    assert "13800138000" not in receipt.content.decode()
    assert "no-store" in receipt["Cache-Control"]


def test_a_resubmitted_form_gets_its_first_receipt_and_files_nothing_more(client, bureau, today):
    tokens = _token(client, bureau)
    first = _post(client, bureau, tokens)
    again = _post(client, bureau, tokens, answer="")  # the CAPTCHA was used up: not asked again
    assert first.status_code == again.status_code == 303
    assert first["Location"] == again["Location"]
    assert SiteErrorReport.objects.count() == 1


def test_a_form_without_its_token_is_refused(client, bureau, today):
    token, _ = _token(client, bureau)
    response = _post(client, bureau, (token, "x"))
    assert response.status_code == 400 and "表单已失效" in response.content.decode()
    assert not SiteErrorReport.objects.exists()


def test_the_receipt_shows_only_in_the_browser_that_submitted(client, bureau, today):
    response = _post(client, bureau, _token(client, bureau))
    client.cookies.clear()
    assert client.get(response["Location"]).status_code == 404


def test_a_wrong_captcha_saves_nothing(client, bureau, today):
    response = _post(client, bureau, _token(client, bureau), answer="11111")
    assert response.status_code == 400
    assert "验证码不正确" in response.content.decode()
    assert not SiteErrorReport.objects.exists()


def test_a_missing_description_saves_nothing_and_uses_up_the_captcha(client, bureau, today):
    tokens = _token(client, bureau)
    response = _post(client, bureau, tokens, description="")
    assert response.status_code == 400 and "请描述发现的错误" in response.content.decode()
    assert not SiteErrorReport.objects.exists()
    assert _post(client, bureau, tokens).status_code == 400  # the old CAPTCHA is spent


def test_too_many_reports_from_one_client_are_refused(client, bureau, today, monkeypatch):
    monkeypatch.setattr(public, "SUBMIT_RATE", ratelimit.Rule(SUBMIT_RATE.scope, limit=1, window_seconds=3600))
    assert _post(client, bureau, _token(client, bureau)).status_code == 303
    response = _post(client, bureau, _token(client, bureau))
    assert response.status_code == 429
    assert SiteErrorReport.objects.count() == 1


def test_the_rate_limit_is_counted_apart_from_messages():
    assert SUBMIT_RATE.scope == "inspection.site_error"
    assert isinstance(SUBMIT_RATE, ratelimit.Rule)


def test_an_unknown_agency_has_no_form(client, db):
    assert client.get(reverse("portal:site-error-new", args=["NOPE"])).status_code == 404
