"""Sign-off (签发) of replies and notices: drafted by the assigned department's officer
(or the office), checked by the office, signed off by a leader, through the steps the
agency chose (``AgencyFoiSettings.signoff_steps``; steps not chosen are skipped). On the
last step the letter is issued by the office's own service (``request_reply``,
``request_ask_correction``, ``request_start_consultation``, ``request_send_fee_notice``)
with the stored fields, as the one who took that step. Each step is a ``FoiEvent`` with
its audit entry; saving a draft's text is audited only.

A drafted reply may carry the files to be disclosed with it (``draft_save(files=...)``):
they are kept in storage under ``foi/drafts/`` and listed in the draft's ``fields``
(name, size, SHA-256) while it goes through the steps, and become the request's
``DisclosedFile`` rows when the reply is issued, refused if a file changed since it was
attached. While the draft is on its way, whoever may view the request (the office that
checks it, the leader who signs it off) can open each file (``draft_file_open``,
audited). A cancelled draft's files are removed."""

from __future__ import annotations

import datetime as dt
import posixpath

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction

from gongkai.core import audit, clock
from gongkai.core.encrypted_storage import EncryptedFileError, encrypted_storage
from gongkai.core.errors import DomainError
from gongkai.core.uploads import sha256_of
from gongkai.foi import fees, permissions
from gongkai.foi.models import ConsultationParty, FoiRequest, LetterDraft, LetterKind
from gongkai.foi.models.signoff import (
    DRAFTABLE_KINDS,
    EDITABLE_DRAFT_STATES,
    PENDING_DRAFT_STATES,
    DraftState,
    SignoffStep,
    signoff_steps_for,
)
from gongkai.foi.outcomes import REPLY_RULES, ReplyType
from gongkai.foi.services import replies
from gongkai.foi.services import requests as svc
from gongkai.foi.workflow import Action

# The issuing action of each kind: its transition decides when the letter may go out.
ISSUING_ACTION = {
    LetterKind.REPLY: Action.REPLY,
    LetterKind.CORRECTION: Action.REQUEST_CORRECTION,
    LetterKind.CONSULTATION: Action.START_CONSULTATION,
    LetterKind.FEE: Action.SEND_FEE_NOTICE,
}


def _kind(kind: str) -> LetterKind:
    kind = LetterKind(kind)
    if kind not in DRAFTABLE_KINDS:
        raise DomainError(f"{kind.label}不经拟稿签发")
    return kind


def validate_fields(kind: str, fields: dict, *, request: FoiRequest) -> None:
    """What the issuing service would refuse on shape, refused when the draft is
    submitted rather than at the leader's desk."""
    kind = _kind(kind)
    if kind == LetterKind.REPLY:
        reply_type = ReplyType(fields.get("reply_type") or ReplyType.DISCLOSED)
        if not fields.get("reply_type"):
            raise DomainError("请选择答复类型")
        outcome = replies.derive_outcome(reply_type, fields.get("outcome") or "")
        remedy = fields.get("remedy") or ""
        if REPLY_RULES[reply_type].refusal and not remedy.strip():
            remedy = replies.default_remedy(request)  # as the service fills it in on issue
        replies.validate_reply(
            reply_type=reply_type, outcome=outcome, content=fields.get("content", ""),
            legal_basis=fields.get("legal_basis", ""), responsible_agency=fields.get("responsible_agency", ""),
            remedy=remedy)
    elif kind == LetterKind.CORRECTION:
        if not [i for i in fields.get("items", []) if str(i).strip()]:
            raise DomainError("补正告知必须逐项列明需要补正的内容")
        if not fields.get("correct_by"):
            raise DomainError("请填写补正期限")
    elif kind == LetterKind.CONSULTATION:
        if not (fields.get("party_name") or "").strip():
            raise DomainError("请填写征求意见的对象")
        ConsultationParty(fields.get("party_kind"))
    elif kind == LetterKind.FEE:
        scale = fees.FeeScale(fields.get("scale"))
        if scale == fees.FeeScale.PER_PAGE and not fields.get("pages"):
            raise DomainError("按量计收请填写页数")


# --- files disclosed with a drafted reply --------------------------------------------------

DRAFT_FILES = "files"  # the key of ``LetterDraft.fields`` that lists the attached files
_DRAFT_FILE_DIR = "foi/drafts"


def draft_files(draft: LetterDraft) -> list[dict]:
    """The files attached to a drafted reply: ``path`` (in storage), ``name`` (as the
    applicant will see it), ``size``, ``sha256``, ``content_type``."""
    return [dict(f) for f in (draft.fields or {}).get(DRAFT_FILES, []) if isinstance(f, dict)]




def _store_draft_file(request: FoiRequest, upload, display_name: str) -> dict:
    kind = replies.validate_disclosed_file(upload)
    sha256 = sha256_of(upload)
    base = posixpath.basename(upload.name or "") or f"file.{kind.extension}"
    path = encrypted_storage().save(f"{_DRAFT_FILE_DIR}/{request.pk}/{base}", upload)
    return {"path": path, "name": (display_name or base).strip()[:200], "size": upload.size,
            "sha256": sha256, "content_type": kind.content_type}


def _remove_later(paths: list[str]) -> None:
    """Delete stored draft files once the transaction commits (never on a rollback)."""
    if paths:
        transaction.on_commit(lambda: [encrypted_storage().delete(p) for p in paths])


def _open_as_attached(entry: dict) -> File | None:
    """A draft's file opened (at its start), or None if it is no longer the file that was
    attached: its SHA-256 differs, or it does not decrypt (replaced or altered in
    storage). OSError if it is gone."""
    try:
        handle = File(encrypted_storage().open(entry["path"], "rb"), name=posixpath.basename(entry["path"]))
    except EncryptedFileError:
        return None
    try:
        if sha256_of(handle) == entry["sha256"]:
            return handle
    except EncryptedFileError:
        pass
    handle.close()
    return None


def _opened_draft_files(draft: LetterDraft) -> list[tuple[File, str]]:
    """The attached files as (file, display name), each checked against the SHA-256 taken
    when it was attached: what was checked and signed off is what goes out."""
    opened: list[tuple[File, str]] = []
    try:
        for entry in draft_files(draft):
            try:
                handle = _open_as_attached(entry)
            except OSError:
                raise DomainError(f"拟稿所附文件“{entry['name']}”已不存在，请退回拟稿人重新上传") from None
            if handle is None:
                raise DomainError(f"拟稿所附文件“{entry['name']}”在核稿、签发后被改动，不能出具")
            opened.append((handle, entry["name"]))
    except DomainError:
        for handle, _ in opened:
            handle.close()
        raise
    return opened


class DraftFileUnavailable(DomainError):
    """No such file on the draft, or the draft is issued or cancelled (its files are
    then the request's disclosed files, or gone)."""


DRAFT_FILE_DOWNLOAD = "foi.draft_file.download"


def draft_file_open(*, actor, draft: LetterDraft, sha256: str) -> tuple[File, dict]:
    """One file attached to a draft on its way, opened for whoever may view the request
    (the office checking it, the leader signing it off): the file as attached, checked
    against its SHA-256, so what is read is what will be disclosed. Each opening is in
    the audit trail (``foi.draft_file.download``). The caller closes the file."""
    request = draft.request
    if not permissions.can_view_request(actor, request):
        raise PermissionDenied("您无权查看该申请的拟稿")
    if draft.state not in PENDING_DRAFT_STATES:
        raise DraftFileUnavailable(f"该拟稿{draft.get_state_display()}，所附文件不再从拟稿提供")
    entry = next((e for e in draft_files(draft) if e.get("sha256") == sha256), None)
    if entry is None:
        raise DraftFileUnavailable("拟稿没有这个文件")
    try:
        handle = _open_as_attached(entry)
    except OSError:
        raise DraftFileUnavailable(f"拟稿所附文件“{entry['name']}”已不存在") from None
    if handle is None:
        raise DomainError(f"拟稿所附文件“{entry['name']}”在附上后被改动，请退回拟稿人重新上传")
    audit.record(actor=actor, action=DRAFT_FILE_DOWNLOAD, obj=request, agency=request.agency,
                 after={"draft_id": draft.pk, "kind": draft.kind, "name": entry["name"],
                        "sha256": entry["sha256"]})
    return handle, entry


def _issue(draft: LetterDraft, *, actor) -> None:
    """Issue the letter through the office's service, as ``actor`` (the signing leader
    or the office)."""
    request, d = draft.request, draft.fields
    with svc.issuing_signed_letter(actor=actor, request=request):
        if draft.kind == LetterKind.REPLY:
            files = _opened_draft_files(draft)
            try:
                replies.request_reply(
                    actor=actor, request=request, reply_type=d["reply_type"], outcome=d.get("outcome") or "",
                    content=d.get("content", ""), legal_basis=d.get("legal_basis", ""),
                    responsible_agency=d.get("responsible_agency", ""),
                    responsible_agency_contact=d.get("responsible_agency_contact", ""),
                    remedy=d.get("remedy") or None, disclosed_files=files,
                )
            finally:
                for handle, _ in files:
                    handle.close()
            # Copied into the disclosed files; the draft keeps their names and hashes.
            _remove_later([entry["path"] for entry in draft_files(draft)])
        elif draft.kind == LetterKind.CORRECTION:
            svc.request_ask_correction(actor=actor, request=request, items=list(d["items"]),
                                       correct_by=dt.date.fromisoformat(d["correct_by"]))
        elif draft.kind == LetterKind.CONSULTATION:
            svc.request_start_consultation(actor=actor, request=request, party_kind=d["party_kind"],
                                           party_name=d["party_name"])
        elif draft.kind == LetterKind.FEE:
            svc.request_send_fee_notice(actor=actor, request=request, scale=d["scale"], pages=d.get("pages"))
    draft.state = DraftState.ISSUED
    draft.save(update_fields=["state", "updated_at"])


def _step(draft: LetterDraft, action: Action, *, actor, reason: str = "") -> None:
    """The step's event on the request (its status unchanged) and its audit entry."""
    svc._transition(draft.request, action, actor=actor, on=clock.today(), reason=reason,
                    data={"draft_id": draft.pk, "kind": draft.kind},
                    audit_after={"draft_id": draft.pk, "kind": draft.kind, "draft_state": draft.state})


def _locked_draft(draft: LetterDraft, *states: DraftState) -> LetterDraft:
    request = svc._locked(draft.request)
    draft = LetterDraft.objects.select_for_update().get(pk=draft.pk)
    draft.request = request
    if draft.state not in states:
        raise DomainError(f"该拟稿当前状态为“{draft.get_state_display()}”，不能办理此项操作")
    return draft


def _after_office(steps: list[SignoffStep]) -> DraftState | None:
    """Where a draft goes once the office is done with it: to the leader, or out."""
    return DraftState.AWAITING_SIGNOFF if SignoffStep.SIGN_OFF in steps else None


@transaction.atomic
def draft_save(*, actor, request: FoiRequest, kind: str, fields: dict, files=(),
               remove_files=()) -> LetterDraft:
    """Write (or rewrite) the request's open draft of this kind. One draft of a kind is
    on its way at a time; a returned one is edited and submitted again.

    A reply may carry files to disclose: ``files`` are (upload, display name) pairs added
    to those already attached; ``remove_files`` names attached ones (by ``path``) to
    drop. Other kinds take no files."""
    kind = _kind(kind)
    request = svc._locked(request, Action.SUBMIT_DRAFT)
    if not permissions.can_draft(actor, request):
        raise PermissionDenied("您无权为该申请拟稿")
    pending = request.drafts.filter(kind=kind, state__in=PENDING_DRAFT_STATES).first()
    if pending and pending.state not in EDITABLE_DRAFT_STATES:
        raise DomainError(f"本申请的{kind.label}已在“{pending.get_state_display()}”环节，不能修改")
    if (files or remove_files) and kind != LetterKind.REPLY:
        raise DomainError(f"{kind.label}不附公开的政府信息文件")
    draft = pending or LetterDraft(request=request, kind=kind)
    fields = {k: v for k, v in fields.items() if k != DRAFT_FILES}
    attached = draft_files(draft) if pending else []
    dropped = [entry for entry in attached if entry["path"] in set(remove_files)]
    attached = [entry for entry in attached if entry not in dropped]
    attached += [_store_draft_file(request, upload, name) for upload, name in files]
    if attached:
        fields[DRAFT_FILES] = attached
    draft.fields, draft.drafted_by, draft.drafted_at = fields, actor, clock.now()
    draft.save()
    _remove_later([entry["path"] for entry in dropped])
    audit.record(actor=actor, action="foi.draft_save", obj=request, agency=request.agency,
                 after={"draft_id": draft.pk, "kind": kind.value,
                        **({"files": [entry["sha256"] for entry in attached]} if attached else {})})
    return draft


@transaction.atomic
def draft_submit(*, actor, draft: LetterDraft) -> LetterDraft:
    """Submit the draft to the next step the agency uses: the office's check, the
    leader's sign-off; with neither, the office issues it now (an officer's draft still
    goes to the office, which alone issues letters)."""
    draft = _locked_draft(draft, *EDITABLE_DRAFT_STATES)
    request = draft.request
    if not permissions.can_draft(actor, request):
        raise PermissionDenied("您无权提交该拟稿")
    validate_fields(draft.kind, draft.fields, request=request)
    steps = signoff_steps_for(request.agency)
    office = permissions.can_handle_request(actor, request)
    if SignoffStep.CHECK in steps or not office:
        draft.state = DraftState.AWAITING_CHECK
    else:
        draft.state = _after_office(steps) or DraftState.ISSUED
    draft.drafted_by, draft.drafted_at, draft.note = actor, clock.now(), ""
    draft.save(update_fields=["state", "drafted_by", "drafted_at", "note", "updated_at"])
    _step(draft, Action.SUBMIT_DRAFT, actor=actor)
    if draft.state == DraftState.ISSUED:  # no step left: the office issues it now
        _issue(draft, actor=actor)
    return draft


def _return(draft: LetterDraft, *, actor, note: str) -> LetterDraft:
    if not note.strip():
        raise DomainError("退回修改请说明理由")
    draft.state, draft.note = DraftState.RETURNED, note.strip()
    draft.save(update_fields=["state", "note", "updated_at"])
    _step(draft, Action.RETURN_DRAFT, actor=actor, reason=draft.note)
    return draft


@transaction.atomic
def draft_check(*, actor, draft: LetterDraft, passed: bool, note: str = "") -> LetterDraft:
    """The office's check (核稿): on to the leader, or issued by the office where the
    agency has no sign-off; or back to the drafter with the reason."""
    draft = _locked_draft(draft, DraftState.AWAITING_CHECK)
    request = draft.request
    if not permissions.can_check_draft(actor, request):
        raise PermissionDenied("只有本机关公开办可以核稿")
    if not passed:
        return _return(draft, actor=actor, note=note)
    validate_fields(draft.kind, draft.fields, request=request)
    next_state = _after_office(signoff_steps_for(request.agency))
    draft.checked_by, draft.checked_at = actor, clock.now()
    draft.state = next_state or DraftState.ISSUED
    draft.save(update_fields=["state", "checked_by", "checked_at", "updated_at"])
    _step(draft, Action.CHECK_DRAFT, actor=actor, reason=note.strip())
    if draft.state == DraftState.ISSUED:
        _issue(draft, actor=actor)
    return draft


@transaction.atomic
def draft_sign_off(*, actor, draft: LetterDraft, passed: bool, note: str = "") -> LetterDraft:
    """The leader's sign-off (签发): the letter is issued in the leader's name; or back
    to the drafter with the reason."""
    draft = _locked_draft(draft, DraftState.AWAITING_SIGNOFF)
    request = draft.request
    if not permissions.can_sign_off(actor, request):
        raise PermissionDenied("只有本机关审批领导可以签发")
    if not passed:
        return _return(draft, actor=actor, note=note)
    validate_fields(draft.kind, draft.fields, request=request)
    draft.signed_by, draft.signed_at, draft.state = actor, clock.now(), DraftState.ISSUED
    draft.save(update_fields=["state", "signed_by", "signed_at", "updated_at"])
    _step(draft, Action.SIGN_OFF, actor=actor, reason=note.strip())
    _issue(draft, actor=actor)
    return draft


@transaction.atomic
def draft_cancel(*, actor, draft: LetterDraft, reason: str) -> LetterDraft:
    """Withdraw a draft that will not go out (the office, or its drafter)."""
    draft = _locked_draft(draft, *PENDING_DRAFT_STATES)
    request = draft.request
    if not (permissions.can_handle_request(actor, request) or draft.drafted_by_id == actor.pk):
        raise PermissionDenied("只有本机关公开办或拟稿人可以撤销拟稿")
    if not reason.strip():
        raise DomainError("撤销拟稿请说明理由")
    draft.state, draft.note = DraftState.CANCELLED, reason.strip()
    draft.save(update_fields=["state", "note", "updated_at"])
    _step(draft, Action.CANCEL_DRAFT, actor=actor, reason=draft.note)
    _remove_later([entry["path"] for entry in draft_files(draft)])  # never to be disclosed
    return draft
