"""Screening and masking of rich-text bodies: text nodes are screened and masked one by
one, so tags and attributes are never touched."""

from __future__ import annotations

import html
import re

from gongkai.core.masking import MaskPattern
from gongkai.publishing import screening

_TAG = re.compile(r"(<[^>]*>)")


def body_text(body_html: str) -> str:
    """The visible text of a body, for screening and search."""
    parts = [html.unescape(p) for p in _TAG.split(body_html or "") if p and not p.startswith("<")]
    return "\n".join(parts)


def redact_body(body_html: str, *, kinds: set[str], patterns: dict[str, MaskPattern]) -> str:
    out = []
    for part in _TAG.split(body_html or ""):
        if not part or part.startswith("<"):
            out.append(part)
            continue
        text = html.unescape(part)
        findings = screening.screen_text(text)
        out.append(
            html.escape(
                screening.redact(text, findings, patterns=patterns, kinds=kinds), quote=False
            )
            if findings
            else part
        )
    return "".join(out)
