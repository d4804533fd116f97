"""The public pages: the form with its CAPTCHA, the receipt, the look-up and rating, and
the published replies."""

import re

import pytest
from django.urls import reverse

from gongkai.interaction import captcha, services
from gongkai.interaction.models import CaptchaChallenge, Message
from gongkai.interaction.services import PublicText
from gongkai.interaction.tests.conftest import MONDAY

ANSWER = "24680"


@pytest.fixture
def fixed_captcha(settings):
    settings.INTERACTION_CAPTCHA_TEST_ANSWER = ANSWER


def _form(client, bureau):
    page = client.get(reverse("portal:message-write") + f"?agency={bureau.code}")
    assert page.status_code == 200
    html = page.content.decode()
    token = re.search(r'name="captcha_token" value="([^"]+)"', html).group(1)
    form_token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    return html, token, form_token


def _post(client, bureau, token, form_token, answer=ANSWER, **extra):
    body = {"agency": bureau.code, "kind": "inquiry", "subject": "个体户登记需要哪些材料",
            "content": "想开一家小吃店，请问办理个体工商户登记需要准备哪些材料？", "name": "李四",
            "phone": "13800138000", "publish_consent": "on", "form_token": form_token,
            "captcha_token": token, "captcha": answer, **extra}
    return client.post(reverse("portal:message-write"), body)


def test_the_form_shows_a_captcha_image_and_audio_served_by_the_site(client, bureau, fixed_captcha):
    html, token, _ = _form(client, bureau)
    image = client.get(reverse("portal:message-captcha", args=[token]))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")
    audio = client.get(reverse("portal:message-captcha-audio", args=[token]))
    assert audio.status_code == 200 and audio.content[:4] == b"RIFF"
    assert ANSWER not in html  # the answer never goes to the page


def test_a_right_answer_submits_and_the_receipt_shows_number_and_secret(client, bureau, fixed_captcha, on_monday):
    _, token, form_token = _form(client, bureau)
    response = _post(client, bureau, token, form_token)
    assert response.status_code == 303
    message = Message.objects.get()
    assert response["Location"] == reverse("portal:message-receipt", args=[message.tracking_number])
    receipt = client.get(response["Location"])
    assert message.tracking_number in receipt.content.decode()
    assert re.search(r'id="secret">[A-Z2-9]{10}<', receipt.content.decode())
    assert not CaptchaChallenge.objects.filter(token=token).exists()  # used up
    # The same form again (double click): the first receipt, no second message.
    again = _post(client, bureau, token, form_token)
    assert again.status_code == 303 and Message.objects.count() == 1


def test_a_wrong_answer_is_refused_nothing_is_saved_and_a_new_challenge_is_given(client, bureau, fixed_captcha):
    _, token, form_token = _form(client, bureau)
    response = _post(client, bureau, token, form_token, answer="11111")
    assert response.status_code == 400
    assert captcha.WRONG in response.content.decode()
    assert not Message.objects.exists()
    assert not CaptchaChallenge.objects.filter(token=token).exists()  # one try only
    new_token = re.search(r'name="captcha_token" value="([^"]+)"', response.content.decode()).group(1)
    assert new_token != token
    # what was typed is kept
    assert "个体户登记需要哪些材料" in response.content.decode()


def test_an_expired_challenge_is_refused(client, bureau, fixed_captcha):
    _, token, form_token = _form(client, bureau)
    CaptchaChallenge.objects.filter(token=token).update(expires_at=MONDAY.replace(year=2000).isoformat() + "T00:00Z")
    assert _post(client, bureau, token, form_token).status_code == 400
    assert not Message.objects.exists()


def test_the_form_is_rate_limited(client, bureau, fixed_captcha, settings):
    from gongkai.interaction import forms

    for _ in range(forms.SUBMIT_RATE.limit):
        assert forms.SUBMIT_RATE.allows(client.get("/").wsgi_request)
    _, token, form_token = _form(client, bureau)
    assert _post(client, bureau, token, form_token).status_code == 429


def test_the_writer_looks_up_the_reply_by_post_and_rates_it(client, replied, submitted, office):
    _, secret = submitted
    url = reverse("portal:message-status")
    wrong = client.post(url, {"tracking_number": replied.tracking_number, "secret": "WRONGWRONG"})
    assert wrong.status_code == 404 and "留言编号或查询码不正确" in wrong.content.decode()
    rate_url = reverse("portal:message-rate", args=[replied.tracking_number])
    assert client.post(rate_url, {"rating": "satisfied"}).status_code == 403  # look up first
    found = client.post(url, {"tracking_number": replied.tracking_number, "secret": secret.lower()})
    assert found.status_code == 200
    assert "已依法立案查处" in found.content.decode()
    rated = client.post(rate_url, {"rating": "basically_satisfied", "comment": "还可以"})
    assert rated.status_code == 200 and "感谢您的评价" in rated.content.decode()
    replied.refresh_from_db()
    assert replied.rating == "basically_satisfied"


def test_published_replies_are_listed_searched_and_shown_masked(client, replied, office, bureau):
    from gongkai.interaction import selectors

    services.message_publish(actor=office, message=replied, text=selectors.proposed_public_text(replied))
    index = client.get(reverse("portal:message-public-index"), {"q": "酸奶"})
    assert replied.subject in index.content.decode()
    assert "13912345678" not in index.content.decode()
    none = client.get(reverse("portal:message-public-index"), {"q": "电梯"})
    assert replied.subject not in none.content.decode()
    per_agency = client.get(reverse("portal:message-public-list", args=[bureau.code]))
    assert replied.subject in per_agency.content.decode()
    detail = client.get(replied.get_absolute_url())
    assert detail.status_code == 200 and "139****5678" in detail.content.decode()


def test_an_unpublished_message_has_no_public_page(client, replied):
    assert client.get(replied.get_absolute_url()).status_code == 404


def test_publishing_changes_the_cached_public_list(client, replied, office,
                                                   django_capture_on_commit_callbacks):
    from gongkai.interaction import selectors

    url = reverse("portal:message-public-index")
    assert replied.subject not in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.message_publish(actor=office, message=replied, text=PublicText(
            *selectors.proposed_public_text(replied).__dict__.values()))
    assert replied.subject in client.get(url).content.decode()
