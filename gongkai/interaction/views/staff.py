"""Back-office pages of the message board: the list (with the desk's queues), one message
with its steps (``core.views.actions.ActionPage``), statistics and the agency's setting.

Views are thin: the same 404 for a missing and a foreign message (selectors), 403 for the
wrong role before any input is read, the services for the rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from gongkai.core import clock
from gongkai.core import selectors as core_selectors
from gongkai.core.errors import DomainError
from gongkai.core.views.actions import ActionPage
from gongkai.core.views.base import chosen_agency, staff_required
from gongkai.interaction import forms, permissions, rules, selectors, services
from gongkai.interaction.models import Message
from gongkai.interaction.workflow import Action, Kind, MessageStatus, allowed_actions

PAGE_SIZE = 30




# --- the list ----------------------------------------------------------------------------------------------


@staff_required
@require_GET
def message_list(request):
    if not permissions.can_view_messages_area(request.user):
        raise PermissionDenied
    under = None
    if request.GET.get("under", "").isdigit():
        under = core_selectors.agency_get_for_user(user=request.user, pk=int(request.GET["under"]))
    agency = None if under else chosen_agency(request)
    department = request.GET.get("department", "")
    filters = selectors.ListFilter(
        agency=agency, under=under,
        status=request.GET.get("status", "") if request.GET.get("status") in MessageStatus.values else "",
        kind=request.GET.get("kind", "") if request.GET.get("kind") in Kind.values else "",
        # A 64-bit key has at most 19 digits; longer overflows the database's integer.
        department_id=int(department) if department.isdigit() and len(department) <= 18 else None,
        queue=request.GET.get("queue", "") if request.GET.get("queue") in selectors.QUEUES else "",
        q=request.GET.get("q", "").strip()[:50],
    )
    rows = selectors.message_list_for_user(user=request.user, filters=filters) if (agency or under) else []
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    # The subject as this reader may see it: personal data masked for those who may not
    # see the writer's details, as on the message's own page.
    page.object_list = [selectors.ListedRow(row, selectors.visible_subject(request.user, row.message))
                        for row in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "interaction/staff/list.html", {
        "agency": agency, "under": under, "filters": filters, "page": page,
        "query": query.urlencode(), "queues": selectors.QUEUES,
        "statuses": MessageStatus.choices, "kinds": Kind.choices,
        "queue_label": selectors.QUEUES.get(filters.queue, ""),
    })


# --- one message and its steps -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    button: str
    url_name: str
    action: Action
    may: object  # (user, message) -> bool
    form: object  # (message, **kwargs) -> form
    hint: str = ""


def _assign_form(message, **kwargs):
    return forms.AssignForm(departments=selectors.assignable_departments(message.agency),
                            initial={"category": message.category}, **kwargs)


def _transfer_form(message, **kwargs):
    return forms.TransferForm(agencies=selectors.transfer_targets(message.agency), **kwargs)


def _publish_form(message, **kwargs):
    proposed = selectors.proposed_public_text(message)
    return forms.PublishForm(initial={"public_subject": proposed.subject,
                                      "public_content": proposed.content,
                                      "public_reply": proposed.reply}, **kwargs)


def _plain(form_class):
    def make(message, **kwargs):
        kwargs.pop("files", None)
        return form_class(**kwargs)

    return make


STEPS = [
    Step("assign", "分办至承办科室", "分办", "staff:message-assign", Action.ASSIGN,
         permissions.can_route, _assign_form),
    Step("reply", "撰写答复（提交公开办审核）", "提交审核", "staff:message-reply", Action.SUBMIT_REPLY,
         permissions.can_write_reply, _plain(forms.ReplyForm)),
    Step("check", "审核答复", "提交审核结果", "staff:message-check", Action.RELEASE_REPLY,
         permissions.can_check_reply, _plain(forms.CheckForm),
         hint="审核通过后答复即告知留言人（凭留言编号和查询码查看）。"),
    Step("extension-request", "申请延期答复", "提交延期申请", "staff:message-extension-request",
         Action.REQUEST_EXTENSION, permissions.can_request_extension, _plain(forms.ExtensionRequestForm),
         hint=f"延期须经审批领导同意，合计不超过{rules.MAX_EXTENSION_WORKING_DAYS}个工作日。"),
    Step("extension-decide", "审批延期申请", "提交审批意见", "staff:message-extension-decide",
         Action.EXTEND, permissions.can_decide_extension, _plain(forms.ExtensionDecideForm)),
    Step("transfer", "转办其他机关", "转办", "staff:message-transfer", Action.TRANSFER,
         permissions.can_route, _transfer_form,
         hint="转办后留言进入对方机关的待分办队列，答复期限自转办之日起重新计算；本机关仍可查看。"),
    Step("publish", "公开留言及答复", "公开", "staff:message-publish", Action.PUBLISH,
         permissions.can_publish, _publish_form,
         hint="仅在留言人同意公开时可以公开。下列文本已隐去个人信息，请逐项核对后再公开。"),
    Step("unpublish", "撤回公开", "撤回公开", "staff:message-unpublish", Action.UNPUBLISH,
         permissions.can_publish, _plain(forms.ReasonForm)),
    Step("dismiss", "不予处理", "不予处理", "staff:message-dismiss", Action.DISMISS,
         permissions.can_route, _plain(forms.ReasonForm),
         hint="用于无实际内容、重复或含有侮辱性内容的留言；理由将告知留言人。"),
]
STEP_BY_KEY = {s.key: s for s in STEPS}


def _offered(step: Step, user, message: Message, deadline) -> bool:
    if step.action not in allowed_actions(message.status) or not step.may(user, message):
        return False
    if step.key == "check":
        return message.status == MessageStatus.AWAITING_CHECK
    if step.key == "extension-request":
        return deadline.pending_extension_days is None and (
            deadline.extension_days < rules.MAX_EXTENSION_WORKING_DAYS)
    if step.key == "extension-decide":
        return deadline.pending_extension_days is not None
    if step.key == "publish":
        return message.publish_consent
    return True


@dataclass(frozen=True)
class Panel:
    step: Step
    form: object
    url: str


def _render_detail(request, message: Message, *, bound=None, status=200, error=""):
    bound = bound or {}
    deadline = selectors.message_deadline(message)
    panels = [
        Panel(step, bound.get(step.key) or step.form(message, prefix=step.key),
              reverse(step.url_name, args=[message.pk]))
        for step in STEPS if _offered(step, request.user, message, deadline)
    ]
    full = permissions.can_see_personal_data(request.user, message)
    contact = selectors.writer_contact(message, full=full)
    if full and (message.name or message.phone or message.email):
        services.personal_data_viewed(actor=request.user, message=message)
    return render(request, "interaction/staff/detail.html", {
        "m": message, "deadline": deadline, "contact": contact,
        "subject": message.subject if full else selectors.masked_text(message, message.subject),
        "content": message.content if full else selectors.masked_text(message, message.content), "panels": panels, "error": error,
        "history": selectors.message_history(message), "replies": selectors.message_replies(message),
        "notes": selectors.screening_notes(message) if any(p.step.key == "publish" for p in panels) else None,
    }, status=status)


PAGE = ActionPage(
    url_name="staff:message-detail",
    load=lambda *, user, pk: selectors.message_get_for_user(user=user, pk=pk),
    render=_render_detail,
)


@staff_required
@require_GET
def message_detail(request, pk: int):
    return _render_detail(request, selectors.message_get_for_user(user=request.user, pk=pk))


def _step(key: str):
    step = STEP_BY_KEY[key]

    def bind(message, *, data, files, prefix):
        return step.form(message, data=data, prefix=prefix)

    return PAGE.step(title=step.title, may=step.may, bind=bind, prefix=key)


@_step("assign")
def message_assign(request, message, data):
    services.message_assign(actor=request.user, message=message, department=data["department"],
                            category=data.get("category", ""), reason=data.get("reason", ""))
    return f"已分办至{data['department'].name}。"


@_step("transfer")
def message_transfer(request, message, data):
    services.message_transfer(actor=request.user, message=message, to_agency=data["to_agency"],
                              reason=data["reason"])
    return f"已转办至{data['to_agency'].name}。"


@_step("dismiss")
def message_dismiss(request, message, data):
    services.message_dismiss(actor=request.user, message=message, reason=data["reason"])
    return "已标记为不予处理。"


@_step("reply")
def message_reply(request, message, data):
    services.reply_submit(actor=request.user, message=message, text=data["text"])
    return "答复已提交公开办审核。"


@_step("check")
def message_check(request, message, data):
    passed = data["decision"] == "release"
    services.reply_check(actor=request.user, message=message, passed=passed, note=data.get("note", ""))
    return "审核通过，已答复留言人。" if passed else "已退回修改。"


@_step("extension-request")
def message_extension_request(request, message, data):
    services.extension_request(actor=request.user, message=message, days=data["days"],
                               reason=data["reason"])
    return "延期申请已提交，待审批领导审批。"


@_step("extension-decide")
def message_extension_decide(request, message, data):
    approve = data["decision"] == "approve"
    services.extension_decide(actor=request.user, message=message, approve=approve,
                              note=data.get("note", ""))
    return "已同意延期。" if approve else "已不同意延期。"


@_step("publish")
def message_publish(request, message, data):
    services.message_publish(
        actor=request.user, message=message,
        text=services.PublicText(data["public_subject"], data["public_content"], data["public_reply"]),
        words_checked=data.get("words_checked", False), reason=data.get("reason", ""))
    return "已在网站公开留言及答复。"


@_step("unpublish")
def message_unpublish(request, message, data):
    services.message_unpublish(actor=request.user, message=message, reason=data["reason"])
    return "已撤回公开。"


# --- statistics and settings ------------------------------------------------------------------------------------


@staff_required
@require_GET
def message_statistics(request):
    if not permissions.can_view_messages_area(request.user):
        raise PermissionDenied
    agency = chosen_agency(request)
    form = forms.StatisticsForm(request.GET or None)
    today = clock.today()
    start, end = dt.date(today.year, 1, 1), today
    if form.is_valid():
        start = form.cleaned_data.get("start") or start
        end = form.cleaned_data.get("end") or end
    stats = None
    if agency is not None:
        agencies = [agency]
        if request.GET.get("subtree") == "1":
            agencies = list(permissions.agencies_for_statistics(request.user)
                            .filter(path__startswith=agency.path))
        stats = selectors.message_statistics(agencies=agencies, start=start, end=end)
    return render(request, "interaction/staff/statistics.html", {
        "agency": agency, "form": form, "stats": stats, "start": start, "end": end,
        "subtree": request.GET.get("subtree") == "1",
    }, status=200 if not form.errors else 400)


@staff_required
@require_http_methods(["GET", "POST"])
def message_settings(request):
    membership = request.membership
    agency = membership.agency if membership else None
    if agency is None or not permissions.can_manage_settings(request.user, agency):
        raise PermissionDenied("只有本机关公开办可以设置留言答复期限。")
    current = selectors.message_settings_of(agency)
    if request.method == "POST":
        form = forms.SettingsForm(request.POST)
        if form.is_valid():
            try:
                services.settings_update(actor=request.user, agency=agency,
                                         reply_working_days=form.cleaned_data["reply_working_days"])
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                flash.success(request, "已保存留言答复期限。")
                return redirect("staff:message-settings")
        status = 400
    else:
        form = forms.SettingsForm(initial={"reply_working_days": current.reply_working_days})
        status = 200
    return render(request, "interaction/staff/settings.html", {
        "agency": agency, "form": form, "default_days": rules.DEFAULT_REPLY_WORKING_DAYS,
    }, status=status)
