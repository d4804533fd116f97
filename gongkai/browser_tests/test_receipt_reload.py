"""Submitting in a real browser, then reloading the receipt: one request, one number."""

import re

import pytest

from gongkai.foi.models import FoiRequest

pytestmark = pytest.mark.browser


def fill_the_form(page, bureau):
    page.goto(f"/apply/?agency={bureau.code}")
    page.get_by_label("申请人类型").select_option("natural_person")
    page.get_by_label("姓名/名称").fill("张三")
    page.get_by_label("证件类型").select_option("resident_id")
    page.get_by_label("证件号码").fill("11010519491231002X")
    page.get_by_label("联系电话").fill("13800138000")
    page.get_by_label("所需政府信息").fill("2024年本市食品安全抽检结果的汇总表")
    page.get_by_label("当面领取", exact=True).check()


def test_reloading_the_receipt_three_times_files_one_request(page, bureau, axe):
    fill_the_form(page, bureau)
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r".*/apply/receipt/[^/]+/$"))
    number = page.locator("#tracking-number").inner_text().strip()
    secret = page.locator("#secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{10}", secret)
    for _ in range(3):
        response = page.reload()
        assert response.status == 200
        assert page.locator("#tracking-number").inner_text().strip() == number
        assert page.locator("#secret").inner_text().strip() == secret
    assert FoiRequest.objects.count() == 1
    assert FoiRequest.objects.get().tracking_number == number

    # Print (a button where script runs) and the PDF receipt.
    assert page.get_by_role("button", name="打印回执").is_visible()
    pdf_link = page.get_by_role("link", name="下载回执（PDF，不含查询码）")
    assert pdf_link.is_visible()
    pdf = page.request.get(pdf_link.get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    assert page.get_by_role("link", name="下载含查询码的回执（PDF）").is_visible()
    axe(page)


def test_the_same_form_sent_again_from_the_browser_shows_the_first_receipt(page, bureau):
    """What a double click or "resubmit" does: the same fields, the same one-time token,
    from the same browser (its cookies): the first receipt, nothing new filed."""
    fill_the_form(page, bureau)
    sent = page.evaluate(
        "() => Object.fromEntries(new FormData(document.getElementById('apply-form')))")
    assert len(sent["form_token"]) >= 22
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r".*/apply/receipt/[^/]+/$"))
    number = page.locator("#tracking-number").inner_text().strip()

    again = page.request.post("/apply/", form=sent, max_redirects=0)
    assert again.status == 303
    page.goto(again.headers["location"])
    assert page.locator("#tracking-number").inner_text().strip() == number
    assert page.locator("#resubmitted").is_visible()
    assert FoiRequest.objects.count() == 1
