"""The public's sign-in through a government-service account, against a real local
OpenID Connect provider (``provider.py``): the code flow, state, nonce, the ID token's
signature and audience, the account's encrypted claims, the audit entry, and that a
citizen never becomes a ``core.User`` session."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.urls import reverse

from gongkai.core.models import AuditEvent
from gongkai.identity.models import PublicAccount
from gongkai.identity.public import SESSION_KEY, public_account_sign_in
from gongkai.identity.tests.public_accounts import CLAIMS, VERIFIED_ID, make_public_account

pytestmark = pytest.mark.django_db

START = reverse("portal:public-sign-in")


@pytest.fixture
def op(oidc_provider, settings):
    oidc_provider.add_user("li", password="pw", name="李四", id_number=VERIFIED_ID,
                           phone_number="13800138001", email="lisi@example.com")
    settings.GONGKAI_OIDC_PROVIDERS = {"public": oidc_provider.provider_settings("public", claims=CLAIMS)}
    return oidc_provider


def to_provider(client, next_url: str = "") -> str:
    response = client.get(START, {"next": next_url} if next_url else {})
    assert response.status_code == 302
    return response["Location"]


def test_signing_in_creates_the_account_with_encrypted_claims_and_returns_to_next(client, op):
    authorize = to_provider(client, next_url=reverse("portal:apply"))
    params = parse_qs(urlsplit(authorize).query)
    assert params["code_challenge_method"] == ["S256"] and params["nonce"][0] and params["state"][0]
    response = client.get(op.sign_in(authorize, "li", "pw"))
    assert response.status_code == 302 and response["Location"] == reverse("portal:apply")
    account = PublicAccount.objects.get()
    assert (account.name, account.id_number, account.phone) == ("李四", VERIFIED_ID, "13800138001")
    assert client.session[SESSION_KEY] == account.pk
    with connection.cursor() as cursor:
        cursor.execute("select name, id_number, phone from identity_publicaccount")
        stored = " ".join(cursor.fetchone())
    assert "李四" not in stored and VERIFIED_ID not in stored and "13800138001" not in stored
    event = AuditEvent.objects.get(action="identity.public_sign_in")
    assert event.after["created"] is True
    assert "李四" not in str(event.__dict__) and VERIFIED_ID not in str(event.__dict__)


def test_a_citizen_is_never_signed_in_to_the_back_office(client, op):
    client.get(op.sign_in(to_provider(client), "li", "pw"))
    response = client.get(reverse("portal:my-requests"))
    assert response.status_code == 200 and response.wsgi_request.user.is_anonymous
    assert client.get(reverse("staff:foi-dashboard")).status_code in (302, 403)


def test_a_second_sign_in_updates_the_claims_of_the_same_account(client, op):
    client.get(op.sign_in(to_provider(client), "li", "pw"))
    op.users["li"].claims["phone_number"] = "13700137000"
    client.get(op.sign_in(to_provider(client), "li", "pw"))
    account = PublicAccount.objects.get()
    assert account.phone == "13700137000"
    assert AuditEvent.objects.filter(action="identity.public_sign_in").latest("seq").after == {
        "provider": "public", "created": False, "changed": ["phone"]}


def test_a_tampered_state_is_refused_and_signs_no_one_in(client, op):
    callback = op.sign_in(to_provider(client), "li", "pw")
    response = client.get(callback.replace("state=", "state=x"))
    assert response.status_code == 400
    assert SESSION_KEY not in client.session and not PublicAccount.objects.exists()
    assert op.tokens_issued == 0  # refused before the code was spent


def test_a_callback_cannot_be_replayed(client, op):
    callback = op.sign_in(to_provider(client), "li", "pw")
    assert client.get(callback).status_code == 302
    client.post(reverse("portal:public-sign-out"))
    assert client.get(callback).status_code == 400
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize("knob", [
    {"forge_signature": True},
    {"id_token_extra": {"nonce": "another"}},
    {"id_token_extra": {"aud": "another-client"}},
    {"id_token_extra": {"iss": "https://impostor.example"}},
    {"id_token_extra": {"aud": "gongkai-public-test"}},
    {"clock_offset": -3600},  # expired an hour ago
    {"clock_offset": 120},  # issued two minutes in the future
    {"omit_kid": True},  # no key id: mozilla-django-oidc raises KeyError
])
def test_an_id_token_that_fails_verification_is_refused(client, op, knob):
    for name, value in knob.items():
        setattr(op, name, value)
    response = client.get(op.sign_in(to_provider(client), "li", "pw"))
    assert response.status_code == 400
    assert "登录未完成" in response.content.decode()
    assert SESSION_KEY not in client.session and not PublicAccount.objects.exists()


@pytest.mark.parametrize("offset", [30, -30])
def test_a_provider_clock_half_a_minute_off_is_accepted(client, op, offset):
    op.clock_offset = offset
    assert client.get(op.sign_in(to_provider(client), "li", "pw")).status_code == 302
    assert client.session[SESSION_KEY] == PublicAccount.objects.get().pk


def test_an_id_number_that_is_not_a_resident_id_is_not_taken_as_verified(client, op):
    """A foreigner's permit number, say: the account keeps the name and phone, and the
    form asks for the document as it asks anyone."""
    op.users["li"].claims["id_number"] = "G12345678"
    client.get(op.sign_in(to_provider(client), "li", "pw"))
    account = PublicAccount.objects.get()
    assert (account.name, account.id_type, account.id_number) == ("李四", "", "")
    html = client.get(reverse("portal:apply")).content.decode()
    assert 'name="id_number"' in html and 'id="verified-id-number"' not in html


def test_two_first_sign_ins_at_once_give_one_account(db, monkeypatch):
    """The other sign-in inserted the row after this one looked for it (a double-clicked
    callback): this one's insert fails and it signs in to that row, not a 500."""
    other = make_public_account(subject="sub-double")
    real_get = QuerySet.get
    looked = []

    def get(self, *args, **kwargs):
        if self.model is PublicAccount and not looked:
            looked.append(True)
            raise PublicAccount.DoesNotExist  # not there yet when this one looked
        return real_get(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "get", get)
    account = public_account_sign_in(provider_key="public", claims={"sub": "sub-double", "name": "王五"},
                                     name_claims=CLAIMS)
    assert looked and account.pk == other.pk and PublicAccount.objects.count() == 1


def test_a_cancelled_sign_in_says_so(client, op):
    response = client.get(op.deny(to_provider(client)))
    assert response.status_code == 400 and "取消登录" in response.content.decode()


def test_next_never_leads_off_the_site(client, op):
    authorize = to_provider(client, next_url="https://evil.example/")
    assert client.get(op.sign_in(authorize, "li", "pw"))["Location"] == reverse("portal:my-requests")


def test_a_deactivated_account_cannot_sign_in(client, op):
    client.get(op.sign_in(to_provider(client), "li", "pw"))
    client.post(reverse("portal:public-sign-out"))
    PublicAccount.objects.update(is_active=False)
    response = client.get(op.sign_in(to_provider(client), "li", "pw"))
    assert response.status_code == 403 and SESSION_KEY not in client.session


def test_without_a_public_provider_sign_in_is_not_offered(client, settings):
    settings.GONGKAI_OIDC_PROVIDERS = {}
    assert client.get(START).status_code == 404
    assert 'id="public-sign-in"' not in client.get(reverse("portal:my-requests")).content.decode()


def test_sign_out_ends_the_public_session(client, op):
    client.get(op.sign_in(to_provider(client), "li", "pw"))
    response = client.post(reverse("portal:public-sign-out"))
    assert response.status_code == 302 and SESSION_KEY not in client.session
    assert client.get(reverse("portal:public-sign-out")).status_code == 405
