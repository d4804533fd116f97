"""The public pages (answers, an FAQ, an agency's FAQs) and the back office's FAQ pages."""

import pytest
from django.urls import reverse

from gongkai.answers import services
from gongkai.answers.models import Faq, FaqStatus
from gongkai.core import desk

pytestmark = pytest.mark.django_db


@pytest.fixture
def fee(faqs):
    return faqs.publish("申请政府信息公开收费吗？", "依申请提供政府信息，原则上不收取费用。", keywords="要钱吗")


# --- public ---------------------------------------------------------------------------------------

def test_the_answers_page_shows_the_passage_marked_and_its_source(client, fee, bureau):
    response = client.get(reverse("portal:answers"), {"q": "申请公开要钱吗", "agency": bureau.code})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="answer"' in body
    assert "<mark>收取费用</mark>" in body or "<mark>费用</mark>" in body
    assert f'href="{fee.get_absolute_url()}"' in body
    assert "在线留言" in body  # still offered below the answers


def test_when_nothing_fits_the_page_says_so_and_offers_the_board_and_the_form(client, fee, bureau):
    response = client.get(reverse("portal:answers"), {"q": "护照怎么办理", "agency": bureau.code})
    body = response.content.decode()
    assert 'data-testid="no-answer"' in body
    assert "暂未找到合适的解答" in body
    assert f'href="{reverse("portal:apply")}?agency={bureau.code}"' in body
    assert 'data-testid="answer"' not in body


def test_an_unknown_agency_is_reported_and_the_question_answered_platform_wide(client, fee):
    response = client.get(reverse("portal:answers"), {"q": "申请要收费吗", "agency": "NOPE"})
    body = response.content.decode()
    assert "没有该机关" in body
    assert 'data-testid="answer"' in body


def test_the_question_box_has_a_label_and_carries_the_agency(client, bureau):
    body = client.get(reverse("portal:answers"), {"agency": bureau.code}).content.decode()
    assert '<label for="answers-q">' in body
    assert f'<input type="hidden" name="agency" value="{bureau.code}">' in body


def test_an_faq_page_is_public_only_once_approved(client, faqs, fee, officer):
    assert client.get(reverse("portal:faq-detail", args=[fee.pk])).status_code == 200
    draft = faqs.draft("草稿问题？", "草稿答案。")
    assert client.get(reverse("portal:faq-detail", args=[draft.pk])).status_code == 404
    listing = client.get(reverse("portal:agency-faq", args=[fee.agency.code])).content.decode()
    assert "申请政府信息公开收费吗？" in listing and "草稿问题？" not in listing


def test_approving_and_withdrawing_an_faq_drop_the_cached_answers_page(
        client, faqs, bureau, officer, leader, django_capture_on_commit_callbacks, settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the page cache's generation file: this test's own
    url = reverse("portal:answers") + f"?q=停车&agency={bureau.code}"
    faq = faqs.draft("可以停车吗？", "大楼东侧有访客停车场。")
    services.faq_submit(actor=officer, faq=faq)
    assert "暂未找到合适的解答" in client.get(url).content.decode()
    cached = client.get(url)
    assert cached["X-Page-Cache"] == "hit" and "暂未找到合适的解答" in cached.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.faq_approve(actor=leader, faq=faq)
    fresh = client.get(url)
    assert fresh["X-Page-Cache"] != "hit"
    assert "大楼东侧有访客<mark>停车</mark>场" in fresh.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.faq_withdraw(actor=leader, faq=faq, reason="停车场改建")
    assert "暂未找到合适的解答" in client.get(url).content.decode()


# --- the back office --------------------------------------------------------------------------------

def test_the_list_shows_only_the_agencys_faqs(client_for, faqs, other_office, office):
    faqs.draft("本局问题？", "答。")
    assert "本局问题？" in client_for(office).get(reverse("staff:faq-list")).content.decode()
    assert "本局问题？" not in client_for(other_office).get(reverse("staff:faq-list")).content.decode()


def test_another_agencys_faq_is_not_found(client_for, faqs, other_office):
    faq = faqs.draft("本局问题？", "答。")
    assert client_for(other_office).get(reverse("staff:faq-detail", args=[faq.pk])).status_code == 404


def test_drafting_through_the_form(client_for, officer, bureau):
    client = client_for(officer)
    response = client.post(reverse("staff:faq-create"), {
        "agency": bureau.pk, "question": "营业执照丢了怎么办？", "answer": "申请补领。", "keywords": "遗失"})
    faq = Faq.objects.get()
    assert response.status_code == 302 and response.url == reverse("staff:faq-detail", args=[faq.pk])
    assert (faq.created_by, faq.status) == (officer, FaqStatus.DRAFT)


def test_a_bad_form_keeps_what_was_typed_and_saves_nothing(client_for, officer, bureau):
    response = client_for(officer).post(reverse("staff:faq-create"), {
        "agency": bureau.pk, "question": "问题写好了", "answer": ""})
    assert response.status_code == 400
    assert "请填写答案" in response.content.decode() and "问题写好了" in response.content.decode()
    assert not Faq.objects.exists()


@pytest.mark.parametrize("who, status", [("leader", 302), ("office", 302), ("officer", 403),
                                         ("reviewer", 403), ("supervisor", 403)])
def test_who_may_approve_through_the_page(request, client_for, faqs, officer, who, status):
    faq = faqs.draft("问题？", "答案。")
    services.faq_submit(actor=officer, faq=faq)
    response = client_for(request.getfixturevalue(who)).post(
        reverse("staff:faq-approve", args=[faq.pk]), {"approve-reason": ""})
    assert response.status_code == status
    faq.refresh_from_db()
    assert faq.status == (FaqStatus.PUBLISHED if status == 302 else FaqStatus.SUBMITTED)


def test_returning_without_a_reason_is_refused_on_the_page(client_for, faqs, officer, leader):
    faq = faqs.draft("问题？", "答案。")
    services.faq_submit(actor=officer, faq=faq)
    response = client_for(leader).post(reverse("staff:faq-return", args=[faq.pk]), {"return-reason": ""})
    assert response.status_code == 400
    assert "退回未完成" in response.content.decode()
    faq.refresh_from_db()
    assert faq.status == FaqStatus.SUBMITTED


def test_the_desk_counts_what_waits_and_links_to_exactly_those(client_for, faqs, office, officer, leader):
    waiting = faqs.draft("待审核？", "答。")
    services.faq_submit(actor=officer, faq=waiting)
    own = faqs.draft("公开办自己提交的？", "答。", actor=office)
    services.faq_submit(actor=office, faq=own)
    faqs.draft("草稿？", "答。")

    def queue(user):
        membership = user.memberships.get()
        return next(q for q in desk.queues_for(membership) if q.key == "answers.to_review")

    assert queue(leader).count == 2
    office_queue = queue(office)
    assert office_queue.count == 1  # not the one the office submitted itself
    listed = client_for(office).get(office_queue.url).content.decode()
    assert listed.count('data-testid="faq-row"') == 1 and "待审核？" in listed
    assert not [q for q in desk.queues_for(officer.memberships.get()) if q.key == "answers.to_review"]


def test_the_history_is_on_the_faq_page(client_for, faqs, officer, leader):
    faq = faqs.publish("问题？", "答案。")
    body = client_for(leader).get(reverse("staff:faq-detail", args=[faq.pk])).content.decode()
    assert body.count('data-testid="faq-event"') == 3
    assert "审核通过并发布" in body
