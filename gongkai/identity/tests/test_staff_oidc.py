"""Staff sign-in through OpenID Connect, against a real provider over HTTP (``provider.py``):
mozilla-django-oidc is not mocked, the test client follows the flow to the provider's login
form and back."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib import auth
from django.urls import reverse

from gongkai.core import clock
from gongkai.core.models import AuditEvent, User
from gongkai.core.tests.factories import TEST_PASSWORD, UserFactory
from gongkai.core.tests.twofactor_helpers import confirmed_device
from gongkai.identity import services
from gongkai.identity.models import StaffIdentity

HOME = reverse("staff:home")
START = reverse("identity:staff-start")
PASSWORD = "op-password"


@pytest.fixture
def op(oidc_provider, settings, db):
    settings.GONGKAI_SSO_REQUIRED_ACR = []
    settings.GONGKAI_SSO_REQUIRED_AMR = ["mfa", "otp", "hwk"]
    return oidc_provider.configure(settings, "staff")


def go_to_provider(client, next_url=""):
    response = client.get(START + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302
    return response["Location"]


def sign_in(client, op, username, password=PASSWORD, next_url=""):
    """The whole flow: to the provider, its login form, back to gongkai's callback."""
    callback = op.sign_in(go_to_provider(client, next_url), username, password)
    return client.get(callback)


def signed_in(client):
    return auth.get_user(client)


def refusals(code=None):
    events = AuditEvent.objects.filter(action__in=[services.REFUSED_ACTION,
                                                   services.SECOND_FACTOR_REFUSED_ACTION])
    return [e for e in events if code is None or e.after.get("code") == code]


# --- the flow ---------------------------------------------------------------------------------

def test_an_invited_office_signs_in_through_the_provider(client, op, office):
    op.add_user("zhang", password=PASSWORD, email=office.email, name="张三")
    authorize = go_to_provider(client)
    params = {k: v[0] for k, v in parse_qs(urlsplit(authorize).query).items()}
    assert authorize.startswith(op.issuer + "/authorize?")
    assert params["redirect_uri"] == "http://testserver/staff/sso/oidc/callback/"
    assert params["nonce"] and params["state"] and params["code_challenge_method"] == "S256"
    response = client.get(op.sign_in(authorize, "zhang", PASSWORD))
    assert response.status_code == 302 and response["Location"] == HOME
    assert signed_in(client) == office
    assert client.get(HOME).status_code == 200  # the back office takes the session
    identity = StaffIdentity.objects.get(user=office)
    assert (identity.provider, identity.subject) == ("staff", op.users["zhang"].sub)
    actions = list(AuditEvent.objects.filter(object_id=str(office.pk))
                   .values_list("action", flat=True))
    assert {"identity.staff_linked", "twofactor.provider", "signin.success"} <= set(actions)
    assert op.tokens_issued == 1


def test_the_email_matches_whatever_its_case(client, op, office):
    op.add_user("zhang", password=PASSWORD, email=office.email.upper())
    sign_in(client, op, "zhang")
    assert signed_in(client) == office


def test_next_is_kept_through_the_provider(client, op, office):
    op.add_user("zhang", password=PASSWORD, email=office.email)
    response = sign_in(client, op, "zhang", next_url="/staff/two-factor/")
    assert response["Location"] == "/staff/two-factor/"


def test_next_leaving_the_site_is_ignored(client, op, office):
    op.add_user("zhang", password=PASSWORD, email=office.email)
    response = sign_in(client, op, "zhang", next_url="https://evil.example/")
    assert response["Location"] == HOME


def test_a_configured_claim_other_than_email(client, op, office, settings):
    settings.GONGKAI_OIDC_PROVIDERS = {"staff": op.provider_settings(
        "staff", match_claim="preferred_username", match_field="username")}
    op.add_user("zhang", password=PASSWORD, preferred_username="office", email="x@elsewhere.cn")
    sign_in(client, op, "zhang")
    assert signed_in(client) == office


def test_later_sign_ins_match_by_subject_not_by_the_claim(client, op, office, officer):
    person = op.add_user("zhang", password=PASSWORD, email=office.email)
    sign_in(client, op, "zhang")
    client.post(reverse("staff:sign-out"))
    # Their address changes at the provider, even to one of another account: still them.
    person.claims["email"] = officer.email
    sign_in(client, op, "zhang")
    assert signed_in(client) == office
    assert StaffIdentity.objects.filter(user=office).count() == 1
    assert not StaffIdentity.objects.filter(user=officer).exists()


def test_an_address_the_provider_has_not_verified_links_no_one(client, op, office):
    """Someone who typed an office member's address into their profile at the provider
    (not verified there) does not get that account."""
    op.add_user("typed", password=PASSWORD, email=office.email, email_verified=False)
    response = sign_in(client, op, "typed")
    assert response.status_code == 403
    assert services.EMAIL_UNVERIFIED_MESSAGE in response.content.decode()
    assert not signed_in(client).is_authenticated
    assert not StaffIdentity.objects.exists()
    assert refusals("email_unverified")


def test_the_address_and_its_verification_come_from_the_signed_id_token(client, op, office):
    # userinfo says verified, the signed ID token says not: the ID token decides.
    op.add_user("typed", password=PASSWORD, email=office.email)
    op.id_token_extra = {"email_verified": False}
    assert sign_in(client, op, "typed").status_code == 403
    assert not StaffIdentity.objects.exists()
    op.id_token_extra = {"email_verified": "true"}  # some providers send a string
    assert sign_in(client, op, "typed").status_code == 302
    assert signed_in(client) == office


def test_a_platform_that_vouches_for_every_address(client, oidc_provider, settings, office):
    op = oidc_provider.configure(settings, "staff", trust_email=True)
    op.add_user("zhang", password=PASSWORD, email=office.email, email_verified=False)
    sign_in(client, op, "zhang")
    assert signed_in(client) == office


def test_a_verified_address_is_needed_only_for_the_first_link(client, op, office):
    person = op.add_user("zhang", password=PASSWORD, email=office.email)
    sign_in(client, op, "zhang")
    client.post(reverse("staff:sign-out"))
    person.claims["email_verified"] = False
    sign_in(client, op, "zhang")
    assert signed_in(client) == office


def test_concurrent_first_sign_ins_link_an_account_once(office):
    """Both passed ``staff_match`` before either linked: the constraint decides, the
    second one is the same link (a double click) or refused."""
    match = services.StaffMatch(user=office, identity=None)
    first = services.staff_identity_signed_in(match=match, provider="staff", subject="s-1")
    again = services.staff_identity_signed_in(match=match, provider="staff", subject="s-1")
    assert again == first
    with pytest.raises(services.StaffSignInRefused) as refused:
        services.staff_identity_signed_in(match=match, provider="staff", subject="s-2")
    assert refused.value.code == "linked_to_other"
    assert list(StaffIdentity.objects.values_list("subject", flat=True)) == ["s-1"]


def test_someone_else_with_a_linked_accounts_old_address_is_refused(client, op, office):
    op.add_user("zhang", password=PASSWORD, email=office.email)
    sign_in(client, op, "zhang")
    client.post(reverse("staff:sign-out"))
    op.add_user("impostor", password=PASSWORD, email=office.email)
    response = sign_in(client, op, "impostor")
    assert response.status_code == 403
    assert services.OTHER_LINK_MESSAGE in response.content.decode()
    assert not signed_in(client).is_authenticated
    assert refusals("linked_to_other")


def test_sign_out_ends_the_session(client, op, office):
    op.add_user("zhang", password=PASSWORD, email=office.email)
    sign_in(client, op, "zhang")
    client.post(reverse("staff:sign-out"))
    assert not signed_in(client).is_authenticated
    assert client.get(HOME).status_code == 302


# --- people gongkai does not let in -----------------------------------------------------------

def test_an_unknown_person_is_refused_and_no_user_is_created(client, op, office):
    op.add_user("stranger", password=PASSWORD, email="stranger@example.gov.cn")
    users = User.objects.count()
    response = sign_in(client, op, "stranger")
    assert response.status_code == 403
    assert services.UNKNOWN_MESSAGE in response.content.decode()
    assert not signed_in(client).is_authenticated
    assert User.objects.count() == users
    assert not StaffIdentity.objects.exists()
    (event,) = refusals("unknown")
    assert event.reason == services.UNKNOWN_MESSAGE
    assert event.after["value"] != "stranger@example.gov.cn"  # masked in the trail
    assert event.after["subject"] == op.users["stranger"].sub


def test_an_inactive_user_is_refused(client, op, office):
    office.is_active = False
    office.save()
    op.add_user("zhang", password=PASSWORD, email=office.email)
    response = sign_in(client, op, "zhang")
    assert response.status_code == 403
    assert services.INACTIVE_MESSAGE in response.content.decode()
    assert not signed_in(client).is_authenticated
    assert refusals("inactive")[0].object_id == str(office.pk)


def test_a_linked_user_made_inactive_is_refused(client, op, office):
    op.add_user("zhang", password=PASSWORD, email=office.email)
    sign_in(client, op, "zhang")
    client.post(reverse("staff:sign-out"))
    office.is_active = False
    office.save()
    assert sign_in(client, op, "zhang").status_code == 403
    assert not signed_in(client).is_authenticated


def test_a_user_without_an_active_role_is_refused(client, op):
    nobody = UserFactory(username="former")
    op.add_user("former", password=PASSWORD, email=nobody.email)
    response = sign_in(client, op, "former")
    assert response.status_code == 403
    assert services.NO_ROLE_MESSAGE in response.content.decode()
    assert not signed_in(client).is_authenticated


def test_two_active_accounts_with_the_address_are_refused(client, op, office):
    UserFactory(username="twin", email=office.email.upper())
    op.add_user("zhang", password=PASSWORD, email=office.email)
    response = sign_in(client, op, "zhang")
    assert response.status_code == 403
    assert services.AMBIGUOUS_MESSAGE in response.content.decode()


def test_a_missing_claim_is_refused(client, op, office):
    op.add_user("zhang", password=PASSWORD, name="张三")
    assert sign_in(client, op, "zhang").status_code == 403
    assert refusals("claim_missing")


# --- two factors ------------------------------------------------------------------------------

def test_a_reviewer_signs_in_when_the_provider_used_a_second_factor(client, op, reviewer):
    op.add_user("li", password=PASSWORD, email=reviewer.email, amr=["pwd", "otp"])
    response = sign_in(client, op, "li")
    assert response["Location"] == HOME
    assert signed_in(client) == reviewer
    assert client.get(HOME).status_code == 200  # no authenticator asked for
    event = AuditEvent.objects.get(action="twofactor.provider", object_id=str(reviewer.pk))
    assert event.after["second_factor"] is True


def test_a_reviewer_is_refused_without_the_providers_second_factor(client, op, reviewer):
    op.add_user("li", password=PASSWORD, email=reviewer.email, amr=["pwd"])
    response = sign_in(client, op, "li")
    assert response.status_code == 403
    assert "多因素认证" in response.content.decode()
    assert not signed_in(client).is_authenticated
    (event,) = refusals("second_factor")
    assert event.action == "twofactor.provider_refused" and event.after["amr"] == ["pwd"]
    assert not StaffIdentity.objects.exists()  # nothing linked by a refused sign-in


def test_a_platform_admin_needs_the_providers_second_factor_too(client, op, platform_admin):
    op.add_user("admin", password=PASSWORD, email=platform_admin.email)
    assert sign_in(client, op, "admin").status_code == 403
    op.users["admin"].amr = ["hwk"]
    assert sign_in(client, op, "admin")["Location"] == HOME
    assert signed_in(client) == platform_admin


def test_an_acr_requirement_is_applied(client, op, reviewer, settings):
    settings.GONGKAI_SSO_REQUIRED_ACR = ["urn:gov:loa:3"]
    op.add_user("li", password=PASSWORD, email=reviewer.email, amr=["otp"], acr="urn:gov:loa:2")
    assert sign_in(client, op, "li").status_code == 403
    op.users["li"].acr = "urn:gov:loa:3"
    assert sign_in(client, op, "li")["Location"] == HOME


def test_someone_with_an_authenticator_is_still_asked_for_it_after_a_single_factor(
        client, op, officer):
    confirmed_device(officer)
    op.add_user("wang", password=PASSWORD, email=officer.email, amr=["pwd"])
    sign_in(client, op, "wang")
    assert signed_in(client) == officer
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff:two-factor-verify"))


# --- the protocol's defences ------------------------------------------------------------------

def test_a_wrong_state_is_refused(client, op, office):
    op.add_user("zhang", password=PASSWORD, email=office.email)
    callback = op.sign_in(go_to_provider(client), "zhang", PASSWORD)
    forged = callback.replace("state=", "state=x")
    response = client.get(forged)
    assert response.status_code == 400
    assert not signed_in(client).is_authenticated
    assert op.tokens_issued == 0  # the code was never even exchanged
    assert refusals("state")


def test_forged_callbacks_are_audited_once_per_address_and_window(client, op, settings):
    for _ in range(3):
        response = client.get(reverse("identity:staff-callback"), {"code": "x", "state": "y"})
        assert response.status_code == 400
    (event,) = refusals("state")
    assert event.after["recorded_once_per_minutes"] == settings.GONGKAI_SIGNIN_FAILURE_WINDOW_MINUTES


def test_a_callback_not_started_by_this_browser_is_refused(client, op, office):
    op.add_user("zhang", password=PASSWORD, email=office.email)
    from django.test import Client

    attacker = Client()
    callback = op.sign_in(go_to_provider(attacker), "zhang", PASSWORD)
    assert client.get(callback).status_code == 400
    assert not signed_in(client).is_authenticated


def test_a_replayed_code_is_refused(client, op, office):
    op.add_user("zhang", password=PASSWORD, email=office.email)
    callback = op.sign_in(go_to_provider(client), "zhang", PASSWORD)
    client.get(callback)
    client.post(reverse("staff:sign-out"))
    # The same callback again: its state was used up.
    assert client.get(callback).status_code == 400
    # The old code with a fresh state of this browser: the provider refuses it.
    fresh = go_to_provider(client)
    state = parse_qs(urlsplit(fresh).query)["state"][0]
    code = parse_qs(urlsplit(callback).query)["code"][0]
    response = client.get(reverse("identity:staff-callback"), {"code": code, "state": state})
    assert response.status_code == 400
    assert op.last_token_error == "invalid_grant"
    assert not signed_in(client).is_authenticated
    assert op.tokens_issued == 1


def test_a_token_signed_by_another_key_is_refused(client, op, office):
    op.add_user("zhang", password=PASSWORD, email=office.email)
    op.forge_signature = True
    response = sign_in(client, op, "zhang")
    assert response.status_code == 400
    assert not signed_in(client).is_authenticated
    assert refusals("provider_error")


@pytest.mark.parametrize("extra", [{"nonce": "another"}, {"aud": "another-client"},
                                   {"aud": "gongkai-staff-test"}, {"aud": "gongkai"},
                                   {"exp": 1000000000}, {"iss": "https://impostor.example"},
                                   {"aud": ["gongkai-staff", "another-client"],
                                    "azp": "another-client"}])
def test_a_token_for_another_sign_in_or_client_or_expired_is_refused(client, op, office, extra):
    op.add_user("zhang", password=PASSWORD, email=office.email)
    op.id_token_extra = extra
    assert sign_in(client, op, "zhang").status_code == 400
    assert not signed_in(client).is_authenticated


@pytest.mark.parametrize(("offset", "status"), [(-3600, 400), (120, 400), (30, 302), (-30, 302)])
def test_the_providers_clock_may_differ_by_a_minute(client, op, office, offset, status):
    """``iat`` 120 s in the future or a token expired an hour ago are refused; a provider
    clock 30 s ahead or behind is not (a leeway of 60 s)."""
    op.add_user("zhang", password=PASSWORD, email=office.email)
    op.clock_offset = offset
    assert sign_in(client, op, "zhang").status_code == status
    assert signed_in(client).is_authenticated == (status == 302)


def test_a_token_without_a_key_id_is_refused(client, op, office):
    op.add_user("zhang", password=PASSWORD, email=office.email)
    op.omit_kid = True
    assert sign_in(client, op, "zhang").status_code == 400
    assert not signed_in(client).is_authenticated and refusals("provider_error")


def test_cancelling_at_the_provider(client, op, office):
    op.add_user("zhang", password=PASSWORD, email=office.email)
    response = client.get(op.deny(go_to_provider(client)))
    assert response.status_code == 403
    assert "取消登录" in response.content.decode()
    assert not signed_in(client).is_authenticated


def test_a_wrong_password_at_the_provider_goes_nowhere(client, op, office):
    from gongkai.identity.tests.provider import SignInRefused

    op.add_user("zhang", password=PASSWORD, email=office.email)
    with pytest.raises(SignInRefused):
        op.sign_in(go_to_provider(client), "zhang", "wrong")


def test_a_password_sign_in_never_reaches_the_provider(client, op, office):
    """The OIDC backend is in AUTHENTICATION_BACKENDS; a password form with a code and a
    state in its address must not make it exchange anything."""
    response = client.post(reverse("staff:sign-in") + "?code=abc&state=def",
                           {"username": "office", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert signed_in(client) == office
    assert op.tokens_issued == 0 and op.last_token_error is None


# --- the sign-in page and local passwords -----------------------------------------------------

def test_the_sign_in_page_offers_the_provider(client, op):
    page = client.get(reverse("staff:sign-in")).content.decode()
    assert "统一身份认证登录" in page and f'href="{START}"' in page
    assert 'name="password"' in page


def test_without_a_provider_there_is_no_button_and_no_start(client, db, settings):
    settings.GONGKAI_OIDC_PROVIDERS = {}
    page = client.get(reverse("staff:sign-in")).content.decode()
    assert "统一身份认证登录" not in page
    assert client.get(START).status_code == 404
    assert client.get(reverse("identity:staff-callback")).status_code == 404


def test_local_passwords_off(client, op, office, settings):
    settings.GONGKAI_LOCAL_PASSWORDS = False
    page = client.get(reverse("staff:sign-in")).content.decode()
    assert 'name="password"' not in page and "统一身份认证登录" in page
    response = client.post(reverse("staff:sign-in"),
                           {"username": "office", "password": TEST_PASSWORD})
    assert response.status_code == 403
    assert "已关闭本地密码登录" in response.content.decode()
    assert not signed_in(client).is_authenticated
    assert not AuditEvent.objects.filter(action__startswith="signin.").exists()
    # The provider still signs them in; the password page is gone.
    op.add_user("zhang", password=PASSWORD, email=office.email)
    sign_in(client, op, "zhang")
    assert signed_in(client) == office
    home = client.get(reverse("staff:home")).content.decode()
    assert reverse("staff:password-change") not in home  # no way to a page that refuses
    assert client.get(reverse("staff:password-change")).status_code == 403
    assert client.post(reverse("staff:password-change"), {
        "old_password": TEST_PASSWORD, "new_password1": "Another-Passw0rd!",
        "new_password2": "Another-Passw0rd!"}).status_code == 403
    office.refresh_from_db()
    assert office.check_password(TEST_PASSWORD)


def test_an_office_invited_without_a_local_password_signs_in_through_the_provider(
        client, op, platform_admin, bureau, settings):
    """The issue's journey: invited as the bureau's office, the person accepts (no
    password where local passwords are off) and signs in through 统一身份认证."""
    from gongkai.core.models import Role
    from gongkai.core.services import people

    settings.GONGKAI_LOCAL_PASSWORDS = False
    invitation = people.invitation_create(actor=platform_admin, agency=bureau, role=Role.OFFICE,
                                          email="Chen.Office@example.gov.cn", full_name="陈主任")
    membership = people.invitation_accept(token=invitation.token)
    assert not membership.user.has_usable_password()
    op.add_user("chen", password=PASSWORD, email="chen.office@example.gov.cn")
    assert sign_in(client, op, "chen")["Location"] == HOME
    assert signed_in(client) == membership.user
    assert client.get(HOME).status_code == 200


def test_a_platform_admin_unlinks_an_identity_and_the_claim_matches_again(
        client, client_for, op, office, officer, platform_admin):
    person = op.add_user("zhang", password=PASSWORD, email=office.email)
    sign_in(client, op, "zhang")
    client.post(reverse("staff:sign-out"))
    identity = StaffIdentity.objects.get(user=office)
    admin_client = client_for(platform_admin)
    response = admin_client.post(reverse("admin:identity_staffidentity_delete", args=[identity.pk]),
                                 {"post": "yes"})
    assert response.status_code == 302
    assert not StaffIdentity.objects.exists()
    event = AuditEvent.objects.get(action=services.UNLINKED_ACTION)
    assert event.actor == platform_admin and event.before["subject"] == person.sub
    admin_client.post(reverse("staff:sign-out"))
    person.claims["email"] = officer.email  # matched on the claim again: now the officer
    sign_in(client, op, "zhang")
    assert signed_in(client) == officer


def test_only_a_platform_admin_may_unlink(op, office):
    from django.core.exceptions import PermissionDenied

    identity = StaffIdentity.objects.create(user=office, provider="staff", subject="s",
                                            linked_at=clock.now())
    with pytest.raises(PermissionDenied):
        services.staff_identity_unlink(actor=office, identity=identity, reason="试试")
    assert StaffIdentity.objects.exists()
