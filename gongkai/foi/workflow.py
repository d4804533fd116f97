"""States of a request and the one table of allowed transitions.

    awaiting_confirmation ──confirm──▶ in_progress ◀──────────────────────────┐
          │ void                          │ request_correction ─▶ awaiting_correction
          ▼                               │                          │ correction_received ─┘
        voided                            │                          │ close_no_correction ─▶ closed
                                          │ start_consultation ─▶ consulting ── end_consultation ─▶ in_progress
                                          │ send_fee_notice ─▶ awaiting_fee ── record_payment ─▶ in_progress
                                          │                       └─ close_fee_unpaid ─▶ closed
                                          │ reply ─▶ replied ─ deliver ─▶ delivered ─ archive ─▶ archived
                                          └ withdraw (from any open state) ─▶ closed

Assigning a department and extending the deadline happen inside ``in_progress`` (and
while consulting); they are events, not states. So are the sign-off steps of a drafted
reply or notice (submit, check, sign off, return) and an extension request and its
refusal; the approval is ``extend``; and a delivery e-mail that could not be sent.
"""

from __future__ import annotations

from django.db import models

from gongkai.core.workflow import Transitions


class RequestStatus(models.TextChoices):
    AWAITING_CONFIRMATION = "awaiting_confirmation", "待确认收到"  # online/fax: clock not started (Art. 31)
    IN_PROGRESS = "in_progress", "办理中"  # received; the 20-working-day clock runs
    AWAITING_CORRECTION = "awaiting_correction", "待补正"  # Art. 30: clock stopped until corrected
    CONSULTING = "consulting", "征求意见中"  # Art. 32: clock paused
    AWAITING_FEE = "awaiting_fee", "待缴费"  # fee notice sent: clock paused (agency setting)
    REPLIED = "replied", "已答复"  # reply made; to be delivered
    DELIVERED = "delivered", "已送达"
    ARCHIVED = "archived", "已归档"
    CLOSED = "closed", "已终止"  # ended without a reply: withdrawn, no correction, fee unpaid
    VOIDED = "voided", "已作废"  # never a request (duplicate submission, test entry); not counted


class Action(models.TextChoices):
    SUBMIT = "submit", "网上提交"  # creation: online (or fax) request awaiting confirmation
    REGISTER = "register", "登记收到"  # creation: staff entry of an in-person/post/fax request
    CONFIRM_RECEIPT = "confirm_receipt", "确认收到"
    VOID = "void", "作废"
    ASSIGN = "assign", "分办"
    REQUEST_CORRECTION = "request_correction", "告知补正"
    CORRECTION_RECEIVED = "correction_received", "收到补正"
    CLOSE_NO_CORRECTION = "close_no_correction", "逾期不补正终止"
    START_CONSULTATION = "start_consultation", "征求意见"
    END_CONSULTATION = "end_consultation", "征求意见结束"
    EXTEND = "extend", "延期答复"
    SEND_FEE_NOTICE = "send_fee_notice", "发出收费通知"
    RECORD_PAYMENT = "record_payment", "已缴费"
    CLOSE_FEE_UNPAID = "close_fee_unpaid", "逾期未缴费终止"
    REPLY = "reply", "答复"
    DELIVER = "deliver", "送达"
    ARCHIVE = "archive", "归档"
    WITHDRAW = "withdraw", "申请人撤回"
    # Sign-off of replies and notices (foi.services.signoff): events only.
    SUBMIT_DRAFT = "submit_draft", "提交拟稿"
    CHECK_DRAFT = "check_draft", "办公室核稿"
    SIGN_OFF = "sign_off", "领导签发"
    RETURN_DRAFT = "return_draft", "退回修改"
    CANCEL_DRAFT = "cancel_draft", "撤销拟稿"
    # Extension on request (Art. 33(2)): asked for, then approved (EXTEND) or refused.
    REQUEST_EXTENSION = "request_extension", "申请延期"
    REFUSE_EXTENSION = "refuse_extension", "不同意延期"
    # Delivery by e-mail (foi.delivery): the mail goes after the step's commit; a failed
    # send is recorded in the history, and the request stays undelivered.
    DELIVERY_EMAIL_FAILED = "delivery_email_failed", "送达邮件发送失败"


S, A = RequestStatus, Action
OPEN_STATUSES = frozenset({S.IN_PROGRESS, S.AWAITING_CORRECTION, S.CONSULTING, S.AWAITING_FEE})
# Finished: no reply clock runs any more, so no list shows a countdown for them.
FINISHED_STATUSES = frozenset({S.REPLIED, S.DELIVERED, S.ARCHIVED, S.CLOSED, S.VOIDED})

# None as to_status keeps the status (an event only).
TRANSITIONS: Transitions[Action, RequestStatus] = Transitions(RequestStatus, {
    A.CONFIRM_RECEIPT: {S.AWAITING_CONFIRMATION: S.IN_PROGRESS},
    A.VOID: {S.AWAITING_CONFIRMATION: S.VOIDED},
    A.ASSIGN: {S.IN_PROGRESS: None, S.CONSULTING: None, S.AWAITING_CORRECTION: None, S.AWAITING_FEE: None},
    A.REQUEST_CORRECTION: {S.IN_PROGRESS: S.AWAITING_CORRECTION},
    A.CORRECTION_RECEIVED: {S.AWAITING_CORRECTION: S.IN_PROGRESS},
    A.CLOSE_NO_CORRECTION: {S.AWAITING_CORRECTION: S.CLOSED},
    A.START_CONSULTATION: {S.IN_PROGRESS: S.CONSULTING, S.CONSULTING: None},
    A.END_CONSULTATION: {S.CONSULTING: None},  # back to in_progress when the last one ends
    A.EXTEND: {S.IN_PROGRESS: None, S.CONSULTING: None},
    A.SEND_FEE_NOTICE: {S.IN_PROGRESS: S.AWAITING_FEE},
    A.RECORD_PAYMENT: {S.AWAITING_FEE: S.IN_PROGRESS},
    A.CLOSE_FEE_UNPAID: {S.AWAITING_FEE: S.CLOSED},
    A.REPLY: {S.IN_PROGRESS: S.REPLIED},
    A.DELIVER: {S.REPLIED: S.DELIVERED},
    A.ARCHIVE: {S.DELIVERED: S.ARCHIVED, S.CLOSED: S.ARCHIVED},
    A.WITHDRAW: dict.fromkeys((S.AWAITING_CONFIRMATION, *OPEN_STATUSES), S.CLOSED),
    # A reply or notice may be drafted and signed while the request is open; issuing it
    # is then the issuing action's own transition (reply, request_correction, ...).
    A.SUBMIT_DRAFT: dict.fromkeys(OPEN_STATUSES),
    A.CHECK_DRAFT: dict.fromkeys(OPEN_STATUSES),
    A.SIGN_OFF: dict.fromkeys(OPEN_STATUSES),
    A.RETURN_DRAFT: dict.fromkeys(OPEN_STATUSES),
    A.CANCEL_DRAFT: dict.fromkeys(OPEN_STATUSES),
    A.REQUEST_EXTENSION: {S.IN_PROGRESS: None, S.CONSULTING: None},
    A.REFUSE_EXTENSION: {S.IN_PROGRESS: None, S.CONSULTING: None},
    A.DELIVERY_EMAIL_FAILED: {S.REPLIED: None},
}, subject="申请")
next_status = TRANSITIONS.next_status
allowed_actions = TRANSITIONS.allowed_actions
