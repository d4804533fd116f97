"""One message from the public form to the writer's rating, in Chromium, each person in
their own browser: the writer submits it on /messages/write/ (with the CAPTCHA, whose
answer tests make predictable with ``INTERACTION_CAPTCHA_TEST_ANSWER``) and keeps the
number and secret; the office routes it to the food safety department; the officer
writes the reply; the office checks and releases it, then publishes it masked (the
writer agreed); the writer looks it up on /messages/status/ and rates it; the published
reply is on the public list. Pages are checked with axe and at 1366 and 390 px."""

from __future__ import annotations

import re

import pytest

from gongkai.browser_tests.helpers import DESKTOP, PHONE
from gongkai.interaction.models import Message
from gongkai.interaction.workflow import MessageStatus

pytestmark = pytest.mark.browser

ANSWER = "13579"
WRITER_PHONE = "13912345678"


def label(text: str) -> re.Pattern:
    return re.compile(rf"^\s*{re.escape(text)}\s*[:：]?\s*$")


def fits(page, tmp_path, name: str) -> None:
    """No horizontal scrolling at either width; a screenshot of each for the record."""
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= viewport["width"], (name, size, width)
        page.screenshot(path=str(tmp_path / f"{name}-{size}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def act(page, key: str, button: str, done: str, *, fields=(), select=(), choose=()):
    panel = page.get_by_test_id(f"panel-{key}")
    assert panel.count() == 1, f"{key}: no panel on {page.url}"
    if not panel.evaluate("details => details.open"):
        panel.locator("summary").click()
    for name, value in fields:
        panel.get_by_label(label(name)).fill(value)
    for name, option in select:
        panel.get_by_label(label(name)).select_option(label=option)
    for name in choose:
        panel.get_by_label(name, exact=True).check()
    with page.expect_navigation():
        panel.get_by_role("button", name=button).click()
    refused = page.get_by_test_id("action-error")
    assert not refused.count(), f"{key} refused: {refused.inner_text()}"
    assert done in page.get_by_role("status").inner_text()


def test_a_message_from_the_form_to_the_writers_rating(
        page, signed_in_browser, settings, bureau, office, officer, department, axe, tmp_path):
    settings.INTERACTION_CAPTCHA_TEST_ANSWER = ANSWER

    # The writer.
    page.goto(f"/messages/write/?agency={bureau.code}")
    assert page.get_by_role("heading", level=1).inner_text() == "我要留言"
    assert page.get_by_test_id("captcha-image").evaluate("img => img.naturalWidth") == 200
    axe(page)
    fits(page, tmp_path, "message-form")
    page.get_by_label("留言类型").select_option(label="投诉")
    page.get_by_label("标题").fill("某超市销售过期酸奶")
    page.get_by_label("留言内容").fill(f"我在滨河区一家超市买的酸奶过期了，电话{WRITER_PHONE}，请核查处理。")
    page.get_by_label("姓名（选填）").fill("王小明")
    page.get_by_label("联系电话（选填）").fill(WRITER_PHONE)
    page.get_by_label(re.compile("同意在网站公开")).check()
    page.get_by_label(re.compile("^验证码")).fill("00000")  # wrong first
    page.get_by_role("button", name="提交留言").click()
    page.get_by_role("alert").wait_for()
    assert "验证码不正确" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("标题").input_value() == "某超市销售过期酸奶"
    assert not Message.objects.exists()
    page.get_by_label(re.compile("^验证码")).fill(ANSWER)
    page.get_by_role("button", name="提交留言").click()
    page.wait_for_url("**/messages/receipt/*/")
    number = page.locator("#tracking-number").inner_text().strip()
    secret = page.locator("#secret").inner_text().strip()
    assert re.fullmatch(rf"LY\d{{4}}-{bureau.pk:04d}-\d{{5}}", number) and re.fullmatch(r"[A-Z2-9]{10}", secret)
    axe(page)
    fits(page, tmp_path, "message-receipt")
    message = Message.objects.get(tracking_number=number)

    # The office routes it.
    office_page = signed_in_browser(office)
    office_page.goto(f"/staff/messages/{message.pk}/")
    assert WRITER_PHONE in office_page.get_by_test_id("writer-phone").inner_text()
    act(office_page, "assign", "分办", "已分办至食品安全科", select=[("承办科室", department.name)])
    assert office_page.get_by_test_id("status").inner_text() == "办理中"

    # The officer writes the reply.
    officer_page = signed_in_browser(officer)
    officer_page.goto("/staff/")
    officer_page.goto(f"/staff/messages/{message.pk}/")
    act(officer_page, "reply", "提交审核", "答复已提交公开办审核",
        fields=[("答复内容", "经核查，该超市确有销售过期酸奶的行为，我局已依法立案查处，并责令其为您退换。")])

    # The office checks and releases it, then publishes it masked.
    office_page.goto(f"/staff/messages/{message.pk}/")
    act(office_page, "check", "提交审核结果", "审核通过，已答复留言人", choose=["审核通过，答复留言人"])
    assert office_page.get_by_test_id("status").inner_text() == "已答复"
    panel = office_page.get_by_test_id("panel-publish")
    panel.locator("summary").click()
    proposed = panel.get_by_label(label("公开的留言内容")).input_value()
    assert WRITER_PHONE not in proposed and "139****5678" in proposed
    act(office_page, "publish", "公开", "已在网站公开留言及答复")
    axe(office_page)  # with the flash message showing
    fits(office_page, tmp_path, "message-staff-detail")

    # The writer looks it up and rates the reply.
    page.goto("/messages/status/")
    page.get_by_label("留言编号").fill(number)
    page.get_by_label("查询码").fill(secret)
    page.get_by_role("button", name="查询").click()
    page.wait_for_selector("#message-result")
    assert "已依法立案查处" in page.get_by_test_id("reply-text").inner_text()
    axe(page)
    page.get_by_label("满意", exact=True).check()
    page.get_by_role("button", name="提交评价").click()
    page.get_by_test_id("rating-done").wait_for()
    assert page.get_by_test_id("rating").inner_text() == "您的评价：满意"
    fits(page, tmp_path, "message-status")
    message.refresh_from_db()
    assert message.status == MessageStatus.PUBLISHED and message.rating == "satisfied"

    # The public list and page show it, masked.
    page.goto("/messages/")
    page.get_by_role("link", name="某超市销售过期酸奶").click()
    assert "139****5678" in page.get_by_test_id("public-content").inner_text()
    assert WRITER_PHONE not in page.content()
    axe(page)
    fits(page, tmp_path, "message-public")
    actions = list(message.events.order_by("at", "id").values_list("action", flat=True))
    assert actions == ["submit", "assign", "submit_reply", "release_reply", "publish", "rate"]
