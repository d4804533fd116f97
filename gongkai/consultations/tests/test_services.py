import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from gongkai.consultations import selectors, services
from gongkai.consultations.models import (
    CommentStatus,
    ConsultationEvent,
    ConsultationStatus,
    Disposition,
    Phase,
)
from gongkai.consultations.tests.conftest import START, at, close
from gongkai.core import listeners
from gongkai.core.errors import DomainError, InvalidTransition
from gongkai.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def content_changes():
    seen = []

    def listener(*args):
        seen.append(args)

    listeners.subscribe(listeners.CONTENT_CHANGED, listener)
    yield seen
    listeners.unsubscribe(listeners.CONTENT_CHANGED, listener)


def test_publish_needs_the_leader_and_records_each_step(draft, office, leader, content_changes):
    with pytest.raises(PermissionDenied):
        services.consultation_submit(actor=leader, consultation=draft)
    services.consultation_submit(actor=office, consultation=draft)
    with pytest.raises(PermissionDenied):
        services.consultation_approve(actor=office, consultation=draft)
    c = services.consultation_approve(actor=leader, consultation=draft, reason="同意")
    assert c.status == ConsultationStatus.PUBLISHED and c.published_at is not None
    assert selectors.phase(c) == Phase.UPCOMING
    events = list(ConsultationEvent.objects.filter(consultation=c).values_list("action", "actor__username"))
    assert events == [("create", "office"), ("submit", "office"), ("approve", "leader")]
    assert AuditEvent.objects.filter(action="consultations.approve", object_id=str(c.pk)).exists()
    assert content_changes


def test_a_period_shorter_than_the_minimum_needs_a_reason(draft, office, draft_fields):
    services.consultation_update(actor=office, consultation=draft,
                                 **{**draft_fields, "closes_on": draft.opens_on + dt.timedelta(days=20)})
    with pytest.raises(DomainError, match="少于30日"):
        services.consultation_submit(actor=office, consultation=draft)
    services.consultation_update(actor=office, consultation=draft,
                                 **{**draft_fields, "closes_on": draft.opens_on + dt.timedelta(days=20),
                                    "short_period_reason": "上级要求限期出台"})
    assert services.consultation_submit(actor=office, consultation=draft).status == "awaiting_approval"


def test_the_agency_setting_changes_the_minimum(draft, office, bureau, draft_fields):
    services.settings_set(actor=office, agency=bureau, kind="normative", minimum_days=40,
                          feedback_working_days=10)
    with pytest.raises(DomainError, match="少于40日"):
        services.consultation_submit(actor=office, consultation=draft)
    assert selectors.periods_for(bureau, "normative").feedback_working_days == 10
    assert selectors.periods_for(bureau, "other").minimum_days == 30


def test_a_supervising_agencys_setting_reaches_the_agencies_below(tree, bureau):
    from gongkai.consultations.models import AgencyConsultationSettings

    AgencyConsultationSettings.objects.create(agency=tree["city"], kind="major_decision", minimum_days=45)
    assert selectors.periods_for(bureau, "major_decision").minimum_days == 45


def test_comments_only_while_open_and_on_real_articles(published):
    with pytest.raises(DomainError, match="不在征求意见期内"):
        services.comment_submit(consultation=published, body="提前的意见")
    at(published.opens_on)
    with pytest.raises(DomainError, match="没有所选的条款"):
        services.comment_submit(consultation=published, body="意见", article=9)
    c = services.comment_submit(consultation=published, body="第十一条建议延后施行", article=11)
    assert c.status == CommentStatus.PENDING
    close(published)
    with pytest.raises(DomainError, match="不在征求意见期内"):
        services.comment_submit(consultation=published, body="晚到的意见")


def test_a_comment_is_screened_on_arrival_and_stored_encrypted(open_now):
    from django.db import connection

    comment = services.comment_submit(
        consultation=open_now, body="联系我13812345678，狗官不作为", name="张三", contact="13900001111")
    assert [f["kind"] for f in comment.leak_findings] == ["mobile"]
    assert "13812345678" not in comment.leak_findings[0]["excerpt"]
    assert [h["word"] for h in comment.word_hits] == ["狗官"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, contact FROM consultations_comment WHERE id = %s", [comment.pk])
        raw = cursor.fetchone()
    assert "张三" not in raw[0] and "13900001111" not in raw[1]


def test_accepting_masks_personal_data_and_listed_words(open_now, office, content_changes):
    comment = services.comment_submit(consultation=open_now, body="我的电话13812345678，狗官")
    accepted = services.comment_accept(actor=office, comment=comment)
    assert accepted.display_body == "我的电话138****5678，**"
    assert list(selectors.displayed_comments(open_now)) == [accepted]
    assert content_changes
    with pytest.raises(DomainError, match="已审核"):
        services.comment_accept(actor=office, comment=comment)


def test_rejecting_needs_a_reason_and_hides_the_comment(open_now, office, leader):
    comment = services.comment_submit(consultation=open_now, body="代开发票请联系")
    with pytest.raises(PermissionDenied):
        services.comment_reject(actor=leader, comment=comment, reason="广告")
    with pytest.raises(DomainError, match="理由"):
        services.comment_reject(actor=office, comment=comment, reason=" ")
    services.comment_reject(actor=office, comment=comment, reason="广告")
    assert list(selectors.displayed_comments(open_now)) == []


def _closed_with_comments(c, office):
    a = services.comment_accept(actor=office, comment=services.comment_submit(consultation=c, body="期限太长", article=3))
    b = services.comment_accept(actor=office, comment=services.comment_submit(consultation=c, body="同意"))
    close(c)
    return a, b


def test_opinions_only_after_the_close_and_reasons_unless_adopted(open_now, office):
    with pytest.raises(DomainError, match="截止后"):
        services.opinion_create(actor=office, consultation=open_now, summary="x", disposition="adopted")
    a, b = _closed_with_comments(open_now, office)
    with pytest.raises(DomainError, match="须说明理由"):
        services.opinion_create(actor=office, consultation=open_now, summary="缩短期限",
                                disposition=Disposition.NOT_ADOPTED, comment_ids=[a.pk])
    services.opinion_create(actor=office, consultation=open_now, summary="缩短期限", article=3,
                            disposition=Disposition.PARTLY_ADOPTED, reason="改为十五个工作日", comment_ids=[a.pk])
    a.refresh_from_db()
    assert a.opinion is not None


def test_feedback_needs_every_comment_screened_and_grouped(open_now, office, content_changes):
    a, b = _closed_with_comments(open_now, office)
    services.opinion_create(actor=office, consultation=open_now, summary="缩短期限", article=3,
                            disposition=Disposition.ADOPTED, comment_ids=[a.pk])
    with pytest.raises(DomainError, match="1条已展示的公众意见未归入"):
        services.feedback_publish(actor=office, consultation=open_now)
    services.opinion_create(actor=office, consultation=open_now, summary="赞同草案",
                            disposition=Disposition.NOT_ADOPTED, reason="无需修改", comment_ids=[b.pk])
    c = services.feedback_publish(actor=office, consultation=open_now, summary="感谢参与")
    assert c.status == ConsultationStatus.FEEDBACK_PUBLISHED
    assert c.feedback_published_on == open_now.closes_on + dt.timedelta(days=1)
    fb = selectors.feedback_of(c)
    assert (fb.received, fb.total, fb.adopted, fb.not_adopted, fb.rate) == (2, 2, 1, 1, 50.0)
    with pytest.raises(InvalidTransition):
        services.feedback_publish(actor=office, consultation=c)


def test_pending_comments_block_the_feedback(open_now, office):
    services.comment_submit(consultation=open_now, body="未审核的意见")
    close(open_now)
    with pytest.raises(DomainError, match="1条公众意见未审核"):
        services.feedback_publish(actor=office, consultation=open_now)


def test_overdue_feedback_is_on_the_desk(open_now, office):
    from gongkai.consultations import desk
    from gongkai.core.models import Membership

    membership = Membership.objects.get(user=office)
    close(open_now)
    counts = {q.key: q.count for q in desk.queues(membership)}
    assert counts["consultations.awaiting_feedback"] == 1
    assert counts["consultations.feedback_overdue"] == 0
    due = selectors.feedback_due_on(open_now)
    at(due)
    assert selectors.is_feedback_overdue(open_now) is False
    at(due + dt.timedelta(days=1))
    counts = {q.key: q.count for q in desk.queues(membership)}
    assert counts["consultations.feedback_overdue"] == 1


def test_final_document_must_be_the_agencys_own(open_now, office, other_agency, bureau):
    from gongkai.publishing.models import NormativeDocument

    own = NormativeDocument.objects.create(agency=bureau, kind="normative_document", title="某办法", doc_number="青市监规〔2025〕1号",
                                           issued_on=START, created_by=office)
    foreign = NormativeDocument.objects.create(agency=other_agency, kind="normative_document", title="他办法",
                                               doc_number="县市监规〔2025〕1号", issued_on=START, created_by=office)
    with pytest.raises(DomainError, match="本机关"):
        services.final_document_link(actor=office, consultation=open_now, document=foreign)
    assert services.final_document_link(actor=office, consultation=open_now, document=own).final_document == own


def test_withdraw_needs_a_reason_and_removes_it_from_public_lists(published, office):
    with pytest.raises(DomainError, match="撤回理由"):
        services.consultation_withdraw(actor=office, consultation=published, reason="")
    services.consultation_withdraw(actor=office, consultation=published, reason="决策事项调整")
    assert list(selectors.public_consultations()) == []


def test_statistics_count_consultations_closed_in_the_year(open_now, office, bureau):
    a, b = _closed_with_comments(open_now, office)
    services.opinion_create(actor=office, consultation=open_now, summary="缩短期限", article=3,
                            disposition=Disposition.ADOPTED, comment_ids=[a.pk, b.pk])
    stats = selectors.consultation_statistics([bureau], 2025)
    assert (stats.consultations, stats.comments, stats.opinions, stats.adopted, stats.adoption_rate) == (
        1, 2, 1, 1, 100.0)
    assert selectors.consultation_statistics([bureau], 2024).consultations == 0
