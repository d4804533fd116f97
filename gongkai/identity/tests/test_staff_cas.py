"""Staff sign-in through CAS, against a real (tiny) CAS server over HTTP: the ticket is
validated by django-cas-ng's client, the person matched by the same rules as for OpenID
Connect."""

from datetime import timedelta

import pytest
from django.contrib import auth
from django.test import Client
from django.urls import reverse

from gongkai.core import clock
from gongkai.core.models import AuditEvent, User
from gongkai.identity import services
from gongkai.identity.models import StaffIdentity
from gongkai.identity.views import CAS_SESSION_KEY

HOME = reverse("staff:home")
START = reverse("identity:cas-start")
CALLBACK = "http://testserver" + reverse("identity:cas-callback")
PASSWORD = "cas-password"


@pytest.fixture
def cas(cas_server, settings, db):
    settings.GONGKAI_CAS_SERVER_URL = cas_server.server_url
    settings.GONGKAI_CAS_VERSION = "3"
    settings.GONGKAI_CAS_MATCH_ATTRIBUTE = "user"
    settings.GONGKAI_CAS_MATCH_FIELD = "username"
    settings.GONGKAI_CAS_SECOND_FACTOR = []
    settings.GONGKAI_SSO_REQUIRED_ACR = []
    settings.GONGKAI_SSO_REQUIRED_AMR = ["mfa", "otp"]
    return cas_server


def sign_in(client, cas, username, password=PASSWORD, next_url=""):
    response = client.get(START + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302
    assert response["Location"].startswith(cas.server_url + "login?service=")
    return client.get(cas.sign_in(response["Location"], username, password))


def signed_in(client):
    return auth.get_user(client)


def started_nonce(client) -> str:
    """The nonce of the sign-in this browser started (also in the service address)."""
    return client.session[CAS_SESSION_KEY]["nonce"]


def test_an_office_signs_in_through_cas_by_user_name(client, cas, office):
    cas.add_user("office", password=PASSWORD)
    response = sign_in(client, cas, "office", next_url="/staff/two-factor/")
    assert response["Location"] == "/staff/two-factor/"
    assert signed_in(client) == office
    assert client.get(HOME).status_code == 200
    assert StaffIdentity.objects.get(user=office).subject == "office"
    assert AuditEvent.objects.filter(action="signin.success", object_id=str(office.pk)).exists()
    assert cas.validations == 1


def test_a_released_attribute_matched_to_the_email(client, cas, office, settings):
    settings.GONGKAI_CAS_MATCH_ATTRIBUTE = "mail"
    settings.GONGKAI_CAS_MATCH_FIELD = "email"
    cas.add_user("x1234", password=PASSWORD, mail=office.email.upper())
    sign_in(client, cas, "x1234")
    assert signed_in(client) == office
    assert StaffIdentity.objects.get(user=office).provider == "cas"


def test_cas_2_has_no_attributes_so_only_the_user_name_matches(client, cas, office, settings):
    settings.GONGKAI_CAS_VERSION = "2"
    settings.GONGKAI_CAS_MATCH_ATTRIBUTE = "mail"
    settings.GONGKAI_CAS_MATCH_FIELD = "email"
    cas.add_user("x1234", password=PASSWORD, mail=office.email)
    response = sign_in(client, cas, "x1234")
    assert response.status_code == 403
    assert services.CLAIM_MISSING_MESSAGE in response.content.decode()


def test_an_unknown_person_is_refused_and_not_created(client, cas, office):
    cas.add_user("stranger", password=PASSWORD)
    users = User.objects.count()
    response = sign_in(client, cas, "stranger")
    assert response.status_code == 403
    assert services.UNKNOWN_MESSAGE in response.content.decode()
    assert User.objects.count() == users
    assert not signed_in(client).is_authenticated
    assert AuditEvent.objects.filter(action=services.REFUSED_ACTION,
                                     after__code="unknown").exists()


def test_an_inactive_user_is_refused(client, cas, office):
    office.is_active = False
    office.save()
    cas.add_user("office", password=PASSWORD)
    assert sign_in(client, cas, "office").status_code == 403
    assert not signed_in(client).is_authenticated


def test_a_cas_sign_in_is_one_factor_unless_configured(client, cas, reviewer, settings):
    cas.add_user("reviewer", password=PASSWORD, authnContextClass="mfa-duo")
    response = sign_in(client, cas, "reviewer")
    assert response.status_code == 403 and "多因素认证" in response.content.decode()
    assert not signed_in(client).is_authenticated
    settings.GONGKAI_CAS_SECOND_FACTOR = ["authnContextClass=mfa-duo"]
    assert sign_in(client, cas, "reviewer")["Location"] == HOME
    assert signed_in(client) == reviewer
    assert client.get(HOME).status_code == 200


def test_the_servers_own_amr_attribute_is_not_taken_for_a_second_factor(client, cas, reviewer):
    cas.add_user("reviewer", password=PASSWORD, amr="mfa")
    assert sign_in(client, cas, "reviewer").status_code == 403


def test_a_ticket_without_a_started_sign_in_is_refused(client, cas, office):
    """A ticket in a link (someone else's sign-in) must not sign this browser in."""
    cas.add_user("office", password=PASSWORD)
    ticket_url = cas.sign_in(f"{cas.server_url}login?service={CALLBACK}", "office", PASSWORD)
    assert client.get(ticket_url).status_code == 400
    assert not signed_in(client).is_authenticated
    assert cas.validations == 0


def test_a_ticket_from_another_browsers_sign_in_is_refused(client, cas, office, officer):
    """Login CSRF: a page sends the victim, who started a sign-in, to the callback with
    the attacker's own ticket (and the attacker's nonce): the victim's nonce differs."""
    cas.add_user("officer", password=PASSWORD)
    cas.add_user("office", password=PASSWORD)
    attacker = Client()
    ticket_url = cas.sign_in(attacker.get(START)["Location"], "officer", PASSWORD)
    client.get(START)
    assert client.get(ticket_url).status_code == 400
    assert not signed_in(client).is_authenticated
    assert cas.validations == 0
    # Without the nonce in the address, a started sign-in's ticket is refused too.
    client.get(START)
    ticket = ticket_url.rsplit("ticket=", 1)[1]
    assert client.get(CALLBACK, {"ticket": ticket}).status_code == 400
    assert cas.validations == 0


def test_a_started_sign_in_expires_after_ten_minutes(client, cas, office):
    cas.add_user("office", password=PASSWORD)
    clock.freeze(clock.now())
    back = cas.sign_in(client.get(START)["Location"], "office", PASSWORD)
    clock.freeze(clock.now() + timedelta(minutes=10, seconds=1))
    assert client.get(back).status_code == 400
    assert not signed_in(client).is_authenticated
    clock.freeze(clock.now() - timedelta(minutes=1))
    back = cas.sign_in(client.get(START)["Location"], "office", PASSWORD)
    clock.freeze(clock.now() + timedelta(minutes=9))
    assert client.get(back).status_code == 302 and signed_in(client) == office


def test_a_replayed_ticket_is_refused(client, cas, office):
    cas.add_user("office", password=PASSWORD)
    response = client.get(START)
    back = cas.sign_in(response["Location"], "office", PASSWORD)
    client.get(back)
    client.post(reverse("staff:sign-out"))
    client.get(START)  # a started sign-in, and the old ticket
    response = client.get(back)
    assert response.status_code == 400
    assert not signed_in(client).is_authenticated


def test_an_unreachable_server_is_a_refusal_not_an_error(client, cas, office, settings):
    client.get(START)
    settings.GONGKAI_CAS_SERVER_URL = "http://127.0.0.1:9/cas/"
    response = client.get(CALLBACK, {"ticket": "ST-1", "s": started_nonce(client)})
    assert response.status_code == 400


def test_the_sign_in_page_offers_cas(client, cas, settings):
    settings.GONGKAI_OIDC_PROVIDERS = {}
    page = client.get(reverse("staff:sign-in")).content.decode()
    assert "统一身份认证（CAS）登录" in page and f'href="{START}"' in page


def test_without_a_cas_server_the_pages_are_absent(client, db, settings):
    settings.GONGKAI_CAS_SERVER_URL = ""
    assert client.get(START).status_code == 404
    assert client.get(CALLBACK).status_code == 404


def test_a_match_field_that_is_not_a_user_field_fails_the_system_check(settings):
    from gongkai.identity.checks import staff_match_fields

    settings.GONGKAI_CAS_SERVER_URL = "https://cas.example.gov.cn/cas/"
    settings.GONGKAI_CAS_MATCH_FIELD = "employee_no"
    (error,) = staff_match_fields()
    assert error.id == "identity.E001" and "GONGKAI_CAS_MATCH_FIELD" in error.msg
    settings.GONGKAI_CAS_MATCH_FIELD = "email"
    assert staff_match_fields() == []
