"""How the back-office pages of proactive disclosure put things in words: screening
findings, the details of a history entry, and the Art. 26 flag of the list and the item's
page."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongkai.core.models.events import choice_label
from gongkai.publishing import rules, screening
from gongkai.publishing.models import (
    DisclosureAttribute,
    Publication,
    PublicationStatus,
    ReviewConclusion,
)

EXTRA_FINDING_LABELS = {"unscreened_image": "图片（须人工核对）"}


def kind_label(kind: str) -> str:
    return str(screening.KIND_LABELS.get(kind) or EXTRA_FINDING_LABELS.get(kind, kind))


def event_details(event) -> str:
    d = event.data or {}
    parts = []
    if "revision" in d:
        parts.append(f"第{d['revision']}版")
    if "findings" in d:
        parts.append(f"疑点{d['findings']}处")
    if d.get("kinds"):
        parts.append("脱敏类型：" + "、".join(kind_label(k) for k in d["kinds"]))
    if "step" in d:
        parts.append(f"第{d['step']}级审批")
    if d.get("conclusion"):
        parts.append(f"结论：{choice_label(ReviewConclusion, d['conclusion'])}")
    if d.get("at"):
        try:
            at = timezone.localtime(dt.datetime.fromisoformat(d["at"]))
            parts.append(f"发布时间：{at:%Y-%m-%d %H:%M}")
        except ValueError:
            pass
    return "；".join(parts)


def late_flag(publication: Publication, calendar, today) -> str:
    """The list's and the item page's flag for Art. 26 (``publishing.rules``): published
    after the deadline; or, not yet published, a proactive item already past it."""
    if publication.published_on:
        late = rules.is_published_late(
            publication.written_on, publication.published_on, calendar=calendar
        )
        return "逾期发布" if late else ""
    if (
        publication.disclosure_attribute == DisclosureAttribute.PROACTIVE
        and publication.status != PublicationStatus.WITHDRAWN
        and rules.is_publication_overdue(publication.written_on, today=today, calendar=calendar)
    ):
        return "已超过公开时限"
    return ""
