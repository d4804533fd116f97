"""The platform admin's user pages write through the services: an account added, changed
or given a new password there leaves the same audit entry as anywhere else, naming the
administrator, the action and what changed."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from gongkai.core.models import AuditEvent, User
from gongkai.core.services import agencies as svc
from gongkai.core.tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Qinglan-Admin-2025!"
NO_MEMBERSHIPS = {"memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
                  "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000"}


@pytest.fixture
def clerk(db):
    return UserFactory(username="clerk", full_name="王小明", email="clerk@example.invalid")


def change(client, user, **values):
    data = {"username": user.username, "full_name": user.full_name, "email": user.email,
            "is_active": "on", **NO_MEMBERSHIPS}
    data.update({k: v for k, v in values.items() if v is not None})
    for flag in ("is_active", "is_superuser"):
        if values.get(flag) is False:
            data.pop(flag, None)
    return client.post(reverse("admin:core_user_change", args=[user.pk]), data)


def test_a_change_is_saved_and_audited_with_before_and_after(client_for, platform_admin, clerk):
    response = change(client_for(platform_admin), clerk, full_name="王晓明", email="wang@example.invalid",
                      is_active=False)

    assert response.status_code == 302
    clerk.refresh_from_db()
    assert (clerk.full_name, clerk.email, clerk.is_active) == ("王晓明", "wang@example.invalid", False)
    event = AuditEvent.objects.get(action="user.update")
    assert event.actor == platform_admin and event.object_id == str(clerk.pk)
    assert event.before == {"full_name": "王小明", "email": "clerk@example.invalid", "is_active": True}
    assert event.after == {"full_name": "王晓明", "email": "wang@example.invalid", "is_active": False}


def test_making_a_platform_administrator_opens_the_admin_too(client_for, platform_admin, clerk):
    change(client_for(platform_admin), clerk, is_superuser="on")

    clerk.refresh_from_db()
    assert clerk.is_superuser and clerk.is_staff
    event = AuditEvent.objects.get(action="user.update")
    assert (event.before, event.after) == ({"is_superuser": False}, {"is_superuser": True})


def test_saving_without_a_change_writes_no_entry(client_for, platform_admin, clerk):
    assert change(client_for(platform_admin), clerk).status_code == 302
    assert not AuditEvent.objects.filter(action="user.update").exists()


def test_an_administrator_cannot_demote_themselves(client_for, platform_admin):
    response = change(client_for(platform_admin), platform_admin, is_superuser=False)

    assert response.status_code == 302
    platform_admin.refresh_from_db()
    assert platform_admin.is_superuser and platform_admin.is_staff
    assert not AuditEvent.objects.filter(action="user.update").exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "不能停用自己的账号或取消自己的平台管理员身份" in messages


def test_an_account_added_in_the_admin_is_created_by_the_service(client_for, platform_admin):
    response = client_for(platform_admin).post(reverse("admin:core_user_add"), {
        "username": "newclerk", "full_name": "李四", "email": "lisi@example.invalid",
        "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, **NO_MEMBERSHIPS,
    })

    assert response.status_code == 302
    user = User.objects.get(username="newclerk")
    assert user.full_name == "李四" and user.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action="user.create")
    assert event.actor == platform_admin and event.object_id == str(user.pk)
    assert event.after == {"username": "newclerk", "full_name": "李四", "is_superuser": False}


def test_a_weak_password_is_refused_when_adding(client_for, platform_admin):
    response = client_for(platform_admin).post(reverse("admin:core_user_add"), {
        "username": "newclerk", "password1": "12345678", "password2": "12345678", **NO_MEMBERSHIPS,
    })
    assert response.status_code == 200  # the form again, with its error
    assert not User.objects.filter(username="newclerk").exists()


def test_a_password_set_in_the_admin_is_audited_without_the_password(client_for, platform_admin, clerk):
    url = reverse("admin:auth_user_password_change", args=[clerk.pk])
    response = client_for(platform_admin).post(url, {
        "usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })

    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password(NEW_PASSWORD) and not clerk.check_password(TEST_PASSWORD)
    event = AuditEvent.objects.get(action="user.set_password")
    assert event.actor == platform_admin and event.object_id == str(clerk.pk)
    assert (event.before, event.after) == ({"usable_password": True}, {"usable_password": True})
    assert NEW_PASSWORD not in str(event.before) + str(event.after) + event.reason


def test_password_sign_in_can_be_turned_off(client_for, platform_admin, clerk):
    url = reverse("admin:auth_user_password_change", args=[clerk.pk])
    client_for(platform_admin).post(url, {"usable_password": "false", "unset-password": ""})

    clerk.refresh_from_db()
    assert not clerk.has_usable_password()
    assert AuditEvent.objects.get(action="user.set_password").after == {"usable_password": False}


def test_accounts_are_deactivated_not_deleted(client_for, platform_admin, clerk):
    response = client_for(platform_admin).get(reverse("admin:core_user_delete", args=[clerk.pk]))
    assert response.status_code == 403


@pytest.mark.parametrize("service, kwargs", [
    (svc.user_update, {"full_name": "王晓明"}),
    (svc.user_set_password, {"password": NEW_PASSWORD}),
])
def test_only_a_platform_administrator_changes_accounts(office, clerk, service, kwargs):
    with pytest.raises(PermissionDenied):
        service(actor=office, user=clerk, **kwargs)
    clerk.refresh_from_db()
    assert clerk.full_name == "王小明" and clerk.check_password(TEST_PASSWORD)
    assert not AuditEvent.objects.filter(action__startswith="user.").exists()


def test_the_user_pages_open(client_for, platform_admin, office):
    client = client_for(platform_admin)
    for url in (reverse("admin:core_user_changelist"), reverse("admin:core_user_add"),
                reverse("admin:core_user_change", args=[office.pk]),
                reverse("admin:auth_user_password_change", args=[office.pk])):
        assert client.get(url).status_code == 200, url


def test_the_admin_is_for_platform_administrators_only_whatever_is_staff_says(client_for, clerk):
    """``is_staff`` set by hand (a shell, an old import) opens nothing: the admin asks
    whether the person runs the platform."""
    clerk.is_staff = True
    clerk.save(update_fields=["is_staff"])
    response = client_for(clerk).get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
