"""The catalogue: columns per agency, the default market-supervision catalogue, topics."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

from django.core.exceptions import PermissionDenied
from django.db import transaction

from gongkai.core import audit, listeners
from gongkai.core import permissions as core_permissions
from gongkai.core.errors import DomainError
from gongkai.core.models import Agency
from gongkai.publishing import permissions
from gongkai.publishing.models import Column, ColumnKind, Topic


@cache
def default_catalogue() -> list[dict]:
    text = (
        resources.files("gongkai.publishing")
        .joinpath("data/default_catalogue.toml")
        .read_text("utf-8")
    )
    return tomllib.loads(text)["column"]


def _public_content_changed() -> None:
    """Columns are the public catalogue (names, order, hidden or shown): whatever
    mirrors public pages must hear of it."""
    listeners.emit(listeners.CONTENT_CHANGED)


@transaction.atomic
def catalogue_install_default(*, actor, agency: Agency) -> int:
    """Give an agency the default catalogue (for an agency that has no columns yet)."""
    if not (
        permissions.can_manage_catalogue(actor, agency) or getattr(actor, "is_superuser", False)
    ):
        raise PermissionDenied("只有本机关公开办可以维护目录")
    if Column.objects.filter(agency=agency).exists():
        raise DomainError("该机关已有目录，不能重复导入默认目录")
    created = 0
    for order, spec in enumerate(default_catalogue()):
        parent = Column.objects.create(
            agency=agency, name=spec["name"], kind=ColumnKind(spec["kind"]), sort_order=order
        )
        created += 1
        for child_order, child in enumerate(spec.get("children", [])):
            Column.objects.create(
                agency=agency,
                parent=parent,
                name=child["name"],
                kind=ColumnKind(child["kind"]),
                sort_order=child_order,
            )
            created += 1
    audit.record(
        actor=actor,
        action="publishing.catalogue.install_default",
        obj=agency,
        agency=agency,
        after={"columns": created},
    )
    _public_content_changed()
    return created


@transaction.atomic
def column_create(
    *,
    actor,
    agency: Agency,
    name: str,
    kind: str,
    parent: Column | None = None,
    sort_order: int = 0,
) -> Column:
    if not permissions.can_manage_catalogue(actor, agency):
        raise PermissionDenied("只有本机关公开办可以维护目录")
    if parent is not None and parent.agency_id != agency.pk:
        raise DomainError("上级栏目不属于该机关")
    if not name.strip():
        raise DomainError("请填写栏目名称")
    if Column.objects.filter(agency=agency, parent=parent, name=name.strip()).exists():
        raise DomainError("同一上级栏目下已有同名栏目")
    column = Column.objects.create(
        agency=agency,
        parent=parent,
        name=name.strip(),
        kind=ColumnKind(kind),
        sort_order=sort_order,
    )
    audit.record(
        actor=actor,
        action="publishing.column.create",
        obj=column,
        agency=agency,
        after={"name": column.name, "kind": kind, "parent_id": getattr(parent, "pk", None)},
    )
    _public_content_changed()
    return column


@transaction.atomic
def column_update(
    *,
    actor,
    column: Column,
    name: str | None = None,
    kind: str | None = None,
    is_active: bool | None = None,
    sort_order: int | None = None,
) -> Column:
    if not permissions.can_manage_catalogue(actor, column.agency):
        raise PermissionDenied("只有本机关公开办可以维护目录")
    before = {"name": column.name, "kind": column.kind, "is_active": column.is_active}
    if name is not None:
        if not name.strip():
            raise DomainError("请填写栏目名称")
        clash = Column.objects.filter(agency=column.agency, parent=column.parent_id, name=name.strip())
        if clash.exclude(pk=column.pk).exists():
            raise DomainError("同一上级栏目下已有同名栏目")
        column.name = name.strip()
    if kind is not None:
        column.kind = ColumnKind(kind)
    if is_active is not None:
        column.is_active = is_active
    if sort_order is not None:
        column.sort_order = sort_order
    column.save()
    audit.record(
        actor=actor,
        action="publishing.column.update",
        obj=column,
        agency=column.agency,
        before=before,
        after={"name": column.name, "kind": column.kind, "is_active": column.is_active},
    )
    _public_content_changed()
    return column


# --- topics (主题分类): one list for the whole platform, kept by its administrators ---

TOPIC_FIELDS = ("code", "name", "sort_order")


def _require_platform_admin(actor) -> None:
    if not core_permissions.is_platform_admin(actor):
        raise PermissionDenied("只有平台管理员可以维护主题分类")


def _topic_clean(topic: Topic) -> None:
    topic.code, topic.name = topic.code.strip(), topic.name.strip()
    if not topic.code or not topic.name:
        raise DomainError("请填写主题代码和名称")
    if Topic.objects.filter(code=topic.code).exclude(pk=topic.pk).exists():
        raise DomainError(f"已有代码为“{topic.code}”的主题")
    topic.full_clean()


@transaction.atomic
def topic_create(*, actor, code: str, name: str, sort_order: int = 0) -> Topic:
    """Add a topic to the platform's list (platform administrators)."""
    _require_platform_admin(actor)
    topic = Topic(code=code, name=name, sort_order=sort_order)
    _topic_clean(topic)
    topic.save()
    audit.record(actor=actor, action="publishing.topic.create", obj=topic,
                 after={f: getattr(topic, f) for f in TOPIC_FIELDS})
    _public_content_changed()
    return topic


@transaction.atomic
def topic_update(*, actor, topic: Topic, **changes) -> Topic:
    """Rename, recode or reorder a topic (platform administrators). Items keep their topic:
    the public pages show the new name."""
    _require_platform_admin(actor)
    if unknown := set(changes) - set(TOPIC_FIELDS):
        raise TypeError(f"unknown topic fields: {', '.join(sorted(unknown))}")
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    before = {f: getattr(topic, f) for f in TOPIC_FIELDS}
    for key, value in changes.items():
        setattr(topic, key, value)
    _topic_clean(topic)
    after = {f: getattr(topic, f) for f in TOPIC_FIELDS}
    changed = [f for f in TOPIC_FIELDS if before[f] != after[f]]
    if not changed:
        return topic
    topic.save()
    audit.record(actor=actor, action="publishing.topic.update", obj=topic,
                 before={f: before[f] for f in changed}, after={f: after[f] for f in changed})
    _public_content_changed()
    return topic
