"""One POST view per step of a request's handling (Art. 30–45, 51), in the shape of
``core.views.actions``: the same 404 for a missing or foreign request, 403 for the wrong
role before the input is read, the form checks the input, the service checks the rules;
a refusal re-renders the request's page with status 400 and the Chinese message next to
the form that was filled in."""

from __future__ import annotations

from django.views.decorators.http import require_POST

from gongkai.core.errors import DomainError
from gongkai.core.views.actions import ActionPage
from gongkai.core.views.base import staff_required
from gongkai.foi import deadlines, selectors
from gongkai.foi.models import Delivery, DeliveryEmailState, DraftState
from gongkai.foi.services import appeals as appeal_services
from gongkai.foi.services import replies as reply_services
from gongkai.foi.services import requests as svc
from gongkai.foi.services import signoff
from gongkai.foi.staff_forms import DRAFT_FILE_FIELDS
from gongkai.foi.views.staff import (
    ACTIONS,
    APPEAL_DECIDE,
    CONSULTATION_END,
    DRAFT_CANCEL,
    DRAFT_CHECK,
    DRAFT_KEYS,
    DRAFT_SIGN_OFF,
    EXTENSION_DECIDE,
    ActionSpec,
    build_form,
    may_cancel_draft,
    render_detail,
)

PAGE = ActionPage(
    "staff:foi-detail", load=selectors.request_get_for_user, render=render_detail,
    reload=selectors.request_detail_for_user,
)


def _bind(spec: ActionSpec):
    return lambda foi, **kw: build_form(spec, foi, **kw)


def _request_action(key: str):
    """Decorate ``perform(view_request, foi, data) -> message`` into the POST view of
    ``staff:foi-<key>`` for a request pk."""
    spec = ACTIONS[key]
    return PAGE.step(title=spec.title, may=spec.may, bind=_bind(spec), prefix=key)


def _on_request(request, spec: ActionSpec, foi, prefix: str, perform):
    """A step on one consultation or appeal of ``foi``, taken from the request's page."""
    return PAGE.take(request, foi, title=spec.title, allowed=spec.may(request.user, foi),
                     bind=_bind(spec), prefix=prefix, perform=perform)


@_request_action("confirm")
def request_confirm(request, foi, d):
    """Art. 31: the day of confirmation is the receipt date."""
    svc.request_confirm_receipt(actor=request.user, request=foi, received_on=d["received_on"],
                                reason=d["reason"])
    return "已确认收到申请，答复期限开始计算。"


@_request_action("void")
def request_void(request, foi, d):
    svc.request_void(actor=request.user, request=foi, reason=d["reason"])
    return "已作废该提交，不计入统计。"


@_request_action("assign")
def request_assign(request, foi, d):
    svc.request_assign(actor=request.user, request=foi, department=d["department"], reason=d["reason"])
    return f"已分办至{d['department'].name}。"


@_request_action("correction-request")
def request_correction_request(request, foi, d):
    svc.request_ask_correction(actor=request.user, request=foi, items=d["items"],
                               correct_by=d["correct_by"], on=d["on"])
    return "已登记补正告知，答复期限停止计算，收到补正后重新计算。"


@_request_action("correction-received")
def request_correction_received(request, foi, d):
    svc.request_receive_correction(actor=request.user, request=foi, on=d["on"], note=d["note"])
    return f"已登记收到补正，自次日起重新计算{deadlines.REPLY_LIMIT_DAYS}个工作日。"


@_request_action("close-no-correction")
def request_close_no_correction(request, foi, d):
    svc.request_close_no_correction(actor=request.user, request=foi, reason=d["reason"])
    return "已按逾期不补正终止办理。"


@_request_action("consultation-start")
def request_consultation_start(request, foi, d):
    svc.request_start_consultation(actor=request.user, request=foi, party_kind=d["party_kind"],
                                   party_name=d["party_name"], sent_on=d["sent_on"])
    return "已登记征求意见，征求意见期间不计入答复期限。"


@staff_required
@require_POST
def request_consultation_end(request, pk: int):
    consultation = selectors.consultation_get_for_user(user=request.user, pk=pk)

    def perform(d):
        svc.request_end_consultation(actor=request.user, consultation=consultation,
                                     ended_on=d["ended_on"], opinion=d["opinion"], note=d["note"])
        return "已登记征求意见结束，答复期限恢复计算。"

    return _on_request(request, CONSULTATION_END, consultation.request,
                       f"consultation-end-{consultation.pk}", perform)


@_request_action("extension-request")
def request_extension_request(request, foi, d):
    """Art. 33(2): asked by the office or the assigned officer, decided by the leader."""
    svc.extension_request(actor=request.user, request=foi, days=d["days"], reason=d["reason"])
    return f"已提交延期申请（延长{d['days']}个工作日），待领导审批。"


@staff_required
@require_POST
def extension_decide(request, pk: int):
    ext = selectors.extension_request_get_for_user(user=request.user, pk=pk)

    def perform(d):
        if d["decision"] == "approve":
            svc.extension_approve(actor=request.user, extension=ext, decided_on=d["decided_on"], note=d["note"])
            return f"已批准延长答复期限{ext.days}个工作日，请告知申请人。"
        svc.extension_refuse(actor=request.user, extension=ext, note=d["note"])
        return "已登记不同意延期，答复期限不变。"

    return _on_request(request, EXTENSION_DECIDE, ext.request, f"extension-decide-{ext.pk}", perform)


# --- sign-off (签发) ---------------------------------------------------------------------------

def _draft_action(key: str):
    spec = ACTIONS[key]

    def perform(request, foi, d):
        form_data = {k: v for k, v in d.items() if k != "intent" and k not in DRAFT_FILE_FIELDS}
        fields = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in form_data.items()}
        draft = signoff.draft_save(actor=request.user, request=foi, kind=DRAFT_KEYS[key], fields=fields,
                                   files=d.get("disclosed_files") or (),
                                   remove_files=d.get("remove_files") or ())
        if d["intent"] != "submit":
            return "已暂存草稿。"
        draft = signoff.draft_submit(actor=request.user, draft=draft)
        if draft.state == DraftState.ISSUED:
            return f"已出具{draft.get_kind_display()}。"
        return f"已提交，{draft.get_state_display()}。"

    perform.__name__ = f"request_{key.replace('-', '_')}"
    return PAGE.step(title=spec.title, may=spec.may, bind=_bind(spec), prefix=key)(perform)


request_draft_reply = _draft_action("draft-reply")
request_draft_correction = _draft_action("draft-correction")
request_draft_consultation = _draft_action("draft-consultation")
request_draft_fee = _draft_action("draft-fee")


def _on_draft(spec: ActionSpec, service, done: str):
    @staff_required
    @require_POST
    def view(request, pk: int):
        draft = selectors.draft_get_for_user(user=request.user, pk=pk)

        def perform(d):
            passed = d["decision"] == "pass"
            result = service(actor=request.user, draft=draft, passed=passed, note=d["note"])
            if not passed:
                return "已退回修改。"
            if result.state == DraftState.ISSUED:
                return f"{done}，已出具{result.get_kind_display()}。"
            return f"{done}，{result.get_state_display()}。"

        return _on_request(request, spec, draft.request, f"{spec.key}-{draft.pk}", perform)

    return view


draft_check = _on_draft(DRAFT_CHECK, signoff.draft_check, "已核稿")
draft_sign_off = _on_draft(DRAFT_SIGN_OFF, signoff.draft_sign_off, "已签发")


@staff_required
@require_POST
def draft_cancel(request, pk: int):
    draft = selectors.draft_get_for_user(user=request.user, pk=pk)

    def perform(d):
        signoff.draft_cancel(actor=request.user, draft=draft, reason=d["reason"])
        return "已撤销该拟稿。"

    return PAGE.take(request, draft.request, title=DRAFT_CANCEL.title,
                     allowed=may_cancel_draft(request.user, draft), bind=_bind(DRAFT_CANCEL),
                     prefix=f"draft-cancel-{draft.pk}", perform=perform)


@_request_action("fee-notice")
def request_fee_notice(request, foi, d):
    notice = svc.request_send_fee_notice(actor=request.user, request=foi, scale=d["scale"],
                                         pages=d["pages"], sent_on=d["sent_on"])
    return f"已发出收费通知：{notice.amount}元，缴费期限{notice.pay_by.isoformat()}。"


@_request_action("fee-paid")
def request_fee_paid(request, foi, d):
    svc.request_record_payment(actor=request.user, request=foi, paid_on=d["paid_on"], amount=d["amount"])
    return "已登记缴费，答复期限恢复计算。"


@_request_action("close-fee-unpaid")
def request_close_fee_unpaid(request, foi, d):
    svc.request_close_fee_unpaid(actor=request.user, request=foi, reason=d["reason"])
    return "已按逾期未缴费终止办理。"


@_request_action("reply")
def request_reply(request, foi, d):
    reply_services.request_reply(
        actor=request.user, request=foi, reply_type=d["reply_type"], outcome=d["outcome"],
        content=d["content"], replied_on=d["replied_on"], legal_basis=d["legal_basis"],
        responsible_agency=d["responsible_agency"],
        responsible_agency_contact=d["responsible_agency_contact"], remedy=d["remedy"],
        disclosed_files=d["disclosed_files"],
    )
    return "已答复，答复告知书已生成，请送达申请人。"


@_request_action("deliver")
def request_deliver(request, foi, d):
    """By e-mail a worker sends the mail once the step commits: the message says it is on
    its way (or, where tasks run in the request — local mode — whether it went; a failure
    is then refused like any step). Either way the result goes into the request's history."""
    svc.request_deliver(actor=request.user, request=foi, delivered_on=d["delivered_on"],
                        method=d["method"], note=d["note"])
    if d["method"] != Delivery.EMAIL:
        return "已登记送达。"
    sent = selectors.delivery_email_latest(foi)
    if sent.state == DeliveryEmailState.SENT:
        return f"已登记送达：送达邮件已发出（Message-ID {sent.message_id}）。"
    if sent.state == DeliveryEmailState.FAILED:
        raise DomainError(f"电子邮件发送失败（{sent.error}），未登记送达；失败已记入办理记录，"
                          "请稍后重试或改用其他送达方式")
    return "送达邮件已提交发送，发送结果将记入办理记录。"


@_request_action("archive")
def request_archive(request, foi, d):
    svc.request_archive(actor=request.user, request=foi)
    return "已归档。"


@_request_action("withdraw")
def request_withdraw(request, foi, d):
    svc.request_withdraw(actor=request.user, request=foi, reason=d["reason"], on=d["on"])
    return "已登记申请人撤回，终止办理。"


@_request_action("appeal-record")
def request_appeal_record(request, foi, d):
    appeal_services.appeal_record(actor=request.user, request=foi, kind=d["kind"],
                                  filed_on=d["filed_on"], body=d["body"],
                                  case_number=d["case_number"], note=d["note"])
    return "已登记行政复议/行政诉讼。"


@staff_required
@require_POST
def appeal_decide(request, pk: int):
    appeal = selectors.appeal_get_for_user(user=request.user, pk=pk)

    def perform(d):
        appeal_services.appeal_decide(actor=request.user, appeal=appeal, outcome=d["outcome"],
                                      decided_on=d["decided_on"], note=d["note"])
        return "已登记审结结果。"

    return _on_request(request, APPEAL_DECIDE, appeal.request, f"appeal-decide-{appeal.pk}",
                       perform)
