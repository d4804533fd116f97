"""The public message form's CAPTCHA, self-hosted: no third-party service sees the visitor.

A challenge is a random token (in the form) and five digits drawn as an image
(``captcha.image.ImageCaptcha``) and, for those who cannot see it, read out as audio
(``captcha.audio.AudioCaptcha``, digits). The answer stays on the server, encrypted at
rest (``CaptchaChallenge``), so any worker can draw and check it; a challenge may be
tried once, for ``LIFETIME``: checking consumes it whatever the answer, so a wrong guess
needs a new challenge.

Tests make the answer predictable with the ``INTERACTION_CAPTCHA_TEST_ANSWER`` setting
(never set it anywhere else): every new challenge then has that answer.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets

from django.conf import settings
from django.db import transaction

from gongkai.core import clock
from gongkai.interaction.models import CaptchaChallenge

LIFETIME = dt.timedelta(minutes=10)
LENGTH = 5
WRONG = "验证码不正确或已过期，请按新的验证码重新输入。"
TOKEN_MAX_LENGTH = 64


def _new_answer() -> str:
    fixed = getattr(settings, "INTERACTION_CAPTCHA_TEST_ANSWER", None)
    if fixed:
        return str(fixed)
    return "".join(secrets.choice("0123456789") for _ in range(LENGTH))


def normalise(answer: str) -> str:
    """Spaces dropped; full-width digits (typed with a Chinese input method) are digits."""
    return "".join((answer or "").split()).translate(
        str.maketrans("０１２３４５６７８９", "0123456789"))


def new_challenge() -> str:
    """Make a challenge and return its token (expired ones are deleted on the way)."""
    now = clock.now()
    CaptchaChallenge.objects.filter(expires_at__lt=now).delete()
    token = secrets.token_urlsafe(24)
    CaptchaChallenge.objects.create(token=token, answer=_new_answer(), created_at=now,
                                    expires_at=now + LIFETIME)
    return token


def digits_for(token: str) -> str | None:
    """The digits of a live challenge, for drawing it; None when unknown or expired."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    challenge = CaptchaChallenge.objects.filter(token=token, expires_at__gte=clock.now()).first()
    return challenge.answer if challenge else None


@transaction.atomic
def check(token: str, answer: str) -> bool:
    """True when ``answer`` is the live challenge's; the challenge is used up either way."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return False
    challenge = CaptchaChallenge.objects.select_for_update().filter(token=token).first()
    if challenge is None:
        return False
    challenge.delete()
    if challenge.expires_at < clock.now():
        return False
    return hmac.compare_digest(challenge.answer.encode(), normalise(answer).encode())


def image_png(digits: str) -> bytes:
    from captcha.image import ImageCaptcha

    return ImageCaptcha(width=200, height=70).generate(digits, format="png").getvalue()


def audio_wav(digits: str) -> bytes:
    from captcha.audio import AudioCaptcha

    return bytes(AudioCaptcha().generate(digits))
