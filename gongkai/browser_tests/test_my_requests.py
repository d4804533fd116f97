"""A member of the public signs in with a government-service account (a real local OpenID
Connect provider), files two requests with the identity taken from the account, and sees
both under "我的申请" — and each one's progress — without ever typing a secret."""

import re

import pytest

from gongkai.browser_tests.helpers import DESKTOP, PHONE, fits_the_screen
from gongkai.core.tests.factories import TEST_PASSWORD
from gongkai.identity.tests.provider import running_provider
from gongkai.identity.tests.public_accounts import CLAIMS, VERIFIED_ID

pytestmark = pytest.mark.browser


@pytest.fixture
def public_op(settings):
    """The provider as the public's government-service accounts (not the staff platform
    of conftest's ``op``), with 王五 verified on it."""
    with running_provider() as provider:
        provider.add_user("wang", password=TEST_PASSWORD, name="王五", id_number=VERIFIED_ID,
                          phone_number="13900139000", email="wangwu@example.com")
        settings.GONGKAI_OIDC_PROVIDERS = {"public": provider.provider_settings("public", claims=CLAIMS)}
        yield provider


def file_request(page, agency, description: str) -> tuple[str, str]:
    page.goto(f"/apply/?agency={agency.code}")
    assert page.locator("#verified-name").inner_text() == "王五"
    assert page.locator("#verified-id-number").inner_text() == "110***********002X"
    assert page.get_by_label("联系电话").input_value() == "13900139000"
    page.get_by_label("所需政府信息").fill(description)
    page.get_by_label("当面领取", exact=True).check()
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r".*/apply/receipt/[^/]+/$"))
    return (page.locator("#tracking-number").inner_text().strip(),
            page.locator("#secret").inner_text().strip())


def test_a_signed_in_applicant_sees_two_requests_without_secrets(page, public_op, bureau, other_agency, axe):
    page.set_viewport_size(DESKTOP)
    page.goto("/")
    page.get_by_role("link", name="我的申请").click()
    axe(page)  # the offer to sign in
    page.get_by_role("link", name="政务服务账号登录").click()
    page.get_by_label("用户名").fill("wang")
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r".*/account/requests/$"))

    page.goto(f"/apply/?agency={bureau.code}")  # the form with the verified identity
    axe(page)
    page.set_viewport_size(PHONE)
    fits_the_screen(page)
    page.set_viewport_size(DESKTOP)

    first = file_request(page, bureau, "2024年本市食品安全抽检结果的汇总表")
    second = file_request(page, other_agency, "本机关2024年行政许可办理情况统计")

    page.goto("/account/requests/")
    table = page.locator("#my-requests")
    rows = table.locator("tbody tr")
    assert rows.count() == 2
    text = table.inner_text()
    for number, secret in (first, second):
        assert number in text
        assert secret not in page.content()
    assert bureau.name in text and other_agency.name in text
    assert "王五" not in page.locator("header").inner_text()
    axe(page)
    page.set_viewport_size(PHONE)
    fits_the_screen(page)

    page.set_viewport_size(DESKTOP)
    page.get_by_role("link", name=first[0]).click()
    page.wait_for_url(re.compile(rf".*/account/requests/{first[0]}/$"))
    assert page.locator("#status-label").inner_text() == "待确认收到"
    assert page.get_by_label("查询码").input_value() == ""  # nothing typed, nothing needed
    axe(page)
    page.set_viewport_size(PHONE)
    fits_the_screen(page)
