"""Text messages (SMS) to applicants, through a pluggable backend.

``send_sms(phone, text)`` hands the message to the backend named by
``settings.GONGKAI_SMS_BACKEND`` (a dotted path to a class with ``send(phone, text)``).
No provider is built in: a deployment writes a small backend for its gateway (see
docs/notifications.md). With the setting empty, nothing is sent and ``send_sms`` answers
False, so callers may always call it.

Backends here: ``ConsoleBackend`` logs the masked number and the text with the secret
redacted (development); ``LocmemBackend`` keeps messages in ``outbox`` (tests).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from gongkai.core.logfilters import redact
from gongkai.core.masking import mask_phone

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The backend could not send the message."""


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    text: str


# Messages "sent" by LocmemBackend, oldest first (like django.core.mail.outbox).
outbox: list[SmsMessage] = []


class BaseBackend:
    def send(self, phone: str, text: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    """Logs the message; the number is masked, as on every screen, and the status secret
    (``查询码…``) and any delivery link's token are redacted (``logfilters.redact``): a
    log is read by more people than the applicant, and not only through the handlers
    that carry ``RedactSecretsFilter``."""

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), redact(text))


class LocmemBackend(BaseBackend):
    def send(self, phone: str, text: str) -> None:
        outbox.append(SmsMessage(phone, text))


def configured() -> bool:
    return bool(getattr(settings, "GONGKAI_SMS_BACKEND", ""))


def get_backend() -> BaseBackend | None:
    path = getattr(settings, "GONGKAI_SMS_BACKEND", "")
    return import_string(path)() if path else None


def send_sms(phone: str, text: str) -> bool:
    """Send ``text`` to ``phone``; False when no backend is configured. A backend's
    failure raises ``SmsError``."""
    backend = get_backend()
    if backend is None:
        return False
    try:
        backend.send(phone, text)
    except SmsError:
        raise
    except Exception as exc:  # a gateway's own error types are unknown here
        raise SmsError(f"SMS backend {type(backend).__name__} failed: {type(exc).__name__}") from exc
    return True
