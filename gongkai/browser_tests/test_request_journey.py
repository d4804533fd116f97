"""An applicant's journey in a real browser: submit a request through the public form,
track it with its number and secret on the portal, and the same through the API."""

import re
from urllib.parse import quote

import pytest

from gongkai.foi.models import FoiRequest

pytestmark = pytest.mark.browser


def test_a_request_submitted_in_the_browser_can_be_tracked_on_the_portal_and_the_api(
    page, bureau, axe,
):
    page.goto("/")
    page.get_by_role("navigation", name="站点导航").get_by_role("link", name="申请公开").click()
    page.wait_for_url("**/apply/")
    assert page.get_by_role("heading", level=1).inner_text() == "申请政府信息公开"
    axe(page)

    page.get_by_label("受理机关").select_option(label=f"\u3000\u3000{bureau.name}")
    page.get_by_label("申请人类型").select_option("natural_person")
    page.get_by_label("姓名/名称").fill("张三")
    page.get_by_label("证件类型").select_option("resident_id")
    # Typed key by key, as a person would, and in lower case: the form normalises it.
    page.get_by_label("证件号码").click()
    page.keyboard.type("11010519491231002x")
    page.keyboard.press("Tab")
    page.get_by_label("联系电话").fill("13800138000")
    page.get_by_label("电子邮箱").fill("zhangsan@example.com")
    page.get_by_label("所需政府信息").fill("2024年本市食品安全抽检结果的汇总表")
    page.get_by_label("电子文件", exact=True).check()
    page.get_by_label("电子邮件", exact=True).check()
    page.get_by_role("button", name="提交申请").click()

    page.wait_for_url("**/apply/receipt/*/")  # Post/Redirect/Get: a reload files nothing
    page.wait_for_selector("#tracking-number")
    assert page.get_by_role("heading", level=1).inner_text() == "申请已提交"
    tracking_number = page.locator("#tracking-number").inner_text().strip()
    secret = page.locator("#secret").inner_text().strip()
    # year - the agency's id (at least four digits) - the sequence (foi.tracking)
    assert re.fullmatch(rf"\d{{4}}-{bureau.pk:04d}-\d{{5}}", tracking_number)
    assert re.fullmatch(r"[A-Z2-9]{10}", secret)
    assert page.get_by_text("请立即抄写、打印或保存申请编号和查询码").is_visible()
    axe(page)
    stored = FoiRequest.objects.get(tracking_number=tracking_number)
    assert stored.agency == bureau and stored.id_number == "11010519491231002X"

    # The portal's look-up, reached from the result page with the number filled in.
    page.get_by_role("link", name="查询申请进度").click()
    page.wait_for_url("**/status/**")
    assert page.get_by_label("申请编号").input_value() == tracking_number
    page.get_by_label("查询码").fill(secret)
    page.get_by_role("button", name="查询").click()
    page.wait_for_selector("#status-result")
    assert page.locator("#status-label").inner_text() == "待确认收到"
    assert page.locator("#received-on").inner_text() == "待确认收到"
    axe(page)

    # The same request through the API, with the browser's own HTTP client; the secret
    # goes in a header, never in the address.
    response = page.request.get(f"/api/v1/foi/requests/{quote(tracking_number)}",
                                headers={"X-Tracking-Secret": secret})
    assert response.status == 200
    body = response.json()
    assert body["tracking_number"] == tracking_number
    assert body["status"] == "awaiting_confirmation"
    assert body["status_label"] == "待确认收到"
    assert body["received_on"] is None and body["reply_type"] is None

    wrong = page.request.get(f"/api/v1/foi/requests/{quote(tracking_number)}",
                             headers={"X-Tracking-Secret": "WRONGWRONG"})
    assert wrong.status == 404
    assert wrong.json() == {"error": "申请编号或查询码不正确。"}
    in_address = page.request.get(
        f"/api/v1/foi/requests/{quote(tracking_number)}?secret={quote(secret)}")
    assert in_address.status == 400
    assert "X-Tracking-Secret" in in_address.json()["error"]


def test_a_mistake_is_explained_next_to_the_field_and_nothing_is_stored(page, bureau, axe):
    page.goto(f"/apply/?agency={bureau.code}")
    page.get_by_label("申请人类型").select_option("natural_person")
    page.get_by_label("姓名/名称").fill("张三")
    page.get_by_label("证件号码").fill("110105194912310021")  # wrong check digit
    page.get_by_label("联系电话").fill("13800138000")
    page.get_by_label("所需政府信息").fill("2024年本市食品安全抽检结果的汇总表")
    page.get_by_label("当面领取", exact=True).check()
    page.get_by_role("button", name="提交申请").click()

    summary = page.get_by_role("alert")
    summary.wait_for()
    assert "身份证号码校验位不正确" in summary.inner_text()
    field = page.get_by_label("证件号码")
    assert field.get_attribute("aria-invalid") == "true"
    described_by = field.get_attribute("aria-describedby")
    assert "身份证号码校验位不正确" in page.locator(f"#{described_by}").inner_text()
    # The summary's link takes keyboard users to the field.
    summary.get_by_role("link", name=re.compile("证件号码")).click()
    assert page.evaluate("document.activeElement.id") == "id_id_number"
    # What was typed is kept, and the agency stays chosen.
    assert page.get_by_label("姓名/名称").input_value() == "张三"
    assert page.get_by_label("受理机关").input_value() == bureau.code
    axe(page)
    assert not FoiRequest.objects.exists()
