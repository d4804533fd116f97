"""Every change to the list of inspection matters (随机抽查事项清单, 一单; 国发〔2019〕5号:
each department draws up its list and publishes it): creating a draft (blank or a copy of
the current list), adding, editing and removing its matters, publishing it, discarding it.

Each service checks the actor (the agency's office) and the version's state, writes, and
appends the audit entry in the same transaction. A published version is never changed
again; publishing a draft makes it the agency's current list, ``previous`` pointing to the
one it replaces, which stays public as history."""

from __future__ import annotations

import decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max

from gongkai.core import audit, clock, listeners
from gongkai.core.errors import DomainError, InvalidTransition
from gongkai.core.models import Agency, Department
from gongkai.random_inspections import permissions
from gongkai.random_inspections.models import (
    InspectionMatter,
    InspectionMethod,
    MatterList,
    MatterListStatus,
)
from gongkai.random_inspections.selectors.matters import current_matter_list

NOT_OFFICE = "只有本机关的公开办可以维护随机抽查事项清单。"
NOT_DRAFT = "该版本已发布，不能再修改；如需调整，请新建版本。"

MATTER_FIELDS = ("code", "category", "name", "basis", "department_name", "target_kind", "methods",
                 "frequency", "ratio_percent", "remarks")


def _require_office(actor, agency: Agency) -> None:
    if not permissions.can_manage(actor, agency):
        raise PermissionDenied(NOT_OFFICE)


def _locked_draft(actor, matter_list: MatterList) -> MatterList:
    _require_office(actor, matter_list.agency)
    locked = MatterList.objects.select_for_update().select_related("agency").get(pk=matter_list.pk)
    if locked.status != MatterListStatus.DRAFT:
        raise InvalidTransition(NOT_DRAFT)
    return locked


def _one_line(value: str, limit: int, label: str, *, required: bool = False) -> str:
    value = " ".join((value or "").split())
    if required and not value:
        raise DomainError(f"请填写{label}")
    if len(value) > limit:
        raise DomainError(f"{label}不能超过{limit}字")
    return value


def _limit(field: str) -> int:
    return InspectionMatter._meta.get_field(field).max_length


def _department_for(agency: Agency, name: str) -> Department | None:
    if not name:
        return None
    return Department.objects.filter(agency=agency, name=name).first()


# --- versions ---------------------------------------------------------------------------------

@transaction.atomic
def matterlist_create(*, actor, agency: Agency, title: str, copy_current: bool = False,
                      adopted_by: str = "", note: str = "") -> MatterList:
    """A new draft, blank or holding a copy of the agency's current list's matters."""
    _require_office(actor, agency)
    title = _one_line(title, 100, "版本名称", required=True)
    source = current_matter_list(agency) if copy_current else None
    if copy_current and source is None:
        raise DomainError("本机关尚无已发布的清单可复制，请新建空白版本")
    matter_list = MatterList.objects.create(
        agency=agency, title=title, adopted_by=_one_line(adopted_by, 200, "印发文件"),
        note=(note or "").strip(), created_by=actor, created_at=clock.now())
    copied = 0
    if source is not None:
        copies = [InspectionMatter(matter_list=matter_list, position=m.position, code=m.code, category=m.category,
                                   name=m.name, basis=m.basis, department_id=m.department_id,
                                   department_name=m.department_name, target_kind=m.target_kind,
                                   methods=list(m.methods), frequency=m.frequency, ratio_percent=m.ratio_percent,
                                   remarks=m.remarks)
                  for m in InspectionMatter.objects.filter(matter_list=source).order_by("position", "id")]
        InspectionMatter.objects.bulk_create(copies)
        copied = len(copies)
    audit.record(actor=actor, action="random_inspections.matterlist_create", obj=matter_list, agency=agency,
                 after={"title": title, "copy_from": source.pk if source else None, "matters": copied})
    return matter_list


@transaction.atomic
def matterlist_update(*, actor, matter_list: MatterList, title: str, adopted_by: str = "",
                      note: str = "") -> MatterList:
    """A draft's name, adopting document and note."""
    matter_list = _locked_draft(actor, matter_list)
    before = {"title": matter_list.title, "adopted_by": matter_list.adopted_by, "note": matter_list.note}
    matter_list.title = _one_line(title, 100, "版本名称", required=True)
    matter_list.adopted_by = _one_line(adopted_by, 200, "印发文件")
    matter_list.note = (note or "").strip()
    matter_list.save(update_fields=["title", "adopted_by", "note"])
    audit.record(actor=actor, action="random_inspections.matterlist_update", obj=matter_list,
                 agency=matter_list.agency, before=before,
                 after={"title": matter_list.title, "adopted_by": matter_list.adopted_by, "note": matter_list.note})
    return matter_list


@transaction.atomic
def matterlist_publish(*, actor, matter_list: MatterList, adopted_by: str = "", reason: str = "") -> MatterList:
    """Publish the draft: it becomes the agency's current list (public on the portal); the
    list it replaces stays published as history and is its ``previous``."""
    _require_office(actor, matter_list.agency)
    # One publication at a time per agency: lock the agency's row first.
    Agency.objects.select_for_update().filter(pk=matter_list.agency_id).first()
    matter_list = _locked_draft(actor, matter_list)
    count = matter_list.matters.count()
    if not count:
        raise DomainError("该版本没有任何抽查事项，不能发布")
    previous = current_matter_list(matter_list.agency)
    adopted_by = _one_line(adopted_by or matter_list.adopted_by, 200, "印发文件")
    matter_list.status = MatterListStatus.PUBLISHED
    matter_list.adopted_by = adopted_by
    matter_list.published_by = actor
    matter_list.published_at = clock.now()
    matter_list.previous = previous
    matter_list.save(update_fields=["status", "adopted_by", "published_by", "published_at", "previous"])
    audit.record(actor=actor, action="random_inspections.matterlist_publish", obj=matter_list,
                 agency=matter_list.agency, reason=(reason or "").strip(),
                 before={"status": MatterListStatus.DRAFT.value, "current": previous.pk if previous else None},
                 after={"status": MatterListStatus.PUBLISHED.value, "adopted_by": adopted_by, "matters": count})
    listeners.emit(listeners.CONTENT_CHANGED)
    return matter_list


@transaction.atomic
def matterlist_delete(*, actor, matter_list: MatterList, reason: str = "") -> None:
    """Discard a draft (a published version is kept for ever)."""
    matter_list = _locked_draft(actor, matter_list)
    audit.record(actor=actor, action="random_inspections.matterlist_delete", obj=matter_list,
                 agency=matter_list.agency, reason=(reason or "").strip(),
                 before={"title": matter_list.title, "matters": matter_list.matters.count()})
    matter_list.delete()


# --- matters ----------------------------------------------------------------------------------

def clean_matter(*, name: str, basis: str, target_kind: str, methods, code: str = "", category: str = "",
                 department_name: str = "", frequency: str = "", ratio_percent=None, remarks: str = "") -> dict:
    """A matter's fields, checked: name, basis, target kind and at least one method are
    required; the ratio is a percentage between 0 and 100."""
    methods = list(dict.fromkeys(methods or []))
    unknown = [m for m in methods if m not in InspectionMethod.values]
    if unknown:
        raise DomainError(f"检查方式“{unknown[0]}”无法识别")
    if not methods:
        raise DomainError("请选择至少一种检查方式")
    basis = (basis or "").strip()
    if not basis:
        raise DomainError("请填写检查依据")
    if ratio_percent not in (None, ""):
        try:
            ratio_percent = decimal.Decimal(str(ratio_percent)).quantize(decimal.Decimal("0.01"))
        except (decimal.InvalidOperation, ValueError):
            raise DomainError("抽查比例应为数字（百分比）") from None
        if not decimal.Decimal(0) < ratio_percent <= decimal.Decimal(100):
            raise DomainError("抽查比例应大于0且不超过100（%）")
    else:
        ratio_percent = None
    return {
        "code": _one_line(code, _limit("code"), "事项编码"),
        "category": _one_line(category, _limit("category"), "抽查类别"),
        "name": _one_line(name, _limit("name"), "抽查事项名称", required=True),
        "basis": basis,
        "department_name": _one_line(department_name, _limit("department_name"), "实施部门"),
        "target_kind": _one_line(target_kind, _limit("target_kind"), "检查对象", required=True),
        "methods": methods,
        "frequency": _one_line(frequency, _limit("frequency"), "抽查比例和频次"),
        "ratio_percent": ratio_percent,
        "remarks": (remarks or "").strip(),
    }


def _snapshot(matter: InspectionMatter) -> dict:
    return {f: getattr(matter, f) for f in MATTER_FIELDS}


@transaction.atomic
def matter_add(*, actor, matter_list: MatterList, **fields) -> InspectionMatter:
    """Add a matter to a draft (fields: ``MATTER_FIELDS``)."""
    matter_list = _locked_draft(actor, matter_list)
    values = clean_matter(**fields)
    position = (matter_list.matters.aggregate(m=Max("position"))["m"] or 0) + 1
    matter = InspectionMatter.objects.create(
        matter_list=matter_list, position=position,
        department=_department_for(matter_list.agency, values["department_name"]), **values)
    audit.record(actor=actor, action="random_inspections.matter_add", obj=matter, agency=matter_list.agency,
                 after={"matter_list": matter_list.pk, **values})
    return matter


@transaction.atomic
def matter_update(*, actor, matter: InspectionMatter, **fields) -> InspectionMatter:
    matter_list = _locked_draft(actor, matter.matter_list)
    matter = InspectionMatter.objects.select_for_update().get(pk=matter.pk)
    before = _snapshot(matter)
    values = clean_matter(**fields)
    for name, value in values.items():
        setattr(matter, name, value)
    matter.department = _department_for(matter_list.agency, values["department_name"])
    matter.save()
    audit.record(actor=actor, action="random_inspections.matter_update", obj=matter, agency=matter_list.agency,
                 before=before, after={"matter_list": matter_list.pk, **values})
    return matter


@transaction.atomic
def matter_remove(*, actor, matter: InspectionMatter, reason: str = "") -> None:
    matter_list = _locked_draft(actor, matter.matter_list)
    matter = InspectionMatter.objects.select_for_update().get(pk=matter.pk)
    audit.record(actor=actor, action="random_inspections.matter_remove", obj=matter, agency=matter_list.agency,
                 reason=(reason or "").strip(), before={"matter_list": matter_list.pk, **_snapshot(matter)})
    InspectionMatter.objects.filter(pk=matter.pk).delete()
