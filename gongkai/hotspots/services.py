"""Every write of the hot-spot area: keeping an uploaded export for the mapping step,
and importing it with the office's mapping (the mapping remembered for the agency's
next import). Each takes ``actor=``; the import writes its batch, its complaints, the
aggregates and one audit entry (who, when, file, counts) in one transaction.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction

from gongkai.core import audit, clock
from gongkai.core.errors import DomainError
from gongkai.core.models import Agency
from gongkai.hotspots import importer, permissions
from gongkai.hotspots.models import ColumnMapping, ComplaintImport, StagedComplaintFile

STAGED_LIFETIME = dt.timedelta(hours=24)


def _require_office(actor, agency: Agency) -> None:
    if not permissions.can_import_complaints(actor, agency):
        raise PermissionDenied("只有本机关的政府信息公开工作人员可以导入投诉举报数据")


def staged_file_create(*, actor, agency: Agency, upload) -> StagedComplaintFile:
    """Read an upload's header and keep the file (encrypted) for the mapping step.
    Raises :class:`~gongkai.core.tabular.FileRefused` (Chinese message) for a file
    that is not a readable CSV/XLSX table; nothing is kept then. Older files of the same
    person, and any file over a day old, are dropped."""
    _require_office(actor, agency)
    if not agency.is_active:
        raise DomainError("该机关已停用")
    data = importer.read_upload(upload)
    inspected = importer.inspect(data)
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1][:200]
    now = clock.now()
    with transaction.atomic():
        StagedComplaintFile.objects.filter(uploaded_by=actor).delete()
        StagedComplaintFile.objects.filter(created_at__lt=now - STAGED_LIFETIME).delete()
        return StagedComplaintFile.objects.create(
            agency=agency, uploaded_by=actor, file_name=name,
            file_sha256=hashlib.sha256(data).hexdigest(), file_format=inspected.file_format,
            header_row=inspected.header_row, headers=inspected.headers,
            content=base64.b64encode(data).decode("ascii"), created_at=now,
        )


def staged_file_get(*, actor, pk: int) -> StagedComplaintFile | None:
    """The actor's own staged file while fresh, else None (the same for a file that never
    existed, expired, or is someone else's)."""
    staged = StagedComplaintFile.objects.select_related("agency").filter(
        pk=pk, uploaded_by=actor, created_at__gte=clock.now() - STAGED_LIFETIME).first()
    if staged is None or not permissions.can_import_complaints(actor, staged.agency):
        return None
    return staged


def remembered_mapping(agency: Agency) -> dict[str, str]:
    row = ColumnMapping.objects.filter(agency=agency).first()
    return dict(row.mapping) if row else {}


@dataclass
class ImportResult:
    batch: ComplaintImport | None
    checked: importer.Checked
    duplicates: int = 0  # in the file, and already stored
    refused: str = ""  # the file as a whole was refused: nothing saved

    @property
    def problems(self) -> list[importer.Problem]:
        return self.checked.problems


def complaints_import(*, actor, staged: StagedComplaintFile, mapping: dict[str, int]) -> ImportResult:
    """Import the staged file with ``mapping`` (field → column index). Good rows are
    saved, bad rows listed, rows already stored counted as duplicates. A refused mapping
    raises DomainError (nothing saved, the file kept for another try); a file refused as a
    whole returns ``refused`` and is dropped."""
    agency = staged.agency
    _require_office(actor, agency)
    errors = importer.check_mapping(mapping, staged.headers)
    if errors:
        raise DomainError("；".join(errors))
    data = base64.b64decode(staged.content)
    try:
        checked = importer.check_rows(data, header_row=staged.header_row, mapping=mapping,
                                      today=clock.today())
    except importer.FileRefused as refused:
        StagedComplaintFile.objects.filter(pk=staged.pk).delete()
        return ImportResult(None, importer.Checked(), refused=refused.message)
    with transaction.atomic():
        lock, _ = ColumnMapping.objects.select_for_update().get_or_create(agency=agency)
        lock.mapping = {name: staged.headers[index] for name, index in mapping.items()}
        lock.updated_by, lock.updated_at = actor, clock.now()
        lock.save()
        batch = ComplaintImport.objects.create(
            agency=agency, file_name=staged.file_name, file_sha256=staged.file_sha256,
            file_format=staged.file_format, mapping=lock.mapping, rows=checked.total,
            bad=checked.bad, problems=[p.as_list() for p in checked.problems],
            imported_by=actor, imported_at=clock.now(),
        )
        saved = importer.store(agency_id=agency.pk, batch_id=batch.pk, rows=checked.rows)
        batch.imported = saved
        batch.duplicates = checked.duplicates_in_file + len(checked.rows) - saved
        batch.save(update_fields=["imported", "duplicates"])
        audit.record(
            actor=actor, action="hotspots.import", obj=batch, agency=agency,
            after={"file": batch.file_name, "sha256": batch.file_sha256,
                   "format": batch.file_format, "rows": batch.rows, "imported": saved,
                   "duplicates": batch.duplicates, "bad": batch.bad, "mapping": batch.mapping},
        )
        StagedComplaintFile.objects.filter(pk=staged.pk).delete()
    return ImportResult(batch, checked, duplicates=batch.duplicates)
