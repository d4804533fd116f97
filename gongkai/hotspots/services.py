"""Every write of the hot-spot area: keeping an uploaded export for the mapping step,
confirming its mapping (a worker then imports it: ``hotspots.import_staged``), and the
import itself with the office's mapping (the mapping remembered for the agency's next
import). Each takes ``actor=``; the import writes its batch, its complaints, the
aggregates, one audit entry (who, when, file, counts) and the staged file's outcome in
one transaction.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q

from gongkai.core import audit, clock
from gongkai.core.errors import DomainError, InvalidTransition
from gongkai.core.models import Agency
from gongkai.hotspots import importer, permissions
from gongkai.hotspots.models import (
    ColumnMapping,
    ComplaintImport,
    StagedComplaintFile,
    StagedFileState,
)
from gongkai.tasks import outbox
from gongkai.tasks.registry import handler

STAGED_LIFETIME = dt.timedelta(hours=24)


def _require_office(actor, agency: Agency) -> None:
    if not permissions.can_import_complaints(actor, agency):
        raise PermissionDenied("只有本机关的政府信息公开工作人员可以导入投诉举报数据")


def staged_file_create(*, actor, agency: Agency, upload) -> StagedComplaintFile:
    """Read an upload's header and keep the file (encrypted) for the mapping step.
    Raises :class:`~gongkai.core.tabular.FileRefused` (Chinese message) for a file
    that is not a readable CSV/XLSX table; nothing is kept then. The same person's files
    not yet confirmed, and any file over a day old, are dropped; a queued one stays (a
    worker imports it, its page reports it)."""
    _require_office(actor, agency)
    if not agency.is_active:
        raise DomainError("该机关已停用")
    data = importer.read_upload(upload)
    inspected = importer.inspect(data)
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1][:200]
    now = clock.now()
    with transaction.atomic():
        StagedComplaintFile.objects.filter(uploaded_by=actor, state=StagedFileState.STAGED).delete()
        StagedComplaintFile.objects.filter(created_at__lt=now - STAGED_LIFETIME).exclude(
            state=StagedFileState.QUEUED).delete()
        return StagedComplaintFile.objects.create(
            agency=agency, uploaded_by=actor, file_name=name,
            file_sha256=hashlib.sha256(data).hexdigest(), file_format=inspected.file_format,
            header_row=inspected.header_row, headers=inspected.headers,
            content=base64.b64encode(data).decode("ascii"), created_at=now,
        )


def staged_file_get(*, actor, pk: int) -> StagedComplaintFile | None:
    """The actor's own staged file while fresh (or still queued: it is never dropped
    then), else None (the same for a file that never existed, expired, or is someone
    else's)."""
    fresh = Q(created_at__gte=clock.now() - STAGED_LIFETIME) | Q(state=StagedFileState.QUEUED)
    staged = StagedComplaintFile.objects.select_related("agency").filter(
        fresh, pk=pk, uploaded_by=actor).first()
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
    """Import the staged file with ``mapping`` (field → column index): the worker's
    import (``staged_file_import``), and the demo's. Good rows are saved, bad rows
    listed, rows already stored counted as duplicates. A refused mapping raises
    DomainError (nothing saved, the file kept for another try); a file refused as a whole
    returns ``refused``. Either way the file's content (personal data) is dropped and its
    row keeps the outcome, in the import's transaction."""
    agency = staged.agency
    _require_office(actor, agency)
    if staged.state not in (StagedFileState.STAGED, StagedFileState.QUEUED):
        raise InvalidTransition("该文件已导入")
    errors = importer.check_mapping(mapping, staged.headers)
    if errors:
        raise DomainError("；".join(errors))
    data = base64.b64decode(staged.content)
    try:
        checked = importer.check_rows(data, header_row=staged.header_row, mapping=mapping,
                                      today=clock.today())
    except importer.FileRefused as refused:
        _settle(staged, StagedFileState.REFUSED, {"refused": refused.message})
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
        _settle(staged, StagedFileState.DONE, {
            "batch": batch.pk, "imported": saved, "duplicates": batch.duplicates,
            "bad": batch.bad})
    return ImportResult(batch, checked, duplicates=batch.duplicates)


def _settle(staged: StagedComplaintFile, state: str, outcome: dict) -> None:
    """The file is done with: its content (personal data) goes, what became of it stays."""
    staged.state, staged.content, staged.outcome = state, "", outcome
    staged.save(update_fields=["state", "content", "outcome"])


IMPORT_STAGED = "hotspots.import_staged"
GAVE_UP_REASON = "导入时出错，未导入任何数据。请重新上传文件。"


@transaction.atomic
def complaints_import_confirm(*, actor, staged: StagedComplaintFile,
                              mapping: dict[str, int]) -> StagedComplaintFile:
    """The office confirms its mapping: a worker imports the file (tens of thousands of
    rows are not segmented while a request waits). The mapping is checked now, so a
    wrong one is shown on the form; confirming twice imports once."""
    _require_office(actor, staged.agency)
    errors = importer.check_mapping(mapping, staged.headers)
    if errors:
        raise DomainError("；".join(errors))
    staged = StagedComplaintFile.objects.select_for_update().filter(pk=staged.pk).first()
    if staged is None:
        raise DomainError("待导入的文件不存在或已过期，请重新上传。")
    if staged.state != StagedFileState.STAGED:
        raise InvalidTransition("该文件已确认导入")
    staged.state, staged.mapping, staged.confirmed_at = StagedFileState.QUEUED, mapping, clock.now()
    staged.save(update_fields=["state", "mapping", "confirmed_at"])
    outbox.enqueue(IMPORT_STAGED, args={"staged_id": staged.pk}, key=f"{IMPORT_STAGED}:{staged.pk}")
    return staged


def _import_gave_up(*, staged_id: int, error: BaseException) -> None:
    """The worker failed for good (every retry): the page stops waiting and says so."""
    with transaction.atomic():
        staged = StagedComplaintFile.objects.select_for_update().filter(
            pk=staged_id, state=StagedFileState.QUEUED).first()
        if staged is not None:
            _settle(staged, StagedFileState.REFUSED, {"refused": GAVE_UP_REASON})


@handler(IMPORT_STAGED, on_give_up=_import_gave_up)
def staged_file_import(*, staged_id: int) -> None:
    """The worker's part: import the confirmed file as its uploader, whose role is checked
    again (it may have been lost meanwhile: then nothing is imported, and the outcome
    says why). The import and the file's outcome commit together, under a lock on the
    still-queued row, so a redelivered task finds the file done and imports nothing
    twice."""
    with transaction.atomic():
        # Only this row is locked (of=self): the import may take a while, and the
        # uploader's and the agency's rows must stay writable meanwhile.
        staged = (StagedComplaintFile.objects.select_for_update(of=("self",))
                  .select_related("agency", "uploaded_by")
                  .filter(pk=staged_id, state=StagedFileState.QUEUED).first())
        if staged is None:
            return  # imported already, or gone
        try:
            complaints_import(actor=staged.uploaded_by, staged=staged, mapping=staged.mapping)
        except PermissionDenied as refused:
            _settle(staged, StagedFileState.REFUSED, {"refused": str(refused)})
        except DomainError as refused:
            _settle(staged, StagedFileState.REFUSED, {"refused": refused.message})


def import_outcome_message(outcome: dict) -> str:
    """"已导入3条；重复1条未重复导入；有误2条未导入。" for the import's result page."""
    return (f"已导入{outcome['imported']}条；重复{outcome['duplicates']}条未重复导入；"
            f"有误{outcome['bad']}条未导入。")
