"""Two-factor sign-in for the tests: a confirmed authenticator for a user, the code it
shows, and a test client's session verified by it (what the second step of a real
sign-in leaves), so the suite runs with two-factor enforcement on.

TOTP codes follow the real time (RFC 6238 is defined on it, and django-otp checks them
against ``time.time()``); a code is computed here at the same moment it is checked,
within the one-step tolerance, so no test depends on when it runs."""

from __future__ import annotations

import base64
import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongkai.core import twofactor


def confirmed_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=twofactor.TOTP_DEVICE_NAME, confirmed=True)
    return device


def code_for(device_or_key, *, steps_ahead: int = 0) -> str:
    """The 6-digit code the authenticator shows now (``steps_ahead`` later: 30 s each,
    still accepted by the one-step tolerance, for a second sign-in in the same step)."""
    if isinstance(device_or_key, TOTPDevice):
        device_or_key.refresh_from_db()
        key, drift = device_or_key.bin_key, device_or_key.drift
    else:
        secret = device_or_key.replace(" ", "")
        key, drift = base64.b32decode(secret + "=" * (-len(secret) % 8)), 0
    totp = TOTP(key, step=30, t0=0, digits=6, drift=drift)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def verify_session(client, user) -> None:
    """Mark a test client's session (after ``force_login``) verified by the user's
    authenticator, creating one if the user needs a second factor and has none. Users
    for whom it is optional and who have no device are left as they are."""
    if not twofactor.second_step_needed(user):
        return
    device = confirmed_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def pass_second_step(page, username: str) -> None:
    """In a browser (Playwright), after the password was submitted: enrol (reading the
    secret shown for manual entry) or type the authenticator's code, whichever the
    sign-in asks for; nothing when it asks for neither."""
    page.wait_for_load_state()
    if "/two-factor/enrol/" in page.url:
        secret = page.get_by_test_id("totp-secret").inner_text()
        page.fill("#id_code", code_for(secret))
        with page.expect_navigation():
            page.get_by_role("button", name="完成绑定").click()
        with page.expect_navigation():
            page.get_by_test_id("continue").click()
    elif "/sign-in/verify/" in page.url:
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        page.fill("#id_code", code_for(device))
        with page.expect_navigation():
            page.get_by_role("button", name="验证").click()
