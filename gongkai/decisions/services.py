"""Changes to published decisions: publishing those held back at import, withdrawing a
changed or revoked one, keeping an uploaded file between its dry run and its confirmation,
and the small-fine limits. The import itself is ``importer.import_decisions``.

Every service takes ``actor=``, checks the actor and the current state, and writes its
audit entry in the same transaction. The audit entries carry dates and statuses, never
the party's name or ID number.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction

from gongkai.core import audit, clock, listeners
from gongkai.core import permissions as core_permissions
from gongkai.core.errors import DomainError, InvalidTransition
from gongkai.core.models import Agency
from gongkai.core.selectors import get_working_day_calendar
from gongkai.decisions import importer, permissions, rules
from gongkai.decisions.models import (
    TRANSITIONS,
    AgencyDecisionSettings,
    Decision,
    DecisionStatus,
    ImportBatch,
    StagedImport,
    StagedImportState,
)
from gongkai.tasks import outbox
from gongkai.tasks.registry import handler

STAGED_IMPORT_LIFETIME = dt.timedelta(hours=24)


def _require_office(actor, agency: Agency) -> None:
    if not permissions.can_manage_decisions(actor, agency):
        raise PermissionDenied("只有本机关的政府信息公开工作人员可以办理")


_ACTION_LABELS = {"publish": "公示", "withdraw": "撤回"}


def _next_status(decision: Decision, action: str) -> str:
    allowed = TRANSITIONS[action]
    if decision.status not in allowed:
        raise InvalidTransition(
            f"{DecisionStatus(decision.status).label}的决定不能{_ACTION_LABELS[action]}")
    return allowed[decision.status]


def _locked(decision: Decision) -> Decision:
    return Decision.objects.select_for_update().select_related("agency").get(pk=decision.pk)


@transaction.atomic
def decision_publish(*, actor, decision: Decision) -> Decision:
    """Publish a decision that was held back at import; it is public from today."""
    _require_office(actor, decision.agency)
    decision = _locked(decision)
    previous = decision.status
    decision.status = _next_status(decision, "publish")
    decision.published_on = clock.today()
    decision.save(update_fields=["status", "published_on"])
    late = rules.is_published_late(decision, calendar=get_working_day_calendar())
    audit.record(actor=actor, action="decisions.publish", obj=decision, agency=decision.agency,
                 before={"status": previous},
                 after={"status": decision.status, "published_on": decision.published_on,
                        "late": late})
    listeners.emit(listeners.CONTENT_CHANGED)
    listeners.emit(listeners.PUBLIC_OBJECT_CHANGED, decision, True)  # the search index
    return decision


@transaction.atomic
def batch_publish(*, actor, batch: ImportBatch) -> int:
    """Publish every decision of an import that is still held back; returns how many."""
    _require_office(actor, batch.agency)
    today = clock.today()
    pending = list(Decision.objects.select_for_update()
                   .filter(batch=batch, status=DecisionStatus.PENDING).order_by("pk"))
    if not pending:
        raise DomainError("该批次没有待公示的决定")
    Decision.objects.filter(pk__in=[d.pk for d in pending]).update(
        status=DecisionStatus.PUBLISHED, published_on=today)
    audit.record(actor=actor, action="decisions.publish_batch", obj=batch, agency=batch.agency,
                 after={"published": len(pending), "published_on": today})
    listeners.emit(listeners.CONTENT_CHANGED)
    listeners.emit(listeners.PUBLIC_OBJECT_CHANGED, pending, True)  # the search index
    return len(pending)


@transaction.atomic
def decision_withdraw(*, actor, decision: Decision, changed_on: dt.date, reason: str) -> Decision:
    """Take down a decision that was changed or revoked (变更、撤销、确认违法或无效), with the
    reason shown to the public. Due within 3 working days of the change (Order 45); a later
    withdrawal is still made, and flagged late."""
    _require_office(actor, decision.agency)
    decision = _locked(decision)
    previous = decision.status
    status = _next_status(decision, "withdraw")
    reason = (reason or "").strip()
    today = clock.today()
    if not reason:
        raise DomainError("请填写撤回理由（将向社会公开）")
    if changed_on > today:
        raise DomainError("变更或撤销日期不能晚于今天")
    if changed_on < decision.decision_date:
        raise DomainError("变更或撤销日期不能早于决定日期")
    decision.status, decision.changed_on, decision.withdrawn_on = status, changed_on, today
    decision.withdrawal_reason = reason
    decision.save(update_fields=["status", "changed_on", "withdrawn_on", "withdrawal_reason"])
    late = rules.is_withdrawn_late(decision, calendar=get_working_day_calendar())
    audit.record(actor=actor, action="decisions.withdraw", obj=decision, agency=decision.agency,
                 reason=reason, before={"status": previous},
                 after={"status": status, "changed_on": changed_on, "withdrawn_on": today,
                        "late": late})
    listeners.emit(listeners.CONTENT_CHANGED)  # a withdrawn decision must not be served from the page cache
    listeners.emit(listeners.PUBLIC_OBJECT_CHANGED, decision, False)  # out of the search index
    return decision


# --- the uploaded file between dry run and confirmation ------------------------------------

@dataclass(frozen=True)
class StagedFile:
    staged: StagedImport | None  # None when the dry run found problems
    report: importer.ImportReport


def staged_import_create(*, actor, agency: Agency, upload, held: bool) -> StagedFile:
    """Dry-run an upload and, when it passes, keep it (encrypted) for the office to
    confirm. Older files of the same person, and any file over a day old, are dropped."""
    _require_office(actor, agency)
    name = getattr(upload, "name", "")
    data = importer.read_upload(upload)
    report = importer.import_decisions(actor=actor, agency=agency, file=data, dry_run=True,
                                       held=held, file_name=name)
    now = clock.now()
    with transaction.atomic():
        # A file already confirmed stays: a worker imports it, its page reports it.
        StagedImport.objects.filter(uploaded_by=actor, state=StagedImportState.STAGED).delete()
        StagedImport.objects.filter(created_at__lt=now - STAGED_IMPORT_LIFETIME).exclude(
            state=StagedImportState.QUEUED).delete()
        if not report.ok:
            return StagedFile(None, report)
        staged = StagedImport.objects.create(
            agency=agency, uploaded_by=actor, file_name=report.file_name,
            file_sha256=hashlib.sha256(data).hexdigest(),
            content=base64.b64encode(data).decode("ascii"), held=held, created_at=now,
        )
    return StagedFile(staged, report)


def staged_import_get(*, actor, pk: int) -> StagedImport | None:
    """The actor's own staged file, if still fresh; None otherwise (same answer for a
    file that never existed, expired, or belongs to someone else)."""
    staged = StagedImport.objects.select_related("agency").filter(
        pk=pk, uploaded_by=actor, created_at__gte=clock.now() - STAGED_IMPORT_LIFETIME).first()
    if staged is None or not permissions.can_manage_decisions(actor, staged.agency):
        return None
    return staged


IMPORT_STAGED = "decisions.import_staged"


@transaction.atomic
def staged_import_confirm(*, actor, staged: StagedImport) -> StagedImport:
    """Confirm a staged file: a worker imports it (thousands of rows are not imported while
    a request waits). Confirming twice imports once."""
    _require_office(actor, staged.agency)
    staged = StagedImport.objects.select_for_update().get(pk=staged.pk)
    if staged.state != StagedImportState.STAGED:
        raise InvalidTransition("该文件已确认导入")
    staged.state, staged.confirmed_at = StagedImportState.QUEUED, clock.now()
    staged.save(update_fields=["state", "confirmed_at"])
    outbox.enqueue(IMPORT_STAGED, args={"staged_id": staged.pk}, key=f"{IMPORT_STAGED}:{staged.pk}")
    return staged


@handler(IMPORT_STAGED)
def staged_import_run(*, staged_id: int) -> None:
    """The worker's part: import the confirmed file for real, as its uploader. The rows are
    checked again (another import may have taken a number meanwhile, the uploader may have
    lost the role): with any problem nothing is saved. The import and its outcome commit
    together, so a retry after a crash finds the file done, not imported twice; the file
    itself (personal data) is dropped either way: a refused file is fixed and uploaded
    again."""
    with transaction.atomic():
        staged = (StagedImport.objects.select_for_update().select_related("agency", "uploaded_by")
                  .filter(pk=staged_id, state=StagedImportState.QUEUED).first())
        if staged is None:
            return  # done already, or expired
        data = base64.b64decode(staged.content)
        try:
            report = importer.import_decisions(
                actor=staged.uploaded_by, agency=staged.agency, file=data, dry_run=False,
                held=staged.held, file_name=staged.file_name)
        except (PermissionDenied, DomainError) as refused:
            report = importer.ImportReport(file_name=staged.file_name, dry_run=False)
            report.add(None, "", str(refused.args[0] if refused.args else refused))
        staged.state = StagedImportState.DONE if report.imported else StagedImportState.REFUSED
        staged.content = ""
        staged.outcome = {
            "rows": report.rows, "to_publish": report.to_publish, "to_hold": report.to_hold,
            "not_published": report.not_published, "problem_total": report.problem_total,
            "problems": [str(p) for p in report.problems],
        }
        staged.save(update_fields=["state", "content", "outcome"])


def import_outcome_message(outcome: dict) -> str:
    """"已导入3条，公示2条，仅警告不予公示1条。" for the office's list page."""
    parts = [f"已导入{outcome['rows']}条"]
    if outcome["to_publish"]:
        parts.append(f"公示{outcome['to_publish']}条")
    if outcome["to_hold"]:
        parts.append(f"待公示{outcome['to_hold']}条")
    if outcome["not_published"]:
        parts.append(f"仅警告不予公示{outcome['not_published']}条")
    return "，".join(parts) + "。"


# --- settings ------------------------------------------------------------------------------

SETTINGS_FIELDS = ("small_fine_limit_person", "small_fine_limit_organisation", "source")


@transaction.atomic
def decision_settings_save(*, actor, agency: Agency, small_fine_limit_person: Decimal | None,
                           small_fine_limit_organisation: Decimal | None,
                           source: str = "") -> AgencyDecisionSettings:
    """The province's small-fine limits (platform administrators: the figure comes from a
    provincial rule, not from the agency's own choice)."""
    if not core_permissions.is_platform_admin(actor):
        raise PermissionDenied("只有平台管理员可以设置较低数额罚款标准")
    for value in (small_fine_limit_person, small_fine_limit_organisation):
        if value is not None and value < 0:
            raise DomainError("较低数额罚款上限不能为负数")
    settings, created = AgencyDecisionSettings.objects.select_for_update().get_or_create(
        agency=agency)
    before = {name: getattr(settings, name) for name in SETTINGS_FIELDS}
    settings.small_fine_limit_person = small_fine_limit_person
    settings.small_fine_limit_organisation = small_fine_limit_organisation
    settings.source = (source or "").strip()
    after = {name: getattr(settings, name) for name in SETTINGS_FIELDS}
    if after == before and not created:
        return settings
    settings.save()
    audit.record(actor=actor, action="decisions.settings.save", obj=settings, agency=agency,
                 before=None if created else before, after=after)
    return settings

