"""Sign-in and account lock-out over HTTP: five failed sign-ins within 15 minutes lock the
account for 30 minutes (等保 level 3), and every step is in the audit trail."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib import auth
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from gongkai.core import clock
from gongkai.core.models import AuditEvent
from gongkai.core.services.signin import signin_unlock
from gongkai.core.tests.factories import TEST_PASSWORD, UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
LOCK_MESSAGE = "该账户因连续登录失败已被锁定"
WRONG_PASSWORD_MESSAGE = "用户名或密码不正确。连续失败5次后账户将被锁定。"


@pytest.fixture(autouse=True)
def _fresh_address_throttle():
    """The per-address throttle counts in the (process-wide) cache: each test starts at zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def sign_in(client, username, password):
    return client.post(reverse("staff:sign-in"), {"username": username, "password": password})


def signed_in_user(client):
    return auth.get_user(client)


def fail(client, username, times):
    for _ in range(times):
        response = sign_in(client, username, "not-the-password")
        assert response.status_code == 200


def lock(client, username):
    """Five wrong passwords at T0: locked until 10:30."""
    clock.freeze(T0)
    fail(client, username, 5)


@pytest.fixture
def no_role_user(db):
    return UserFactory(username="no_role")


def test_right_password_signs_in_and_goes_to_staff_home(client, officer):
    response = sign_in(client, "officer", TEST_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("staff:home")
    assert signed_in_user(client) == officer


def test_wrong_password_error_is_in_chinese(client, officer):
    response = sign_in(client, "officer", "not-the-password")

    assert response.status_code == 200
    assert WRONG_PASSWORD_MESSAGE in response.content.decode()
    assert not signed_in_user(client).is_authenticated


def test_five_failures_lock_the_account_even_against_the_right_password(client, officer):
    lock(client, "officer")

    clock.freeze(T0 + dt.timedelta(minutes=1))
    response = sign_in(client, "officer", TEST_PASSWORD)

    assert response.status_code == 200
    content = response.content.decode()
    assert LOCK_MESSAGE in content
    assert "请于10:30后再试" in content
    assert not signed_in_user(client).is_authenticated


def test_fifth_failure_already_shows_the_lock_message(client, officer):
    clock.freeze(T0)
    fail(client, "officer", 4)

    response = sign_in(client, "officer", "not-the-password")

    assert LOCK_MESSAGE in response.content.decode()


def test_four_failures_do_not_lock(client, officer):
    clock.freeze(T0)
    fail(client, "officer", 4)

    assert sign_in(client, "officer", TEST_PASSWORD).status_code == 302
    assert signed_in_user(client) == officer


def test_lock_lasts_thirty_minutes_then_the_right_password_works(client, officer):
    lock(client, "officer")

    clock.freeze(T0 + dt.timedelta(minutes=29, seconds=59))
    assert LOCK_MESSAGE in sign_in(client, "officer", TEST_PASSWORD).content.decode()

    clock.freeze(T0 + dt.timedelta(minutes=31))
    response = sign_in(client, "officer", TEST_PASSWORD)
    assert response.status_code == 302
    assert signed_in_user(client) == officer


def test_success_clears_earlier_failures(client, officer):
    clock.freeze(T0)
    fail(client, "officer", 4)
    assert sign_in(client, "officer", TEST_PASSWORD).status_code == 302
    client.logout()

    # Without the reset these four would make eight failures in the window.
    fail(client, "officer", 4)
    response = sign_in(client, "officer", TEST_PASSWORD)

    assert response.status_code == 302
    assert signed_in_user(client) == officer


def test_failures_for_one_user_do_not_lock_another(client, officer, office):
    lock(client, "officer")

    response = sign_in(client, "office", TEST_PASSWORD)

    assert response.status_code == 302
    assert signed_in_user(client) == office


def test_user_name_case_does_not_escape_the_lock(client, officer):
    lock(client, "OFFICER")

    assert LOCK_MESSAGE in sign_in(client, "officer", TEST_PASSWORD).content.decode()


@pytest.mark.parametrize(
    "minutes_apart,locked",
    [
        (3, True),  # five failures over 12 minutes: inside the 15-minute window
        (4, False),  # five failures over 16 minutes: never five inside one window
    ],
)
def test_failures_lock_only_when_five_fall_inside_the_window(client, officer, minutes_apart, locked):
    for i in range(5):
        clock.freeze(T0 + dt.timedelta(minutes=minutes_apart * i))
        fail(client, "officer", 1)

    response = sign_in(client, "officer", TEST_PASSWORD)

    assert (LOCK_MESSAGE in response.content.decode()) is locked
    assert signed_in_user(client).is_authenticated is not locked
    assert AuditEvent.objects.filter(action="signin.lockout").exists() is locked


def test_platform_admin_unlock_lifts_the_lock(client, officer, platform_admin):
    lock(client, "officer")

    cleared = signin_unlock(actor=platform_admin, username="officer", reason="已电话核实本人身份")

    assert cleared == 5
    assert sign_in(client, "officer", TEST_PASSWORD).status_code == 302
    assert signed_in_user(client) == officer
    event = AuditEvent.objects.get(action="signin.unlock")
    assert event.actor == platform_admin
    assert event.object_repr == "officer"
    assert event.reason == "已电话核实本人身份"


@pytest.mark.parametrize("persona", ["office", "supervisor", "officer"])
def test_unlock_by_anyone_but_a_platform_admin_is_refused(client, officer, request, persona):
    actor = request.getfixturevalue(persona)
    lock(client, "officer")

    with pytest.raises(PermissionDenied):
        signin_unlock(actor=actor, username="officer", reason="请求解锁")

    assert LOCK_MESSAGE in sign_in(client, "officer", TEST_PASSWORD).content.decode()
    assert not AuditEvent.objects.filter(action="signin.unlock").exists()


def test_failure_lockout_and_success_are_in_the_audit_trail(client, officer, platform_admin):
    lock(client, "officer")
    # Refused while locked: the password is not even checked, so no new failure.
    sign_in(client, "officer", TEST_PASSWORD)

    failures = AuditEvent.objects.filter(action="signin.failure").order_by("seq")
    assert failures.count() == 5
    assert {(e.actor_id, e.object_repr) for e in failures} == {(None, "officer")}
    assert failures[0].after == {"ip_address": "127.0.0.1"}
    lockout = AuditEvent.objects.get(action="signin.lockout")
    assert lockout.object_repr == "officer"
    assert lockout.seq > failures.last().seq
    assert dt.datetime.fromisoformat(lockout.after["locked_until"]) == T0 + dt.timedelta(minutes=30)
    assert not AuditEvent.objects.filter(action="signin.success").exists()
    # ...but the refused attempt itself is in the trail, so guessing during a lock shows.
    refused = AuditEvent.objects.get(action="signin.refused_locked")
    assert refused.object_repr == "officer" and refused.seq > lockout.seq

    signin_unlock(actor=platform_admin, username="officer", reason="已核实")
    sign_in(client, "officer", TEST_PASSWORD)

    success = AuditEvent.objects.get(action="signin.success")
    assert success.actor == officer
    assert success.object_id == str(officer.pk)


def test_inactive_user_cannot_sign_in(client, officer):
    officer.is_active = False
    officer.save()

    response = sign_in(client, "officer", TEST_PASSWORD)

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not signed_in_user(client).is_authenticated
    assert not AuditEvent.objects.filter(action="signin.success").exists()


def test_admin_login_redirects_to_the_staff_sign_in_page(client, db):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code in (301, 302)
    assert response["Location"] == reverse("staff:sign-in") + "?next=/admin/"


def test_anonymous_staff_home_redirects_to_sign_in(client, db):
    response = client.get(reverse("staff:home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("staff:sign-in") + "?next=/staff/"


@pytest.mark.parametrize(
    "persona,status",
    [("officer", 200), ("supervisor", 200), ("platform_admin", 200), ("no_role_user", 403)],
)
def test_staff_home_needs_a_role_or_platform_admin(client_for, request, persona, status):
    client = client_for(request.getfixturevalue(persona))

    response = client.get(reverse("staff:home"))

    assert response.status_code == status
    if status == 403:
        assert "无权访问" in response.content.decode()


def test_a_lock_whose_run_began_long_ago_still_runs_its_full_time(client, officer):
    # Five failures over 14 minutes (inside the window) lock until 30 minutes after the
    # last one, T0+44; at T0+40 the run's first failure is 40 minutes old, older than
    # both the window and the lock, and must still be counted.
    for minute in (0, 10, 11, 12, 14):
        clock.freeze(T0 + dt.timedelta(minutes=minute))
        fail(client, "officer", 1)
    clock.freeze(T0 + dt.timedelta(minutes=40))
    assert LOCK_MESSAGE in sign_in(client, "officer", TEST_PASSWORD).content.decode()
    assert not signed_in_user(client).is_authenticated
    clock.freeze(T0 + dt.timedelta(minutes=45))
    assert sign_in(client, "officer", TEST_PASSWORD).status_code == 302
