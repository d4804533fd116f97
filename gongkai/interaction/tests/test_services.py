"""The message workflow through its services: every step recorded, refusals in Chinese,
nothing changed by a refused step."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from gongkai.core.errors import DomainError
from gongkai.core.models import AuditEvent
from gongkai.core.tests.helpers import at
from gongkai.interaction import selectors, services
from gongkai.interaction.models import AgencyMessageSettings, Message, ReplyState
from gongkai.interaction.services import PublicText
from gongkai.interaction.tests.conftest import MONDAY, WRITER_PHONE, data
from gongkai.interaction.workflow import Action, MessageStatus

D = dt.date


def test_a_submitted_message_is_received_today_with_a_number_a_hashed_secret_and_encrypted_contact(
        submitted, bureau):
    message, secret = submitted
    assert message.status == MessageStatus.RECEIVED
    assert message.received_on == MONDAY
    assert message.tracking_number == f"LY2025-{bureau.pk:04d}-00001"
    assert secret not in message.secret_hash
    assert selectors.message_get_public(tracking_number=message.tracking_number, secret=secret) == message
    assert selectors.message_get_public(tracking_number=message.tracking_number, secret="WRONG") is None
    raw = Message.objects.filter(pk=message.pk).values_list("phone", flat=True)
    from django.db import connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, name FROM interaction_message WHERE id = %s", [message.pk])
        stored_phone, stored_name = cursor.fetchone()
    assert WRITER_PHONE not in stored_phone and "王小明" not in stored_name
    assert list(raw) == [WRITER_PHONE]
    event = message.events.get()
    assert event.action == Action.SUBMIT and event.actor_label == "留言人"
    audit = AuditEvent.objects.get(action="interaction.submit", object_id=str(message.pk))
    assert WRITER_PHONE not in str(audit.after)


def test_the_deadline_is_derived_from_the_agencys_setting_and_approved_extensions(
        message, bureau, office, leader):
    assert selectors.message_deadline(message).due_on == D(2025, 3, 10)
    AgencyMessageSettings.objects.create(agency=bureau, reply_working_days=3)
    assert selectors.message_deadline(message).due_on == D(2025, 3, 6)
    services.extension_request(actor=office, message=message, days=2, reason="需现场核查")
    assert selectors.message_deadline(message).pending_extension_days == 2
    assert selectors.message_deadline(message).due_on == D(2025, 3, 6)  # not until approved
    services.extension_decide(actor=leader, message=message, approve=True)
    deadline = selectors.message_deadline(message)
    assert deadline.due_on == D(2025, 3, 10) and deadline.pending_extension_days is None


def test_only_a_leader_decides_an_extension_and_a_refusal_needs_a_reason(message, office, leader):
    services.extension_request(actor=office, message=message, days=2, reason="需现场核查")
    with pytest.raises(PermissionDenied):
        services.extension_decide(actor=office, message=message, approve=True)
    with pytest.raises(DomainError, match="写明理由"):
        services.extension_decide(actor=leader, message=message, approve=False)
    with pytest.raises(DomainError, match="已有待审批"):
        services.extension_request(actor=office, message=message, days=1, reason="再延")
    services.extension_decide(actor=leader, message=message, approve=False, note="期限内可以办结")
    assert selectors.message_deadline(message).extension_days == 0


def test_route_reply_check_release(message, office, officer, department):
    services.message_assign(actor=office, message=message, department=department, category="食品安全")
    message.refresh_from_db()
    assert message.status == MessageStatus.ASSIGNED and message.department == department
    services.reply_submit(actor=officer, message=message, text="初稿")
    with pytest.raises(DomainError, match="审核意见"):
        services.reply_check(actor=office, message=message, passed=False)
    services.reply_check(actor=office, message=message, passed=False, note="请写明处理结果")
    message.refresh_from_db()
    assert message.status == MessageStatus.ASSIGNED
    services.reply_submit(actor=officer, message=message, text="已立案查处。")
    with pytest.raises(PermissionDenied):
        services.reply_check(actor=officer, message=message, passed=True)
    at(MONDAY + dt.timedelta(days=2))
    services.reply_check(actor=office, message=message, passed=True)
    message.refresh_from_db()
    assert message.status == MessageStatus.REPLIED and message.replied_on == D(2025, 3, 5)
    assert [r.state for r in message.replies.order_by("id")] == [ReplyState.RETURNED, ReplyState.RELEASED]
    actions = list(message.events.values_list("action", flat=True))
    assert actions == ["submit", "assign", "submit_reply", "return_reply", "submit_reply", "release_reply"]


def test_an_officer_of_another_department_may_not_reply(message, office, officer, bureau):
    from gongkai.core.tests.factories import DepartmentFactory
    other = DepartmentFactory(agency=bureau, name="质量监督科")
    services.message_assign(actor=office, message=message, department=other)
    with pytest.raises(PermissionDenied):
        services.reply_submit(actor=officer, message=message, text="答复")


def test_a_transfer_keeps_the_history_and_restarts_the_clock_in_the_new_agency(
        message, office, other_agency, other_office, department):
    services.message_assign(actor=office, message=message, department=department)
    at(D(2025, 3, 5))
    with pytest.raises(DomainError, match="转办理由"):
        services.message_transfer(actor=office, message=message, to_agency=other_agency, reason=" ")
    services.message_transfer(actor=office, message=message, to_agency=other_agency,
                              reason="属县局管辖")
    message.refresh_from_db()
    assert message.agency == other_agency and message.transferred_from_id == office.memberships.get().agency_id
    assert message.status == MessageStatus.RECEIVED and message.department is None
    assert message.received_on == D(2025, 3, 5)
    assert selectors.message_deadline(message).due_on == D(2025, 3, 12)
    assert message.events.count() == 3
    # The new agency's office routes it; the old office still reads it but cannot act.
    from gongkai.interaction import permissions
    assert permissions.can_view_message(office, message) and not permissions.can_route(office, message)
    assert permissions.can_route(other_office, message)


def test_publishing_needs_consent_a_released_reply_and_clean_masked_text(
        replied, office, bureau):
    proposed = selectors.proposed_public_text(replied)
    assert WRITER_PHONE not in proposed.content and "139****5678" in proposed.content
    with pytest.raises(DomainError, match="手机号码"):
        services.message_publish(actor=office, message=replied, text=PublicText(
            replied.subject, replied.content, proposed.reply))
    with pytest.raises(DomainError, match="姓名或联系方式"):
        services.message_publish(actor=office, message=replied, text=PublicText(
            replied.subject, "王小明反映超市销售过期酸奶", proposed.reply))
    services.message_publish(actor=office, message=replied, text=proposed)
    replied.refresh_from_db()
    assert replied.status == MessageStatus.PUBLISHED
    assert list(selectors.public_replies(agency=bureau)) == [replied]
    assert replied.public_content == proposed.content
    services.message_unpublish(actor=office, message=replied, reason="留言人要求撤回")
    assert not selectors.public_replies().exists()


def test_no_publication_without_the_writers_consent(bureau, on_monday, office, officer, department):
    message, _ = services.message_submit(agency=bureau, data=data(publish_consent=False))
    services.reply_submit(actor=office, message=message, text="答复")
    services.reply_check(actor=office, message=message, passed=True)
    with pytest.raises(DomainError, match="未同意公开"):
        services.message_publish(actor=office, message=message,
                                 text=PublicText("标题", "内容内容", "答复"))
    message.refresh_from_db()
    assert message.status == MessageStatus.REPLIED and not message.public_content


def test_moderation_words_need_the_offices_confirmation(replied, office, monkeypatch):
    from gongkai.core.moderation import WordHit

    monkeypatch.setattr("gongkai.core.moderation.word_hits",
                        lambda text, *, agency: [WordHit("垃圾", 0, 2)] if "垃圾" in text else [])
    text = PublicText("垃圾超市", "超市销售过期酸奶", "已查处")
    with pytest.raises(DomainError, match="垃圾"):
        services.message_publish(actor=office, message=replied, text=text)
    services.message_publish(actor=office, message=replied, text=text, words_checked=True)
    assert replied.events.get(action=Action.PUBLISH).data == {"words": ["垃圾"]}


def test_the_writer_rates_once(replied):
    services.message_rate(message=replied, rating="satisfied", comment="处理及时")
    replied.refresh_from_db()
    assert replied.rating == "satisfied"
    with pytest.raises(DomainError, match="已评价"):
        services.message_rate(message=replied, rating="unsatisfied")


def test_a_message_without_a_reply_cannot_be_rated(message):
    with pytest.raises(DomainError, match="不能执行"):
        services.message_rate(message=message, rating="satisfied")
