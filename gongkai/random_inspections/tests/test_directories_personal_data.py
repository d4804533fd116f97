"""Inspectors' phone and ID numbers after the review: masked on the edit page (an empty
input keeps them, 清除 removes them), shown in full only through an audited reveal with a
reason; declared conflicts' reasons stay out of the audit trail."""

import pytest
from django.urls import reverse

from gongkai.core.errors import DomainError
from gongkai.core.models import AuditEvent
from gongkai.random_inspections.services import directories as services
from gongkai.random_inspections.tests.conftest import uscc

PHONE = "13912345678"
ID_NUMBER = "11010519491231002X"


@pytest.fixture
def zhang(today, bureau, office, department):
    return services.inspector_create(actor=office, agency=bureau, name="张三", certificate_number="12010000001",
                                     department_name=department.name, region="和平区", grid="和平所",
                                     expertise="食品安全", phone=PHONE, id_number=ID_NUMBER)


def edit(client, inspector, **fields):
    data = {"name": inspector.name, "certificate_number": inspector.certificate_number,
            "department_name": inspector.department_name, "phone": "", "id_number": ""} | fields
    return client.post(reverse("staff:ri-inspector-edit", args=[inspector.pk]), data)


def test_empty_inputs_leave_the_phone_and_id_number_unchanged(zhang, office, client_for):
    assert edit(client_for(office), zhang, name="张三丰").status_code == 302
    zhang.refresh_from_db()
    assert (zhang.name, zhang.phone, zhang.id_number) == ("张三丰", PHONE, ID_NUMBER)
    event = AuditEvent.objects.get(action="random_inspections.inspector_update")
    assert event.after["phone_changed"] is False and event.after["id_number_changed"] is False


def test_the_clear_boxes_remove_them_and_a_typed_value_replaces_them(zhang, office, client_for):
    assert edit(client_for(office), zhang, clear_phone="on", id_number="110105194912310038").status_code == 302
    zhang.refresh_from_db()
    assert (zhang.phone, zhang.id_number) == ("", "110105194912310038")


def test_clearing_and_typing_at_once_is_refused_without_echoing_the_number(zhang, office, client_for):
    response = edit(client_for(office), zhang, clear_phone="on", phone="13700000000")
    assert response.status_code == 400
    page = response.content.decode()
    assert "已勾选清除联系电话" in page and "13700000000" not in page
    zhang.refresh_from_db()
    assert zhang.phone == PHONE


def test_a_bad_new_number_is_refused_and_the_old_one_kept(zhang, office, client_for):
    response = edit(client_for(office), zhang, id_number="110105194912310021")
    assert response.status_code == 400 and "校验位" in response.content.decode()
    zhang.refresh_from_db()
    assert zhang.id_number == ID_NUMBER


def test_the_office_reveals_them_once_with_a_reason_audited_without_the_values(zhang, office, client_for):
    client = client_for(office)
    url = reverse("staff:ri-inspector-reveal", args=[zhang.pk])
    detail = client.get(reverse("staff:ri-inspector", args=[zhang.pk])).content.decode()
    assert 'data-testid="reveal-form"' in detail and PHONE not in detail
    refused = client.post(url, {"reveal-reason": ""})
    assert refused.status_code == 400 and PHONE not in refused.content.decode()
    assert not AuditEvent.objects.filter(action="random_inspections.inspector_reveal").exists()
    response = client.post(url, {"reveal-reason": "核对执法证信息"})
    page = response.content.decode()
    assert response.status_code == 200 and PHONE in page and ID_NUMBER in page
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="random_inspections.inspector_reveal")
    assert (event.actor, event.reason) == (office, "核对执法证信息")
    text = f"{event.before}{event.after}{event.reason}{event.object_repr}"
    assert PHONE not in text and ID_NUMBER not in text
    again = client.get(reverse("staff:ri-inspector", args=[zhang.pk])).content.decode()
    assert PHONE not in again  # once, in that response only


@pytest.mark.parametrize("persona, status", [("officer", 403), ("supervisor", 403), ("other_office", 404)])
def test_only_the_agencys_office_reveals_them(zhang, client_for, request, persona, status):
    response = client_for(request.getfixturevalue(persona)).post(
        reverse("staff:ri-inspector-reveal", args=[zhang.pk]), {"reveal-reason": "想看"})
    assert response.status_code == status
    assert PHONE not in response.content.decode()
    assert not AuditEvent.objects.filter(action="random_inspections.inspector_reveal").exists()


def test_the_reveal_service_needs_a_reason(zhang, office):
    with pytest.raises(DomainError, match="理由"):
        services.inspector_record_personal_data_view(actor=office, inspector=zhang, reason="  ")


def test_a_conflicts_reason_never_enters_the_audit_trail(zhang, office):
    conflict = services.conflict_declare(actor=office, inspector=zhang, credit_code=uscc(5), reason="配偶持股")
    services.conflict_withdraw(actor=office, conflict=conflict, reason="配偶已转让股份")
    events = AuditEvent.objects.filter(action__startswith="random_inspections.conflict_").order_by("seq")
    assert [e.after["reason_given"] for e in events] == [True, True]
    for event in events:
        text = f"{event.before}{event.after}{event.reason}{event.object_repr}"
        assert "配偶" not in text
