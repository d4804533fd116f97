"""FAQs from draft to public and back: who may take which step, what each step records,
and what the page cache is told."""

import pytest
from django.core.exceptions import PermissionDenied

from gongkai.answers import selectors, services
from gongkai.answers.models import Faq, FaqStatus
from gongkai.core import listeners
from gongkai.core.errors import DomainError, InvalidTransition
from gongkai.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def changes():
    seen = []

    def note():
        seen.append(1)

    listeners.subscribe(listeners.CONTENT_CHANGED, note)
    yield seen
    listeners.unsubscribe(listeners.CONTENT_CHANGED, note)


def test_a_draft_is_public_only_after_a_second_person_approves_it(faqs, officer, leader, changes):
    faq = faqs.draft("申请收费吗？", "不收费。", keywords="要钱吗")
    assert not selectors.public_faqs().exists()
    services.faq_submit(actor=officer, faq=faq)
    assert not selectors.public_faqs().exists()
    assert not changes
    services.faq_approve(actor=leader, faq=faq, reason="同意")
    faq.refresh_from_db()
    assert faq.status == FaqStatus.PUBLISHED and faq.published_on is not None
    assert list(selectors.public_faqs()) == [faq]
    assert changes == [1]
    events = list(faq.events.order_by("id").values_list("action", "from_status", "to_status", "actor"))
    assert events == [("create", "", "draft", officer.pk), ("submit", "draft", "submitted", officer.pk),
                      ("approve", "submitted", "published", leader.pk)]
    assert list(AuditEvent.objects.filter(object_type="answers.faq").order_by("seq")
                .values_list("action", flat=True)) == [
        "answers.faq.create", "answers.faq.submit", "answers.faq.approve"]


def test_the_submitter_cannot_approve_their_own_faq(faqs, office):
    faq = faqs.draft("办公时间？", "工作日。", actor=office)
    services.faq_submit(actor=office, faq=faq)
    with pytest.raises(PermissionDenied, match="提交人以外"):
        services.faq_approve(actor=office, faq=faq)
    assert Faq.objects.get(pk=faq.pk).status == FaqStatus.SUBMITTED


@pytest.mark.parametrize("who, allowed", [
    ("office", True), ("leader", True), ("officer", False), ("reviewer", False),
    ("supervisor", False), ("other_office", False), ("platform_admin", False),
])
def test_who_may_approve(request, faqs, officer, who, allowed):
    faq = faqs.draft("问题？", "答案。")
    services.faq_submit(actor=officer, faq=faq)
    actor = request.getfixturevalue(who)
    if allowed:
        assert services.faq_approve(actor=actor, faq=faq).status == FaqStatus.PUBLISHED
    else:
        with pytest.raises(PermissionDenied):
            services.faq_approve(actor=actor, faq=faq)
        assert Faq.objects.get(pk=faq.pk).status == FaqStatus.SUBMITTED


@pytest.mark.parametrize("who, allowed", [
    ("office", True), ("officer", True), ("leader", False), ("reviewer", False),
    ("supervisor", False), ("other_office", False), ("platform_admin", False),
])
def test_who_may_draft(request, bureau, who, allowed):
    actor = request.getfixturevalue(who)
    if allowed:
        assert services.faq_create(actor=actor, agency=bureau, question="问？", answer="答。").pk
    else:
        with pytest.raises(PermissionDenied):
            services.faq_create(actor=actor, agency=bureau, question="问？", answer="答。")
        assert not Faq.objects.exists()


def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(bureau, officer):
    with pytest.raises(DomainError, match="请填写答案"):
        services.faq_create(actor=officer, agency=bureau, question="问？", answer="  ")
    assert not Faq.objects.exists()


def test_return_and_withdraw_need_a_reason_and_are_recorded(faqs, officer, leader, office, changes):
    faq = faqs.draft("问题？", "答案。")
    services.faq_submit(actor=officer, faq=faq)
    with pytest.raises(DomainError, match="请填写退回理由"):
        services.faq_return(actor=leader, faq=faq, reason=" ")
    services.faq_return(actor=leader, faq=faq, reason="答案不完整")
    faq.refresh_from_db()
    assert faq.status == FaqStatus.DRAFT
    services.faq_update(actor=officer, faq=faq, question="问题？", answer="完整的答案。")
    services.faq_submit(actor=officer, faq=faq)
    services.faq_approve(actor=office, faq=faq)
    changes.clear()
    services.faq_withdraw(actor=leader, faq=faq, reason="政策已调整")
    faq.refresh_from_db()
    assert faq.status == FaqStatus.WITHDRAWN
    assert changes == [1]
    assert not selectors.public_faqs().exists()
    withdraw = faq.events.get(action="withdraw")
    assert (withdraw.actor, withdraw.reason) == (leader, "政策已调整")
    assert faq.events.get(action="edit").data == {"changed": ["answer"]}


def test_a_published_faq_is_not_edited_in_place(faqs, office):
    faq = faqs.publish("问题？", "答案。")
    with pytest.raises(InvalidTransition):
        services.faq_update(actor=office, faq=faq, question="问题？", answer="新答案。")
    services.faq_withdraw(actor=office, faq=faq, reason="修改")
    services.faq_redraft(actor=office, faq=faq)
    faq.refresh_from_db()
    assert faq.status == FaqStatus.DRAFT and faq.submitted_by is None


def test_an_officer_edits_only_what_they_drafted(faqs, office, officer):
    mine = faqs.draft("我的？", "答。")
    theirs = faqs.draft("公开办的？", "答。", actor=office)
    services.faq_update(actor=officer, faq=mine, question="我的？", answer="改。")
    with pytest.raises(PermissionDenied):
        services.faq_update(actor=officer, faq=theirs, question="公开办的？", answer="改。")


def test_inherited_faqs_come_from_above_only_when_meant_for_the_subtree(tree, faqs):
    from gongkai.core.models import Role
    from gongkai.core.tests.factories import UserFactory, member

    city_office = member(UserFactory(username="city_office"), tree["city"], Role.OFFICE)
    for_all = faqs.draft("全市通用？", "是。", actor=city_office, for_subtree=True)
    own_only = faqs.draft("只管本机关？", "是。", actor=city_office)
    for faq in (for_all, own_only):
        services.faq_submit(actor=city_office, faq=faq)
    leader_city = member(UserFactory(username="city_leader"), tree["city"], Role.LEADER)
    for faq in (for_all, own_only):
        services.faq_approve(actor=leader_city, faq=faq)
    assert set(selectors.faqs_in_scope(tree["bureau"])) == {for_all}
    assert set(selectors.faqs_in_scope(tree["city"])) == {for_all, own_only}
    assert set(selectors.faqs_in_scope(None)) == {for_all, own_only}
