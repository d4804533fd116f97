"""Pages of the consultations area: the back office (list, draft, one consultation with its
steps, comment screening, opinions, feedback, period settings) and the public pages
(all consultations, an agency's, one consultation with its comment form and feedback).

Views are thin: the same 404 for a missing and a foreign record (selectors), 403 for the
wrong role before any input is read, the services for the rules."""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongkai.consultations import permissions, selectors, services
from gongkai.consultations.forms import (
    COMMENT_RATE,
    AttachmentForm,
    CommentForm,
    DraftForm,
    FeedbackForm,
    FinalDocumentForm,
    OpinionForm,
    ReasonForm,
    RequiredReasonForm,
    SettingsForm,
)
from gongkai.consultations.models import CommentStatus, ConsultationStatus, Phase
from gongkai.consultations.workflow import Action, allowed_actions
from gongkai.core import clock
from gongkai.core import selectors as core_selectors
from gongkai.core.errors import DomainError
from gongkai.core.views.actions import ActionPage
from gongkai.core.views.base import chosen_agency, staff_required
from gongkai.identity.public import public_account_of

PAGE_SIZE = 30
S = ConsultationStatus




# --- back office: list, draft ----------------------------------------------------------------

@staff_required
@require_GET
def consultation_list(request):
    if not permissions.can_view_area(request.user):
        raise PermissionDenied
    agency = chosen_agency(request)
    if agency is None:
        return render(request, "consultations/staff/list.html", {"agency": None})
    queue = request.GET.get("queue", "")
    queue = queue if queue in selectors.QUEUES else ""
    qs = selectors.consultation_list(user=request.user, agency=agency, queue=queue)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    today = clock.today()
    return render(request, "consultations/staff/list.html", {
        "agency": agency, "page": page, "queue": queue, "queues": selectors.QUEUES,
        "rows": [(c, selectors.phase(c, today)) for c in page.object_list],
        "can_manage": permissions.can_manage(request.user, agency),
        "query": f"agency={agency.pk}&queue={queue}",
    })


def _draft_page(request, form, *, consultation=None, agency=None, status=200):
    agency = consultation.agency if consultation else agency
    return render(request, "consultations/staff/draft.html", {
        "form": form, "c": consultation, "agency": agency,
        "periods": {label: selectors.periods_for(agency, kind) for kind, label in form.fields["kind"].choices},
        "default_minimum": selectors.rules.DEFAULT_MINIMUM_PERIOD_DAYS,
    }, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def consultation_new(request):
    agency = chosen_agency(request)
    if agency is None or not permissions.can_manage(request.user, agency):
        raise PermissionDenied("只有本机关的政府信息公开工作人员可以发起意见征集。")
    if request.method != "POST":
        opens, closes = services.default_dates(agency, "normative")
        return _draft_page(request, DraftForm(initial={"kind": "normative", "opens_on": opens,
                                                       "closes_on": closes}), agency=agency)
    form = DraftForm(request.POST)
    if form.is_valid():
        try:
            c = services.consultation_create(actor=request.user, agency=agency, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "已保存草稿。")
            return redirect("staff:consultation-detail", pk=c.pk)
    return _draft_page(request, form, agency=agency, status=400)


@staff_required
@require_http_methods(["GET", "POST"])
def consultation_edit(request, pk: int):
    c = selectors.consultation_get_for_user(user=request.user, pk=pk)
    if not permissions.can_manage(request.user, c.agency):
        raise PermissionDenied("只有本机关的政府信息公开工作人员可以修改。")
    if request.method != "POST":
        return _draft_page(request, DraftForm(initial={f: getattr(c, f) for f in services.DRAFT_FIELDS}),
                           consultation=c)
    form = DraftForm(request.POST)
    if form.is_valid():
        try:
            services.consultation_update(actor=request.user, consultation=c, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "已保存修改。")
            return redirect("staff:consultation-detail", pk=c.pk)
    return _draft_page(request, form, consultation=c, status=400)


# --- back office: one consultation ------------------------------------------------------------

def _opinion_form(c, comments, **kwargs):
    return OpinionForm(
        articles=[(str(a), label) for a, label in
                  [("", "草案整体")] + [(x.number, x.label) for x in selectors.articles_of(c)]],
        comments=[(x.pk, f"#{x.pk}") for x in comments if x.status == CommentStatus.ACCEPTED],
        **kwargs)


def _render_detail(request, c, *, bound=None, status=200, error=""):
    bound = bound or {}
    user = request.user
    today = clock.today()
    phase = selectors.phase(c, today)
    can_manage = permissions.can_manage(user, c.agency)
    actions = allowed_actions(c.status)
    comments = list(selectors.staff_comments(c))
    periods = selectors.periods_for(c.agency, c.kind)
    return render(request, "consultations/staff/detail.html", {
        "c": c, "phase": phase, "today": today, "error": error,
        "periods": periods,
        "period_days": selectors.rules.period_days(c.opens_on, c.closes_on),
        "feedback_due": selectors.feedback_due_on(c, periods),
        "overdue": selectors.is_feedback_overdue(c, today),
        "articles": selectors.articles_of(c),
        "attachments": selectors.attachments_of(c),
        "comments": selectors.comment_rows(comments, full=permissions.can_see_contact(user, c.agency)),
        "feedback": selectors.feedback_of(c),
        "events": selectors.events_of(c),
        "can_manage": can_manage,
        "can_edit": can_manage and Action.EDIT in actions,
        "can_submit": can_manage and Action.SUBMIT in actions,
        "can_attach": can_manage and Action.ATTACH in actions,
        "can_approve": permissions.can_approve(user, c.agency) and Action.APPROVE in actions,
        "can_withdraw": permissions.can_withdraw(user, c.agency) and Action.WITHDRAW in actions,
        "can_screen": can_manage and c.status == S.PUBLISHED,
        "can_opine": can_manage and phase == Phase.CLOSED,
        "can_feedback": can_manage and phase == Phase.CLOSED,
        "can_link": can_manage and Action.LINK_FINAL in actions,
        "submit_form": bound.get("submit") or ReasonForm(prefix="submit"),
        "approve_form": bound.get("approve") or ReasonForm(prefix="approve"),
        "return_form": bound.get("return") or RequiredReasonForm(prefix="return"),
        "withdraw_form": bound.get("withdraw") or RequiredReasonForm(prefix="withdraw"),
        "attach_form": bound.get("attach") or AttachmentForm(prefix="attach"),
        "opinion_form": bound.get("opinion") or _opinion_form(c, comments, prefix="opinion"),
        "feedback_form": bound.get("feedback") or FeedbackForm(prefix="feedback"),
        "final_form": bound.get("final") or FinalDocumentForm(
            prefix="final", documents=selectors.normative_documents_for(c.agency),
            initial={"document": c.final_document_id}),
        "public_url": reverse("portal:consultation-detail", args=[c.pk]),
    }, status=status)


PAGE = ActionPage(url_name="staff:consultation-detail", load=selectors.consultation_get_for_user,
                  render=_render_detail)


@staff_required
@require_GET
def consultation_detail(request, pk: int):
    return _render_detail(request, selectors.consultation_get_for_user(user=request.user, pk=pk))


def _bind_plain(form_class):
    return lambda obj, *, data, files, prefix: form_class(data=data, files=files, prefix=prefix)


def _manager(user, c) -> bool:
    return permissions.can_manage(user, c.agency)


@PAGE.step(title="提交审核", may=_manager, bind=_bind_plain(ReasonForm), prefix="submit")
def consultation_submit(request, c, data):
    services.consultation_submit(actor=request.user, consultation=c, reason=data["reason"])
    return "已提交领导审核。"


@PAGE.step(title="审核发布", may=lambda u, c: permissions.can_approve(u, c.agency),
           bind=_bind_plain(ReasonForm), prefix="approve")
def consultation_approve(request, c, data):
    services.consultation_approve(actor=request.user, consultation=c, reason=data["reason"])
    return "已审核同意并发布。"


@PAGE.step(title="退回修改", may=lambda u, c: permissions.can_approve(u, c.agency),
           bind=_bind_plain(RequiredReasonForm), prefix="return")
def consultation_return(request, c, data):
    services.consultation_return(actor=request.user, consultation=c, reason=data["reason"])
    return "已退回修改。"


@PAGE.step(title="撤回", may=lambda u, c: permissions.can_withdraw(u, c.agency),
           bind=_bind_plain(RequiredReasonForm), prefix="withdraw")
def consultation_withdraw(request, c, data):
    services.consultation_withdraw(actor=request.user, consultation=c, reason=data["reason"])
    return "已撤回。"


@PAGE.step(title="上传附件", may=_manager, bind=_bind_plain(AttachmentForm), prefix="attach")
def attachment_add(request, c, data):
    a = services.attachment_add(actor=request.user, consultation=c, upload=data["file"], name=data["name"])
    return f"已上传附件“{a.name}”。"


def _bind_opinion(c, *, data, files, prefix):
    return _opinion_form(c, list(selectors.staff_comments(c)), data=data, prefix=prefix)


@PAGE.step(title="归纳意见", may=_manager, bind=_bind_opinion, prefix="opinion")
def opinion_create(request, c, data):
    services.opinion_create(actor=request.user, consultation=c, summary=data["summary"],
                            disposition=data["disposition"], reason=data["reason"],
                            article=data["article"], comment_ids=data["comments"])
    return "已记录归纳意见。"


@PAGE.step(title="公布采纳情况", may=_manager, bind=_bind_plain(FeedbackForm), prefix="feedback")
def feedback_publish(request, c, data):
    services.feedback_publish(actor=request.user, consultation=c, summary=data["summary"])
    return "已公布采纳情况。"


def _bind_final(c, *, data, files, prefix):
    return FinalDocumentForm(data=data, prefix=prefix, documents=selectors.normative_documents_for(c.agency))


@PAGE.step(title="关联正式文件", may=_manager, bind=_bind_final, prefix="final")
def final_document_link(request, c, data):
    services.final_document_link(actor=request.user, consultation=c, document=data["document"])
    return "已更新关联的正式文件。" if data["document"] else "已取消关联的正式文件。"


@staff_required
@require_POST
def opinion_delete(request, pk: int):
    opinion = selectors.opinion_get_for_user(user=request.user, pk=pk)
    if not permissions.can_manage(request.user, opinion.consultation.agency):
        raise PermissionDenied("您的岗位不能办理此项操作。")
    try:
        services.opinion_delete(actor=request.user, opinion=opinion)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已删除归纳意见。")
    return redirect(reverse("staff:consultation-detail", args=[opinion.consultation_id]) + "#opinions")


@staff_required
@require_POST
def comment_decide(request, pk: int):
    """Accept (display, personal data masked) or reject (with reason) one comment."""
    comment = selectors.comment_get_for_user(user=request.user, pk=pk)
    c = comment.consultation
    if not permissions.can_manage(request.user, c.agency):
        raise PermissionDenied("您的岗位不能办理此项操作。")
    decision = request.POST.get("decision")
    try:
        if decision == "accept":
            services.comment_accept(actor=request.user, comment=comment)
            messages.success(request, f"意见 #{comment.pk} 已采用展示。")
        elif decision == "reject":
            services.comment_reject(actor=request.user, comment=comment,
                                    reason=request.POST.get("reason", ""))
            messages.success(request, f"意见 #{comment.pk} 不予展示。")
        else:
            raise DomainError("请选择审核结果")
    except DomainError as exc:
        return _render_detail(request, selectors.consultation_get_for_user(user=request.user, pk=c.pk),
                              status=400, error=f"审核意见 #{comment.pk} 未完成：{exc.message}")
    return redirect(reverse("staff:consultation-detail", args=[c.pk]) + "#comments")


@staff_required
@require_http_methods(["GET", "POST"])
def consultation_settings(request):
    agency = chosen_agency(request)
    if agency is None:
        raise Http404("请先选择机关")
    can_manage = permissions.can_manage(request.user, agency)
    form, status = SettingsForm(), 200
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("只有本机关的政府信息公开工作人员可以修改期限设置。")
        form = SettingsForm(request.POST)
        if form.is_valid():
            try:
                services.settings_set(actor=request.user, agency=agency, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "已保存期限设置。")
                return redirect(reverse("staff:consultation-settings") + f"?agency={agency.pk}")
        status = 400
    return render(request, "consultations/staff/settings.html", {
        "agency": agency, "rows": selectors.settings_rows(agency), "form": form,
        "can_manage": can_manage,
        "default_minimum": selectors.rules.DEFAULT_MINIMUM_PERIOD_DAYS,
        "default_feedback": selectors.rules.DEFAULT_FEEDBACK_WORKING_DAYS,
    }, status=status)


# --- public ---------------------------------------------------------------------------------------

def _public_rows(qs):
    today = clock.today()
    return [(c, selectors.phase(c, today)) for c in qs]


@require_GET
def public_index(request):
    status = request.GET.get("status", "")
    status = status if status in ("open", "closed") else ""
    page = Paginator(selectors.public_consultations(status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "consultations/portal/index.html", {
        "page": page, "rows": _public_rows(page.object_list), "status": status,
        "query": f"status={status}", "hide_agency_bar": True,
    })


@require_GET
def public_agency_list(request, code: str):
    agency = core_selectors.agencies_public().filter(code=code).first()
    if agency is None:
        raise Http404("机关不存在")
    page = Paginator(selectors.public_consultations(agency=agency), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "consultations/portal/agency_list.html", {
        "agency": agency, "page": page, "rows": _public_rows(page.object_list), "query": "",
    })


def _public_detail(request, c, *, form=None, status=200):
    phase = selectors.phase(c)
    feedback = selectors.feedback_of(c) if c.status == S.FEEDBACK_PUBLISHED else None
    comments = list(selectors.displayed_comments(c))
    return render(request, "consultations/portal/detail.html", {
        "c": c, "agency": c.agency, "phase": phase,
        "period_days": selectors.rules.period_days(c.opens_on, c.closes_on),
        "articles": selectors.articles_of(c),
        "attachments": selectors.attachments_of(c),
        "comments": [(x, selectors.public_commenter(x), selectors.article_label(x.article)) for x in comments],
        "form": form or (CommentForm(choices=selectors.article_choices(c)) if phase == Phase.OPEN else None),
        "feedback": feedback,
        "final_url": (reverse("portal:normative-detail", args=[c.agency.code, c.final_document_id])
                      if c.final_document_id else ""),
    }, status=status)


@require_http_methods(["GET", "POST"])
def public_detail(request, pk: int):
    c = selectors.public_get(pk=pk)
    if request.method != "POST":
        return _public_detail(request, c)
    return _comment_post(request, c)


@never_cache
def _comment_post(request, c):
    if not COMMENT_RATE.allows(request):
        return render(request, "portal/rate_limited.html", {"what": "提交意见"}, status=429)
    form = CommentForm(request.POST, choices=selectors.article_choices(c))
    if form.is_valid():
        try:
            services.comment_submit(consultation=c, account=public_account_of(request),
                                    **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return render(request, "consultations/portal/comment_done.html", {"c": c, "agency": c.agency})
    return _public_detail(request, c, form=form, status=400)


@require_GET
def public_attachment(request, pk: int, attachment_pk: int):
    attachment = selectors.public_attachment_get(consultation_pk=pk, pk=attachment_pk)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("附件文件不存在") from None
    content_type = mimetypes.guess_type(attachment.download_name)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=attachment.download_name,
                            content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
