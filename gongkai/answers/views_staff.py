"""The FAQs' back office: the list, drafting and editing, one FAQ with its history, and
one POST per workflow step (``core.views.actions.ActionPage``): the same 404 for missing
and foreign FAQs, 403 for the wrong role before the input is read, a refusal shown on
the FAQ's page with status 400."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from gongkai.answers import forms, permissions, selectors, services
from gongkai.answers.models import FaqStatus
from gongkai.answers.workflow import Action, allowed_actions
from gongkai.core.errors import DomainError
from gongkai.core.views.actions import ActionPage
from gongkai.core.views.base import staff_required


@staff_required
@require_GET
def faq_list(request):
    if not permissions.can_view_faqs_area(request.user):
        raise PermissionDenied
    status = request.GET.get("status", "")
    status = status if status in FaqStatus.values else ""
    agency_id = request.GET.get("agency", "")
    agency_id = int(agency_id) if agency_id.isascii() and agency_id.isdigit() and len(agency_id) < 10 else None
    review = request.GET.get("review") == "1"
    return render(request, "answers/staff/list.html", {
        "faqs": selectors.faqs_for_user(user=request.user, status=status, agency_id=agency_id,
                                        review=review),
        "review": review,
        "status": status,
        "status_label": FaqStatus(status).label if status else "",
        "statuses": FaqStatus.choices,
        "can_create": permissions.agencies_drafted_by(request.user).exists(),
    })


@staff_required
@require_http_methods(["GET", "POST"])
def faq_create(request):
    agencies = permissions.agencies_drafted_by(request.user)
    if not agencies.exists():
        raise PermissionDenied("只有公开办或信息员可以起草常见问题。")
    form = forms.FaqCreateForm(request.POST or None, agencies=agencies)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                faq = services.faq_create(actor=request.user, agency=data["agency"],
                                          question=data["question"], answer=data["answer"],
                                          keywords=data["keywords"], for_subtree=data["for_subtree"])
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "已保存草稿。提交审核并通过后，才会在网站上公开。")
                return redirect("staff:faq-detail", pk=faq.pk)
        status = 400
    return render(request, "answers/staff/form.html", {"form": form, "faq": None}, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def faq_edit(request, pk: int):
    faq = selectors.faq_get_for_user(user=request.user, pk=pk)
    if not permissions.can_edit(request.user, faq):
        raise PermissionDenied("您不能修改该常见问题。")
    if Action.EDIT not in allowed_actions(faq.status):
        messages.error(request, "只有草稿可以修改；已发布的请先撤回，再重新编辑。")
        return redirect("staff:faq-detail", pk=faq.pk)
    form = forms.FaqForm(request.POST or None, instance=faq)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.faq_update(actor=request.user, faq=faq, question=data["question"],
                                    answer=data["answer"], keywords=data["keywords"],
                                    for_subtree=data["for_subtree"])
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "已保存修改。")
                return redirect("staff:faq-detail", pk=faq.pk)
        status = 400
        faq.refresh_from_db()
    return render(request, "answers/staff/form.html", {"form": form, "faq": faq}, status=status)


def render_detail(request, faq, *, bound=None, error: str = "", status: int = 200):
    user = request.user
    actions = set(allowed_actions(faq.status))
    bound = bound or {}
    return render(request, "answers/staff/detail.html", {
        "faq": faq,
        "events": selectors.faq_events(faq),
        "can_edit": Action.EDIT in actions and permissions.can_edit(user, faq),
        "can_submit": Action.SUBMIT in actions and permissions.can_edit(user, faq),
        "can_approve": Action.APPROVE in actions and permissions.can_approve(user, faq),
        "can_withdraw": Action.WITHDRAW in actions and permissions.can_withdraw(user, faq),
        "can_redraft": Action.REDRAFT in actions and permissions.can_redraft(user, faq),
        "self_submitted": faq.status == FaqStatus.SUBMITTED and faq.submitted_by_id == user.pk,
        "approve_form": bound.get("approve") or forms.OptionalReasonForm(prefix="approve"),
        "return_form": bound.get("return") or forms.ReasonForm(prefix="return"),
        "withdraw_form": bound.get("withdraw") or forms.ReasonForm(prefix="withdraw"),
        "error": error,
    }, status=status)


PAGE = ActionPage("staff:faq-detail", load=selectors.faq_get_for_user, render=render_detail)


def _bind(form_class):
    def bind(obj, *, data, files, prefix):
        return form_class(data=data, prefix=prefix)
    return bind


@PAGE.step(title="提交审核", may=permissions.can_edit, bind=_bind(forms.EmptyForm), prefix="submit")
def faq_submit(request, faq, data):
    services.faq_submit(actor=request.user, faq=faq)
    return "已提交审核。"


@PAGE.step(title="审核", may=lambda u, f: permissions.can_approve(u, f),
           bind=_bind(forms.OptionalReasonForm), prefix="approve")
def faq_approve(request, faq, data):
    services.faq_approve(actor=request.user, faq=faq, reason=data.get("reason", ""))
    return "已审核通过并在网站上发布。"


@PAGE.step(title="退回", may=lambda u, f: permissions.can_approve(u, f),
           bind=_bind(forms.ReasonForm), prefix="return")
def faq_return(request, faq, data):
    services.faq_return(actor=request.user, faq=faq, reason=data["reason"])
    return "已退回起草人修改。"


@PAGE.step(title="撤回", may=permissions.can_withdraw, bind=_bind(forms.ReasonForm), prefix="withdraw")
def faq_withdraw(request, faq, data):
    services.faq_withdraw(actor=request.user, faq=faq, reason=data["reason"])
    return "已从网站撤回。"


@PAGE.step(title="重新编辑", may=permissions.can_redraft, bind=_bind(forms.EmptyForm), prefix="redraft")
def faq_redraft(request, faq, data):
    services.faq_redraft(actor=request.user, faq=faq)
    return "已转为草稿，修改后请重新提交审核。"


@staff_required
@require_GET
def faq_detail(request, pk: int):
    return render_detail(request, selectors.faq_get_for_user(user=request.user, pk=pk))
