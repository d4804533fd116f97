"""Service guides (办事指南) and their key elements (国办秘函〔2019〕19号: 服务不实用 —
guides missing key elements such as the item's name, legal basis, conditions, materials).

gongkai has no separate model of government services. The guide the portal renders
itself (``portal/guide.py``, the 政府信息公开指南 of Art. 12) is computed from the rules
and cannot miss an element. The other guides an agency publishes are items of proactive
disclosure: a service guide is a published item in a column named as
``[service_guides] columns`` of ``data/indicators.toml`` says (办事指南, 服务指南), or in a
column below one. Its elements are read from what the public reads: the body and the text
of its attachments; an element is there when one of its labels is.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from django.db.models import Prefetch

from gongkai.core.models import Agency
from gongkai.inspection.indicators import GuideElement, Rules
from gongkai.publishing.models import Column, Publication, PublicationAttachment
from gongkai.publishing.models.publication import PublicationStatus

_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class GuideCheck:
    publication: Publication
    missing_required: list[GuideElement]
    missing_optional: list[GuideElement]


def plain_text(body: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", body or "")).split())


def guide_columns(agency: Agency, names) -> list[Column]:
    """The agency's active columns that hold service guides: named as ``names`` say, and
    every column below one."""
    columns = list(Column.objects.filter(agency=agency, is_active=True))
    children: dict[int | None, list[Column]] = {}
    for c in columns:
        children.setdefault(c.parent_id, []).append(c)
    found, frontier = [], [c for c in columns if c.name.strip() in set(names)]
    seen = set()
    while frontier:
        c = frontier.pop()
        if c.pk in seen:
            continue
        seen.add(c.pk)
        found.append(c)
        frontier.extend(children.get(c.pk, []))
    return found


def missing_elements(text: str, elements) -> list[GuideElement]:
    squeezed = "".join(text.split())
    return [e for e in elements if not any(label in squeezed for label in e.labels)]


def check_guides(agency: Agency, rules: Rules) -> list[GuideCheck] | None:
    """Each published service guide of the agency with the elements it lacks; None when
    the agency publishes no service-guide column (the indicator does not apply)."""
    columns = guide_columns(agency, rules.guide_columns)
    if not columns:
        return None
    guides = (
        Publication.objects.filter(agency=agency, status=PublicationStatus.PUBLISHED,
                                   columns__in=columns)
        .distinct().order_by("pk")
        .prefetch_related(Prefetch("attachments",
                                   queryset=PublicationAttachment.objects.filter(is_active=True),
                                   to_attr="active_attachments"))
    )
    required = [e for e in rules.guide_elements if e.required]
    optional = [e for e in rules.guide_elements if not e.required]
    checks = []
    for guide in guides:
        text = " ".join([plain_text(guide.body), *(a.text for a in guide.active_attachments)])
        checks.append(GuideCheck(publication=guide,
                                 missing_required=missing_elements(text, required),
                                 missing_optional=missing_elements(text, optional)))
    return checks
