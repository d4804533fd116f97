"""Staff sign-in through the identity platform in Chromium: the sign-in page's 统一身份认证登录
button, the local OpenID Connect provider's own login form (a real provider over HTTP,
``gongkai.identity.tests.provider``), back to the desk; an unknown person sees the refusal
page. The pages fit 1366 and 390 px and pass axe without a serious finding."""

import pytest

from gongkai.browser_tests.helpers import fits_both_screens, through_the_provider
from gongkai.core.models import AuditEvent
from gongkai.core.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_an_office_signs_in_through_the_provider(page, op, office, axe_serious):
    op.add_user("zhang", password=TEST_PASSWORD, email=office.email, name="张三")
    page.goto("/staff/sign-in/")
    fits_both_screens(page)
    axe_serious(page)
    through_the_provider(page, op, "zhang")
    assert page.url.endswith("/staff/"), page.url
    assert AuditEvent.objects.filter(action="identity.staff_linked",
                                     object_id=str(office.pk)).exists()


def test_local_passwords_off_shows_only_the_link(page, op, office, settings, axe_serious):
    settings.GONGKAI_LOCAL_PASSWORDS = False
    page.goto("/staff/sign-in/")
    assert page.get_by_role("link", name="统一身份认证登录").is_visible()
    assert page.locator("input[type=password]").count() == 0
    fits_both_screens(page)
    axe_serious(page)


def test_an_unknown_person_sees_why(page, op, office, axe_serious):
    op.add_user("stranger", password=TEST_PASSWORD, email="stranger@example.gov.cn")
    through_the_provider(page, op, "stranger")
    assert "/staff/sso/oidc/callback/" in page.url
    assert page.get_by_role("alert").inner_text().startswith("统一身份认证已确认您的身份")
    fits_both_screens(page)
    axe_serious(page)
    with page.expect_navigation():
        page.get_by_role("link", name="返回工作人员登录页").click()
    assert page.url.endswith("/staff/sign-in/")
