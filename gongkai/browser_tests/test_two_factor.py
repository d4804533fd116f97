"""Two-factor sign-in in Chromium: a leader without an authenticator signs in with the
password, enrols from the QR page (the secret typed as for manual entry), sees the ten
recovery codes once and reaches the desk; signing in again asks for the code. The pages
pass axe without a serious finding and raise no console error (CSP included)."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongkai.core.tests.factories import TEST_PASSWORD
from gongkai.core.tests.twofactor_helpers import code_for

pytestmark = pytest.mark.browser


def submit_password(page, username):
    page.goto("/staff/sign-in/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


def test_a_leader_enrols_then_signs_in_with_the_code(page, leader, axe_serious):
    submit_password(page, "leader")
    assert "/staff/two-factor/enrol/" in page.url
    assert page.locator("svg.totp-qr").is_visible()
    axe_serious(page)
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_label("动态验证码").fill(code_for(secret))
    with page.expect_navigation():
        page.get_by_role("button", name="完成绑定").click()
    assert page.get_by_test_id("recovery-codes").locator("li").count() == 10
    axe_serious(page)
    with page.expect_navigation():
        page.get_by_test_id("continue").click()
    assert page.url.endswith("/staff/")

    page.locator("form.inline-form button").click()  # sign out
    page.wait_for_load_state()
    submit_password(page, "leader")
    assert "/staff/sign-in/verify/" in page.url
    axe_serious(page)
    device = TOTPDevice.objects.get(user=leader, confirmed=True)
    page.get_by_label("动态验证码或恢复码").fill(code_for(device, steps_ahead=1))  # not the enrolment's
    with page.expect_navigation():
        page.get_by_role("button", name="验证").click()
    assert page.url.endswith("/staff/")
