"""The life of a request: intake, receipt, correction, consultation, extension, fees,
reply, delivery, archiving, withdrawal (条例 Art. 27–45)."""

from __future__ import annotations

import datetime as dt
import logging
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from gongkai.core import audit, clock, permissions
from gongkai.core.crypto import blind_index
from gongkai.core.errors import DomainError
from gongkai.core.identifiers import normalise_id_number
from gongkai.core.models import Agency, Department, Role
from gongkai.core.selectors import get_working_day_calendar
from gongkai.core.uploads import validate_upload
from gongkai.foi import deadlines, fees
from gongkai.foi.models import (
    ApplicantType,
    Channel,
    Consultation,
    ConsultationParty,
    Delivery,
    DeliveryEmail,
    DeliveryEmailState,
    ExtensionRequest,
    ExtensionState,
    FeeNotice,
    FoiEvent,
    FoiRequest,
    IdDocumentType,
    RequestAttachment,
)
from gongkai.foi.outcomes import CLOSURE_OUTCOMES, ClosureReason
from gongkai.foi.tracking import hash_secret, new_secret, new_tracking_number
from gongkai.foi.workflow import Action, RequestStatus, allowed_actions, next_status
from gongkai.identity.models import PublicAccount

logger = logging.getLogger(__name__)

APPLICANT_KEY_PURPOSE = "foi.applicant"


@dataclass(frozen=True)
class ApplicantData:
    """What the applicant gives (Art. 29), already validated by the intake form."""

    applicant_type: str
    name: str
    id_type: str
    id_number: str
    phone: str
    description: str
    delivery: str
    form: str = "electronic"
    contact_person: str = ""
    address: str = ""
    postal_code: str = ""
    email: str = ""
    purpose: str = ""


def applicant_key(id_type: str, id_number: str) -> str:
    return blind_index(f"{id_type}:{normalise_id_number(id_number)}", purpose=APPLICANT_KEY_PURPOSE)


# --- helpers --------------------------------------------------------------------------

# Set while ``foi.services.signoff`` issues a signed-off letter: (leader pk, request pk).
_issuing_signed: ContextVar[tuple[int, int] | None] = ContextVar("foi_issuing_signed", default=None)


@contextmanager
def issuing_signed_letter(*, actor, request: FoiRequest):
    """The signing leader issues the letter they signed off, through the office's own
    service, for this one request only: the office's steps stay the office's."""
    token = _issuing_signed.set((actor.pk, request.pk))
    try:
        yield
    finally:
        _issuing_signed.reset(token)


def _require(actor, request: FoiRequest, *roles: Role) -> None:
    # Platform administrators run the platform, not the cases (foi.permissions).
    if permissions.has_role(actor, request.agency, *roles):
        return
    if (Role.OFFICE in roles and _issuing_signed.get() == (getattr(actor, "pk", None), request.pk)
            and permissions.has_role(actor, request.agency, Role.LEADER)):
        return
    raise PermissionDenied("您无权办理该申请")


def _not_in_future(on: dt.date, what: str) -> None:
    if on > clock.today():
        raise DomainError(f"{what}不能晚于今天")


def _locked(request: FoiRequest, action: Action | None = None) -> FoiRequest:
    """The request, row-locked; with ``action``, refused first if the state forbids it,
    so a wrong step fails on the state and not on some missing detail."""
    request = FoiRequest.objects.select_for_update().select_related("agency").get(pk=request.pk)
    if action is not None:
        next_status(request.status, action)
    return request


def _record(
    request: FoiRequest, *, action: Action, actor, on: dt.date, reason: str = "",
    data: dict | None = None, from_status: str = "", audit_after: dict | None = None,
) -> FoiEvent:
    """Write the request's event and the audit entry (no personal data in either)."""
    event = FoiEvent.objects.create(
        request=request, action=action, from_status=from_status, to_status=request.status,
        on=on, at=clock.now(), actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=str(actor) if getattr(actor, "is_authenticated", False) else "申请人",
        reason=reason, data=data or {},
    )
    audit.record(
        actor=actor, action=f"foi.{action}", obj=request, agency=request.agency, reason=reason,
        before={"status": from_status} if from_status else None,
        after={"status": request.status, "on": on, **(audit_after or {})},
    )
    return event


def _transition(
    request: FoiRequest, action: Action, *, actor, on: dt.date, reason: str = "",
    data: dict | None = None, save_fields: tuple[str, ...] = (), audit_after: dict | None = None,
) -> FoiEvent:
    previous = request.status
    request.status = next_status(previous, action)
    request.save(update_fields=["status", "updated_at", *save_fields])
    return _record(request, action=action, actor=actor, on=on, reason=reason, data=data,
                   from_status=previous, audit_after=audit_after)


def current_deadline(request: FoiRequest, *, as_of: dt.date | None = None) -> deadlines.Deadline:
    from gongkai.foi.selectors import request_deadline

    return request_deadline(request, as_of=as_of)


def _new_request(*, agency: Agency, data: ApplicantData, channel: str, status: RequestStatus,
                 received_on: dt.date | None, created_by, attachments=(),
                 public_account: PublicAccount | None = None,
                 identity_verified: bool = False) -> tuple[FoiRequest, str]:
    if not agency.is_active or not agency.accepts_requests:
        raise DomainError("该机关不受理政府信息公开申请")
    secret = new_secret()
    now = clock.now()
    request = FoiRequest.objects.create(
        agency=agency,
        tracking_number=new_tracking_number(agency=agency, year=clock.today().year),
        secret_hash=hash_secret(secret),
        channel=channel, status=status, submitted_at=now, received_on=received_on,
        applicant_type=data.applicant_type, name=data.name.strip(),
        contact_person=data.contact_person.strip(), id_type=data.id_type,
        id_number=normalise_id_number(data.id_number),
        applicant_key=applicant_key(data.id_type, data.id_number),
        phone=data.phone.strip(), address=data.address.strip(), postal_code=data.postal_code,
        email=data.email.strip(), description=data.description.strip(),
        purpose=data.purpose.strip(), form=data.form, delivery=data.delivery,
        created_by=created_by, public_account=public_account, identity_verified=identity_verified,
    )
    for upload in attachments:
        kind = getattr(upload, "gongkai_kind", None) or sniff_or_refuse(upload)
        RequestAttachment.objects.create(
            request=request, file=upload, original_name=upload.name[:200],
            content_type=kind.content_type, size=upload.size,
        )
    return request, secret


def sniff_or_refuse(upload):
    from gongkai.foi.forms import ATTACHMENT_KINDS, ATTACHMENT_MAX_BYTES

    return validate_upload(upload, allowed=ATTACHMENT_KINDS, max_bytes=ATTACHMENT_MAX_BYTES)


# --- intake ---------------------------------------------------------------------------

@transaction.atomic
def request_submit_online(*, agency: Agency, data: ApplicantData, attachments=(),
                          account: PublicAccount | None = None) -> tuple[FoiRequest, str]:
    """A request through the portal or the API. It awaits staff confirmation: the
    receipt date — and the clock — start when staff confirm it (Art. 31). Returns the
    request and the applicant's secret (shown once, stored only hashed).

    With the signed-in ``account`` of a government-service account, the request is linked
    to it, and when the account carries verified claims the applicant is that natural
    person: name and ID number are the account's, whatever the form said."""
    verified = account is not None and bool(account.name and account.id_number)
    if verified:
        data = replace(data, applicant_type=ApplicantType.NATURAL_PERSON, name=account.name,
                       id_type=account.id_type or IdDocumentType.RESIDENT_ID,
                       id_number=account.id_number, contact_person="")
    request, secret = _new_request(agency=agency, data=data, channel=Channel.ONLINE,
                                   status=RequestStatus.AWAITING_CONFIRMATION, received_on=None,
                                   created_by=None, attachments=attachments,
                                   public_account=account, identity_verified=verified)
    _record(request, action=Action.SUBMIT, actor=None, on=clock.today(),
            audit_after={"channel": Channel.ONLINE, "public_account": account.pk if account else None,
                         "identity_verified": verified})
    return request, secret


@transaction.atomic
def request_register(
    *, actor, agency: Agency, data: ApplicantData, channel: str, received_on: dt.date,
    reason: str = "", attachments=(),
) -> tuple[FoiRequest, str]:
    """Staff enter a request received in person, by post or by fax, with its Art. 31
    receipt date (handed in / signed for / confirmed with the applicant)."""
    if not permissions.has_role(actor, agency, Role.OFFICE):
        raise PermissionDenied("只有本机关公开办可以登记申请")
    if channel == Channel.ONLINE:
        raise DomainError("网上申请由申请人在线提交，不能由工作人员登记")
    _not_in_future(received_on, "收到申请日期")
    request, secret = _new_request(agency=agency, data=data, channel=channel,
                                   status=RequestStatus.IN_PROGRESS, received_on=received_on,
                                   created_by=actor, attachments=attachments)
    _record(request, action=Action.REGISTER, actor=actor, on=received_on, reason=reason,
            audit_after={"channel": channel})
    return request, secret


@transaction.atomic
def request_confirm_receipt(*, actor, request: FoiRequest, received_on: dt.date | None = None,
                            reason: str = "") -> FoiRequest:
    """Staff confirm an online or fax request; that day is the receipt date (Art. 31)."""
    request = _locked(request)
    _require(actor, request, Role.OFFICE)
    received_on = received_on or clock.today()
    _not_in_future(received_on, "确认收到日期")
    if received_on < clock.localdate_of(request.submitted_at):
        raise DomainError("确认收到日期不能早于申请提交日期")
    request.received_on = received_on
    _transition(request, Action.CONFIRM_RECEIPT, actor=actor, on=received_on, reason=reason,
                save_fields=("received_on",))
    return request


@transaction.atomic
def request_void(*, actor, request: FoiRequest, reason: str) -> FoiRequest:
    """Discard an unconfirmed submission that is not a request (a duplicate click, a
    test); it is kept, with the reason, and never counted."""
    request = _locked(request)
    _require(actor, request, Role.OFFICE)
    if not reason.strip():
        raise DomainError("作废必须说明理由")
    _transition(request, Action.VOID, actor=actor, on=clock.today(), reason=reason)
    return request


@transaction.atomic
def request_assign(*, actor, request: FoiRequest, department: Department, reason: str = "") -> FoiRequest:
    request = _locked(request)
    _require(actor, request, Role.OFFICE)
    if department.agency_id != request.agency_id or not department.is_active:
        raise DomainError("只能分办给本机关的在用内设机构")
    request.department = department
    _transition(request, Action.ASSIGN, actor=actor, on=clock.today(), reason=reason,
                data={"department_id": department.pk, "department": department.name},
                save_fields=("department",), audit_after={"department": department.name})
    return request


# --- correction (Art. 30) ---------------------------------------------------------------

@transaction.atomic
def request_ask_correction(*, actor, request: FoiRequest, items: list[str], correct_by: dt.date,
                           on: dt.date | None = None) -> FoiRequest:
    """Tell the applicant, once and in writing, everything to correct and by when. Must
    be within 7 working days of receipt; the reply clock stops until the correction."""
    request = _locked(request, Action.REQUEST_CORRECTION)
    _require(actor, request, Role.OFFICE)
    on = on or clock.today()
    _not_in_future(on, "补正告知日期")
    items = [i.strip() for i in items if i and i.strip()]
    if not items:
        raise DomainError("补正告知必须逐项列明需要补正的内容")
    if FoiEvent.objects.filter(request=request, action=Action.REQUEST_CORRECTION).exists():
        raise DomainError("补正告知应一次性告知，本申请已发出过补正告知（第三十条）")
    calendar = get_working_day_calendar()
    limit = deadlines.correction_notice_deadline(request.received_on, calendar)
    if on > limit:
        raise DomainError(
            f"补正告知须在收到申请之日起{deadlines.CORRECTION_NOTICE_DAYS}个工作日内发出（第三十条），"
            f"本申请的期限为{limit.isoformat()}"
        )
    if correct_by <= on:
        raise DomainError("补正期限应晚于告知日期，给申请人合理的补正时间")
    from gongkai.foi.models import LetterKind
    from gongkai.foi.services.letters import issue_letter

    letter = issue_letter(actor=actor, request=request, kind=LetterKind.CORRECTION, on=on,
                          fields={"items": items, "correct_by": correct_by})
    _transition(request, Action.REQUEST_CORRECTION, actor=actor, on=on,
                data={"items": items, "correct_by": correct_by.isoformat(),
                      "document_number": letter.document_number})
    return request


@transaction.atomic
def request_receive_correction(*, actor, request: FoiRequest, on: dt.date | None = None,
                               note: str = "") -> FoiRequest:
    """The corrected request arrived: a new 20-working-day period runs from this day."""
    request = _locked(request)
    _require(actor, request, Role.OFFICE)
    on = on or clock.today()
    _not_in_future(on, "收到补正日期")
    _transition(request, Action.CORRECTION_RECEIVED, actor=actor, on=on, reason=note)
    return request


def _correction_deadline(request: FoiRequest) -> dt.date:
    event = FoiEvent.objects.filter(request=request, action=Action.REQUEST_CORRECTION).latest("id")
    return dt.date.fromisoformat(event.data["correct_by"])


@transaction.atomic
def request_close_no_correction(*, actor, request: FoiRequest, reason: str = "") -> FoiRequest:
    """No correction within the period: treated as withdrawn (reported as (六)1)."""
    request = _locked(request, Action.CLOSE_NO_CORRECTION)
    _require(actor, request, Role.OFFICE)
    correct_by = _correction_deadline(request)
    if clock.today() <= correct_by:
        raise DomainError(f"补正期限{correct_by.isoformat()}尚未届满，不能按逾期不补正处理")
    return _close(request, actor=actor, reason_code=ClosureReason.NO_CORRECTION,
                  action=Action.CLOSE_NO_CORRECTION, reason=reason)


# --- consultation (Art. 32) ------------------------------------------------------------

@transaction.atomic
def request_start_consultation(*, actor, request: FoiRequest, party_kind: str, party_name: str,
                               sent_on: dt.date | None = None) -> Consultation:
    request = _locked(request)
    _require(actor, request, Role.OFFICE)
    sent_on = sent_on or clock.today()
    _not_in_future(sent_on, "征求意见日期")
    if not party_name.strip():
        raise DomainError("请填写征求意见的对象")
    due = (deadlines.third_party_reply_deadline(sent_on, get_working_day_calendar())
           if party_kind == ConsultationParty.THIRD_PARTY else None)
    consultation = Consultation.objects.create(
        request=request, party_kind=party_kind, party_name=party_name.strip(), sent_on=sent_on,
        answer_due_on=due,
    )
    letter = None
    if party_kind == ConsultationParty.THIRD_PARTY:  # Art. 32: in writing, to the third party
        from gongkai.foi.models import LetterKind
        from gongkai.foi.services.letters import issue_letter

        letter = issue_letter(actor=actor, request=request, kind=LetterKind.CONSULTATION, on=sent_on,
                              consultation=consultation)
    _transition(request, Action.START_CONSULTATION, actor=actor, on=sent_on,
                data={"consultation_id": consultation.pk, "party_kind": party_kind,
                      "party": consultation.party_name,
                      **({"document_number": letter.document_number} if letter else {})})
    return consultation


@transaction.atomic
def request_end_consultation(*, actor, consultation: Consultation, ended_on: dt.date | None = None,
                             opinion: str = "", note: str = "") -> Consultation:
    request = _locked(consultation.request)
    _require(actor, request, Role.OFFICE)
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.ended_on:
        raise DomainError("该征求意见已结束")
    ended_on = ended_on or clock.today()
    _not_in_future(ended_on, "征求意见结束日期")
    if ended_on < consultation.sent_on:
        raise DomainError("结束日期不能早于发出日期")
    consultation.ended_on, consultation.opinion, consultation.note = ended_on, opinion, note
    consultation.save(update_fields=["ended_on", "opinion", "note"])
    _transition(request, Action.END_CONSULTATION, actor=actor, on=ended_on, reason=note,
                data={"consultation_id": consultation.pk, "opinion": opinion})
    if not request.consultations.filter(ended_on__isnull=True).exists():
        request.status = RequestStatus.IN_PROGRESS
        request.save(update_fields=["status", "updated_at"])
    return consultation


# --- extension (Art. 33(2)) --------------------------------------------------------------

def _extend(*, actor, request: FoiRequest, extension: ExtensionRequest, decided_on: dt.date) -> FoiEvent:
    """Record the extension of the reply deadline (the request's ``extend`` event): at
    most 20 working days in all, approved by the head of the disclosure office (a leader
    in gongkai's roles), decided before the original deadline. Private on purpose: an
    extension is asked for (``extension_request``) and approved by the leader
    (``extension_approve``), never made without a request; no view or service reaches
    this otherwise. Runs inside ``extension_approve``'s transaction, on the locked request."""
    _require(actor, request, Role.LEADER)
    next_status(request.status, Action.EXTEND)
    _not_in_future(decided_on, "延期决定日期")
    if not extension.reason.strip():
        raise DomainError("延期答复必须说明理由")
    _check_extension(request, days=extension.days, on=decided_on)
    return _transition(request, Action.EXTEND, actor=actor, on=decided_on, reason=extension.reason,
                       data={"days": extension.days, "extension_request_id": extension.pk},
                       audit_after={"days": extension.days})


def _check_extension(request: FoiRequest, *, days: int, on: dt.date) -> None:
    """条例第三十三条第二款: at most 20 working days in all, decided by the original
    deadline."""
    deadline = current_deadline(request, as_of=on)
    if not 1 <= days <= deadlines.extension_days_left(deadline):
        raise DomainError(
            f"延长期限最长不得超过{deadlines.MAX_EXTENSION_DAYS}个工作日（第三十三条第二款），"
            f"已延长{deadline.extension_days}个工作日"
        )
    if deadline.original_due_on is None or on > deadline.original_due_on:
        raise DomainError(
            "延期须在原答复期限届满前决定并告知申请人（第三十三条第二款）"
            + (f"，原期限为{deadline.original_due_on.isoformat()}" if deadline.original_due_on else "")
        )


def _may_ask_extension(actor, request: FoiRequest) -> None:
    from gongkai.foi.permissions import can_request_extension

    if not can_request_extension(actor, request):
        raise PermissionDenied("只有本机关公开办或承办科室信息员可以申请延期")


@transaction.atomic
def extension_request(*, actor, request: FoiRequest, days: int, reason: str) -> ExtensionRequest:
    """Ask the leader to extend the reply deadline (条例第三十三条第二款): the office or
    the assigned department's officer, with the days and the reason, while the original
    deadline has not passed. One request at a time awaits a decision."""
    request = _locked(request, Action.REQUEST_EXTENSION)
    _may_ask_extension(actor, request)
    if not reason.strip():
        raise DomainError("申请延期必须说明理由")
    if request.extension_requests.filter(state=ExtensionState.REQUESTED).exists():
        raise DomainError("本申请已有待审批的延期申请，请等待领导审批")
    _check_extension(request, days=days, on=clock.today())
    ext = ExtensionRequest.objects.create(
        request=request, days=days, reason=reason.strip(), requested_by=actor, requested_at=clock.now())
    _transition(request, Action.REQUEST_EXTENSION, actor=actor, on=clock.today(), reason=ext.reason,
                data={"extension_request_id": ext.pk, "days": days}, audit_after={"days": days})
    return ext


def _pending_extension(actor, ext: ExtensionRequest) -> tuple[FoiRequest, ExtensionRequest]:
    request = _locked(ext.request)
    _require(actor, request, Role.LEADER)
    ext = ExtensionRequest.objects.select_for_update().get(pk=ext.pk)
    if ext.state != ExtensionState.REQUESTED:
        raise DomainError(f"该延期申请已审批（{ext.get_state_display()}），不能再次审批")
    return request, ext


@transaction.atomic
def extension_approve(*, actor, extension: ExtensionRequest, decided_on: dt.date | None = None,
                      note: str = "") -> ExtensionRequest:
    """The leader approves (条例第三十三条第二款): the request's ``extend`` event, on or
    before the original deadline, within the 20 working days."""
    request, ext = _pending_extension(actor, extension)
    next_status(request.status, Action.EXTEND)
    decided_on = decided_on or clock.today()
    if decided_on < timezone.localdate(ext.requested_at):
        raise DomainError("批准延期的日期不能早于申请延期的日期")
    # The leader decides here and now: a back date cannot carry an approval recorded after
    # the original deadline back before it (第三十三条第二款).
    _check_extension(request, days=ext.days, on=clock.today())
    event = _extend(actor=actor, request=request, extension=ext, decided_on=decided_on)
    ext.state, ext.decided_by, ext.decided_on, ext.decision_note = (
        ExtensionState.APPROVED, actor, decided_on, note.strip())
    ext.save(update_fields=["state", "decided_by", "decided_on", "decision_note"])
    # The applicant is told in writing (延期答复告知书), in the same transaction.
    from gongkai.foi.services.letters import issue_extension_notice

    issue_extension_notice(actor, request, event)
    return ext


@transaction.atomic
def extension_refuse(*, actor, extension: ExtensionRequest, note: str) -> ExtensionRequest:
    """The leader does not agree: the deadline stays as it is."""
    request, ext = _pending_extension(actor, extension)
    next_status(request.status, Action.REFUSE_EXTENSION)
    if not note.strip():
        raise DomainError("不同意延期请说明理由")
    ext.state, ext.decided_by, ext.decided_on, ext.decision_note = (
        ExtensionState.REFUSED, actor, clock.today(), note.strip())
    ext.save(update_fields=["state", "decided_by", "decided_on", "decision_note"])
    _transition(request, Action.REFUSE_EXTENSION, actor=actor, on=clock.today(), reason=ext.decision_note,
                data={"extension_request_id": ext.pk, "days": ext.days})
    return ext


# --- fees (Art. 42) ----------------------------------------------------------------------

def applicant_requests_in_month(request: FoiRequest) -> int:
    """This request's rank among the applicant's requests to this agency received in the
    same calendar month (the per-request fee counts them)."""
    on = request.received_on
    return FoiRequest.objects.filter(
        agency=request.agency, applicant_key=request.applicant_key,
        received_on__year=on.year, received_on__month=on.month,
    ).filter(received_on__lte=on).exclude(status=RequestStatus.VOIDED).filter(
        id__lte=request.pk
    ).count()


@transaction.atomic
def request_send_fee_notice(*, actor, request: FoiRequest, scale: str, pages: int | None = None,
                            sent_on: dt.date | None = None) -> FeeNotice:
    request = _locked(request, Action.SEND_FEE_NOTICE)
    _require(actor, request, Role.OFFICE)
    sent_on = sent_on or clock.today()
    _not_in_future(sent_on, "收费通知日期")
    scale = fees.FeeScale(scale)
    if scale == fees.FeeScale.PER_REQUEST:
        calculation = fees.calculate_fee(scale=scale, rank_in_month=applicant_requests_in_month(request))
    else:
        calculation = fees.calculate_fee(scale=scale, pages=pages)
    if calculation.total <= 0:
        raise DomainError("按所选方式计算的信息处理费为0元，无需发出收费通知")
    notice = FeeNotice.objects.create(
        request=request, scale=scale.value, quantity=calculation.quantity,
        amount=calculation.total,
        calculation={"lines": [
            {"band": line.band_label, "quantity": line.quantity, "unit_price": str(line.unit_price),
             "amount": str(line.amount)} for line in calculation.lines
        ], "basis": calculation.basis, "explanation": list(calculation.explanation)},
        sent_on=sent_on,
        pay_by=deadlines.fee_payment_deadline(sent_on, get_working_day_calendar()),
    )
    from gongkai.foi.models import LetterKind
    from gongkai.foi.services.letters import issue_letter

    letter = issue_letter(actor=actor, request=request, kind=LetterKind.FEE, on=sent_on, fee_notice=notice)
    _transition(request, Action.SEND_FEE_NOTICE, actor=actor, on=sent_on,
                data={"fee_notice_id": notice.pk, "amount": str(notice.amount),
                      "document_number": letter.document_number},
                audit_after={"amount": str(notice.amount)})
    return notice


@transaction.atomic
def request_record_payment(*, actor, request: FoiRequest, paid_on: dt.date,
                           amount: Decimal) -> FeeNotice:
    request = _locked(request, Action.RECORD_PAYMENT)
    _require(actor, request, Role.OFFICE)
    _not_in_future(paid_on, "缴费日期")
    notice = request.fee_notices.filter(paid_on__isnull=True).latest("id")
    if amount != notice.amount:
        raise DomainError(f"实缴金额应为{notice.amount}元")
    notice.paid_on, notice.amount_paid = paid_on, amount
    notice.save(update_fields=["paid_on", "amount_paid"])
    _transition(request, Action.RECORD_PAYMENT, actor=actor, on=paid_on,
                data={"fee_notice_id": notice.pk, "amount": str(amount)})
    return notice


@transaction.atomic
def request_close_fee_unpaid(*, actor, request: FoiRequest, reason: str = "") -> FoiRequest:
    """Unpaid after the notice period: treated as abandoned (reported as (六)2)."""
    request = _locked(request, Action.CLOSE_FEE_UNPAID)
    _require(actor, request, Role.OFFICE)
    notice = request.fee_notices.filter(paid_on__isnull=True).latest("id")
    if clock.today() <= notice.pay_by:
        raise DomainError(f"缴费期限{notice.pay_by.isoformat()}尚未届满")
    return _close(request, actor=actor, reason_code=ClosureReason.FEE_UNPAID,
                  action=Action.CLOSE_FEE_UNPAID, reason=reason)


# --- endings -----------------------------------------------------------------------------

def _close(request: FoiRequest, *, actor, reason_code: ClosureReason, action: Action,
           reason: str, on: dt.date | None = None) -> FoiRequest:
    on = on or clock.today()
    request.closed_on = on
    request.outcome = CLOSURE_OUTCOMES[reason_code]
    _transition(request, action, actor=actor, on=on, reason=reason,
                data={"closure": reason_code.value}, save_fields=("closed_on", "outcome"),
                audit_after={"outcome": request.outcome})
    return request


@transaction.atomic
def request_withdraw(*, actor, request: FoiRequest, reason: str, on: dt.date | None = None) -> FoiRequest:
    """The applicant withdraws (recorded by staff); reported as (六)3 其他, or not at all
    if it was never confirmed as received."""
    request = _locked(request)
    _require(actor, request, Role.OFFICE)
    on = on or clock.today()
    _not_in_future(on, "撤回日期")
    if request.received_on and on < request.received_on:
        # The annual report counts a request finished on this date: never before it arrived.
        raise DomainError("撤回日期不能早于收到申请日期")
    if not reason.strip():
        raise DomainError("请记录撤回的方式和说明")
    if request.status == RequestStatus.AWAITING_CONFIRMATION:
        # Never received: it leaves the statistics like a voided submission.
        request.closed_on = on
        _transition(request, Action.WITHDRAW, actor=actor, on=on, reason=reason,
                    save_fields=("closed_on",))
        return request
    return _close(request, actor=actor, reason_code=ClosureReason.WITHDRAWN, action=Action.WITHDRAW,
                  reason=reason, on=on)


# A delivery e-mail queued this recently and not yet sent is taken to be on its way: the
# office may not queue another (a double click would send the applicant two mails).
EMAIL_SEND_WINDOW = dt.timedelta(minutes=10)


@transaction.atomic
def request_deliver(*, actor, request: FoiRequest, method: str, delivered_on: dt.date | None = None,
                    note: str = "") -> FoiRequest:
    """送达: the reply reached the applicant by ``method`` on ``delivered_on`` (today
    if not given).

    By e-mail the step only queues the mail (``DeliveryEmail``, with its Message-ID, and
    the task that sends it) in this transaction; a worker sends it once it commits, and
    then the request is recorded as delivered, dated the day the mail went out, or the
    failure is recorded in its history (``foi.delivery.send_queued_delivery_email``).
    The date of an e-mail delivery is therefore the sending day: another ``delivered_on``
    is refused."""
    request = _locked(request, Action.DELIVER)
    _require(actor, request, Role.OFFICE)
    if method == Delivery.EMAIL:
        if delivered_on is not None and delivered_on != clock.today():
            raise DomainError("电子邮件送达以邮件发出之日为送达日期，不能填写其他日期")
        _queue_delivery_email(actor=actor, request=request, note=note)
        return request
    delivered_on = delivered_on or clock.today()
    _not_in_future(delivered_on, "送达日期")
    if delivered_on < request.closed_on:
        raise DomainError("送达日期不能早于答复日期")
    _transition(request, Action.DELIVER, actor=actor, on=delivered_on, reason=note, data={"method": method})
    return request


def _queue_delivery_email(*, actor, request: FoiRequest, note: str) -> DeliveryEmail:
    from gongkai.foi.delivery import prepare_delivery_email, send_delivery_email_later

    on_its_way = request.delivery_emails.filter(
        state=DeliveryEmailState.QUEUED, queued_at__gt=clock.now() - EMAIL_SEND_WINDOW).first()
    if on_its_way is not None:
        raise DomainError(f"送达邮件已于{timezone.localtime(on_its_way.queued_at):%H:%M}提交发送，尚无发送结果；"
                          "请稍后刷新页面查看，不要重复发送")
    prepared = prepare_delivery_email(request)  # refuses without an address or a readable file
    outbox = DeliveryEmail.objects.create(
        request=request, message_id=prepared.message_id, attached=prepared.attached,
        link_sent=bool(prepared.link), note=note, queued_by=actor, queued_at=clock.now())
    audit.record(actor=actor, action="foi.delivery_email.queue", obj=request, agency=request.agency,
                 reason=note, after={"delivery_email_id": outbox.pk, "message_id": outbox.message_id,
                                     "attached": outbox.attached, "link_sent": outbox.link_sent})
    send_delivery_email_later(outbox)  # a task: sent by a worker after the commit
    return outbox


@transaction.atomic
def delivery_email_record_result(outbox_pk: int, *, error: str = "") -> DeliveryEmail:
    """Record the send of a queued delivery e-mail, as the office member who queued it:
    sent, the request's ``deliver`` event dated today (the sending day) with the
    Message-ID; failed (``error`` says how), an event in the request's history and its
    audit entry, and the request stays undelivered so the office can send again or
    deliver another way. A result already recorded is left as it is."""
    outbox = DeliveryEmail.objects.select_for_update().get(pk=outbox_pk)
    request = _locked(outbox.request)
    if outbox.state != DeliveryEmailState.QUEUED:
        return outbox
    actor, today = outbox.queued_by, clock.today()
    outbox.finished_at = clock.now()
    data = {"method": Delivery.EMAIL.value, "message_id": outbox.message_id, "delivery_email_id": outbox.pk}
    if error:
        outbox.state, outbox.error = DeliveryEmailState.FAILED, error[:200]
        outbox.save(update_fields=["state", "error", "finished_at"])
        _record(request, action=Action.DELIVERY_EMAIL_FAILED, actor=actor, on=today,
                reason=f"电子邮件发送失败（{outbox.error}），未送达", data={**data, "error": outbox.error},
                from_status=request.status, audit_after={"message_id": outbox.message_id, "error": outbox.error})
        return outbox
    outbox.state = DeliveryEmailState.SENT
    outbox.save(update_fields=["state", "finished_at"])
    if Action.DELIVER in allowed_actions(request.status):
        _transition(request, Action.DELIVER, actor=actor, on=today, reason=outbox.note,
                    data={**data, "attached": outbox.attached, "link_sent": outbox.link_sent},
                    audit_after={"method": Delivery.EMAIL.value, "message_id": outbox.message_id})
    else:  # delivered another way meanwhile: the mail is on record all the same
        audit.record(actor=actor, action="foi.delivery_email.sent", obj=request, agency=request.agency,
                     after={"delivery_email_id": outbox.pk, "message_id": outbox.message_id,
                            "status": request.status})
    return outbox


@transaction.atomic
def request_archive(*, actor, request: FoiRequest) -> FoiRequest:
    request = _locked(request)
    _require(actor, request, Role.OFFICE)
    _transition(request, Action.ARCHIVE, actor=actor, on=clock.today())
    return request


# --- personal data --------------------------------------------------------------------------

@transaction.atomic
def request_record_personal_data_view(*, actor, request: FoiRequest, reason: str, what: str) -> None:
    """Record that an office member saw the applicant's full personal data (an ID scan
    download counts too). The entry names the request and why; the data itself never
    enters the log."""
    _require(actor, request, Role.OFFICE)
    if not reason.strip():
        raise DomainError("请填写查看完整信息的理由")
    audit.record(actor=actor, action="foi.personal_data.view", obj=request, agency=request.agency,
                 reason=reason, after={"what": what})
