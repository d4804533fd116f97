"""Back-office pages for requests: the office dashboard, the list, staff registration, a
request's page (with the action forms its state and the user's role allow), the audited
view of the applicant's personal data, and the audited downloads of the applicant's
attachments and of the files attached to a drafted reply (the issued letters are
``views.letters``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gongkai.core import clock
from gongkai.core import permissions as core_permissions
from gongkai.core import selectors as core_selectors
from gongkai.core.errors import DomainError
from gongkai.core.masking import mask_address, mask_email, mask_id_number, mask_name, mask_phone
from gongkai.core.models import Role
from gongkai.core.selectors import get_working_day_calendar
from gongkai.core.views.base import chosen_agency, staff_required
from gongkai.foi import deadlines, permissions, selectors
from gongkai.foi import staff_forms as f
from gongkai.foi.models import (
    AppealOutcome,
    ApplicantType,
    Channel,
    ConsultationParty,
    Delivery,
    DeliveryEmailState,
    FoiRequest,
    LetterKind,
)
from gongkai.foi.models.signoff import (
    EDITABLE_DRAFT_STATES,
    PENDING_DRAFT_STATES,
    DraftState,
    ExtensionState,
    signoff_steps_for,
)
from gongkai.foi.outcomes import REPLY_RULES, REPORT_ROW, ClosureReason, Outcome, ReplyType
from gongkai.foi.services import requests as request_services
from gongkai.foi.services import signoff
from gongkai.foi.services.replies import default_remedy, derive_outcome
from gongkai.foi.workflow import (
    FINISHED_STATUSES,
    OPEN_STATUSES,
    Action,
    RequestStatus,
    allowed_actions,
)

PAGE_SIZE = 50


# --- who may do what ------------------------------------------------------------------------

def require(allowed: bool, message: str = "您无权办理该申请。") -> None:
    """The wrong role gets 403 before any input is looked at."""
    if not allowed:
        raise PermissionDenied(message)


def _handles(user, request: FoiRequest) -> bool:
    return permissions.can_handle_request(user, request)


def _may_appeal(user, request: FoiRequest) -> bool:
    # Appeals are recorded against a request that was received (Art. 51).
    return _handles(user, request) and request.received_on is not None


@dataclass(frozen=True)
class ActionSpec:
    """One step staff can take on a request: its URL name (``staff:foi-<key>``, also the
    form's prefix), the transition it makes (None: recorded without one), its title, its
    form, and who may take it."""

    key: str
    action: Action | None
    title: str
    form: Callable[..., forms.Form]
    may: Callable[[object, FoiRequest], bool] = _handles
    button: str = "提交"


def _assign_form(request: FoiRequest, **kw) -> forms.Form:
    return f.AssignForm(departments=selectors.assignable_departments(request.agency), **kw)


def _reply_form(request: FoiRequest, **kw) -> forms.Form:
    return f.ReplyForm(initial={"remedy": default_remedy(request)}, **kw)


def _open_draft(request: FoiRequest, kind: LetterKind):
    """The request's draft of this kind on its way (not issued or cancelled), or None."""
    return next((d for d in request.drafts.all() if d.kind == kind and d.state in PENDING_DRAFT_STATES), None)


def _draft_form(form_class, kind: LetterKind, **defaults):
    """A draft form, filled in from the open draft of that kind when there is one."""

    def build(request: FoiRequest, **kw) -> forms.Form:
        initial = dict(defaults)
        if kind == LetterKind.REPLY:
            initial["remedy"] = default_remedy(request)
        draft = _open_draft(request, kind)
        if draft is not None:
            fields = {k: v for k, v in draft.fields.items() if k != signoff.DRAFT_FILES}
            if isinstance(fields.get("items"), list):
                fields["items"] = "\n".join(fields["items"])
            initial.update(fields)
        if kind == LetterKind.REPLY:
            kw["attached"] = signoff.draft_files(draft) if draft is not None else []
        return form_class(initial=initial, **kw)

    return build


def _deliver_form(request: FoiRequest, **kw) -> forms.Form:
    return f.DeliverForm(initial={"method": request.delivery, "delivered_on": clock.today()}, **kw)


def _plain(form_class):
    return lambda request, **kw: form_class(**kw)


# In the order the page shows them. Consultation-end and appeal-decide act on one
# consultation / appeal and are listed per object (see ``_object_panels``).
ACTIONS: dict[str, ActionSpec] = {spec.key: spec for spec in [
    ActionSpec("confirm", Action.CONFIRM_RECEIPT, "确认收到（开始计算答复期限）", _plain(f.ConfirmForm), button="确认收到"),
    ActionSpec("void", Action.VOID, "作废（非申请，如重复提交）", _plain(f.VoidForm), button="作废"),
    ActionSpec("assign", Action.ASSIGN, "分办", _assign_form, button="分办"),
    ActionSpec("correction-request", Action.REQUEST_CORRECTION, "告知补正（第三十条）",
               _plain(f.CorrectionRequestForm), may=permissions.can_issue_directly, button="发出补正告知"),
    ActionSpec("correction-received", Action.CORRECTION_RECEIVED, "收到补正",
               _plain(f.CorrectionReceivedForm), button="登记收到补正"),
    ActionSpec("close-no-correction", Action.CLOSE_NO_CORRECTION, "逾期不补正，终止办理",
               _plain(f.CloseForm), button="终止办理"),
    ActionSpec("consultation-start", Action.START_CONSULTATION, "征求意见（第三十二条）",
               _plain(f.ConsultationStartForm), may=permissions.can_issue_directly, button="登记征求意见"),
    ActionSpec("extension-request", Action.REQUEST_EXTENSION, "申请延期答复（第三十三条第二款）",
               _plain(f.ExtensionRequestForm), may=permissions.can_request_extension, button="报领导审批"),
    ActionSpec("fee-notice", Action.SEND_FEE_NOTICE, "发出收费通知（第四十二条）",
               _plain(f.FeeNoticeForm), may=permissions.can_issue_directly, button="发出收费通知"),
    ActionSpec("fee-paid", Action.RECORD_PAYMENT, "登记缴费", _plain(f.FeePaidForm), button="登记缴费"),
    ActionSpec("close-fee-unpaid", Action.CLOSE_FEE_UNPAID, "逾期未缴费，终止办理",
               _plain(f.CloseForm), button="终止办理"),
    ActionSpec("reply", Action.REPLY, "答复（第三十六条）", _reply_form, may=permissions.can_issue_directly,
               button="答复并生成告知书"),
    # Where the agency signs its letters off (AgencyFoiSettings.signoff_steps), the four
    # letters above are drafted here instead and issued on the last step.
    ActionSpec("draft-reply", Action.REPLY, "拟稿：答复（第三十六条）",
               _draft_form(f.DraftReplyWithFilesForm, LetterKind.REPLY), may=permissions.can_draft, button="保存"),
    ActionSpec("draft-correction", Action.REQUEST_CORRECTION, "拟稿：补正告知（第三十条）",
               _draft_form(f.DraftCorrectionForm, LetterKind.CORRECTION), may=permissions.can_draft,
               button="保存"),
    ActionSpec("draft-consultation", Action.START_CONSULTATION, "拟稿：征求意见函（第三十二条）",
               _draft_form(f.DraftConsultationForm, LetterKind.CONSULTATION), may=permissions.can_draft,
               button="保存"),
    ActionSpec("draft-fee", Action.SEND_FEE_NOTICE, "拟稿：收费通知（第四十二条）",
               _draft_form(f.DraftFeeForm, LetterKind.FEE), may=permissions.can_draft, button="保存"),
    ActionSpec("deliver", Action.DELIVER, "送达", _deliver_form, button="登记送达"),
    ActionSpec("archive", Action.ARCHIVE, "归档", _plain(forms.Form), button="归档"),
    ActionSpec("withdraw", Action.WITHDRAW, "申请人撤回", _plain(f.WithdrawForm), button="登记撤回"),
    ActionSpec("appeal-record", None, "登记行政复议/行政诉讼（第五十一条）", _plain(f.AppealRecordForm),
               may=_may_appeal, button="登记"),
]}
CONSULTATION_END = ActionSpec("consultation-end", Action.END_CONSULTATION, "征求意见结束",
                              _plain(f.ConsultationEndForm), button="登记结束")
APPEAL_DECIDE = ActionSpec("appeal-decide", None, "登记审结结果", _plain(f.AppealDecideForm),
                           button="登记结果")
DRAFT_CHECK = ActionSpec("draft-check", Action.CHECK_DRAFT, "办公室核稿", _plain(f.DraftDecisionForm),
                         may=permissions.can_check_draft, button="提交核稿意见")
DRAFT_SIGN_OFF = ActionSpec("draft-sign-off", Action.SIGN_OFF, "领导签发", _plain(f.DraftDecisionForm),
                            may=permissions.can_sign_off, button="提交签发意见")
DRAFT_CANCEL = ActionSpec("draft-cancel", Action.CANCEL_DRAFT, "撤销拟稿", _plain(f.DraftCancelForm),
                          button="撤销")
EXTENSION_DECIDE = ActionSpec("extension-decide", Action.EXTEND, "审批延期申请（第三十三条第二款）",
                              _plain(f.ExtensionDecideForm), may=permissions.can_approve_extension,
                              button="提交审批意见")
DRAFT_KEYS = {"draft-reply": LetterKind.REPLY, "draft-correction": LetterKind.CORRECTION,
              "draft-consultation": LetterKind.CONSULTATION, "draft-fee": LetterKind.FEE}


def may_cancel_draft(user, draft) -> bool:
    return permissions.can_handle_request(user, draft.request) or draft.drafted_by_id == user.pk


def build_form(spec: ActionSpec, request: FoiRequest, *, prefix: str | None = None, data=None,
               files=None) -> forms.Form:
    return spec.form(request, data=data, files=files, prefix=prefix or spec.key)


def _state_allows(spec: ActionSpec, request: FoiRequest) -> bool:
    if spec.action is None:
        return request.status not in (RequestStatus.AWAITING_CONFIRMATION, RequestStatus.VOIDED)
    return spec.action in allowed_actions(request.status)


@dataclass
class Panel:
    """An action form on the request's page."""

    spec: ActionSpec
    obj_pk: int  # the request, consultation or appeal the URL names
    form: forms.Form
    anchor: str
    title: str
    hint: str = ""

    @property
    def url(self) -> str:
        return reverse(f"staff:foi-{self.spec.key}", args=[self.obj_pk])


def _hint(spec: ActionSpec, request: FoiRequest, deadline: deadlines.Deadline) -> str:
    calendar = get_working_day_calendar()
    if spec.key == "correction-request" and request.received_on:
        limit = deadlines.correction_notice_deadline(request.received_on, calendar)
        return (f"补正告知须一次性告知，并在{limit.isoformat()}前发出"
                f"（收到申请之日起{deadlines.CORRECTION_NOTICE_DAYS}个工作日）。")
    if spec.key == "close-no-correction":
        event = next((e for e in reversed(request.events.all())
                      if e.action == Action.REQUEST_CORRECTION), None)
        if event:
            return f"补正期限：{event.data.get('correct_by')}；期满后方可终止。"
    if spec.key == "close-fee-unpaid":
        unpaid = [n for n in request.fee_notices.all() if n.paid_on is None]
        if unpaid:
            return f"缴费期限：{unpaid[-1].pay_by.isoformat()}；期满后方可终止。"
    if spec.key in ("extension-request", "extension-decide") and deadline.original_due_on:
        left = deadlines.extension_days_left(deadline)
        return (f"由领导在原答复期限{deadline.original_due_on.isoformat()}前决定并告知申请人；"
                f"还可延长{left}个工作日。")
    if spec.key in DRAFT_KEYS:
        steps = signoff_steps_for(request.agency)
        flow = " → ".join(step.label for step in steps)
        draft = _open_draft(request, DRAFT_KEYS[spec.key])
        returned = (f"已退回修改：{draft.note}。" if draft is not None and draft.state == DraftState.RETURNED
                    else "")
        return f"{returned}本机关签发流程：{flow}；最后一个环节通过后出具。"
    if spec.key == "fee-notice":
        return ("收费通知须在答复期限内发出；"
                f"申请人应自收到通知次日起{deadlines.FEE_PAYMENT_DAYS}个工作日内缴费。")
    return ""


def _panels(request, foi: FoiRequest, deadline, bound: dict[str, forms.Form]) -> list[Panel]:
    user = request.user
    panels = []
    pending_extension = any(e.state == ExtensionState.REQUESTED for e in foi.extension_requests.all())
    for spec in ACTIONS.values():
        if spec.key == "extension-request" and pending_extension:
            continue  # one extension request awaits the leader at a time
        if spec.key in DRAFT_KEYS:
            draft = _open_draft(foi, DRAFT_KEYS[spec.key])
            if draft is not None and draft.state not in EDITABLE_DRAFT_STATES:
                continue  # on its way through check and sign-off; not editable now
        if _state_allows(spec, foi) and spec.may(user, foi):
            panels.append(Panel(spec, foi.pk, bound.get(spec.key) or build_form(spec, foi),
                                f"action-{spec.key}", spec.title, _hint(spec, foi, deadline)))
    if CONSULTATION_END.action in allowed_actions(foi.status) and CONSULTATION_END.may(user, foi):
        for c in foi.consultations.all():
            if c.ended_on is None:
                prefix = f"consultation-end-{c.pk}"
                panels.append(Panel(
                    CONSULTATION_END, c.pk,
                    bound.get(prefix) or build_form(CONSULTATION_END, foi, prefix=prefix),
                    f"action-{prefix}", f"征求意见结束：{c.party_name}（{c.sent_on}发出）",
                    f"第三方答复期限：{c.answer_due_on}" if c.answer_due_on else "",
                ))
    for d in foi.drafts.all():
        if d.state not in PENDING_DRAFT_STATES:
            continue
        title = d.get_kind_display()
        for spec, state in ((DRAFT_CHECK, DraftState.AWAITING_CHECK), (DRAFT_SIGN_OFF, DraftState.AWAITING_SIGNOFF)):
            if d.state == state and _state_allows(spec, foi) and spec.may(user, foi):
                prefix = f"{spec.key}-{d.pk}"
                panels.append(Panel(spec, d.pk, bound.get(prefix) or build_form(spec, foi, prefix=prefix),
                                    f"action-{prefix}", f"{spec.title}：{title}",
                                    "拟稿内容见上方“拟稿与签发”；同意即进入下一环节，最后一个环节同意后出具。"))
        if _state_allows(DRAFT_CANCEL, foi) and may_cancel_draft(user, d):
            prefix = f"draft-cancel-{d.pk}"
            panels.append(Panel(DRAFT_CANCEL, d.pk, bound.get(prefix) or build_form(DRAFT_CANCEL, foi, prefix=prefix),
                                f"action-{prefix}", f"撤销拟稿：{title}（{d.get_state_display()}）"))
    if _state_allows(EXTENSION_DECIDE, foi) and EXTENSION_DECIDE.may(user, foi):
        for e in foi.extension_requests.all():
            if e.state == ExtensionState.REQUESTED:
                prefix = f"extension-decide-{e.pk}"
                panels.append(Panel(
                    EXTENSION_DECIDE, e.pk,
                    bound.get(prefix) or build_form(EXTENSION_DECIDE, foi, prefix=prefix),
                    f"action-{prefix}", f"审批延期申请：延长{e.days}个工作日（{e.requested_by}申请）",
                    f"理由：{e.reason}。" + _hint(EXTENSION_DECIDE, foi, deadline),
                ))
    if APPEAL_DECIDE.may(user, foi):
        for a in foi.appeals.all():
            if a.outcome == AppealOutcome.PENDING:
                prefix = f"appeal-decide-{a.pk}"
                panels.append(Panel(
                    APPEAL_DECIDE, a.pk,
                    bound.get(prefix) or build_form(APPEAL_DECIDE, foi, prefix=prefix),
                    f"action-{prefix}", f"审结结果：{a.get_kind_display()} {a.case_number or a.filed_on}",
                ))
    return panels


# --- presentation helpers -----------------------------------------------------------------

_OPINIONS = dict(f.ConsultationEndForm.base_fields["opinion"].choices)


def _label(choices, value) -> str:
    if value in (None, ""):
        return "—"
    try:
        return choices(value).label
    except ValueError:
        return str(value)


def event_details(event) -> str:
    """The step's details in words (no personal data is stored in events)."""
    d, a = event.data or {}, event.action
    if a == Action.ASSIGN:
        return f"承办科室：{d.get('department', '')}"
    if a == Action.REQUEST_CORRECTION:
        return f"补正事项：{'；'.join(d.get('items', []))}；补正期限：{d.get('correct_by', '')}"
    if a == Action.START_CONSULTATION:
        return f"{_label(ConsultationParty, d.get('party_kind'))}：{d.get('party', '')}"
    if a == Action.END_CONSULTATION:
        return f"意见：{_OPINIONS.get(d.get('opinion'), '—')}"
    if a in (Action.EXTEND, Action.REQUEST_EXTENSION, Action.REFUSE_EXTENSION):
        return f"延长{d.get('days')}个工作日"
    if a in (Action.SUBMIT_DRAFT, Action.CHECK_DRAFT, Action.SIGN_OFF, Action.RETURN_DRAFT, Action.CANCEL_DRAFT):
        return _label(LetterKind, d.get("kind"))
    if a == Action.SEND_FEE_NOTICE:
        return f"金额：{d.get('amount')}元"
    if a == Action.RECORD_PAYMENT:
        return f"实缴：{d.get('amount')}元"
    if a == Action.REPLY:
        return (f"{_label(ReplyType, d.get('reply_type'))}；"
                f"办理结果：{_label(Outcome, d.get('outcome'))}")
    if a == Action.DELIVER:
        sent = f"；Message-ID {d['message_id']}" if d.get("message_id") else ""
        return f"送达方式：{_label(Delivery, d.get('method'))}{sent}"
    if a == Action.DELIVERY_EMAIL_FAILED:
        return f"Message-ID {d.get('message_id', '—')}"
    if "closure" in d:
        return _label(ClosureReason, d["closure"])
    return ""


def _age_text(foi: FoiRequest) -> str:
    days = (clock.today() - clock.localdate_of(foi.submitted_at)).days
    return "今日提交" if days <= 0 else f"已提交{days}天"


def display_rows(rows: list[selectors.RequestRow]) -> list[dict]:
    """A list's rows. A finished request shows when it finished, never a countdown; an
    unconfirmed submission shows when it came in and how long it has waited."""
    out = []
    for r in rows:
        foi = r.request
        finished = foi.status in FINISHED_STATUSES
        unconfirmed = foi.status == RequestStatus.AWAITING_CONFIRMATION
        if finished:
            due_text = f"已于{foi.closed_on.isoformat()}办结" if foi.closed_on else "—"
            left_text = "—"
        else:
            due_text = selectors.deadline_due_text(r.deadline)
            left_text = selectors.deadline_left_text(r.deadline)
        out.append({"request": foi, "deadline": r.deadline, "finished": finished, "unconfirmed": unconfirmed,
                    "age_text": _age_text(foi) if unconfirmed else "",
                    "due_text": due_text, "left_text": left_text,
                    "applicant": applicant_masked(foi)["name"]})
    return out


def draft_summary(draft) -> list[tuple[str, str]]:
    """A draft's fields in words, for the office and the leader who check and sign it."""
    d = draft.fields or {}
    if draft.kind == LetterKind.REPLY:
        try:
            outcome = derive_outcome(d.get("reply_type", ""), d.get("outcome") or "")
            fixed = len(REPLY_RULES[ReplyType(d["reply_type"])].outcomes) == 1
            outcome_text = f"{outcome.label}（由答复类型确定）" if fixed else outcome.label
        except (DomainError, KeyError, ValueError):
            outcome_text = "—"
        rows = [("答复类型", _label(ReplyType, d.get("reply_type"))), ("办理结果", outcome_text),
                ("答复内容", d.get("content", "")), ("理由和法律依据", d.get("legal_basis", "")),
                ("负责公开的机关", " ".join(filter(None, [d.get("responsible_agency", ""),
                                                   d.get("responsible_agency_contact", "")]))),
                ("救济途径", d.get("remedy", ""))]
    elif draft.kind == LetterKind.CORRECTION:
        rows = [("补正事项", "；".join(d.get("items", []))), ("补正期限", d.get("correct_by", ""))]
    elif draft.kind == LetterKind.CONSULTATION:
        rows = [("征求对象", f"{_label(ConsultationParty, d.get('party_kind'))}：{d.get('party_name', '')}")]
    elif draft.kind == LetterKind.FEE:
        rows = [("计收方式", dict(f.FEE_SCALE_CHOICES).get(d.get("scale"), "—")), ("页数", d.get("pages") or "—")]
    else:
        rows = []
    return [(label, str(value)) for label, value in rows if value not in ("", None)]


def draft_file_rows(draft) -> list[dict]:
    """The files attached to a drafted reply, for the office and the leader who check and
    sign it off: name, size, hash, and while the draft is on its way a download link."""
    pending = draft.state in PENDING_DRAFT_STATES
    return [{"name": entry["name"], "size": entry["size"], "sha256": entry["sha256"],
             "url": reverse("staff:foi-draft-file", args=[draft.pk, entry["sha256"]]) if pending else ""}
            for entry in signoff.draft_files(draft)]


def applicant_masked(foi: FoiRequest) -> dict:
    """The applicant as everyone sees them on screen: personal data masked (Art. 15)."""
    natural = foi.applicant_type == ApplicantType.NATURAL_PERSON
    return {
        "name": mask_name(foi.name) if natural else foi.name,
        "contact_person": mask_name(foi.contact_person) if foi.contact_person else "",
        "id_number": mask_id_number(foi.id_number),
        "phone": mask_phone(foi.phone),
        "address": mask_address(foi.address) if foi.address else "",
        "email": mask_email(foi.email) if foi.email else "",
    }


def applicant_full(foi: FoiRequest) -> dict:
    return {
        "name": foi.name, "contact_person": foi.contact_person, "id_number": foi.id_number,
        "phone": foi.phone, "address": foi.address, "email": foi.email,
    }


def _delivery_email_notice(foi: FoiRequest) -> dict | None:
    """While the request is not yet delivered: its last delivery e-mail, if that failed
    or has no result yet (``stale``: longer than a send can take, so the result is
    unknown; the Message-ID is what to look for in the mail server's log)."""
    if foi.status != RequestStatus.REPLIED:
        return None
    sent = selectors.delivery_email_latest(foi)
    if sent is None or sent.state == DeliveryEmailState.SENT:
        return None
    return {"email": sent, "failed": sent.state == DeliveryEmailState.FAILED,
            "stale": clock.now() - sent.queued_at > request_services.EMAIL_SEND_WINDOW}


def render_detail(request, foi: FoiRequest, *, bound: dict[str, forms.Form] | None = None,
                  revealed: dict | None = None, reveal_form: forms.Form | None = None,
                  error: str = "", status: int = 200):
    """The request's page. ``bound`` carries a refused action's form (with its errors) so
    the page shows it where it was filled in; ``revealed`` is the personal data shown once
    after an audited reveal."""
    user = request.user
    deadline = selectors.request_deadline(foi)
    similar = selectors.similar_requests(foi)
    visible = permissions.request_ids_visible_among(user, similar)
    similar = [r for r in similar if r.pk in visible]
    events = [{"event": e, "details": event_details(e)} for e in foi.events.all()]
    can_see_personal = permissions.can_see_personal_data(user, foi)
    return render(request, "foi/staff/detail.html", {
        "foi": foi,
        "applicant": revealed or applicant_masked(foi),
        "revealed": bool(revealed),
        "can_see_personal": can_see_personal,
        "reveal_form": reveal_form or f.RevealForm(prefix="reveal"),
        "deadline": deadline,
        "due_text": selectors.deadline_due_text(deadline),
        "left_text": selectors.deadline_left_text(deadline),
        "finished": foi.status not in OPEN_STATUSES,
        "events": events,
        "similar": similar,
        "counts": selectors.applicant_counts(foi),
        "drafts": [{"draft": d, "summary": draft_summary(d), "files": draft_file_rows(d)}
                   for d in foi.drafts.all()],
        "reply_letter": foi.letters.filter(kind=LetterKind.REPLY).order_by("-issued_on", "-id").first(),
        "delivery_email": _delivery_email_notice(foi),
        "extension_requests": foi.extension_requests.all(),
        "signoff_steps": signoff_steps_for(foi.agency),
        "reply": selectors.request_reply_of(foi),
        "consultations": foi.consultations.all(),
        "fee_notices": foi.fee_notices.all(),
        "attachments": foi.attachments.all(),
        "appeals": foi.appeals.all(),
        "panels": _panels(request, foi, deadline, bound or {}),
        "reply_rules": f.reply_rules_table() if foi.status == RequestStatus.IN_PROGRESS else [],
        "error": error,
        "report_row": selectors.report_row(foi),
    }, status=status)


# --- pages ---------------------------------------------------------------------------------



@staff_required
def dashboard(request):
    require(permissions.can_view_requests_area(request.user))
    agency = chosen_agency(request)
    if agency is None:
        return render(request, "foi/staff/dashboard.html", {"agency": None})
    dash = selectors.office_dashboard(user=request.user, agency=agency)
    subtree = len(dash.by_agency) > 1 or any(line.agency.pk != agency.pk for line in dash.by_agency)
    by_type = [(t.label, dash.year_by_applicant_type.get(t.value, 0)) for t in ApplicantType]
    by_outcome = [
        (REPORT_ROW[o], o.label, dash.year_by_outcome[o.value])
        for o in Outcome if dash.year_by_outcome.get(o.value)
    ]
    return render(request, "foi/staff/dashboard.html", {
        "agency": agency,
        "dash": dash,
        "rows": display_rows(dash.rows),
        "year": clock.today().year,
        "by_status": sorted(dash.by_status.items()),
        "by_department": sorted(dash.by_department.items()),
        "by_type": by_type,
        "by_outcome": by_outcome,
        "finished_this_year": sum(dash.year_by_outcome.values()),
        "can_register": core_permissions.has_role(request.user, agency, Role.OFFICE),
        # A supervising office's overview spans its subtree: one line per agency.
        "by_agency": dash.by_agency if subtree else [],
        "list_scope": f"&under={agency.pk}" if request.GET.get("agency") else "",
        "work": selectors.pending_signoff_work(user=request.user),
    })


@staff_required
def request_list(request):
    require(permissions.can_view_requests_area(request.user))
    form = f.RequestFilterForm(request.GET or None,
                               departments=selectors.departments_visible_to(request.user),
                               agencies=core_permissions.agencies_visible_to(request.user))
    data = form.cleaned_data if form.is_valid() else {}
    status = data.get("status", "")
    department_id = data["department"].pk if data.get("department") else None
    scope = {"agency_id": data["agency"].pk if data.get("agency") else None, "under": None}
    caption = ""
    if request.GET.get("under", "").isdigit():  # an agency and its subtree (supervisor's overview)
        scope["under"] = core_selectors.agency_get_for_user(user=request.user, pk=int(request.GET["under"]))
        caption = f"{scope['under'].name}及其下级机关，"
    same_as = None
    if request.GET.get("same_applicant", "").isdigit():
        same_as = selectors.request_get_for_user(user=request.user, pk=int(request.GET["same_applicant"]))
        caption = f"与申请{same_as.tracking_number}同一申请人向{same_as.agency.name}提出的申请，"
    # A queue of the desk (foi.desk): ?queue= lists exactly what the desk counted.
    queue_q = selectors.request_queue_q(request.GET.get("queue", ""), user=request.user)
    if queue_q is not None:
        caption = f"{caption}{selectors.REQUEST_QUEUES[request.GET['queue']]}，"
    due = data.get("due", "")
    if due:
        rows = selectors.request_rows_due(
            user=request.user, status=status, department_id=department_id, **scope,
            overdue=due in ("overdue", "attention"), due_soon=due in ("due_soon", "attention"))
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        page_rows = list(page.object_list)
    else:
        qs = selectors.request_list_for_user(user=request.user, status=status,
                                             department_id=department_id, **scope,
                                             same_applicant_as=same_as)
        if queue_q is not None:  # the desk's queue (see above)
            qs = qs.filter(queue_q)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        page_rows = selectors.with_deadlines(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "foi/staff/list.html", {
        "form": form, "page": page, "rows": display_rows(page_rows), "query": query.urlencode(),
        "caption": f"{caption}共{page.paginator.count}件",
    })


@staff_required
def request_register(request):
    """Staff registration of a request received in person, by post or by fax (Art. 31),
    for the active membership's agency. The applicant's secret is shown once, here."""
    membership = request.membership
    agency = membership.agency if membership and membership.role == Role.OFFICE else None
    require(agency is not None, "只有公开办工作人员可以登记申请。")
    form = f.StaffRegisterForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            foi, secret = request_services.request_register(
                actor=request.user, agency=agency, data=form.applicant_data(),
                channel=form.cleaned_data["channel"], received_on=form.cleaned_data["received_on"],
                attachments=form.cleaned_data["attachments"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return render(request, "foi/staff/registered.html", {"foi": foi, "secret": secret})
    status = 400 if request.method == "POST" else 200
    return render(request, "foi/staff/register.html", {
        "form": form, "agency": agency, "channels": Channel,
    }, status=status)


@staff_required
def request_detail(request, pk: int):
    foi = selectors.request_detail_for_user(user=request.user, pk=pk)
    return render_detail(request, foi)


@staff_required
@require_POST
def request_reveal(request, pk: int):
    """Full ID number, phone and address, for the agency's office only, shown once in
    this response and written to the audit trail with the reason given."""
    foi = selectors.request_detail_for_user(user=request.user, pk=pk)
    require(permissions.can_see_personal_data(request.user, foi), "只有本机关公开办可以查看申请人完整信息。")
    form = f.RevealForm(request.POST, prefix="reveal")
    if not form.is_valid():
        return render_detail(request, foi, reveal_form=form, status=400,
                             error="请填写查看完整信息的理由。")
    request_services.request_record_personal_data_view(
        actor=request.user, request=foi, reason=form.cleaned_data["reason"], what="applicant")
    return render_detail(request, foi, revealed=applicant_full(foi))


@staff_required
def request_attachment(request, pk: int, attachment_pk: int):
    """An applicant's attachment (ID scans and the like): the office only, audited."""
    foi = selectors.request_get_for_user(user=request.user, pk=pk)
    require(permissions.can_see_personal_data(request.user, foi), "只有本机关公开办可以下载申请附件。")
    attachment = selectors.attachment_get(request=foi, pk=attachment_pk)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("附件文件不存在") from None
    request_services.request_record_personal_data_view(
        actor=request.user, request=foi, reason="下载申请附件",
        what=f"attachment:{attachment.pk}")
    return FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                        content_type=attachment.content_type)


@staff_required
def draft_file(request, pk: int, sha256: str):
    """A file attached to a drafted reply, for those who check and sign it off before
    it is issued: anyone who may view the request, while the draft is on its way; the
    download is audited. Served as an attachment, never rendered in the browser."""
    draft = selectors.draft_get_for_user(user=request.user, pk=pk)
    try:
        handle, entry = signoff.draft_file_open(actor=request.user, draft=draft, sha256=sha256)
    except signoff.DraftFileUnavailable as exc:
        raise Http404(exc.message) from None
    except DomainError as exc:
        return HttpResponse(exc.message, status=409, content_type="text/plain; charset=utf-8")
    response = FileResponse(handle, as_attachment=True, filename=entry["name"],
                            content_type=entry.get("content_type") or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response
