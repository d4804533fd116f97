"""What the browser tests share: the two screen sizes, signing a person in, and the
check that a page is no wider than the screen. Plain functions and constants; the
fixtures are in ``conftest.py``."""

from django.conf import settings as django_settings
from django.test import Client

from gongkai.core.demo import DEMO_PASSWORD
from gongkai.core.tests.factories import TEST_PASSWORD
from gongkai.core.tests.twofactor_helpers import pass_second_step, verify_session

#: The two widths every page is checked at: a 1366 px laptop and a 390 px phone.
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


# --- signing in ----------------------------------------------------------------------------

def sign_in(page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Through the staff sign-in form, as a person does; on to the desk. The demo's
    accounts by default; the test factories' users with ``TEST_PASSWORD``."""
    page.goto("/staff/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main button[type=submit], form button[type=submit]").first.click()
    pass_second_step(page, username)  # leaders, reviewers, supervisors: two-factor
    page.wait_for_url("**/staff/")


def signed_in(page, live_server, user):
    """Hand the browser ``user``'s session, the second factor passed where ``user`` needs
    one (the sign-in pages have their own tests). The browser's other cookies stay."""
    client = Client()
    client.force_login(user)
    verify_session(client, user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return page


def as_user(page, live_server, user):
    """Switch the browser to ``user``, or to nobody (``None``): every cookie of the one
    before is dropped first, so no session or preference carries over."""
    page.context.clear_cookies()
    if user is None:
        return page
    return signed_in(page, live_server, user)


def through_the_provider(page, op, username: str) -> None:
    """From the staff sign-in page through the identity platform's own login form (the
    ``op`` fixture, ``username`` added there with ``TEST_PASSWORD``) and back."""
    page.goto("/staff/sign-in/")
    with page.expect_navigation():
        page.get_by_role("link", name="统一身份认证登录").click()
    assert page.url.startswith(op.issuer + "/authorize?")  # on the provider's own page
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


# --- the screen ----------------------------------------------------------------------------

def overflow(page) -> dict:
    """The page's scroll width and the window's, with the first few elements reaching
    past the window's right edge outside any box of their own that scrolls or clips (to
    name what makes the page too wide)."""
    return page.evaluate("""() => ({
        width: document.documentElement.scrollWidth, inner: window.innerWidth,
        wide: [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
            .filter(e => { for (let a = e.parentElement; a; a = a.parentElement) {
                if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX)) return false;
            } return true; })
            .slice(0, 8)
            .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))})""")


def fits_the_screen(page) -> None:
    """Nothing wider than the window at the page's viewport (what overflows is named)."""
    shape = overflow(page)
    assert shape["width"] <= shape["inner"], shape


def fits_both_screens(page) -> None:
    """No wider than the window at 1366 and at 390 px (left at 390 px)."""
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        fits_the_screen(page)
