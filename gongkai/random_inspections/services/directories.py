"""Changes to the inspector directory (执法检查人员名录库) by form, and declared conflicts
(回避申报), and imports of both directories through the back office: the upload is kept,
queued, and a worker imports it (``random_inspections.import_directory``) with the rules of
``importer``.

An inspector's phone and ID number are personal data: encrypted by the model, checked
here with the importer's rules, and never written into the audit trail (only whether they
changed, or that someone viewed them in full, with the reason). A declared conflict's
reason (回避事由: kinship, a spouse's shareholding…) is personal too: the trail records
only that one was given; the text stays on the row."""

from __future__ import annotations

import base64
import hashlib

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from gongkai.core import audit, clock
from gongkai.core.errors import DomainError, InvalidTransition
from gongkai.core.models import Agency, Department
from gongkai.random_inspections import importer, permissions
from gongkai.random_inspections.importer import (
    NOT_OFFICE,
    DirectoryRefused,
    RowRefused,
    clean_certificate,
    clean_credit_code,
    clean_id_number,
    clean_phone,
    clean_snapshot_field,
)
from gongkai.random_inspections.models import DirectoryImport, Inspector, InspectorConflict
from gongkai.tasks import outbox
from gongkai.tasks.registry import handler

PUBLIC_FIELDS = ("name", "certificate_number", "department_name", "region", "grid", "expertise")


def _require_office(actor, agency: Agency) -> None:
    if not permissions.can_manage(actor, agency):
        raise PermissionDenied(NOT_OFFICE)


def _one_line(value: str, field: str, label: str, *, required: bool = False) -> str:
    value = " ".join((value or "").split())
    limit = Inspector._meta.get_field(field).max_length
    if required and not value:
        raise DomainError(f"请填写{label}")
    if limit and len(value) > limit:
        raise DomainError(f"{label}不能超过{limit}字")
    return value


def clean_inspector(*, name: str, certificate_number: str, department_name: str = "", region: str = "",
                    grid: str = "", expertise: str = "", phone: str = "", id_number: str = "") -> dict:
    try:
        values = {
            "name": _one_line(name, "name", "姓名", required=True),
            "certificate_number": clean_certificate(certificate_number),
            "department_name": _one_line(department_name, "department_name", "所属部门"),
            "region": clean_snapshot_field(_one_line(region, "region", "区域"), "区域"),
            "grid": clean_snapshot_field(_one_line(grid, "grid", "网格"), "网格"),
            "expertise": _one_line(expertise, "expertise", "专业领域"),
            "phone": clean_phone(phone),
            "id_number": clean_id_number(id_number),
        }
    except RowRefused as exc:
        raise DomainError(exc.message) from None
    return values


def _public(inspector: Inspector) -> dict:
    return {f: getattr(inspector, f) for f in PUBLIC_FIELDS} | {"is_active": inspector.is_active}


def _department_for(agency: Agency, name: str) -> Department | None:
    return Department.objects.filter(agency=agency, name=name).first() if name else None


def _save(inspector: Inspector) -> None:
    try:
        with transaction.atomic():
            inspector.save()
    except IntegrityError:
        raise DomainError(f"本机关名录中已有执法证号为“{inspector.certificate_number}”的执法人员") from None


@transaction.atomic
def inspector_create(*, actor, agency: Agency, **fields) -> Inspector:
    """Add an inspector to the agency's directory (fields: ``clean_inspector``'s)."""
    _require_office(actor, agency)
    values = clean_inspector(**fields)
    inspector = Inspector(agency=agency, department=_department_for(agency, values["department_name"]),
                          updated_at=clock.now(), **values)
    _save(inspector)
    audit.record(actor=actor, action="random_inspections.inspector_create", obj=inspector, agency=agency,
                 after=_public(inspector) | {"phone": bool(values["phone"]), "id_number": bool(values["id_number"])})
    return inspector


@transaction.atomic
def inspector_update(*, actor, inspector: Inspector, phone: str | None = None, id_number: str | None = None,
                     **fields) -> Inspector:
    """Edit an inspector's entry (fields: ``clean_inspector``'s). ``phone`` and
    ``id_number``: None leaves them unchanged, a blank removes them, anything else
    replaces them. The audit entry says whether the phone or ID number changed, never what
    they are."""
    _require_office(actor, inspector.agency)
    inspector = Inspector.objects.select_for_update(of=("self",)).select_related("agency").get(pk=inspector.pk)
    values = clean_inspector(**fields, phone=phone or "", id_number=id_number or "")
    if phone is None:
        values["phone"] = inspector.phone
    if id_number is None:
        values["id_number"] = inspector.id_number
    before = _public(inspector)
    changed_personal = {f"{f}_changed": values[f] != getattr(inspector, f) for f in ("phone", "id_number")}
    for field, value in values.items():
        setattr(inspector, field, value)
    inspector.department = _department_for(inspector.agency, values["department_name"])
    inspector.updated_at = clock.now()
    _save(inspector)
    audit.record(actor=actor, action="random_inspections.inspector_update", obj=inspector,
                 agency=inspector.agency, before=before, after=_public(inspector) | changed_personal)
    return inspector


@transaction.atomic
def inspector_set_active(*, actor, inspector: Inspector, active: bool, reason: str) -> Inspector:
    """Take an inspector out of the draws (调离、退休、长期病假…) or back in; the reason is
    recorded. A deactivated inspector stays in the draws already made."""
    _require_office(actor, inspector.agency)
    inspector = Inspector.objects.select_for_update(of=("self",)).select_related("agency").get(pk=inspector.pk)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写理由")
    if inspector.is_active == active:
        raise InvalidTransition("该执法人员已在岗" if active else "该执法人员已不在岗")
    inspector.is_active = active
    inspector.updated_at = clock.now()
    inspector.save(update_fields=["is_active", "updated_at"])
    audit.record(actor=actor, action="random_inspections.inspector_" + ("activate" if active else "deactivate"),
                 obj=inspector, agency=inspector.agency, reason=reason,
                 before={"is_active": not active}, after={"is_active": active})
    return inspector


@transaction.atomic
def inspector_record_personal_data_view(*, actor, inspector: Inspector, reason: str) -> None:
    """Record that ``actor`` (the agency's office) viewed the inspector's phone and ID
    number in full, with the reason; the values themselves never enter the trail."""
    _require_office(actor, inspector.agency)
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError("请填写查看完整信息的理由")
    if len(reason) > 500:
        raise DomainError("理由不能超过500字")
    audit.record(actor=actor, action="random_inspections.inspector_reveal", obj=inspector,
                 agency=inspector.agency, reason=reason,
                 after={"fields": [f for f in ("phone", "id_number") if getattr(inspector, f)]})


def inspector_deactivate(*, actor, inspector: Inspector, reason: str) -> Inspector:
    return inspector_set_active(actor=actor, inspector=inspector, active=False, reason=reason)


def inspector_activate(*, actor, inspector: Inspector, reason: str) -> Inspector:
    return inspector_set_active(actor=actor, inspector=inspector, active=True, reason=reason)


# --- declared conflicts (回避) ----------------------------------------------------------------

@transaction.atomic
def conflict_declare(*, actor, inspector: Inspector, credit_code: str, reason: str) -> InspectorConflict:
    """Record that the inspector must never be drawn for the entity (a declared conflict of
    interest: kinship, former employment, a financial interest…)."""
    _require_office(actor, inspector.agency)
    try:
        code = clean_credit_code(credit_code)
    except RowRefused as exc:
        raise DomainError(exc.message) from None
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError("请填写回避事由")
    if len(reason) > 200:
        raise DomainError("回避事由不能超过200字")
    if InspectorConflict.objects.filter(inspector=inspector, credit_code=code).exists():
        raise DomainError("已申报过该执法人员对该检查对象的回避")
    conflict = InspectorConflict.objects.create(inspector=inspector, credit_code=code, reason=reason,
                                                declared_by=actor, declared_at=clock.now())
    audit.record(actor=actor, action="random_inspections.conflict_declare", obj=conflict,
                 agency=inspector.agency,
                 after={"inspector": inspector.certificate_number, "credit_code": code, "reason_given": True})
    return conflict


@transaction.atomic
def conflict_withdraw(*, actor, conflict: InspectorConflict, reason: str = "") -> None:
    """Withdraw a declared conflict; draws already made keep what they excluded. The
    trail records that a reason was given, not its text (nor the declared one's)."""
    inspector = conflict.inspector
    _require_office(actor, inspector.agency)
    audit.record(actor=actor, action="random_inspections.conflict_withdraw", obj=conflict,
                 agency=inspector.agency,
                 before={"inspector": inspector.certificate_number, "credit_code": conflict.credit_code},
                 after={"reason_given": bool((reason or "").strip())})
    InspectorConflict.objects.filter(pk=conflict.pk).delete()


# --- imports (on a worker) --------------------------------------------------------------------

IMPORT_DIRECTORY = "random_inspections.import_directory"
UPLOADER_LOST_ROLE = ("上传文件的人在导入时已不是本机关的公开办，文件未导入。"
                      "如仍需导入，请由本机关公开办重新上传。")
GAVE_UP = "导入多次失败，文件未导入。请重新上传；仍然失败时请联系平台管理员。"


@transaction.atomic
def directory_import_queue(*, actor, agency: Agency, kind: str, file_name: str, data: bytes) -> DirectoryImport:
    """Keep an uploaded directory file and queue its import: a county's tens of thousands
    of entities are not imported while a request waits. Only the cheap checks run here
    (``importer.check_readable``: raises :class:`DirectoryRefused`, nothing kept); the
    record says ``queued`` until the worker is done."""
    _require_office(actor, agency)
    kind = importer.clean_kind(kind)
    importer.check_readable(data)
    now = clock.now()
    record = DirectoryImport.objects.create(
        agency=agency, kind=kind, file_name=importer.clean_file_name(file_name),
        file_sha256=hashlib.sha256(data).hexdigest(), imported_by=actor, imported_at=now, queued_at=now,
        state=DirectoryImport.State.QUEUED, content=base64.b64encode(data).decode("ascii"))
    outbox.enqueue(IMPORT_DIRECTORY, args={"import_id": record.pk}, key=f"{IMPORT_DIRECTORY}:{record.pk}")
    return record


def _refuse(record: DirectoryImport, reason: str) -> None:
    record.state, record.refusal, record.content = DirectoryImport.State.REFUSED, reason, ""
    record.imported_at = clock.now()
    record.save(update_fields=["state", "refusal", "content", "imported_at"])


def directory_import_gave_up(*, import_id: int, error: BaseException) -> None:
    """The task failed for good: the record says so, and the file (personal data) goes."""
    with transaction.atomic():
        record = (DirectoryImport.objects.select_for_update().defer("content")
                  .filter(pk=import_id, state=DirectoryImport.State.QUEUED).first())
        if record is not None:
            _refuse(record, GAVE_UP)


@handler(IMPORT_DIRECTORY, on_give_up=directory_import_gave_up)
def directory_import_run(*, import_id: int) -> None:
    """The worker's part: import the queued file as its uploader, whose role is checked
    again now. The import and the record's new state commit together, so a redelivery
    finds the record done and imports nothing twice; the file itself is dropped either way
    (a refused file is fixed and uploaded again)."""
    with transaction.atomic():
        # The record's row only (PostgreSQL locks no outer join's nullable side, nor need it
        # lock the agency); the uploader is read fresh, so is their role.
        record = (DirectoryImport.objects.select_for_update(of=("self",)).select_related("agency")
                  .filter(pk=import_id, state=DirectoryImport.State.QUEUED).first())
        if record is None:
            return  # imported already (a redelivery), or given up
        data = base64.b64decode(record.content)
        try:
            importer.import_queued(record, data=data)  # its own savepoint: a refusal changes nothing
        except PermissionDenied:
            _refuse(record, UPLOADER_LOST_ROLE)
        except DirectoryRefused as refused:
            _refuse(record, refused.message)
        else:
            record.content = ""
            record.save(update_fields=["content"])
