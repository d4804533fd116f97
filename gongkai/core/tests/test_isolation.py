"""Role isolation between agencies: a user of one agency never sees another agency's
unpublished data; a supervisor reads the subtree below, and nothing above or beside it.

Permission tests vary only the actor; every other line of setup is shared."""

import pytest
from django.urls import reverse

from gongkai.core import audit, permissions
from gongkai.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def bureau_event(bureau, office):
    return audit.record(actor=office, action="test.bureau", obj=bureau, agency=bureau,
                        reason="本机关内部记录")


@pytest.fixture
def other_event(other_agency, other_office):
    return audit.record(actor=other_office, action="test.other", obj=other_agency,
                        agency=other_agency, reason="另一机关的内部记录")


# --- agency pages --------------------------------------------------------------------

@pytest.mark.parametrize("persona", ["office", "officer", "reviewer", "leader", "supervisor", "platform_admin"])
def test_bureau_page_is_visible_to_its_own_people_and_its_supervisor(request, client_for, bureau, persona):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(reverse("staff:agency-detail", args=[bureau.pk]))
    assert response.status_code == 200
    assert bureau.name in response.content.decode()


@pytest.mark.parametrize("persona", ["other_office"])
def test_bureau_page_is_404_for_another_agency(request, client_for, bureau, persona):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(reverse("staff:agency-detail", args=[bureau.pk]))
    assert response.status_code == 404


def test_unknown_agency_and_foreign_agency_get_the_same_404(client_for, other_office, bureau):
    client = client_for(other_office)
    foreign = client.get(reverse("staff:agency-detail", args=[bureau.pk]))
    missing = client.get(reverse("staff:agency-detail", args=[999_999]))
    assert foreign.status_code == missing.status_code == 404


def _detail_link(agency):
    return f'href="{reverse("staff:agency-detail", args=[agency.pk])}"'


def test_agency_list_links_only_own_agency(client_for, office, tree):
    body = client_for(office).get(reverse("staff:agency-list")).content.decode()
    assert _detail_link(tree["bureau"]) in body
    for key in ("other", "county", "city", "province"):
        assert _detail_link(tree[key]) not in body


def test_supervisor_reads_the_subtree_below_and_nothing_above(client_for, supervisor, tree):
    client = client_for(supervisor)
    body = client.get(reverse("staff:agency-list")).content.decode()
    for key in ("city", "bureau", "county", "other"):
        assert _detail_link(tree[key]) in body
    assert _detail_link(tree["province"]) not in body
    assert client.get(reverse("staff:agency-detail", args=[tree["other"].pk])).status_code == 200
    assert client.get(reverse("staff:agency-detail", args=[tree["province"].pk])).status_code == 404


def test_supervisor_cannot_manage_departments_below(supervisor, bureau):
    assert permissions.can_view_agency(supervisor, bureau)
    assert not permissions.can_manage_departments(supervisor, bureau)


def test_revoked_membership_loses_access(client_for, office, bureau):
    membership = office.memberships.get()
    membership.is_active = False
    membership.save()
    assert client_for(office).get(reverse("staff:agency-detail", args=[bureau.pk])).status_code == 403


def test_deactivated_agency_hides_its_memberships(client_for, office, bureau):
    bureau.is_active = False
    bureau.save()
    assert not permissions.is_staff_user(office)


# --- audit trail ---------------------------------------------------------------------

def test_office_sees_only_its_agencys_audit_entries(client_for, office, bureau_event, other_event):
    client = client_for(office)
    body = client.get(reverse("staff:audit-list")).content.decode()
    assert "test.bureau" in body
    assert "test.other" not in body
    assert client.get(reverse("staff:audit-detail", args=[bureau_event.pk])).status_code == 200
    assert client.get(reverse("staff:audit-detail", args=[other_event.pk])).status_code == 404


def test_other_office_cannot_read_the_bureaus_audit_entries(client_for, other_office, bureau_event, other_event):
    client = client_for(other_office)
    body = client.get(reverse("staff:audit-list")).content.decode()
    assert "test.other" in body
    assert "test.bureau" not in body
    assert client.get(reverse("staff:audit-detail", args=[bureau_event.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["officer", "reviewer", "leader", "supervisor"])
def test_audit_log_is_refused_to_roles_other_than_office_and_admin(request, client_for, bureau_event, persona):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    assert client.get(reverse("staff:audit-list")).status_code == 403
    assert client.get(reverse("staff:audit-detail", args=[bureau_event.pk])).status_code == 403


def test_platform_admin_sees_every_audit_entry_and_filters_by_agency(client_for, platform_admin, bureau, bureau_event, other_event):
    client = client_for(platform_admin)
    body = client.get(reverse("staff:audit-list")).content.decode()
    assert "test.bureau" in body and "test.other" in body
    filtered = client.get(reverse("staff:audit-list"), {"agency": bureau.pk}).content.decode()
    assert "test.bureau" in filtered and "test.other" not in filtered


def test_audit_filters_by_action_and_rejects_inverted_dates(client_for, office, bureau, bureau_event):
    audit.record(actor=office, action="another.thing", obj=bureau, agency=bureau)
    client = client_for(office)
    body = client.get(reverse("staff:audit-list"), {"action": "test."}).content.decode()
    assert "test.bureau" in body and "another.thing" not in body
    bad = client.get(reverse("staff:audit-list"), {"date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert bad.status_code == 200
    assert "起始日期不能晚于截止日期" in bad.content.decode()


def test_audit_list_query_count_does_not_grow_with_entries(client_for, office, bureau, django_assert_max_num_queries):
    client = client_for(office)
    for i in range(30):
        audit.record(actor=office, action=f"bulk.{i}", obj=bureau, agency=bureau)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("staff:audit-list")).status_code == 200
    assert AuditEvent.objects.filter(agency=bureau).count() >= 30


# --- shell ---------------------------------------------------------------------------

def test_shell_shows_the_users_agency_and_role(client_for, officer, bureau):
    body = client_for(officer).get(reverse("staff:home")).content.decode()
    assert bureau.name in body
    assert "内设机构信息员" in body
    assert "食品安全科" in body


def test_switching_role_only_to_own_memberships(client_for, office, other_agency, bureau):
    from gongkai.core.models import Membership, Role

    second = Membership.objects.create(user=office, agency=other_agency, role=Role.REVIEWER)
    client = client_for(office)
    client.post(reverse("staff:switch-membership"), {"membership": second.pk})
    assert "保密审查员" in client.get(reverse("staff:home")).content.decode()
    foreign = Membership.objects.exclude(user=office).first()
    if foreign is not None:
        response = client.post(reverse("staff:switch-membership"), {"membership": foreign.pk}, follow=True)
        assert "无法切换到该岗位" in response.content.decode()
