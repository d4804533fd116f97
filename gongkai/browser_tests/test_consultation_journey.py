"""A consultation on a draft walked in Chromium: the office drafts it, the leader approves
and publishes it, a member of the public comments on one article, the office screens the
comment, and after the close records the opinion and publishes the feedback, which the
public page then shows. Public pages at 1366 and 390 px, checked by axe."""

import datetime as dt

import pytest

from gongkai.browser_tests.helpers import DESKTOP, PHONE, as_user
from gongkai.consultations.models import Comment, Consultation
from gongkai.core.tests.helpers import at

pytestmark = pytest.mark.browser

START = dt.date(2025, 3, 3)
BODY = "第一条 为了规范食品经营许可，制定本办法。\n第二条 本办法适用于本市。\n第三条 应当在二十个工作日内作出决定。"


def test_publish_comment_screen_close_feedback(page, live_server, bureau, office, leader, settings,
                                               tmp_path, axe_serious):
    settings.MEDIA_ROOT = tmp_path / "media"
    at(START)
    # The office drafts and submits.
    as_user(page, live_server, office)
    page.goto(f"/staff/consultations/new/?agency={bureau.pk}")
    page.select_option("#id_kind", "normative")
    page.fill("#id_title", "某市食品经营许可办法（征求意见稿）")
    page.fill("#id_draft_body", BODY)
    page.fill("#id_explanation", "为落实食品安全法，起草本办法。")
    page.fill("#id_opens_on", "2025-03-04")
    page.fill("#id_closes_on", "2025-04-03")
    page.get_by_role("button", name="保存").click()
    page.get_by_role("button", name="提交审核").click()
    assert page.get_by_test_id("phase").inner_text().startswith("待领导审核")
    c = Consultation.objects.get()

    # The leader approves: published.
    as_user(page, live_server, leader)
    page.goto(f"/staff/consultations/{c.pk}/")
    page.get_by_role("button", name="审核同意并发布").click()
    assert page.get_by_test_id("phase").inner_text().startswith("即将开始")

    # Open: a member of the public comments on article 3.
    at(dt.date(2025, 3, 10))
    as_user(page, live_server, None)
    page.set_viewport_size(PHONE)
    page.goto(f"/consultations/{c.pk}/")
    assert page.get_by_test_id("phase").inner_text() == "征集中"
    axe_serious(page)
    page.screenshot(path=str(tmp_path / "consultation-open-390.png"), full_page=True)
    page.select_option("#id_article", "3")
    page.fill("#id_body", "建议将期限改为十五个工作日，联系电话13812345678。")
    page.fill("#id_name", "王小明")
    page.get_by_role("button", name="提交意见").click()
    page.get_by_test_id("comment-done").wait_for()
    comment = Comment.objects.get()
    assert comment.leak_findings and comment.status == "pending"

    # The office screens it: displayed with the phone number masked.
    page.set_viewport_size(DESKTOP)
    as_user(page, live_server, office)
    page.goto(f"/staff/consultations/{c.pk}/")
    page.get_by_role("button", name="采用展示（个人信息自动隐去）").click()
    as_user(page, live_server, None)
    page.goto(f"/consultations/{c.pk}/")
    shown = page.get_by_test_id("public-comment").inner_text()
    assert "138****5678" in shown and "王**" in shown and "王小明" not in shown

    # Closed: the opinion and the feedback.
    at(dt.date(2025, 4, 7))
    as_user(page, live_server, office)
    page.goto(f"/staff/consultations/{c.pk}/")
    page.fill("#id_opinion-summary", "缩短办理期限")
    page.select_option("#id_opinion-article", "3")
    page.select_option("#id_opinion-disposition", "partly_adopted")
    page.fill("#id_opinion-reason", "调整为十五个工作日以外的其他期限需经法制审核")
    page.locator("input[name=opinion-comments]").first.check()
    page.get_by_role("button", name="记录归纳意见").click()
    page.get_by_role("button", name="公布采纳情况").click()
    assert page.get_by_test_id("phase").inner_text().startswith("已公布采纳情况")

    as_user(page, live_server, None)
    for viewport in (DESKTOP, PHONE):
        width = viewport["width"]
        page.set_viewport_size(viewport)
        page.goto(f"/consultations/{c.pk}/")
        feedback = page.get_by_test_id("feedback").inner_text()
        assert "部分采纳1条" in feedback and "采纳率100.0%" in feedback
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        axe_serious(page)
        page.screenshot(path=str(tmp_path / f"consultation-feedback-{width}.png"), full_page=True)
