"""Headless Chromium against pytest-django's live server.

The browser is Debian's ``chromium`` package (``apt-get install chromium``), driven by
Playwright for Python; Playwright's own browser download is not used. A missing browser
is a failure, not a skip: CI installs it, and a silently skipped journey proves nothing.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.core.cache import cache

CHROMIUM = os.environ.get("GONGKAI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run",
]


def _chromium() -> str:
    path = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not path:
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's package "
            "(`apt-get install -y chromium`) or set GONGKAI_CHROMIUM to its path. "
            "Browser tests fail rather than skip without it.",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module. Playwright's sync API runs an event loop in this
    thread while it is open, and Django refuses database access from a thread with a
    running loop unless told it is safe (it is: the loop only talks to the browser). The
    permission lasts exactly as long as the loop, so the rest of the suite keeps Django's
    check."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright for Python is not installed (`pip install playwright`).",
                    pytrace=False)
    executable = _chromium()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=executable, args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()


def _watch(page, errors: list[str], who: str = "") -> None:
    """Collect on ``page`` any console error (a CSP violation, a script error) or missing
    asset into ``errors``, each prefixed with ``who``."""

    def on_console(message):
        # A page answered 4xx on purpose (a form with errors is a 400) is logged as a
        # failed load; failed assets are caught below instead.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(f"{who}{message.text} ({message.location.get('url')})")

    def on_response(response):
        # Browsers ask for /favicon.ico on their own; the platform has none (yet).
        if (response.status >= 400 and response.request.resource_type != "document"
                and not response.url.endswith("/favicon.ico")):
            errors.append(f"{who}{response.status} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda e: errors.append(f"{who}{e}"))


@pytest.fixture
def page(browser, live_server, transactional_db):
    """A fresh browser context on the live server; fails the test on any console error
    (a CSP violation, a script error) or a missing asset."""
    cache.clear()  # rate-limit counters: the live server shares this process's cache
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    _watch(page, errors)
    yield page
    context.close()
    cache.clear()
    assert errors == [], f"browser console errors: {errors}"


@pytest.fixture
def signed_in_browser(browser, live_server):
    """`signed_in_browser(user)` → a page of a browser of that person's own (a context of
    its own), signed in through the sign-in form with ``TEST_PASSWORD``. Console errors
    and failed assets fail the test, as for ``page``."""
    from gongkai.core.tests.factories import TEST_PASSWORD
    from gongkai.core.tests.twofactor_helpers import pass_second_step

    contexts, errors = [], []

    def open_as(user):
        context = browser.new_context(base_url=live_server.url, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        _watch(page, errors, f"{user.username}: ")
        page.goto("/staff/sign-in/")
        page.get_by_label("用户名").fill(user.username)
        page.get_by_label("密码").fill(TEST_PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="登录").click()
        pass_second_step(page, user.username)  # leaders, reviewers: two-factor
        assert "/sign-in/" not in page.url, f"{user.username} could not sign in"
        return page

    yield open_as
    for context in contexts:
        context.close()
    assert errors == [], f"browser console errors: {errors}"


@pytest.fixture
def op(settings):
    """The local OpenID Connect provider (a real one over HTTP) configured as the staff
    identity platform. The second factor it must vouch for is pinned here, whatever the
    environment sets; its users are added by each test (``op.add_user``)."""
    from gongkai.identity.tests.provider import running_provider

    settings.GONGKAI_SSO_REQUIRED_ACR, settings.GONGKAI_SSO_REQUIRED_AMR = [], ["mfa", "otp"]
    with running_provider() as provider:
        yield provider.configure(settings, "staff")


@pytest.fixture
def axe():
    """axe-core accessibility checks (WCAG 2 A/AA) of the page as it stands."""
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        pytest.fail("axe-playwright-python is not installed (`pip install axe-playwright-python`).",
                    pytrace=False)

    checker = Axe()

    def check(page):
        results = checker.run(page, options={
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
            "resultTypes": ["violations"],
        })
        assert results.violations_count == 0, results.generate_report()

    return check


@pytest.fixture
def portal_site(transactional_db, settings, tmp_path, bureau, office, officer, reviewer, leader,
                department):
    """The bureau's catalogue with published items (one with an attachment), a withdrawn
    item and a draft, made through the publishing services; see
    ``gongkai.portal.tests.conftest.build_site``."""
    from gongkai.portal.tests.conftest import Publisher, build_site

    settings.MEDIA_ROOT = tmp_path / "media"
    publisher = Publisher(agency=bureau, office=office, officer=officer, reviewer=reviewer,
                          leader=leader, department=department)
    site = build_site(publisher)
    # The search index is a table of its own: a flush between transactional tests may
    # leave rows of an earlier test's items behind, so build it from what exists now.
    from gongkai.portal.search import rebuild_index

    rebuild_index()
    cache.clear()  # pages cached before the data existed must not be served
    return site


SERIOUS = ("serious", "critical")


@pytest.fixture
def axe_serious():
    """axe-core (WCAG 2.0/2.1 A and AA rules) on the page as it stands: fails on any
    violation of serious or critical impact, listing every violation found."""
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        pytest.fail("axe-playwright-python is not installed (`pip install axe-playwright-python`).",
                    pytrace=False)

    checker = Axe()

    def check(page):
        results = checker.run(page, options={
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
            "resultTypes": ["violations"],
        })
        violations = results.response["violations"]
        serious = [v for v in violations if v.get("impact") in SERIOUS]
        report = "\n".join(
            f"- [{v.get('impact')}] {v['id']}: {v['help']} — "
            + "; ".join(node["target"][0] if node.get("target") else "?" for node in v["nodes"][:5])
            for v in violations
        )
        assert not serious, f"{page.url}: axe found serious or critical violations:\n{report}"
        return violations

    return check
