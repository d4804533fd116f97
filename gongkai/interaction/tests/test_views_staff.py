"""The back office: list, one message with its steps, desk queues, statistics, settings."""

import datetime as dt

import pytest
from django.urls import reverse

from gongkai.core import desk
from gongkai.core.models import AuditEvent, Membership
from gongkai.core.tests.helpers import at
from gongkai.interaction import services
from gongkai.interaction.models import AgencyMessageSettings
from gongkai.interaction.tests.conftest import MONDAY, WRITER_PHONE
from gongkai.interaction.workflow import MessageStatus

D = dt.date


def test_the_office_routes_a_message_from_its_page(client_for, message, office, department):
    client = client_for(office)
    page = client.get(reverse("staff:message-detail", args=[message.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert WRITER_PHONE in html  # the office sees the contact in full
    assert 'data-testid="panel-assign"' in html
    assert AuditEvent.objects.filter(action="interaction.personal_data.view").exists()
    response = client.post(reverse("staff:message-assign", args=[message.pk]),
                           {"assign-department": department.pk, "assign-category": "食品安全"})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == MessageStatus.ASSIGNED and message.category == "食品安全"


def test_a_refused_step_is_a_400_with_the_reason_and_changes_nothing(client_for, message, office):
    client = client_for(office)
    response = client.post(reverse("staff:message-check", args=[message.pk]),
                           {"check-decision": "release"})
    assert response.status_code == 400
    assert "不能执行" in response.content.decode()
    message.refresh_from_db()
    assert message.status == MessageStatus.RECEIVED


@pytest.mark.parametrize("persona, status", [
    ("office", 302), ("officer", 404), ("reviewer", 403), ("leader", 403), ("supervisor", 403),
    ("other_office", 404),
])
def test_who_may_route(request, client_for, message, department, persona, status):
    user = request.getfixturevalue(persona)
    response = client_for(user).post(reverse("staff:message-assign", args=[message.pk]),
                                     {"assign-department": department.pk})
    assert response.status_code == status


@pytest.mark.parametrize("persona, full", [
    ("office", True), ("officer", None), ("reviewer", False), ("leader", False), ("supervisor", False),
])
def test_who_sees_the_writers_contact(request, client_for, message, persona, full):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(reverse("staff:message-detail", args=[message.pk]))
    if full is None:  # an officer reads only their department's messages
        assert response.status_code == 404
        return
    html = response.content.decode()
    assert (WRITER_PHONE in html) is full
    assert ("139****5678" in html) is not full


def test_the_assigned_officer_sees_the_contact_and_writes_the_reply(client_for, message, office, officer, department):
    services.message_assign(actor=office, message=message, department=department)
    client = client_for(officer)
    page = client.get(reverse("staff:message-detail", args=[message.pk]))
    assert WRITER_PHONE in page.content.decode()
    response = client.post(reverse("staff:message-reply", args=[message.pk]),
                           {"reply-text": "已安排执法人员现场检查。"})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == MessageStatus.AWAITING_CHECK


def test_the_list_and_the_desk_count_the_same_messages(client_for, bureau, office, on_monday):
    from gongkai.interaction.tests.conftest import data

    old, _ = services.message_submit(agency=bureau, data=data(subject="三个月前的留言"))
    at(MONDAY + dt.timedelta(days=10))
    services.message_submit(agency=bureau, data=data(subject="今天的留言"))
    at(D(2025, 6, 10))
    membership = Membership.objects.get(user=office)
    queues = {q.key: q for q in desk.queues_for(membership)}
    assert queues["interaction.received"].count == 2
    assert queues["interaction.three_months"].count == 1
    assert queues["interaction.three_months"].marked
    assert queues["interaction.overdue"].count == 2
    listed = client_for(office).get(queues["interaction.three_months"].url)
    assert listed.status_code == 200
    html = listed.content.decode()
    assert "三个月前的留言" in html and "今天的留言" not in html
    assert "超过3个月未答复" in html


def test_the_leader_sees_extension_requests_on_the_desk(message, office, leader):
    services.extension_request(actor=office, message=message, days=3, reason="需要会同其他科室")
    membership = Membership.objects.get(user=leader)
    queues = {q.key: q.count for q in desk.queues_for(membership) if q.key.startswith("interaction.")}
    assert queues == {"interaction.extension": 1}


def test_statistics_by_type_and_department(client_for, replied, office, bureau):
    services.message_rate(message=replied, rating="satisfied")
    at(MONDAY)
    from gongkai.interaction.tests.conftest import data

    services.message_submit(agency=bureau, data=data(kind="inquiry"))
    response = client_for(office).get(reverse("staff:message-statistics"),
                                      {"start": "2025-01-01", "end": "2025-12-31"})
    assert response.status_code == 200
    stats = response.context["stats"]
    assert stats.total.received == 2 and stats.total.replied == 1 and stats.total.on_time == 1
    assert stats.total.finish_rate == 50.0 and stats.total.satisfaction_rate == 100.0
    kinds = {line.label: line.received for line in stats.by_kind}
    assert kinds["投诉"] == 1 and kinds["咨询"] == 1
    assert {line.label for line in stats.by_department} == {"食品安全科", "（未分办）"}
    assert "办结率" in response.content.decode()


def test_the_office_sets_the_reply_period(client_for, office, bureau, officer):
    client = client_for(office)
    bad = client.post(reverse("staff:message-settings"), {"reply_working_days": "0"})
    assert bad.status_code == 400 and "答复期限应为1至60个工作日" in bad.content.decode()
    assert client.post(reverse("staff:message-settings"), {"reply_working_days": "7"}).status_code == 302
    assert AgencyMessageSettings.objects.get(agency=bureau).reply_working_days == 7
    assert client_for(officer).get(reverse("staff:message-settings")).status_code == 403


def test_a_department_filter_too_large_for_a_key_lists_unfiltered(client_for, message, office, bureau):
    response = client_for(office).get(
        reverse("staff:message-list") + f"?agency={bureau.pk}&department=99999999999999999999999")
    assert response.status_code == 200
    assert message.subject in response.content.decode()
