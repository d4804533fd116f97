"""People managed by the agencies themselves (``core.services.people`` and the membership
services): who may invite, grant, revoke, disable and transfer, the invitation's life
(mail, hash-only token, seven days, one use), and the audit entries.

Permission tests vary only the actor; every other line of setup is shared."""

import datetime as dt
import hashlib

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from gongkai.core import clock, permissions
from gongkai.core.errors import DomainError, InvalidTransition
from gongkai.core.models import AuditEvent, Invitation, Membership, Role, User
from gongkai.core.services import agencies as agency_services
from gongkai.core.services import people
from gongkai.core.tests.factories import TEST_PASSWORD, DepartmentFactory, UserFactory, member

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def city_office(tree):
    """The office of the agency above the bureau: a supervising office."""
    return member(UserFactory(username="city_office"), tree["city"], Role.OFFICE)


@pytest.fixture
def supervisors_manage(settings):
    settings.GONGKAI_SUPERVISORS_MANAGE_PEOPLE = True


def invite(actor, bureau, *, email="new.person@example.invalid", role=Role.REVIEWER, department=None):
    return people.invitation_create(actor=actor, agency=bureau, email=email, role=role,
                                    department=department, full_name="李新", reason="新进人员")


# --- who may manage the bureau's people ------------------------------------------------

MANAGERS = ["office", "platform_admin"]
NOT_MANAGERS = ["officer", "reviewer", "leader", "supervisor", "other_office", "city_office"]


@pytest.mark.parametrize("persona", MANAGERS)
def test_the_bureau_office_and_the_platform_may_invite_to_the_bureau(request, bureau, persona):
    actor = request.getfixturevalue(persona)
    invitation = invite(actor, bureau)
    assert invitation.invited_by == actor


@pytest.mark.parametrize("persona", NOT_MANAGERS)
def test_nobody_else_may_invite_to_the_bureau(request, bureau, persona):
    actor = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        invite(actor, bureau)
    assert not Invitation.objects.exists()


def test_a_supervising_office_manages_the_agencies_below_only_when_the_platform_allows(
        bureau, city_office, settings):
    assert not permissions.can_manage_people(city_office, bureau)
    settings.GONGKAI_SUPERVISORS_MANAGE_PEOPLE = True
    assert permissions.can_manage_people(city_office, bureau)
    assert permissions.can_manage_departments(city_office, bureau)
    assert not permissions.can_manage_people(city_office, bureau.parent.parent)  # not upwards


@pytest.mark.parametrize("persona, may", [("office", False), ("city_office", True), ("platform_admin", True)])
def test_only_who_manages_the_whole_subtree_grants_the_supervisor_role(
        request, bureau, supervisors_manage, persona, may):
    actor = request.getfixturevalue(persona)
    assert permissions.can_assign_role(actor, bureau, Role.SUPERVISOR) is may
    assert permissions.can_assign_role(actor, bureau, Role.LEADER)


def test_an_office_does_not_grant_itself_a_role(bureau, office):
    with pytest.raises(PermissionDenied):
        agency_services.membership_grant(actor=office, user=office, agency=bureau, role=Role.LEADER,
                                         reason="兼任")
    assert not Membership.objects.filter(user=office, role=Role.LEADER).exists()


def test_an_office_does_not_invite_itself(bureau, office):
    with pytest.raises(PermissionDenied):
        invite(office, bureau, email=office.email, role=Role.LEADER)


@pytest.mark.parametrize("persona", ["office", "platform_admin"])
def test_an_office_grants_and_revokes_roles_in_its_agency(request, bureau, reviewer, persona):
    actor = request.getfixturevalue(persona)
    granted = agency_services.membership_grant(actor=actor, user=reviewer, agency=bureau, role=Role.LEADER,
                                               reason="兼任审批领导")
    agency_services.membership_revoke(actor=actor, membership=granted, reason="不再兼任")
    granted.refresh_from_db()
    assert not granted.is_active
    actions = list(AuditEvent.objects.filter(actor=actor, action__startswith="membership.").order_by("seq")
                   .values_list("action", "reason"))
    assert actions == [("membership.grant", "兼任审批领导"), ("membership.revoke", "不再兼任")]


@pytest.mark.parametrize("persona", ["officer", "other_office", "supervisor"])
def test_others_may_not_grant_roles_in_the_bureau(request, bureau, reviewer, persona):
    actor = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        agency_services.membership_grant(actor=actor, user=reviewer, agency=bureau, role=Role.LEADER)


# --- the invitation ----------------------------------------------------------------------


def test_the_invitation_is_mailed_after_the_commit_and_keeps_only_the_token_hash(
        bureau, office, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation = invite(office, bureau)
    assert mail.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    (message,) = mail.outbox
    assert message.to == ["new.person@example.invalid"]
    assert bureau.name in message.subject and "保密审查员" in message.subject
    assert f"/staff/invitation/{invitation.token}/" in message.body
    stored = Invitation.objects.get()
    assert stored.token_hash == hashlib.sha256(invitation.token.encode()).hexdigest()
    assert invitation.token not in str(list(Invitation.objects.values()))
    event = AuditEvent.objects.get(action="invitation.create")
    assert event.actor == office and event.agency == bureau and event.reason == "新进人员"
    assert "new.person" not in str(event.after)  # no e-mail address in the trail


def test_accepting_creates_the_account_with_the_invited_email(bureau, office):
    token = invite(office, bureau, email="Li.Xin@Example.INVALID").token
    membership = people.invitation_accept(token=token, full_name="李新", password=TEST_PASSWORD)
    user = membership.user
    assert (user.email, user.full_name) == ("Li.Xin@example.invalid", "李新")
    assert user.check_password(TEST_PASSWORD)
    assert not (user.is_staff or user.is_superuser)  # never into the Django admin
    assert (membership.agency, membership.role, membership.is_active) == (bureau, Role.REVIEWER, True)
    assert list(AuditEvent.objects.filter(actor=user).order_by("seq").values_list("action", flat=True)) == [
        "user.create", "invitation.accept"]


def test_an_officer_is_invited_into_a_department(bureau, office, department):
    token = invite(office, bureau, role=Role.OFFICER, department=department).token
    membership = people.invitation_accept(token=token, full_name="李新", password=TEST_PASSWORD)
    assert membership.department == department


def test_an_officer_invitation_needs_a_department_of_the_agency(bureau, office, other_agency):
    with pytest.raises(ValidationError):
        invite(office, bureau, role=Role.OFFICER)
    with pytest.raises(ValidationError):
        invite(office, bureau, role=Role.OFFICER, department=DepartmentFactory(agency=other_agency))


def test_accepting_adds_the_role_to_the_existing_account_of_that_email(bureau, office, other_office,
                                                                      other_agency):
    token = invite(office, bureau, email=other_office.email.upper()).token
    membership = people.invitation_accept(token=token)
    assert membership.user == other_office
    assert User.objects.filter(email__iexact=other_office.email).count() == 1
    assert set(Membership.objects.filter(user=other_office).values_list("agency", flat=True)) == {
        bureau.pk, other_agency.pk}


def test_a_weak_password_is_refused_and_nothing_is_created(bureau, office):
    token = invite(office, bureau).token
    with pytest.raises(ValidationError) as caught:
        people.invitation_accept(token=token, full_name="李新", password="12345678")
    assert "password" in caught.value.error_dict
    assert not User.objects.filter(email="new.person@example.invalid").exists()
    assert people.invitation_for_token(token)  # still pending


def test_without_local_passwords_the_account_has_no_password(bureau, office, settings):
    settings.GONGKAI_LOCAL_PASSWORDS = False
    token = invite(office, bureau).token
    user = people.invitation_accept(token=token, full_name="李新", password=TEST_PASSWORD).user
    assert not user.has_usable_password()
    assert user.email == "new.person@example.invalid"  # what 统一身份认证 matches on


@pytest.mark.parametrize("later, usable", [(dt.timedelta(days=7, seconds=-1), True),
                                           (dt.timedelta(days=7), False)])
def test_the_link_works_for_seven_days(bureau, office, later, usable):
    clock.freeze(T0)
    token = invite(office, bureau).token
    clock.freeze(T0 + later)
    if usable:
        assert people.invitation_accept(token=token, full_name="李新", password=TEST_PASSWORD)
    else:
        with pytest.raises(people.InvitationUnusable, match="已过期"):
            people.invitation_accept(token=token, full_name="李新", password=TEST_PASSWORD)


def test_a_link_is_used_once(bureau, office):
    token = invite(office, bureau).token
    people.invitation_accept(token=token, full_name="李新", password=TEST_PASSWORD)
    with pytest.raises(people.InvitationUnusable, match="已经接受"):
        people.invitation_accept(token=token, full_name="李新", password=TEST_PASSWORD)


def test_a_revoked_or_unknown_link_is_refused(bureau, office):
    invitation = invite(office, bureau)
    people.invitation_revoke(actor=office, invitation=invitation, reason="邮箱填错")
    with pytest.raises(people.InvitationUnusable, match="已被撤销"):
        people.invitation_accept(token=invitation.token, full_name="李新", password=TEST_PASSWORD)
    with pytest.raises(people.InvitationUnusable, match="链接无效"):
        people.invitation_accept(token=invitation.token[:-1], full_name="李新", password=TEST_PASSWORD)
    event = AuditEvent.objects.get(action="invitation.revoke")
    assert (event.actor, event.reason, event.after) == (office, "邮箱填错", {"status": "revoked"})
    with pytest.raises(InvalidTransition):
        people.invitation_revoke(actor=office, invitation=invitation)


def test_a_second_invitation_for_the_same_role_waits_for_the_first(bureau, office):
    invite(office, bureau)
    with pytest.raises(DomainError, match="尚未接受"):
        invite(office, bureau, email="NEW.person@example.invalid")
    assert invite(office, bureau, role=Role.LEADER)  # another role is another invitation


@pytest.mark.parametrize("persona", ["officer", "other_office"])
def test_only_the_managers_revoke_an_invitation(request, bureau, office, persona):
    invitation = invite(office, bureau)
    with pytest.raises(PermissionDenied):
        people.invitation_revoke(actor=request.getfixturevalue(persona), invitation=invitation)


# --- disabling and transfers -------------------------------------------------------------


def test_disabling_someone_in_the_agency_leaves_their_account_and_other_agencies(
        bureau, office, other_agency):
    person = member(member(UserFactory(), bureau, Role.REVIEWER), bureau, Role.LEADER)
    member(person, other_agency, Role.OFFICE)
    people.person_disable_in_agency(actor=office, user=person, agency=bureau, reason="调离本机关")
    person.refresh_from_db()
    assert person.is_active
    assert set(Membership.objects.filter(user=person, is_active=True).values_list("agency", flat=True)) == {
        other_agency.pk}
    event = AuditEvent.objects.get(action="person.disable_in_agency")
    assert (event.actor, event.agency, event.reason) == (office, bureau, "调离本机关")


@pytest.mark.parametrize("persona", ["officer", "other_office", "supervisor"])
def test_only_the_managers_disable_someone(request, bureau, reviewer, persona):
    with pytest.raises(PermissionDenied):
        people.person_disable_in_agency(actor=request.getfixturevalue(persona), user=reviewer, agency=bureau,
                                        reason="调离")
    assert reviewer.memberships.get().is_active


def test_disabling_needs_a_reason(bureau, office, reviewer):
    with pytest.raises(ValidationError):
        people.person_disable_in_agency(actor=office, user=reviewer, agency=bureau, reason=" ")


def test_an_officer_moves_to_another_department(bureau, office, officer, department):
    elsewhere = DepartmentFactory(agency=bureau, name="综合科")
    moved = people.person_transfer(actor=office, membership=officer.memberships.get(), department=elsewhere,
                                   reason="岗位调整")
    assert (moved.department, moved.is_active) == (elsewhere, True)
    event = AuditEvent.objects.get(action="person.transfer")
    assert event.before == {"agency_id": bureau.pk, "department_id": department.pk}
    assert event.after["department_id"] == elsewhere.pk


@pytest.mark.parametrize("persona, may", [("office", False), ("city_office", True), ("platform_admin", True)])
def test_a_transfer_between_agencies_needs_both(request, bureau, reviewer, supervisors_manage, persona, may):
    target = bureau.parent.children.exclude(pk=bureau.pk).first()  # the county, beside the bureau
    membership = reviewer.memberships.get()
    actor = request.getfixturevalue(persona)
    if not may:
        with pytest.raises(PermissionDenied):
            people.person_transfer(actor=actor, membership=membership, agency=target, reason="调动")
        return
    moved = people.person_transfer(actor=actor, membership=membership, agency=target, reason="调动")
    membership.refresh_from_db()
    assert not membership.is_active and (moved.agency, moved.role, moved.is_active) == (target, Role.REVIEWER, True)
    assert set(AuditEvent.objects.filter(action="person.transfer").values_list("agency", flat=True)) == {
        bureau.pk, target.pk}


def test_a_supervising_office_manages_departments_below(bureau, city_office, supervisors_manage):
    department = agency_services.department_create(actor=city_office, agency=bureau, name="法规科")
    assert department.agency == bureau


# --- an invitation lapses with its inviter's right to grant the role ----------------------


def test_an_invitation_lapses_when_the_inviter_no_longer_holds_the_office(bureau, office):
    token = invite(office, bureau, role=Role.LEADER).token
    Membership.objects.filter(user=office, agency=bureau).update(is_active=False)  # by any path
    with pytest.raises(people.InvitationUnusable, match="该邀请已失效"):
        people.invitation_for_token(token)
    with pytest.raises(people.InvitationUnusable, match="该邀请已失效"):
        people.invitation_accept(token=token, full_name="李新", password=TEST_PASSWORD)
    assert not User.objects.filter(email="new.person@example.invalid").exists()


def test_a_supervisor_invitation_lapses_when_supervisors_stop_managing_people(
        bureau, city_office, supervisors_manage, settings):
    token = invite(city_office, bureau, role=Role.SUPERVISOR).token
    settings.GONGKAI_SUPERVISORS_MANAGE_PEOPLE = False
    with pytest.raises(people.InvitationUnusable, match="该邀请已失效"):
        people.invitation_accept(token=token, full_name="李新", password=TEST_PASSWORD)
    settings.GONGKAI_SUPERVISORS_MANAGE_PEOPLE = True
    membership = people.invitation_accept(token=token, full_name="李新", password=TEST_PASSWORD)
    assert membership.role == Role.SUPERVISOR


def test_an_officer_invitation_lapses_when_its_department_is_closed(bureau, office, department):
    token = invite(office, bureau, role=Role.OFFICER, department=department).token
    agency_services.department_update(actor=office, department=department, is_active=False, reason="撤并")
    with pytest.raises(people.InvitationUnusable, match="该邀请已失效"):
        people.invitation_accept(digest=people.token_hash(token), full_name="李新", password=TEST_PASSWORD)
    assert not Membership.objects.filter(role=Role.OFFICER, department=department).exists()


def _lost_role_revocations():
    return list(AuditEvent.objects.filter(action="invitation.revoke", after__cause="inviter_lost_role"))


def test_disabling_the_inviter_revokes_their_pending_invitations_there(bureau, office, platform_admin):
    other = member(UserFactory(username="office_two"), bureau, Role.OFFICE)
    theirs = invite(office, bureau, role=Role.LEADER)
    kept = invite(other, bureau, email="kept@example.invalid")
    people.person_disable_in_agency(actor=platform_admin, user=office, agency=bureau, reason="违规调离")
    theirs.refresh_from_db()
    kept.refresh_from_db()
    assert theirs.revoked_by == platform_admin and theirs.revoked_at is not None
    assert kept.revoked_at is None
    (event,) = _lost_role_revocations()
    assert (event.actor, event.agency, event.reason, event.object_id) == (
        platform_admin, bureau, "违规调离", str(theirs.pk))


def test_revoking_the_inviters_office_revokes_their_pending_invitations(bureau, office, platform_admin):
    member(office, bureau, Role.REVIEWER)
    theirs = invite(office, bureau)
    reviewer_role = Membership.objects.get(user=office, agency=bureau, role=Role.REVIEWER)
    agency_services.membership_revoke(actor=platform_admin, membership=reviewer_role, reason="岗位调整")
    theirs.refresh_from_db()
    assert theirs.revoked_at is None and not _lost_role_revocations()  # still the office
    office_role = Membership.objects.get(user=office, agency=bureau, role=Role.OFFICE)
    agency_services.membership_revoke(actor=platform_admin, membership=office_role, reason="免去公开办职务")
    theirs.refresh_from_db()
    assert theirs.revoked_by == platform_admin
    (event,) = _lost_role_revocations()
    assert event.reason == "免去公开办职务" and event.after["status"] == "revoked"
    with pytest.raises(people.InvitationUnusable, match="已被撤销"):
        people.invitation_accept(token=theirs.token, full_name="李新", password=TEST_PASSWORD)


def test_disabling_the_inviters_account_revokes_their_pending_invitations(bureau, office,
                                                                           platform_admin):
    theirs = invite(office, bureau)
    agency_services.user_update(actor=platform_admin, user=office, is_active=False, reason="离职")
    theirs.refresh_from_db()
    assert theirs.revoked_by == platform_admin
    (event,) = _lost_role_revocations()
    assert event.reason == "离职"


def test_a_supervising_office_keeps_its_invitations_below_when_disabled_there_only(
        bureau, city_office, supervisors_manage, platform_admin):
    member(city_office, bureau, Role.REVIEWER)
    theirs = invite(city_office, bureau, role=Role.SUPERVISOR)
    people.person_disable_in_agency(actor=platform_admin, user=city_office, agency=bureau, reason="调离")
    theirs.refresh_from_db()
    assert theirs.revoked_at is None  # still grants it from the city office


def test_an_office_transferred_away_leaves_no_pending_invitation_behind(
        bureau, office, other_agency, platform_admin):
    theirs = invite(office, bureau)
    office_role = Membership.objects.get(user=office, agency=bureau, role=Role.OFFICE)
    people.person_transfer(actor=platform_admin, membership=office_role, agency=other_agency, reason="调任")
    theirs.refresh_from_db()
    assert theirs.revoked_by == platform_admin
    assert [e.reason for e in _lost_role_revocations()] == ["调任"]
