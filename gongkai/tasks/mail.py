"""E-mail through the outbox: ``send_later`` writes the message as a task in the caller's
transaction; a worker sends it (retried with backoff, visible when it fails for good)."""

from __future__ import annotations

import uuid

from django.core.mail import EmailMessage

from gongkai.tasks.models import OutboxTask
from gongkai.tasks.outbox import enqueue
from gongkai.tasks.registry import handler

SEND = "mail.send"


def send_later(subject: str, body: str, recipients: list[str], *, from_email: str | None = None,
               key: str | None = None) -> OutboxTask:
    """Queue one plain-text message. ``key`` makes it once-only (e.g. "digest:<agency>:<day>")."""
    return enqueue(
        SEND,
        args={"subject": subject, "body": body, "to": list(recipients), "from_email": from_email},
        key=key or f"mail:{uuid.uuid4()}",
    )


@handler(SEND)
def send_now(*, subject: str, body: str, to: list[str], from_email: str | None = None) -> None:
    EmailMessage(subject=subject, body=body, from_email=from_email, to=to).send()
