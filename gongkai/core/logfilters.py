"""Keep applicants' secrets out of logs.

The status secret travels in a header (``X-Tracking-Secret``) or a POST body, never in an
address; but a client may still put ``?secret=…`` in a URL (the API refuses it with 400),
and an access log would then keep it. Two more things open a request to whoever reads
a log: a message text that carries the secret (the receipt's SMS and e-mail say
``查询码K7P2XQ9MAB``), and the token of a delivery link (``/delivery/<token>/…``, valid
for 30 days). The token of a staff invitation link (``/staff/invitation/<token>/``, valid for
7 days) would let whoever reads a log take the invitation. ``redact()`` replaces all four; ``RedactSecretsFilter`` (on every handler
in ``settings.LOGGING``) and ``RedactingGunicornLogger`` (gunicorn's access log, set by
``gongkai serve``) apply it, and the console SMS backend applies it to what it logs.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[已隐去]"
# secret=…, also percent-encoded or as a suffix (tracking_secret=, x-tracking-secret=).
_SECRET_PARAM = re.compile(r"((?:^|[?&;\s\"'])[\w.-]*secret(?:%3D|=))[^&;\s\"']*", re.IGNORECASE)
# 查询码 and the secret after it, with or without a colon and spaces (查询码：K7P2 XQ9M AB).
# The secret's letters and digits are ASCII; the Chinese text after it is kept.
_SECRET_IN_TEXT = re.compile(r"(查询码[:：]?\s*)[A-Za-z0-9](?:[A-Za-z0-9-]|\s(?=[A-Za-z0-9]))*")
# The token of a delivery link: the path segment after /delivery/, up to the next slash,
# query, fragment, space or quote.
_DELIVERY_TOKEN = re.compile(r"(/delivery/)[^/?#\s\"']+")
# The token of an invitation link, likewise (``/staff/invitation/<token>/``).
_INVITATION_TOKEN = re.compile(r"(/invitation/)[^/?#\s\"']+")


def redact(text: str) -> str:
    """``text`` with the value of every ``…secret=`` parameter, the secret after every
    ``查询码`` and the token of every delivery or invitation link replaced."""
    if not text:
        return text
    if "secret" in text.lower():
        text = _SECRET_PARAM.sub(lambda m: m.group(1) + REDACTED, text)
    if "查询码" in text:
        text = _SECRET_IN_TEXT.sub(lambda m: m.group(1) + REDACTED, text)
    if "/delivery/" in text:
        text = _DELIVERY_TOKEN.sub(lambda m: m.group(1) + REDACTED, text)
    if "/invitation/" in text:
        text = _INVITATION_TOKEN.sub(lambda m: m.group(1) + REDACTED, text)
    return text


def _redact_value(value):
    return redact(value) if isinstance(value, str) else value


class RedactSecretsFilter(logging.Filter):
    """Rewrites a record's message and arguments (and Django's ``request`` line for
    ``django.server``) so that no ``secret=`` value reaches a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_value(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _redact_value(v) for k, v in record.args.items()}
        return True


def redact_access_atoms(atoms: dict) -> dict:
    """Gunicorn's access-log atoms with the query string, request line and referrer
    redacted, and any header or environ value whose name mentions a secret dropped."""
    safe = {}
    for name, value in atoms.items():
        if "secret" in name.lower():
            safe[name] = REDACTED
        else:
            safe[name] = _redact_value(value)
    return safe


def gunicorn_logger_class():
    """gunicorn's ``Logger`` with redacted access-log atoms (imported lazily: only
    ``gongkai serve`` needs gunicorn)."""
    from gunicorn.glogging import Logger

    class RedactingGunicornLogger(Logger):
        def atoms(self, resp, req, environ, request_time):
            return redact_access_atoms(super().atoms(resp, req, environ, request_time))

    return RedactingGunicornLogger
