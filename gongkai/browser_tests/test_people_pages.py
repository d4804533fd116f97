"""The people pages in a browser, at a 1366 px desktop and a 390 px phone: an agency's
office invites a person, the person accepts through the e-mailed link; nothing is wider
than the screen, and axe finds no serious violation."""

import re

import pytest
from django.core import mail

from gongkai.browser_tests.helpers import DESKTOP, PHONE, fits_the_screen, signed_in
from gongkai.core.models import Membership, User
from gongkai.core.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_an_office_invites_and_the_person_accepts(page, live_server, axe_serious, bureau, office, reviewer,
                                                   department):
    signed_in(page, live_server, office)
    page.goto(f"/staff/agencies/{bureau.pk}/people/")
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.reload()
        assert page.locator('[data-testid="person"]').count() == 2  # the office and the reviewer
        fits_the_screen(page)
        axe_serious(page)

    page.set_viewport_size(DESKTOP)
    page.fill("#id_invite-email", "zhao.min@example.invalid")
    page.fill("#id_invite-full_name", "赵敏")
    page.select_option("#id_invite-role", "officer")
    page.select_option("#id_invite-department", str(department.pk))
    page.locator('[data-testid="invite-form"] button[type=submit]').click()
    page.wait_for_load_state()
    assert "已向" in page.locator(".messages").inner_text()
    assert "待接受" in page.locator('[data-testid="invitation"]').first.inner_text()

    (message,) = mail.outbox
    link = re.search(r"(/staff/invitation/[^/\s]+/)", message.body).group(1)
    page.context.clear_cookies()
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.goto(link)
        fits_the_screen(page)
        axe_serious(page)
    page.fill("#id_password", TEST_PASSWORD)
    page.fill("#id_password_again", TEST_PASSWORD)
    page.locator('[data-testid="accept-form"] button[type=submit]').click()
    page.wait_for_load_state()
    assert "您已成为" in page.locator('[data-testid="invitation-accepted"]').inner_text()
    fits_the_screen(page)
    user = User.objects.get(email="zhao.min@example.invalid")
    assert user.full_name == "赵敏" and Membership.objects.get(user=user).department == department

    page.goto(link)
    assert "已经接受" in page.locator('[data-testid="invitation-refusal"]').inner_text()
