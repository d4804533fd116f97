"""The catalogue: columns per agency, the default market-supervision catalogue, topics."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

from django.core.exceptions import PermissionDenied
from django.db import transaction

from gongkai.core import audit, listeners
from gongkai.core.errors import DomainError
from gongkai.core.models import Agency
from gongkai.publishing import permissions
from gongkai.publishing.models import Column, ColumnKind


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
