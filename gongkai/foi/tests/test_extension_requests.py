"""Extension on request (条例第三十三条第二款): the office or the assigned officer asks,
with the days and the reason; a leader approves (the ``extend`` event, before the
original deadline, at most 20 working days in all) or refuses (``refuse_extension``)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from gongkai.core.errors import DomainError
from gongkai.core.models import AuditEvent, Role
from gongkai.core.tests.factories import DepartmentFactory, UserFactory, member
from gongkai.core.tests.helpers import at
from gongkai.foi.models import ExtensionRequest, ExtensionState, FoiEvent, Letter, LetterKind
from gongkai.foi.selectors import request_deadline
from gongkai.foi.services import requests as svc

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def assigned(register, office, department):
    foi = register(D(2025, 3, 3))  # due 2025-03-31
    svc.request_assign(actor=office, request=foi, department=department)
    at(D(2025, 3, 17))
    return foi


def test_asked_by_the_office_approved_by_the_leader(assigned, office, leader):
    ext = svc.extension_request(actor=office, request=assigned, days=10, reason="需调取多个年度档案")
    assert ext.state == ExtensionState.REQUESTED
    assert request_deadline(assigned).due_on == D(2025, 3, 31)  # asking changes nothing

    ext = svc.extension_approve(actor=leader, extension=ext, note="同意")
    assert (ext.state, ext.decided_by, ext.decided_on) == (ExtensionState.APPROVED, leader, D(2025, 3, 17))
    assigned.refresh_from_db()
    assert request_deadline(assigned).due_on == D(2025, 4, 15)  # 10 working days on, Qingming skipped
    events = list(FoiEvent.objects.filter(request=assigned, action__in=["request_extension", "extend"]))
    assert [(e.action, e.actor) for e in events] == [("request_extension", office), ("extend", leader)]
    assert events[1].data == {"days": 10, "extension_request_id": ext.pk}
    audited = set(AuditEvent.objects.filter(object_id=str(assigned.pk)).values_list("action", flat=True))
    assert {"foi.request_extension", "foi.extend"} <= audited
    notice = Letter.objects.get(request=assigned)  # the applicant is told in writing
    assert notice.kind == LetterKind.EXTENSION and notice.issued_by == leader


def test_the_assigned_officer_may_ask(assigned, officer):
    ext = svc.extension_request(actor=officer, request=assigned, days=5, reason="需会商")
    assert ext.requested_by == officer


def test_other_officers_reviewers_and_leaders_may_not_ask(bureau, assigned, reviewer, leader):
    stranger = member(UserFactory(username="stranger"), bureau, Role.OFFICER,
                      DepartmentFactory(agency=bureau, name="质量监督科"))
    for user in (stranger, reviewer, leader):
        with pytest.raises(PermissionDenied):
            svc.extension_request(actor=user, request=assigned, days=5, reason="x")
    assert not ExtensionRequest.objects.exists()


def test_a_refusal_is_recorded_with_its_reason_and_leaves_the_deadline(assigned, office, leader):
    ext = svc.extension_request(actor=office, request=assigned, days=10, reason="档案多")
    with pytest.raises(DomainError, match="说明理由"):
        svc.extension_refuse(actor=leader, extension=ext, note="")
    ext = svc.extension_refuse(actor=leader, extension=ext, note="现有材料足以答复")
    assert ext.state == ExtensionState.REFUSED
    event = FoiEvent.objects.get(request=assigned, action="refuse_extension")
    assert (event.actor, event.reason) == (leader, "现有材料足以答复")
    assert not FoiEvent.objects.filter(request=assigned, action="extend").exists()
    assert not Letter.objects.filter(request=assigned).exists()
    assert request_deadline(assigned).due_on == D(2025, 3, 31)
    with pytest.raises(DomainError, match="不能再次审批"):
        svc.extension_approve(actor=leader, extension=ext)


@pytest.mark.parametrize("persona", ["office", "officer", "reviewer", "supervisor"])
def test_only_the_leader_decides(request, assigned, office, persona):
    ext = svc.extension_request(actor=office, request=assigned, days=5, reason="x")
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        svc.extension_approve(actor=user, extension=ext)
    with pytest.raises(PermissionDenied):
        svc.extension_refuse(actor=user, extension=ext, note="不同意")
    ext.refresh_from_db()
    assert ext.state == ExtensionState.REQUESTED


def test_approval_after_the_original_deadline_is_refused(assigned, office, leader):
    ext = svc.extension_request(actor=office, request=assigned, days=5, reason="x")
    at(D(2025, 4, 1))  # the original deadline was 2025-03-31
    with pytest.raises(DomainError, match="原答复期限届满前"):
        svc.extension_approve(actor=leader, extension=ext)
    ext.refresh_from_db()
    assert ext.state == ExtensionState.REQUESTED
    assert not FoiEvent.objects.filter(request=assigned, action="extend").exists()


def test_a_back_date_does_not_carry_a_late_approval_before_the_deadline(assigned, office, leader):
    ext = svc.extension_request(actor=office, request=assigned, days=5, reason="x")
    at(D(2025, 4, 2))  # the original deadline (2025-03-31) has passed
    with pytest.raises(DomainError, match="原答复期限届满前"):
        svc.extension_approve(actor=leader, extension=ext, decided_on=D(2025, 3, 28))
    ext.refresh_from_db()
    assert ext.state == ExtensionState.REQUESTED
    assert not Letter.objects.filter(request=assigned).exists()


def test_an_approval_cannot_predate_the_request_for_it(assigned, office, leader):
    ext = svc.extension_request(actor=office, request=assigned, days=5, reason="x")  # asked 2025-03-17
    with pytest.raises(DomainError, match="不能早于申请延期的日期"):
        svc.extension_approve(actor=leader, extension=ext, decided_on=D(2025, 3, 14))
    assert svc.extension_approve(actor=leader, extension=ext, decided_on=D(2025, 3, 17)).state == (
        ExtensionState.APPROVED)


def test_one_request_at_a_time_and_no_more_than_twenty_days(assigned, office, leader):
    with pytest.raises(DomainError, match="20个工作日"):
        svc.extension_request(actor=office, request=assigned, days=21, reason="x")
    ext = svc.extension_request(actor=office, request=assigned, days=15, reason="x")
    with pytest.raises(DomainError, match="待审批"):
        svc.extension_request(actor=office, request=assigned, days=5, reason="y")
    svc.extension_approve(actor=leader, extension=ext)
    with pytest.raises(DomainError, match="已延长15个工作日"):
        svc.extension_request(actor=office, request=assigned, days=6, reason="再延")
    assert svc.extension_request(actor=office, request=assigned, days=5, reason="再延").days == 5


def test_asking_after_the_original_deadline_is_refused(assigned, office):
    at(D(2025, 4, 1))
    with pytest.raises(DomainError, match="原答复期限届满前"):
        svc.extension_request(actor=office, request=assigned, days=5, reason="x")


def test_the_pages_officer_asks_leader_refuses(client_for, assigned, officer, leader):
    from django.urls import reverse

    client = client_for(officer)
    response = client.post(reverse("staff:foi-extension-request", args=[assigned.pk]),
                           {"extension-request-days": 5, "extension-request-reason": "需会商"})
    assert response.status_code == 302
    ext = ExtensionRequest.objects.get()
    page = client.get(reverse("staff:foi-detail", args=[assigned.pk])).content.decode()
    assert 'data-testid="panel-extension-request"' not in page  # one at a time
    client = client_for(leader)
    assert "待审批：延期5个工作日" in client.get(reverse("staff:foi-dashboard")).content.decode()
    prefix = f"extension-decide-{ext.pk}"
    response = client.post(reverse("staff:foi-extension-decide", args=[ext.pk]),
                           {f"{prefix}-decision": "refuse"})
    assert response.status_code == 400
    assert "不同意延期请说明理由" in response.content.decode()
    response = client.post(reverse("staff:foi-extension-decide", args=[ext.pk]),
                           {f"{prefix}-decision": "refuse", f"{prefix}-note": "不必延期"})
    assert response.status_code == 302
    ext.refresh_from_db()
    assert ext.state == ExtensionState.REFUSED
