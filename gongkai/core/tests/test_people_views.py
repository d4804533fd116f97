"""The people pages over HTTP: an agency's office invites, grants, revokes, disables and
transfers; the invited person accepts through the link; switching between agencies; the
Django admin stays closed to agency offices."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse

from gongkai.core import clock, masking
from gongkai.core.models import AuditEvent, Department, Invitation, Membership, Role, User
from gongkai.core.services import people
from gongkai.core.tests.factories import TEST_PASSWORD, DepartmentFactory, UserFactory, member

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def people_url(agency):
    return reverse("staff:people", args=[agency.pk])


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/staff/invitation/[^/\s]+/)", message.body).group(1)


ACCEPT_PAGE = reverse("staff:invitation-accept", args=["accept"])


def open_link(client, link):
    """Opens the e-mail's link: the page moves to an address without the token."""
    first = client.get(link)
    assert first.status_code == 302 and first["Location"] == ACCEPT_PAGE
    return client.get(ACCEPT_PAGE)


@pytest.mark.parametrize("persona", ["office", "platform_admin"])
def test_the_people_page_opens_to_who_manages_the_agency(request, client_for, bureau, reviewer, persona):
    response = client_for(request.getfixturevalue(persona)).get(people_url(bureau))
    assert response.status_code == 200
    assert reviewer.username in response.content.decode()


@pytest.mark.parametrize("persona", ["officer", "reviewer", "leader", "supervisor", "other_office"])
def test_the_people_page_is_404_for_everyone_else(request, client_for, bureau, persona):
    response = client_for(request.getfixturevalue(persona)).get(people_url(bureau))
    assert response.status_code == 404


def test_the_page_lists_no_supervisor_role_to_the_agency_office(client_for, bureau, office):
    body = client_for(office).get(people_url(bureau)).content.decode()
    assert 'value="reviewer"' in body and 'value="supervisor"' not in body


def test_invite_accept_and_sign_in(client, client_for, bureau, office, department,
                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(office).post(reverse("staff:people-invite", args=[bureau.pk]), {
            "invite-email": "zhang.wei@example.invalid", "invite-full_name": "张伟",
            "invite-role": "officer", "invite-department": department.pk})
    assert response.status_code == 302
    (message,) = mail.outbox
    link = link_in(message)
    listing = client_for(office).get(people_url(bureau)).content.decode()
    assert masking.mask_email("zhang.wei@example.invalid") in listing and "待接受" in listing  # masked
    assert "zhang.wei@" not in listing

    client.logout()
    page = open_link(client, link)
    assert page.status_code == 200 and bureau.name in page.content.decode()
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in page.content.decode()
    done = client.post(ACCEPT_PAGE, {"full_name": "张伟", "password": TEST_PASSWORD,
                                     "password_again": TEST_PASSWORD})
    assert done.status_code == 200 and "已接受邀请" in done.content.decode()
    user = User.objects.get(email="zhang.wei@example.invalid")
    assert Membership.objects.get(user=user).department == department
    assert client.get(ACCEPT_PAGE).status_code == 404  # the session forgot the invitation
    assert client.login(username=user.username, password=TEST_PASSWORD)
    assert open_link(client, link).status_code == 410  # used


def test_an_invalid_form_is_a_400_with_the_reason(client_for, bureau, office):
    response = client_for(office).post(reverse("staff:people-invite", args=[bureau.pk]), {
        "invite-email": "zhang.wei@example.invalid", "invite-role": "officer"})
    assert response.status_code == 400
    assert "信息员必须绑定一个内设机构" in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_mismatched_or_weak_password_keeps_the_person_on_the_form(client, bureau, office):
    token = people.invitation_create(actor=office, agency=bureau, email="a@example.invalid",
                                     role=Role.REVIEWER).token
    open_link(client, reverse("staff:invitation-accept", args=[token]))
    url = ACCEPT_PAGE
    assert client.post(url, {"full_name": "甲", "password": TEST_PASSWORD,
                             "password_again": TEST_PASSWORD + "x"}).status_code == 400
    weak = client.post(url, {"full_name": "甲", "password": "abcdefgh", "password_again": "abcdefgh"})
    assert weak.status_code == 400 and "密码" in weak.content.decode()
    assert not User.objects.filter(email="a@example.invalid").exists()


def test_without_local_passwords_the_page_asks_for_none_and_points_to_unified_sign_in(
        client, bureau, office, settings):
    settings.GONGKAI_LOCAL_PASSWORDS = False
    token = people.invitation_create(actor=office, agency=bureau, email="a@example.invalid",
                                     role=Role.REVIEWER).token
    page = open_link(client, reverse("staff:invitation-accept", args=[token]))
    assert 'type="password"' not in page.content.decode()
    done = client.post(ACCEPT_PAGE, {"full_name": "甲"})
    assert "统一身份认证" in done.content.decode()
    assert not User.objects.get(email="a@example.invalid").has_usable_password()


@pytest.mark.parametrize("case, status, words", [
    ("unknown", 404, "邀请链接无效"), ("expired", 410, "已过期"), ("revoked", 410, "已被撤销")])
def test_a_link_that_no_longer_works_says_why(client, bureau, office, case, status, words):
    clock.freeze(T0)
    invitation = people.invitation_create(actor=office, agency=bureau, email="a@example.invalid",
                                          role=Role.REVIEWER)
    token = invitation.token
    if case == "unknown":
        token = "x" + token[1:]
    elif case == "expired":
        clock.freeze(T0 + dt.timedelta(days=8))
    else:
        people.invitation_revoke(actor=office, invitation=invitation)
    response = open_link(client, reverse("staff:invitation-accept", args=[token]))
    assert response.status_code == status and words in response.content.decode()


def test_the_token_less_page_without_a_link_opened_is_a_404(client):
    response = client.get(ACCEPT_PAGE)
    assert response.status_code == 404 and "邀请邮件中的链接" in response.content.decode()
    assert client.post(ACCEPT_PAGE, {"full_name": "甲"}).status_code == 404


def test_posting_to_the_link_itself_accepts_nothing(client, bureau, office):
    token = people.invitation_create(actor=office, agency=bureau, email="a@example.invalid",
                                     role=Role.REVIEWER).token
    response = client.post(reverse("staff:invitation-accept", args=[token]),
                           {"full_name": "甲", "password": TEST_PASSWORD, "password_again": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == ACCEPT_PAGE
    assert not User.objects.filter(email="a@example.invalid").exists()


def test_the_session_keeps_only_the_tokens_hash(client, bureau, office):
    token = people.invitation_create(actor=office, agency=bureau, email="a@example.invalid",
                                     role=Role.REVIEWER).token
    open_link(client, reverse("staff:invitation-accept", args=[token]))
    stored = dict(client.session.items())
    assert people.token_hash(token) in stored.values()
    assert all(token not in str(value) for value in stored.values())


@pytest.mark.parametrize("change", ["inviter_disabled", "department_closed"])
def test_an_invitation_that_lapsed_says_so(client, bureau, office, department, change):
    token = people.invitation_create(actor=office, agency=bureau, email="a@example.invalid",
                                     role=Role.OFFICER, department=department).token
    page = open_link(client, reverse("staff:invitation-accept", args=[token]))
    assert page.status_code == 200
    if change == "inviter_disabled":
        Membership.objects.filter(user=office, agency=bureau).update(is_active=False)
    else:
        Department.objects.filter(pk=department.pk).update(is_active=False)
    done = client.post(ACCEPT_PAGE, {"full_name": "甲", "password": TEST_PASSWORD,
                                     "password_again": TEST_PASSWORD})
    assert done.status_code == 410 and "该邀请已失效" in done.content.decode()
    assert not User.objects.filter(email="a@example.invalid").exists()


def test_revoke_and_disable_through_the_page(client_for, bureau, office, reviewer):
    c = client_for(office)
    membership = reviewer.memberships.get()
    c.post(reverse("staff:person-disable", args=[bureau.pk, reviewer.pk]), {"reason": "调离"})
    membership.refresh_from_db()
    assert not membership.is_active
    assert AuditEvent.objects.filter(action="person.disable_in_agency", actor=office, reason="调离").exists()


def test_a_reason_is_required_to_revoke(client_for, bureau, office, reviewer):
    client_for(office).post(reverse("staff:membership-revoke", args=[reviewer.memberships.get().pk]), {})
    assert reviewer.memberships.get().is_active


def test_grant_through_the_page(client_for, bureau, office, reviewer):
    response = client_for(office).post(reverse("staff:people-grant", args=[bureau.pk]), {
        "grant-person": reviewer.pk, "grant-role": "leader", "grant-reason": "兼任"})
    assert response.status_code == 302
    assert Membership.objects.filter(user=reviewer, role=Role.LEADER, is_active=True).exists()


def test_transfer_an_officer_through_the_page(client_for, bureau, office, officer):
    elsewhere = DepartmentFactory(agency=bureau, name="综合科")
    url = reverse("staff:membership-transfer", args=[officer.memberships.get().pk])
    assert client_for(office).get(url).status_code == 200
    response = client_for(office).post(url, {"to": bureau.pk, "department": elsewhere.pk, "reason": "调整"})
    assert response.status_code == 302
    assert officer.memberships.get().department == elsewhere


def test_departments_through_the_page(client_for, bureau, office):
    c = client_for(office)
    c.post(reverse("staff:department-add", args=[bureau.pk]), {"department-name": "法规科"})
    department = Department.objects.get(agency=bureau, name="法规科")
    c.post(reverse("staff:department-toggle", args=[department.pk]), {"reason": "撤并"})
    department.refresh_from_db()
    assert not department.is_active
    assert "已停用：法规科" in c.get(people_url(bureau)).content.decode()
    assert AuditEvent.objects.filter(action="department.update", actor=office, reason="撤并").exists()


@pytest.mark.parametrize("persona", ["officer", "other_office"])
def test_the_actions_are_404_for_others(request, client_for, bureau, reviewer, persona):
    c = client_for(request.getfixturevalue(persona))
    assert c.post(reverse("staff:person-disable", args=[bureau.pk, reviewer.pk]),
                  {"reason": "x"}).status_code == 404
    assert c.post(reverse("staff:membership-revoke", args=[reviewer.memberships.get().pk]),
                  {"reason": "x"}).status_code == 404
    assert reviewer.memberships.get().is_active


def test_the_menu_shows_people_to_offices_only(client_for, office, officer):
    assert "人员管理" in client_for(office).get(reverse("staff:home")).content.decode()
    assert "人员管理" not in client_for(officer).get(reverse("staff:home")).content.decode()


# --- one person, two agencies ------------------------------------------------------------


def test_a_person_with_roles_in_two_agencies_switches_and_the_pages_follow(client_for, bureau, other_agency):
    person = member(member(UserFactory(), bureau, Role.OFFICE), other_agency, Role.OFFICE)
    there = Membership.objects.get(user=person, agency=other_agency)
    c = client_for(person)
    assert c.get(reverse("staff:people-home"))["Location"] == people_url(bureau)  # the first, by default

    c.post(reverse("staff:switch-membership"), {"membership": there.pk})

    home = c.get(reverse("staff:home")).content.decode()
    assert re.search(r'data-testid="current-role">\s*' + re.escape(other_agency.name), home)
    assert c.get(reverse("staff:people-home"))["Location"] == people_url(other_agency)
    assert c.get(people_url(bureau)).status_code == 200  # still both agencies' office


def test_a_person_cannot_switch_to_a_revoked_role(client_for, bureau, other_agency, office):
    person = member(member(UserFactory(), bureau, Role.REVIEWER), other_agency, Role.OFFICE)
    there = Membership.objects.get(user=person, agency=other_agency)
    people.person_disable_in_agency(actor=User.objects.get(is_superuser=True, username="bootstrap-admin"),
                                    user=person, agency=other_agency, reason="调离")
    c = client_for(person)
    c.post(reverse("staff:switch-membership"), {"membership": there.pk})
    assert other_agency.name not in c.get(reverse("staff:home")).content.decode()


# --- the Django admin is the platform administrators' -------------------------------------


@pytest.mark.parametrize("persona, status", [("office", 302), ("supervisor", 302), ("platform_admin", 200)])
def test_only_platform_administrators_enter_the_admin(request, client_for, persona, status):
    response = client_for(request.getfixturevalue(persona)).get(reverse("admin:index"))
    assert response.status_code == status
    if status == 302:  # to the sign-in page: signed in, but not theirs
        assert response["Location"].startswith(reverse("admin:login"))


# --- a supervising office, and the page's cost -------------------------------------------


@pytest.mark.parametrize("allowed, status", [(False, 404), (True, 200)])
def test_a_supervising_office_opens_the_page_below_only_when_allowed(client_for, tree, bureau, settings,
                                                                      allowed, status):
    settings.GONGKAI_SUPERVISORS_MANAGE_PEOPLE = allowed
    city_office = member(UserFactory(), tree["city"], Role.OFFICE)
    response = client_for(city_office).get(people_url(bureau))
    assert response.status_code == status
    if allowed:
        assert 'value="supervisor"' in response.content.decode()  # granted from above


def test_the_page_costs_the_same_queries_however_many_people(client_for, bureau, office,
                                                             django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_for(office)
    c.get(people_url(bureau))  # session and caches warm
    with CaptureQueriesContext(connection) as few:
        c.get(people_url(bureau))
    for n in range(5):
        member(UserFactory(), bureau, Role.OFFICER)
        people.invitation_create(actor=office, agency=bureau, email=f"p{n}@example.invalid", role=Role.LEADER)
    with django_assert_max_num_queries(len(few)):
        assert c.get(people_url(bureau)).status_code == 200


@pytest.mark.parametrize("persona, shown", [("office", True), ("reviewer", False), ("platform_admin", True)])
def test_the_agency_page_links_to_the_people_page_for_who_manages_them(request, client_for, bureau, persona,
                                                                        shown):
    body = client_for(request.getfixturevalue(persona)).get(reverse("staff:agency-detail", args=[bureau.pk]))
    assert (people_url(bureau) in body.content.decode()) is shown
