"""Review fixes: hostile dates and input, personal data in comments, the overdue queue's
queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongkai.consultations import selectors, services
from gongkai.consultations.models import Comment, CommentStatus
from gongkai.consultations.tests.conftest import DRAFT, START, at
from gongkai.core.errors import DomainError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("closes_on", [dt.date(9999, 12, 31), START + dt.timedelta(days=400)])
def test_a_period_over_a_year_is_refused_in_chinese(bureau, office, today, draft_fields, closes_on):
    with pytest.raises(DomainError, match="不能超过365日"):
        services.consultation_create(actor=office, agency=bureau, **{**draft_fields, "closes_on": closes_on})


def test_a_closing_day_in_year_9999_is_a_400_not_a_500(client_for, bureau, office, today, draft_fields):
    staff = client_for(office)
    staff.raise_request_exception = False
    response = staff.post(f"/staff/consultations/new/?agency={bureau.pk}", {
        **draft_fields, "opens_on": draft_fields["opens_on"].isoformat(), "closes_on": "9999-12-31"})
    assert response.status_code == 400 and "不能超过365日" in response.content.decode()


def test_a_draft_opening_years_ahead_is_refused(bureau, office, today, draft_fields):
    opens = START + dt.timedelta(days=800)
    with pytest.raises(DomainError, match="一年以后"):
        services.consultation_create(actor=office, agency=bureau, **{
            **draft_fields, "opens_on": opens, "closes_on": opens + dt.timedelta(days=30)})


def test_the_commenters_own_name_landline_and_emails_are_masked_on_display(open_now, office):
    comment = services.comment_submit(
        consultation=open_now, name="王小明", contact="010-88886666",
        body="我是王小明，电话010-88886666，同事邮箱li.si@example.com，建议修改第三条")
    shown = services.comment_accept(actor=office, comment=comment).display_body
    assert "王小明" not in shown and "88886666" not in shown and "li.si@" not in shown
    assert "王**" in shown and "@example.com" in shown and "建议修改第三条" in shown


def test_staff_without_the_contact_see_the_comment_text_masked(client_for, open_now, reviewer, office):
    services.comment_submit(consultation=open_now, name="王小明", contact="wxm@example.com",
                            body="我是王小明，手机13912345678，建议缩短期限")
    page = client_for(reviewer).get(f"/staff/consultations/{open_now.pk}/").content.decode()
    assert "13912345678" not in page and "王小明" not in page and "建议缩短期限" in page
    full = client_for(office).get(f"/staff/consultations/{open_now.pk}/").content.decode()
    assert "13912345678" in full and "王小明" in full


def test_a_rejection_reason_with_a_nul_byte_is_refused_in_chinese(client_for, open_now, office):
    comment = services.comment_submit(consultation=open_now, body="意见内容")
    with pytest.raises(DomainError, match="无效字符"):
        services.comment_reject(actor=office, comment=comment, reason="广告\x00内容")
    staff = client_for(office)
    response = staff.post(f"/staff/consultations/comments/{comment.pk}/decide/",
                          {"decision": "reject", "reason": "广告\x00内容"})
    assert response.status_code == 400 and "无效字符" in response.content.decode()
    assert Comment.objects.get().status == CommentStatus.PENDING


def test_a_nul_byte_in_an_agency_code_is_400_not_500(client):
    client.raise_request_exception = False
    assert client.get("/agencies/a%00b/consultations/").status_code == 400


def _closed(bureau, office, leader, n):
    for i in range(n):
        c = services.consultation_create(
            actor=office, agency=bureau, kind=("normative", "other")[i % 2], title=f"草案{i}",
            draft_body=DRAFT, explanation="说明", opens_on=START + dt.timedelta(days=1),
            closes_on=START + dt.timedelta(days=31))
        services.consultation_submit(actor=office, consultation=c)
        services.consultation_approve(actor=leader, consultation=c)


def _queries(user, agency) -> int:
    with CaptureQueriesContext(connection) as ctx:
        counts = selectors.queue_counts(user=user, agency=agency)
        list(selectors.consultation_list(user=user, agency=agency, queue="feedback_overdue"))
    return len(ctx.captured_queries), counts["feedback_overdue"]


def test_the_overdue_queue_does_not_query_once_per_consultation(bureau, office, leader, today):
    _closed(bureau, office, leader, 2)
    at(START + dt.timedelta(days=90))
    few, overdue = _queries(office, bureau)
    assert overdue == 2
    at(START)
    _closed(bureau, office, leader, 6)
    at(START + dt.timedelta(days=90))
    many, overdue = _queries(office, bureau)
    assert overdue == 8 and many == few
