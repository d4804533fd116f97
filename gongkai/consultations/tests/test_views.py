import pytest

from gongkai.consultations import services
from gongkai.consultations.forms import COMMENT_RATE
from gongkai.consultations.models import Comment, CommentStatus
from gongkai.consultations.tests.conftest import close

pytestmark = pytest.mark.django_db


def test_drafts_are_not_public_and_published_ones_are(client, draft, office, leader):
    assert client.get(f"/consultations/{draft.pk}/").status_code == 404
    services.consultation_submit(actor=office, consultation=draft)
    services.consultation_approve(actor=leader, consultation=draft)
    page = client.get(f"/consultations/{draft.pk}/")
    assert page.status_code == 200 and "即将开始" in page.content.decode()
    assert draft.title in client.get("/consultations/").content.decode()
    assert draft.title in client.get(f"/agencies/{draft.agency.code}/consultations/").content.decode()


def test_the_public_comments_on_an_article_without_name_or_contact(client, open_now):
    page = client.get(f"/consultations/{open_now.pk}/")
    assert "第三条" in page.content.decode() and "提交意见" in page.content.decode()
    response = client.post(f"/consultations/{open_now.pk}/", {"article": "3", "body": "期限改为十五个工作日"})
    assert response.status_code == 200 and "您的意见已提交" in response.content.decode()
    comment = Comment.objects.get()
    assert (comment.article, comment.status, comment.name) == (3, CommentStatus.PENDING, "")
    # Not shown before a decision.
    assert "期限改为十五个工作日" not in client.get(f"/consultations/{open_now.pk}/").content.decode()


def test_bad_input_is_refused_in_chinese(client, open_now):
    response = client.post(f"/consultations/{open_now.pk}/", {"article": "9", "body": "x"})
    assert response.status_code == 400
    assert "选择一个有效的选项" in response.content.decode() or "条款" in response.content.decode()
    assert not Comment.objects.exists()


def test_comments_are_rate_limited(client, open_now, monkeypatch):
    monkeypatch.setattr(type(COMMENT_RATE), "allows", lambda self, request: False)
    response = client.post(f"/consultations/{open_now.pk}/", {"body": "意见内容"})
    assert response.status_code == 429 and not Comment.objects.exists()


def test_staff_screen_and_the_comment_shows_with_a_masked_name(client, client_for, open_now, office):
    comment = services.comment_submit(consultation=open_now, body="建议缩短期限", name="王小明",
                                      contact="13912345678")
    staff = client_for(office)
    page = staff.get(f"/staff/consultations/{open_now.pk}/").content.decode()
    assert "王小明" in page and "13912345678" in page  # the office sees in full
    assert staff.post(f"/staff/consultations/comments/{comment.pk}/decide/",
                      {"decision": "reject"}).status_code == 400
    assert staff.post(f"/staff/consultations/comments/{comment.pk}/decide/",
                      {"decision": "accept"}).status_code == 302
    staff.logout()
    public = client.get(f"/consultations/{open_now.pk}/").content.decode()
    assert "建议缩短期限" in public and "王**" in public and "王小明" not in public


def test_others_see_the_contact_masked(client_for, open_now, reviewer):
    services.comment_submit(consultation=open_now, body="意见", name="王小明", contact="13912345678")
    page = client_for(reviewer).get(f"/staff/consultations/{open_now.pk}/").content.decode()
    assert "13912345678" not in page and "王小明" not in page


def test_another_agencys_consultation_is_404_and_steps_need_the_role(client_for, draft, other_office, leader):
    assert client_for(other_office).get(f"/staff/consultations/{draft.pk}/").status_code == 404
    assert client_for(other_office).post(f"/staff/consultations/{draft.pk}/submit/").status_code == 404
    assert client_for(leader).post(f"/staff/consultations/{draft.pk}/submit/").status_code == 403


def test_the_staff_walk_from_draft_to_feedback(client, client_for, bureau, office, leader, today, draft_fields):
    staff = client_for(office)
    response = staff.post(f"/staff/consultations/new/?agency={bureau.pk}", {
        **draft_fields, "opens_on": draft_fields["opens_on"].isoformat(),
        "closes_on": draft_fields["closes_on"].isoformat()})
    assert response.status_code == 302
    pk = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
    assert staff.post(f"/staff/consultations/{pk}/submit/", {"submit-reason": ""}).status_code == 302
    staff.logout()
    lead = client_for(leader)
    assert lead.post(f"/staff/consultations/{pk}/approve/", {"approve-reason": "同意"}).status_code == 302
    lead.logout()
    from gongkai.consultations.models import Consultation

    c = Consultation.objects.get(pk=pk)
    from gongkai.consultations.tests.conftest import at
    at(c.opens_on)
    client.post(f"/consultations/{pk}/", {"body": "同意本办法"})
    comment = Comment.objects.get()
    staff = client_for(office)
    staff.post(f"/staff/consultations/comments/{comment.pk}/decide/", {"decision": "accept"})
    close(c)
    refused = staff.post(f"/staff/consultations/{pk}/feedback/", {"feedback-summary": ""})
    assert refused.status_code == 400 and "未归入" in refused.content.decode()
    assert staff.post(f"/staff/consultations/{pk}/opinions/", {
        "opinion-summary": "赞同", "opinion-disposition": "adopted", "opinion-comments": [comment.pk],
    }).status_code == 302
    assert staff.post(f"/staff/consultations/{pk}/feedback/", {"feedback-summary": "谢谢"}).status_code == 302
    staff.logout()
    page = client.get(f"/consultations/{pk}/").content.decode()
    assert "意见采纳情况" in page and "采纳率100.0%" in page
