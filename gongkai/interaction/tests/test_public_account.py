"""A message written while signed in with a government-service account is listed under
that account ("我的申请"); the form suggests the account's name and contact."""

import pytest
from django.urls import reverse

from gongkai.core.models import AuditEvent
from gongkai.identity.tests.public_accounts import make_public_account, sign_in_public
from gongkai.interaction import selectors
from gongkai.interaction.models import Message
from gongkai.interaction.tests.test_views_public import _form, _post, fixed_captcha  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_signed_in_writer_s_message_is_linked_and_listed(client, bureau, fixed_captcha, on_monday):  # noqa: F811
    account = make_public_account()
    sign_in_public(client, account)
    html, token, form_token = _form(client, bureau)
    assert 'value="王五"' in html and 'value="13900139000"' in html
    assert _post(client, bureau, token, form_token).status_code == 303
    message = Message.objects.get()
    assert message.public_account == account
    assert list(selectors.messages_of_account(account)) == [message]
    assert not selectors.messages_of_account(make_public_account(subject="someone-else")).exists()
    event = AuditEvent.objects.get(action__endswith="submit", object_id=str(message.pk))
    assert event.after["public_account"] == account.pk and "王五" not in str(event.after)


def test_an_anonymous_message_belongs_to_no_account(client, bureau, fixed_captcha, on_monday):  # noqa: F811
    html, token, form_token = _form(client, bureau)
    assert 'value="王五"' not in html
    assert _post(client, bureau, token, form_token).status_code == 303
    assert Message.objects.get().public_account is None


def test_the_page_cache_never_keeps_the_prefilled_form(client, bureau):
    sign_in_public(client, make_public_account())
    response = client.get(reverse("portal:message-write"))
    assert "no-store" in response["Cache-Control"]


def test_the_writer_opens_the_message_without_the_secret_and_no_one_else_does(client, bureau, fixed_captcha,  # noqa: F811
                                                                             on_monday):
    account = make_public_account()
    sign_in_public(client, account)
    _, token, form_token = _form(client, bureau)
    _post(client, bureau, token, form_token)
    url = reverse("portal:message-status-mine", args=[Message.objects.get().tracking_number])
    assert f'href="{url}"' in client.get(reverse("portal:my-requests")).content.decode()
    mine = client.get(url)
    assert mine.status_code == 200 and "个体户登记需要哪些材料" in mine.content.decode()
    assert "no-store" in mine["Cache-Control"]
    sign_in_public(client, make_public_account(subject="someone-else"))
    other = client.get(url)
    assert other.status_code == 404 and "个体户登记需要哪些材料" not in other.content.decode()
