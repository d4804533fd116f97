"""What changed between two versions of an item: the reads behind the comparison the
item's page shows between the published version and the one being worked on.

A version keeps its catalogue fields as stored values (ids, codes); the comparison names
them as staff know them (department, topic, column path, attachment names), so it
reads the tables those ids point to.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from gongkai.core.models import Department
from gongkai.core.models.events import choice_label
from gongkai.publishing.models import (
    Column,
    DisclosureAttribute,
    PublicationAttachment,
    PublicationRevision,
    Topic,
    Validity,
)
from gongkai.publishing.redaction import body_text


def column_paths(columns) -> list[str]:
    """ "上级 › 栏目" for each column, as the public catalogue shows it."""
    result = []
    for c in columns:
        names, node, seen = [c.name], c, set()
        while node.parent_id and node.parent_id not in seen:
            seen.add(node.parent_id)
            node = node.parent
            names.append(node.name)
        result.append(" › ".join(reversed(names)))
    return result


@dataclass
class Change:
    label: str
    published: str
    current: str


# The catalogue fields a version keeps in ``metadata``, in the order the page lists them.
METADATA_LABELS = [
    ("issuing_agency", "发布机构"),
    ("department_id", "起草科室"),
    ("written_on", "成文日期"),
    ("topic_id", "主题分类"),
    ("disclosure_attribute", "公开属性"),
    ("validity", "有效性"),
    ("keywords", "关键词"),
    ("column_ids", "所属栏目"),
    ("attachment_ids", "附件"),
    ("non_disclosure_reason", "不主动公开的理由"),
]


def _metadata_text(metadata: dict, key: str) -> str:
    value = metadata.get(key)
    if value in (None, "", []):
        return "—"
    if key == "department_id":
        name = Department.objects.filter(pk=value).values_list("name", flat=True).first()
        return name or str(value)
    if key == "topic_id":
        return Topic.objects.filter(pk=value).values_list("name", flat=True).first() or str(value)
    if key == "column_ids":
        return "、".join(column_paths(Column.objects.filter(pk__in=value).select_related("parent")))
    if key == "attachment_ids":
        return "、".join(a.label for a in PublicationAttachment.objects.filter(pk__in=value))
    if key == "disclosure_attribute":
        return choice_label(DisclosureAttribute, value)
    if key == "validity":
        return choice_label(Validity, value)
    return str(value)


def compare_revisions(published: PublicationRevision, current: PublicationRevision) -> dict:
    """What changed between the published version and the working version: the fields,
    and the body's visible text line by line."""
    changes = []
    if published.title != current.title:
        changes.append(Change("标题", published.title, current.title))
    if published.doc_number != current.doc_number:
        changes.append(Change("文号", published.doc_number or "—", current.doc_number or "—"))
    for key, label in METADATA_LABELS:
        if published.metadata.get(key) != current.metadata.get(key):
            changes.append(
                Change(
                    label,
                    _metadata_text(published.metadata, key),
                    _metadata_text(current.metadata, key),
                )
            )
    old = [line for line in body_text(published.body).splitlines() if line.strip()]
    new = [line for line in body_text(current.body).splitlines() if line.strip()]
    diff = [
        line
        for line in difflib.unified_diff(old, new, lineterm="", n=1)
        if not line.startswith(("---", "+++"))
    ]
    return {"changes": changes, "body_diff": diff}
