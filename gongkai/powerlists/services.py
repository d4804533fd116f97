"""Every change to a power and duty list: creating, importing and editing a draft
version, and publishing it. Each service checks the actor (the agency's office) and the
version's state, writes, and appends the audit entry in the same transaction. A
published version is never changed again; publishing a new one makes it the current
list and keeps the previous one, recording what changed (``powerlists.diff``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max

from gongkai.core import audit, clock, listeners
from gongkai.core.errors import DomainError, InvalidTransition
from gongkai.core.models import Agency, Department
from gongkai.powerlists import diff, kinds, levels, permissions, selectors, spreadsheet
from gongkai.powerlists.models import ListVersion, PowerItem, VersionStatus

NOT_OFFICE = "只有本机关的公开办可以维护权责清单。"
NOT_DRAFT = "该版本已发布，不能再修改；如需调整，请新建版本。"
TITLE_MAX = 100


def _require_office(actor, agency: Agency) -> None:
    if not permissions.can_manage(actor, agency):
        raise PermissionDenied(NOT_OFFICE)


def _locked_draft(actor, version: ListVersion) -> ListVersion:
    _require_office(actor, version.agency)
    locked = ListVersion.objects.select_for_update().select_related("agency").get(pk=version.pk)
    if locked.status != VersionStatus.DRAFT:
        raise InvalidTransition(NOT_DRAFT)
    return locked


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise DomainError("请填写版本名称（如“2025年版”）")
    if len(title) > TITLE_MAX:
        raise DomainError(f"版本名称不能超过{TITLE_MAX}字")
    return title


# --- versions ----------------------------------------------------------------------------

@transaction.atomic
def version_create(*, actor, agency: Agency, title: str, copy_from: ListVersion | None = None,
                   note: str = "") -> ListVersion:
    """A new draft, empty or with a copy of ``copy_from``'s items (a version of the same
    agency), for the office to edit."""
    _require_office(actor, agency)
    title = _clean_title(title)
    if copy_from is not None and copy_from.agency_id != agency.pk:
        raise DomainError("只能复制本机关的清单版本")
    version = ListVersion.objects.create(
        agency=agency, title=title, note=(note or "").strip(), created_by=actor, created_at=clock.now(),
        source=f"复制自“{copy_from.title}”" if copy_from else "")
    copied = 0
    if copy_from is not None:
        copies = [PowerItem(version=version, position=i.position, kind=i.kind, code=i.code, name=i.name,
                            sub_items=i.sub_items, basis=i.basis, department_id=i.department_id,
                            department_name=i.department_name, level=i.level, duties=i.duties,
                            remarks=i.remarks)
                  for i in PowerItem.objects.filter(version=copy_from).order_by("position", "id")]
        PowerItem.objects.bulk_create(copies)
        copied = len(copies)
    audit.record(actor=actor, action="powerlists.version_create", obj=version, agency=agency,
                 after={"title": title, "copy_from": copy_from.pk if copy_from else None, "items": copied})
    return version


def _department_for(agency: Agency, name: str) -> Department | None:
    name = (name or "").strip()
    if not name:
        return None
    return Department.objects.filter(agency=agency, name=name).first()


@transaction.atomic
def version_import(*, actor, agency: Agency, title: str, data: bytes, file_name: str = "",
                   note: str = "") -> ListVersion:
    """A new draft holding the items of an XLSX file (``spreadsheet.read_items``). A bad
    file raises ``spreadsheet.ImportRefused`` and saves nothing. A 实施主体 naming one of
    the agency's departments links it."""
    _require_office(actor, agency)
    title = _clean_title(title)
    parsed = spreadsheet.read_items(data)
    version = ListVersion.objects.create(
        agency=agency, title=title, note=(note or "").strip(), created_by=actor, created_at=clock.now(),
        source=f"导入自“{file_name[:150]}”" if file_name else "导入")
    departments = {d.name: d for d in Department.objects.filter(agency=agency)}
    PowerItem.objects.bulk_create([
        PowerItem(version=version, position=n, kind=p.kind, code=p.code, name=p.name,
                  sub_items="\n".join(p.sub_items), basis=p.basis,
                  department=departments.get(p.department), department_name=p.department,
                  level=p.level, duties=p.duties, remarks=p.remarks)
        for n, p in enumerate(parsed, start=1)])
    audit.record(actor=actor, action="powerlists.version_import", obj=version, agency=agency,
                 after={"title": title, "file": file_name[:150], "items": len(parsed)})
    return version


@transaction.atomic
def version_update(*, actor, version: ListVersion, title: str, effective_on: dt.date | None = None,
                   adopted_by: str = "", note: str = "") -> ListVersion:
    """The draft's name, effective date, adopting document and note."""
    version = _locked_draft(actor, version)
    before = {"title": version.title, "effective_on": version.effective_on,
              "adopted_by": version.adopted_by, "note": version.note}
    version.title = _clean_title(title)
    version.effective_on = effective_on
    version.adopted_by = " ".join((adopted_by or "").split())[:200]
    version.note = (note or "").strip()
    version.save()
    audit.record(actor=actor, action="powerlists.version_update", obj=version, agency=version.agency,
                 before=before, after={"title": version.title, "effective_on": version.effective_on,
                                       "adopted_by": version.adopted_by, "note": version.note})
    return version


@transaction.atomic
def version_delete(*, actor, version: ListVersion, reason: str = "") -> None:
    """Discard a draft (a published version is kept for ever)."""
    version = _locked_draft(actor, version)
    summary = {"title": version.title, "items": version.items.count()}
    audit.record(actor=actor, action="powerlists.version_delete", obj=version, agency=version.agency,
                 reason=reason, before=summary)
    version.delete()


@dataclass(frozen=True)
class Published:
    version: ListVersion
    diff: diff.Diff | None  # None for an agency's first list


@transaction.atomic
def version_publish(*, actor, version: ListVersion, effective_on: dt.date, adopted_by: str = "",
                    reason: str = "") -> Published:
    """Publish the draft: it becomes the agency's current list; the version it replaces
    stays published in the change log. Records the counts of the change."""
    _require_office(actor, version.agency)
    # One publication at a time per agency: lock the agency's row first.
    Agency.objects.select_for_update().filter(pk=version.agency_id).first()
    version = _locked_draft(actor, version)
    if effective_on is None:
        raise DomainError("请填写施行日期")
    items = selectors.items_of(version)
    if not items:
        raise DomainError("该版本没有任何事项，不能发布")
    previous = selectors.current_version(version.agency)
    change = diff.compare_versions(selectors.items_of(previous), items) if previous else None
    adopted_by = " ".join((adopted_by or version.adopted_by or "").split())[:200]
    version.status = VersionStatus.PUBLISHED
    version.effective_on = effective_on
    version.adopted_by = adopted_by
    version.published_by = actor
    version.published_at = clock.now()
    version.previous = previous
    counts = change.counts if change else {"added": len(items), "removed": 0, "changed": 0}
    version.added_count, version.removed_count, version.changed_count = (
        counts["added"], counts["removed"], counts["changed"])
    version.save()
    audit.record(actor=actor, action="powerlists.version_publish", obj=version, agency=version.agency,
                 reason=reason, before={"status": VersionStatus.DRAFT.value,
                                        "current": previous.pk if previous else None},
                 after={"status": VersionStatus.PUBLISHED.value, "effective_on": effective_on,
                        "adopted_by": adopted_by, "items": len(items), **counts})
    listeners.emit(listeners.CONTENT_CHANGED)
    return Published(version, change)


# --- items ---------------------------------------------------------------------------------

ITEM_FIELDS = ("kind", "code", "name", "sub_items", "basis", "department_name", "level", "duties", "remarks")


def _clean_item(version: ListVersion, *, kind: str, name: str, basis: str, code: str = "",
                sub_items: str = "", department_name: str = "", level: str = "", duties: str = "",
                remarks: str = "", exclude_pk: int | None = None) -> dict:
    if kind not in kinds.ItemKind.values:
        raise DomainError("请选择权力类型")
    name = " ".join((name or "").split())
    if not name:
        raise DomainError("请填写事项名称")
    if len(name) > spreadsheet.NAME_MAX:
        raise DomainError(f"事项名称不能超过{spreadsheet.NAME_MAX}字")
    basis = (basis or "").strip()
    if not basis:
        raise DomainError("请填写设定依据")
    code = (code or "").strip()
    if len(code) > spreadsheet.CODE_MAX:
        raise DomainError(f"事项编码不能超过{spreadsheet.CODE_MAX}字")
    if code and PowerItem.objects.filter(version=version, code=code).exclude(pk=exclude_pk).exists():
        raise DomainError(f"本版本中已有编码为“{code}”的事项")
    try:
        level = levels.normalise(level)
    except levels.UnknownLevel as exc:
        raise DomainError(f"行使层级“{exc}”无法识别（应为{'、'.join(levels.choices())}）") from None
    department_name = " ".join((department_name or "").split())[:spreadsheet.DEPARTMENT_MAX]
    return {"kind": kind, "code": code, "name": name, "basis": basis,
            "sub_items": "\n".join(s.strip() for s in (sub_items or "").splitlines() if s.strip()),
            "department_name": department_name, "level": level, "duties": (duties or "").strip(),
            "remarks": (remarks or "").strip()}


def _snapshot(item: PowerItem) -> dict:
    return {f: getattr(item, f) for f in ITEM_FIELDS}


@transaction.atomic
def item_add(*, actor, version: ListVersion, **fields) -> PowerItem:
    """Add an item to a draft (fields: ``ITEM_FIELDS``)."""
    version = _locked_draft(actor, version)
    values = _clean_item(version, **fields)
    position = (version.items.aggregate(m=Max("position"))["m"] or 0) + 1
    item = PowerItem.objects.create(version=version, position=position,
                                    department=_department_for(version.agency, values["department_name"]),
                                    **values)
    audit.record(actor=actor, action="powerlists.item_add", obj=item, agency=version.agency,
                 after={"version": version.pk, **values})
    return item


@transaction.atomic
def item_update(*, actor, item: PowerItem, **fields) -> PowerItem:
    version = _locked_draft(actor, item.version)
    item = PowerItem.objects.select_for_update().get(pk=item.pk)
    before = _snapshot(item)
    values = _clean_item(version, exclude_pk=item.pk, **fields)
    for name, value in values.items():
        setattr(item, name, value)
    item.department = _department_for(version.agency, values["department_name"])
    item.save()
    audit.record(actor=actor, action="powerlists.item_update", obj=item, agency=version.agency,
                 before=before, after={"version": version.pk, **values})
    return item


@transaction.atomic
def item_remove(*, actor, item: PowerItem, reason: str = "") -> None:
    version = _locked_draft(actor, item.version)
    item = PowerItem.objects.select_for_update().get(pk=item.pk)
    before = {"version": version.pk, **_snapshot(item)}
    audit.record(actor=actor, action="powerlists.item_remove", obj=item, agency=version.agency,
                 reason=reason, before=before)
    PowerItem.objects.filter(pk=item.pk).delete()
