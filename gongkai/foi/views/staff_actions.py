"""One POST view per step of a request's handling (Art. 30–45, 51), in the shape of
``core.views.actions``: the same 404 for a missing or foreign request, 403 for the wrong
role before the input is read, the form checks the input, the service checks the rules;
a refusal re-renders the request's page with status 400 and the Chinese message next to
the form that was filled in."""

from __future__ import annotations

from django.views.decorators.http import require_POST

from gongkai.core.views.actions import ActionPage
from gongkai.core.views.base import staff_required
from gongkai.foi import deadlines, selectors
from gongkai.foi.services import appeals as appeal_services
from gongkai.foi.services import replies as reply_services
from gongkai.foi.services import requests as svc
from gongkai.foi.views.staff import (
    ACTIONS,
    APPEAL_DECIDE,
    CONSULTATION_END,
    ActionSpec,
    build_form,
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


@_request_action("extend")
def request_extend(request, foi, d):
    """Art. 33(2): the leader's approval."""
    svc.request_extend(actor=request.user, request=foi, days=d["days"], reason=d["reason"],
                       decided_on=d["decided_on"])
    return f"已批准延长答复期限{d['days']}个工作日，请告知申请人。"


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
    )
    return "已答复，答复告知书已生成，请送达申请人。"


@_request_action("deliver")
def request_deliver(request, foi, d):
    svc.request_deliver(actor=request.user, request=foi, delivered_on=d["delivered_on"],
                        method=d["method"], note=d["note"])
    return "已登记送达。"


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
