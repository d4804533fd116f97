"""Two-factor sign-in (issue 15, point 5): who must, the sign-in's second step, enrolment,
recovery codes, replay, lock-out, resets, agency policy and the identity provider's
acr/amr — the rules without HTTP, the flows through the real views and middleware."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.contrib import auth
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongkai.core import clock, twofactor
from gongkai.core.models import AuditEvent, Membership, Role, SignInFailure
from gongkai.core.services import twofactor as services
from gongkai.core.services.agencies import membership_revoke
from gongkai.core.tests.factories import TEST_PASSWORD, UserFactory, member
from gongkai.core.tests.twofactor_helpers import code_for, confirmed_device, verify_session

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
HOME = reverse("staff:home")
VERIFY = reverse("staff:two-factor-verify")
ENROL = reverse("staff:two-factor-enrol")


@pytest.fixture(autouse=True)
def _fresh(db, settings):
    cache.clear()  # the per-address sign-in throttle lives in the cache
    clock.freeze(T0)
    yield
    cache.clear()


def password(client, username, next_url=""):
    url = reverse("staff:sign-in") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": username, "password": TEST_PASSWORD})


def signed_in(client):
    return auth.get_user(client)


def actions(*names):
    return list(AuditEvent.objects.filter(action__in=names).order_by("seq").values_list("action", flat=True))


# --- who must (no HTTP) ------------------------------------------------------------------

@pytest.mark.parametrize("persona,required", [
    ("platform_admin", True), ("reviewer", True), ("leader", True), ("supervisor", True),
    ("office", False), ("officer", False),
])
def test_who_must_have_a_second_factor(request, persona, required):
    user = request.getfixturevalue(persona)
    assert twofactor.two_factor_required(user) is required
    assert twofactor.second_step_needed(user) is required
    assert (twofactor.required_because(user) is not None) is required


def test_an_agency_policy_makes_it_required_for_its_other_staff(office, officer, other_office,
                                                                bureau, platform_admin):
    services.agency_two_factor_policy_set(actor=office, agency=bureau, required=True,
                                          reason="本机关处理涉密信息")
    officer = type(officer).objects.get(pk=officer.pk)  # memberships are cached per object
    assert twofactor.two_factor_required(officer)
    assert "要求全体工作人员启用两步验证" in twofactor.required_because(officer)
    assert not twofactor.two_factor_required(type(other_office).objects.get(pk=other_office.pk))
    event = AuditEvent.objects.get(action="twofactor.agency_policy")
    assert (event.actor, event.reason, event.before, event.after) == (
        office, "本机关处理涉密信息", {"require_two_factor": False}, {"require_two_factor": True})
    with pytest.raises(PermissionDenied):
        services.agency_two_factor_policy_set(actor=other_office, agency=bureau, required=False, reason="x")
    with pytest.raises(ValidationError):
        services.agency_two_factor_policy_set(actor=platform_admin, agency=bureau, required=False, reason=" ")


def test_a_revoked_role_no_longer_requires_it(leader, platform_admin):
    membership_revoke(actor=platform_admin, reason="调离", membership=Membership.objects.get(user=leader))
    assert not twofactor.two_factor_required(type(leader).objects.get(pk=leader.pk))


def test_an_optional_user_with_a_device_still_gets_the_second_step(officer):
    assert not twofactor.second_step_needed(officer)
    confirmed_device(officer)
    assert twofactor.second_step_needed(officer) and not twofactor.two_factor_required(officer)


# --- the identity provider's claims (no HTTP) -----------------------------------------------

@pytest.mark.parametrize("claims,acr,amr,counts", [
    ({"amr": ["pwd", "otp"]}, [], ["otp", "mfa", "hwk"], True),
    ({"amr": ["pwd"]}, [], ["otp", "mfa", "hwk"], False),
    ({"amr": "pwd hwk"}, [], ["hwk"], True),  # a space-separated string
    ({}, [], ["mfa"], False),
    ({"acr": "urn:gov:loa:3", "amr": ["pwd"]}, ["urn:gov:loa:3"], [], True),
    ({"acr": "urn:gov:loa:1", "amr": ["mfa"]}, ["urn:gov:loa:3"], ["mfa"], False),  # both must hold
    ({"acr": "urn:gov:loa:3", "amr": ["mfa"]}, ["urn:gov:loa:3"], ["mfa"], True),
    ({"acr": ["urn:gov:loa:3"], "amr": ["mfa"]}, ["urn:gov:loa:3"], [], False),  # acr is a string
    ({"acr": "x", "amr": ["mfa"]}, [], [], False),  # nothing configured: nothing counts
])
def test_what_counts_as_the_providers_second_factor(claims, acr, amr, counts):
    assert twofactor.provider_second_factor_counts(claims, required_acr=acr, required_amr=amr) is counts


def test_the_settings_are_read_when_no_lists_are_given(settings):
    settings.GONGKAI_SSO_REQUIRED_ACR = []
    settings.GONGKAI_SSO_REQUIRED_AMR = ["hwk"]
    assert twofactor.provider_second_factor_counts({"amr": ["hwk"]})
    assert not twofactor.provider_second_factor_counts({"amr": ["otp"]})


def test_a_provider_sign_in_without_mfa_is_refused_for_the_roles_that_require_it(leader, office, settings):
    settings.GONGKAI_SSO_REQUIRED_ACR = []
    settings.GONGKAI_SSO_REQUIRED_AMR = ["mfa", "otp"]
    refused = twofactor.provider_sign_in_verdict(leader, {"amr": ["pwd"]})
    assert not refused.allowed and "多因素" in refused.reason
    assert twofactor.provider_sign_in_verdict(leader, {"amr": ["pwd", "otp"]}) == twofactor.ProviderVerdict(
        True, True, "统一身份认证已完成多因素认证")
    single = twofactor.provider_sign_in_verdict(office, {"amr": ["pwd"]})
    assert single.allowed and not single.second_factor


def test_a_provider_session_with_mfa_counts_as_verified_and_is_audited(client, leader, settings):
    settings.GONGKAI_SSO_REQUIRED_AMR = ["mfa"]
    client.force_login(leader)
    assert client.get(HOME).status_code == 302  # unverified
    request = type("R", (), {"session": client.session})()
    verdict = services.mark_session_verified_by_provider(request, leader, {"amr": ["mfa"], "acr": "3"})
    request.session.save()
    assert verdict.allowed and client.get(HOME).status_code == 200
    event = AuditEvent.objects.get(action="twofactor.provider")
    assert event.after == {"acr": "3", "amr": ["mfa"], "second_factor": True}


# --- recovery codes at rest ------------------------------------------------------------------

def test_recovery_codes_are_stored_as_keyed_hashes_bound_to_the_user(leader, reviewer, settings):
    code = "k7m2p-x9qd4"
    stored = twofactor.recovery_code_digest(leader.pk, code)
    assert len(stored) == 16 and "k7m2p" not in stored
    assert stored == twofactor.recovery_code_digest(leader.pk, " K7M2P X9QD4 ")  # as typed
    assert stored != twofactor.recovery_code_digest(reviewer.pk, code)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-key" * 6, [old_key]
    assert stored in twofactor.recovery_code_candidates(leader.pk, code)  # rotation keeps them


# --- the sign-in's second step over HTTP --------------------------------------------------------

def test_the_password_alone_does_not_sign_in_someone_with_a_device(client, leader):
    device = confirmed_device(leader)
    response = password(client, "leader", next_url="/staff/audit/")
    assert response.status_code == 302 and response["Location"] == VERIFY
    assert not signed_in(client).is_authenticated
    assert client.get(HOME)["Location"].startswith(reverse("staff:sign-in"))  # still anonymous
    assert not actions("signin.success")

    page = client.get(VERIFY)
    assert page.status_code == 200 and "动态验证码" in page.content.decode()
    response = client.post(VERIFY, {"code": code_for(device)})
    assert response.status_code == 302 and response["Location"] == "/staff/audit/"
    user = signed_in(client)
    assert user == leader
    assert client.get(HOME).status_code == 200
    assert actions("twofactor.success", "signin.success") == ["twofactor.success", "signin.success"]


def test_an_optional_user_with_a_device_is_asked_for_the_code_too(client, officer):
    confirmed_device(officer)
    assert password(client, "officer")["Location"] == VERIFY
    assert not signed_in(client).is_authenticated


def test_the_same_code_cannot_be_used_twice(client, leader):
    device = confirmed_device(leader)
    code = code_for(device)
    password(client, "leader")
    assert client.post(VERIFY, {"code": code})["Location"] == HOME
    client.post(reverse("staff:sign-out"))

    other = Client()
    password(other, "leader")
    replay = other.post(VERIFY, {"code": code})
    assert replay.status_code == 200 and "验证码不正确或已使用过" in replay.content.decode()
    assert not signed_in(other).is_authenticated
    failure = AuditEvent.objects.get(action="twofactor.failure")
    assert failure.after["method"] == "totp" and failure.after["stage"] == "sign_in"
    assert SignInFailure.objects.filter(username="leader").count() == 1


def test_wrong_codes_count_toward_the_lock_out(client, leader, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's own back-off aside: the limit is ours
    device = confirmed_device(leader)
    password(client, "leader")
    for _ in range(4):
        response = client.post(VERIFY, {"code": "000000" if code_for(device) != "000000" else "111111"})
        assert response.status_code == 200 and "连续失败5次" in response.content.decode()
    response = client.post(VERIFY, {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert response["Location"] == reverse("staff:sign-in")  # locked: the pending sign-in ends
    assert "已被锁定" in client.get(response["Location"]).content.decode()
    assert client.get(VERIFY)["Location"] == reverse("staff:sign-in")
    assert actions("signin.lockout") == ["signin.lockout"]
    assert AuditEvent.objects.filter(action="twofactor.failure").count() == 5
    # The password is refused while the lock lasts, right code or not.
    again = password(Client(), "leader")
    assert again.status_code == 200 and "已被锁定" in again.content.decode()


def test_a_pending_sign_in_expires(client, leader):
    device = confirmed_device(leader)
    password(client, "leader")
    clock.freeze(T0 + dt.timedelta(minutes=11))
    response = client.post(VERIFY, {"code": code_for(device)})
    assert response["Location"] == reverse("staff:sign-in")
    assert not signed_in(client).is_authenticated


def test_next_leaving_the_site_is_ignored(client, leader):
    device = confirmed_device(leader)
    client.post(reverse("staff:sign-in"), {"username": "leader", "password": TEST_PASSWORD,
                                           "next": "https://evil.example/"})
    assert client.post(VERIFY, {"code": code_for(device)})["Location"] == HOME


# --- enrolment ---------------------------------------------------------------------------------

def enrol(client):
    page = client.get(ENROL).content.decode()
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page).group(1)
    return page, secret


def test_a_leader_without_a_device_enrols_before_any_back_office_page(client, leader):
    response = password(client, "leader")
    assert response["Location"] == ENROL
    assert not signed_in(client).is_authenticated

    page, secret = enrol(client)
    assert "<svg" in page and 'class="totp-qr"' in page  # the QR code, inline
    assert "审批领导须启用两步验证" in page
    assert TOTPDevice.objects.get(user=leader).confirmed is False
    assert enrol(client)[1] == secret  # a reload keeps the same secret

    wrong = client.post(ENROL, {"code": "12345"})
    assert wrong.status_code == 200 and "动态验证码为6位数字" in wrong.content.decode()
    response = client.post(ENROL, {"code": code_for(secret)})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", response.content.decode())
    assert len(codes) == 10 == len(set(codes))
    assert signed_in(client) == leader
    assert client.get(HOME).status_code == 200
    device = TOTPDevice.objects.get(user=leader)
    assert device.confirmed
    stored = set(StaticToken.objects.filter(device__user=leader).values_list("token", flat=True))
    assert len(stored) == 10 and not stored & set(codes)  # hashed, not the codes
    assert actions("twofactor.enrolment_started", "twofactor.enrolled", "signin.success") == [
        "twofactor.enrolment_started", "twofactor.enrolled", "signin.success"]


def test_a_wrong_enrolment_code_is_a_counted_failure(client, leader):
    password(client, "leader")
    _, secret = enrol(client)
    good = code_for(secret)
    response = client.post(ENROL, {"code": "000000" if good != "000000" else "111111"})
    assert response.status_code == 200 and "验证码不正确" in response.content.decode()
    assert AuditEvent.objects.get(action="twofactor.failure").after["stage"] == "enrolment"
    assert SignInFailure.objects.filter(username="leader").count() == 1
    assert not signed_in(client).is_authenticated


def test_an_optional_user_enrols_from_their_settings_page(client_for, officer):
    client = client_for(officer)
    assert "未启用" in client.get(reverse("staff:two-factor")).content.decode()
    _, secret = enrol(client)
    assert client.post(ENROL, {"code": code_for(secret)}).status_code == 200
    assert twofactor.has_confirmed_device(officer)
    page = client.get(reverse("staff:two-factor")).content.decode()
    assert "已启用" in page and "剩余恢复码：10个" in page


# --- recovery codes -------------------------------------------------------------------------------

def enrolled_with_codes(client, username):
    password(client, username)
    _, secret = enrol(client)
    response = client.post(ENROL, {"code": code_for(secret)})
    client.post(reverse("staff:sign-out"))
    return re.findall(r"<li><code>([a-z0-9-]{11})</code></li>", response.content.decode())


def test_a_recovery_code_signs_in_once(client, reviewer):
    codes = enrolled_with_codes(client, "reviewer")
    password(client, "reviewer")
    response = client.post(VERIFY, {"code": codes[3].upper().replace("-", " ")})
    assert response["Location"] == HOME and signed_in(client) == reviewer
    assert "还剩9个" in client.get(HOME).content.decode()
    assert AuditEvent.objects.get(action="twofactor.recovery_code_used").after["codes_left"] == 9
    client.post(reverse("staff:sign-out"))

    password(client, "reviewer")
    again = client.post(VERIFY, {"code": codes[3]})
    assert again.status_code == 200 and not signed_in(client).is_authenticated
    assert AuditEvent.objects.get(action="twofactor.failure").after["method"] == "recovery"


def test_regenerating_recovery_codes_voids_the_old_ones(client, reviewer, settings):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0  # a right code just after a wrong one
    old = enrolled_with_codes(client, "reviewer")
    password(client, "reviewer")
    client.post(VERIFY, {"code": old[0]})
    response = client.post(reverse("staff:two-factor-recovery-codes"))
    new = re.findall(r"<li><code>([a-z0-9-]{11})</code></li>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert "原有恢复码全部作废" in response.content.decode()
    assert actions("twofactor.recovery_codes_regenerated") == ["twofactor.recovery_codes_regenerated"]
    client.post(reverse("staff:sign-out"))
    password(client, "reviewer")
    assert client.post(VERIFY, {"code": old[1]}).status_code == 200  # void
    assert client.post(VERIFY, {"code": new[1]})["Location"] == HOME


def test_an_unverified_session_cannot_regenerate(client, leader):
    confirmed_device(leader)
    client.force_login(leader)
    response = client.post(reverse("staff:two-factor-recovery-codes"))
    assert response["Location"].startswith(VERIFY)
    assert not actions("twofactor.recovery_codes_regenerated")


# --- the middleware: sessions that owe their second factor -------------------------------------

@pytest.mark.parametrize("path", ["/staff/", "/staff/audit/", "/admin/"])
def test_a_session_owing_its_enrolment_sees_no_back_office_page(client, platform_admin, path):
    client.force_login(platform_admin)
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith(ENROL + "?next=")


def test_a_session_owing_its_code_is_sent_to_the_code_page(client, supervisor):
    confirmed_device(supervisor)
    client.force_login(supervisor)
    assert client.get(HOME)["Location"] == VERIFY + "?next=%2Fstaff%2F"
    assert client.post(reverse("staff:two-factor-recovery-codes"))["Location"] == VERIFY


def test_the_suites_sign_in_helper_gives_a_verified_session(client_for, leader, office):
    assert client_for(leader).get(HOME).status_code == 200
    assert not TOTPDevice.objects.filter(user=office).exists()  # optional: left alone


# --- resets by a platform administrator ------------------------------------------------------------

def test_a_platform_admin_resets_a_lost_phone_with_a_reason(client, client_for, leader, platform_admin):
    leader_client = Client()
    leader_client.force_login(leader)
    verify_session(leader_client, leader)
    assert leader_client.get(HOME).status_code == 200

    admin = client_for(platform_admin)
    url = reverse("staff:two-factor-reset", args=[leader.pk])
    assert "已绑定" in admin.get(url).content.decode()
    refused = admin.post(url, {"reason": ""})
    assert refused.status_code == 400 and "请填写理由" in refused.content.decode()
    assert admin.post(url, {"reason": "手机丢失，已电话核实本人"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=leader).exists()
    event = AuditEvent.objects.get(action="twofactor.reset")
    assert (event.actor, event.object_id, event.reason) == (platform_admin, str(leader.pk), "手机丢失，已电话核实本人")
    assert event.after == {"authenticators_removed": 1, "recovery_devices_removed": 0}
    # The leader's open session lost its verification: enrol again first.
    assert leader_client.get(HOME)["Location"].startswith(ENROL)


def test_only_a_platform_admin_may_reset(client_for, leader, office):
    url = reverse("staff:two-factor-reset", args=[office.pk])
    assert client_for(leader).post(url, {"reason": "x"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.two_factor_reset(actor=leader, user=office, reason="x")


def test_the_agency_policy_page(client_for, office, officer, other_office, bureau):
    url = reverse("staff:agency-two-factor", args=[bureau.pk])
    assert client_for(other_office).get(url).status_code == 403
    client = client_for(office)
    assert client.post(url, {"require_two_factor": "on", "reason": ""}).status_code == 400
    assert client.post(url, {"require_two_factor": "on", "reason": "市局要求"}).status_code == 302
    bureau.refresh_from_db()
    assert bureau.require_two_factor
    officer_client = Client()
    officer_client.force_login(officer)
    assert officer_client.get(HOME)["Location"].startswith(ENROL)


def test_a_new_member_under_a_policy_must_enrol(bureau, client):
    bureau.require_two_factor = True
    bureau.save()
    clerk = member(UserFactory(username="clerk"), bureau, Role.OFFICE)
    assert password(client, "clerk")["Location"] == ENROL
    assert not signed_in(client).is_authenticated
    assert clerk.pk


# --- the per-address throttle on the second step -----------------------------------------------

def wrong_code(device):
    return "000000" if code_for(device) != "000000" else "111111"


def test_wrong_codes_use_up_the_address_and_its_refusals_are_audited_once(client, leader, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.GONGKAI_SIGNIN_ADDRESS_MAX_FAILURES = 2
    device = confirmed_device(leader)
    assert password(client, "leader")["Location"] == VERIFY  # a right password: place given back
    for _ in range(2):
        assert client.post(VERIFY, {"code": wrong_code(device)}).status_code == 200
    response = client.post(VERIFY, {"code": code_for(device)})  # right, but not checked
    assert response["Location"] == reverse("staff:sign-in")
    assert "网络地址验证失败次数过多" in client.get(response["Location"]).content.decode()
    assert client.get(VERIFY)["Location"] == reverse("staff:sign-in")  # the pending sign-in ended
    assert not signed_in(client).is_authenticated
    assert SignInFailure.objects.filter(username="leader").count() == 2  # the refusal is no failure
    # Further attempts from the address, on either page, add no audit entry in this window.
    for _ in range(5):
        assert "登录失败次数过多" in password(Client(), "leader").content.decode()
    (refused,) = AuditEvent.objects.filter(action="signin.refused_address")
    assert refused.object_repr == "leader" and refused.after["ip_address"] == "127.0.0.1"


def test_a_second_step_refused_by_the_lock_gives_the_address_its_place_back(client, leader, settings):
    from gongkai.core.services import signin

    settings.GONGKAI_SIGNIN_ADDRESS_MAX_FAILURES = 2
    device = confirmed_device(leader)
    password(client, "leader")
    for _ in range(5):  # locked meanwhile, e.g. by wrong passwords from elsewhere
        signin.signin_record_failure(username="leader", ip_address="198.51.100.1")
    for _ in range(3):
        pending = Client()
        password(pending, "leader")  # refused by the lock: no place used
    response = client.post(VERIFY, {"code": code_for(device)})
    assert response["Location"] == reverse("staff:sign-in")
    assert "已被锁定" in client.get(response["Location"]).content.decode()
    assert AuditEvent.objects.filter(action="signin.refused_locked").count() == 1
    # Both of the address's places are still free: two wrong passwords are checked, and
    # only then is the address refused.
    other = Client()
    for _ in range(2):
        assert "用户名或密码不正确" in other.post(reverse("staff:sign-in"), {
            "username": "nobody", "password": "x"}).content.decode()
    assert "登录失败次数过多" in password(other, "nobody").content.decode()
