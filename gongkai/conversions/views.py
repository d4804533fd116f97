"""The back office's page of proposals (依申请转主动建议), one proposal with its two
decisions (convert, dismiss), one conversion, and the agency's threshold.

Views are thin: the same 404 for a missing and a foreign agency, proposal or conversion
(selectors); 403 for the wrong role before any input is read; the services for the rules;
the POST steps in the shape of ``core.views.actions.ActionPage``."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from gongkai.conversions import permissions, selectors, services
from gongkai.conversions.forms import AgencyFilterForm, ConvertForm, DismissForm, SettingsForm
from gongkai.conversions.workflow import Action, allowed_actions
from gongkai.core import clock
from gongkai.core.errors import DomainError
from gongkai.core.views.actions import ActionPage
from gongkai.core.views.base import chosen_agency, staff_required
from gongkai.publishing import selectors as publishing_selectors

NOT_THIS_ROLE = selectors.NOT_THIS_ROLE


def list_url(agency_id: int | None = None) -> str:
    return reverse("staff:conversion-list") + (f"?{urlencode({'agency': agency_id})}" if agency_id else "")




def _render_list(request, agency, *, settings_form=None, status=200):
    user = request.user
    several = permissions.reads_several_agencies(user)
    filter_form = AgencyFilterForm(
        initial={"agency": agency}, agencies=permissions.agencies_readable_by(user)) if several else None
    if agency is None:
        return render(request, "conversions/staff/list.html",
                      {"agency": None, "filter_form": filter_form}, status=status)
    if not permissions.can_view_agency_proposals(user, agency):
        raise PermissionDenied(NOT_THIS_ROLE)
    min_applicants = selectors.min_applicants_for(agency)
    can_decide = permissions.can_decide(user, agency)
    if can_decide and settings_form is None:
        settings_form = SettingsForm(initial={"min_applicants": min_applicants})
    return render(request, "conversions/staff/list.html", {
        "agency": agency,
        "filter_form": filter_form,
        "proposals": selectors.proposals_for(agency),
        "min_applicants": min_applicants,
        "conversions": selectors.recent_conversions(agency),
        "dismissals": selectors.recent_dismissals(agency),
        "can_decide": can_decide,
        "settings_form": settings_form if can_decide else None,
    }, status=status)


@staff_required
@require_GET
def proposal_list(request):
    if not permissions.can_view_area(request.user):
        raise PermissionDenied(NOT_THIS_ROLE)
    return _render_list(request, chosen_agency(request))


@staff_required
@require_POST
def conversion_settings(request):
    """The agency's threshold (the office only)."""
    raw = request.POST.get("agency", "")
    if not raw.isdigit():
        raise Http404("机关不存在")
    agency = selectors.agency_get_for_user(user=request.user, pk=int(raw))
    if not permissions.can_decide(request.user, agency):
        raise PermissionDenied("只有本机关的政府信息公开工作机构可以修改此设置。")
    form = SettingsForm(request.POST)
    if form.is_valid():
        try:
            services.conversion_settings_save(actor=request.user, agency=agency,
                                              min_applicants=form.cleaned_data["min_applicants"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已保存：{form.cleaned_data['min_applicants']}个以上不同申请人"
                                      "申请并获公开的相同政府信息，将建议转为主动公开。")
            return redirect(list_url(agency.pk))
    return _render_list(request, agency, settings_form=form, status=400)


# --- one proposal --------------------------------------------------------------------------


def _convert_form(proposal, **kwargs) -> ConvertForm:
    columns = publishing_selectors.columns_for_publication_form(proposal.agency)
    return ConvertForm(columns=columns, **kwargs)


def render_proposal(request, proposal, *, bound=None, error: str = "", status: int = 200):
    """The proposal's page; ``bound`` carries a refused step's form with its errors.
    ``proposal`` is None when it changed while a step was being refused."""
    if proposal is None:
        return render(request, "conversions/staff/proposal.html",
                      {"proposal": None, "error": error}, status=status)
    bound = bound or {}
    user = request.user
    cluster = proposal.cluster
    actions = allowed_actions(proposal.status) if permissions.can_decide(user, proposal.agency) else []
    convert_form = bound.get("convert") or _convert_form(proposal, prefix="convert", initial={
        "title": cluster.suggested_title, "written_on": clock.today(), "include_files": True})
    dismiss_form = bound.get("dismiss") or DismissForm(prefix="dismiss")
    first_link = {}
    for link in cluster.links:
        first_link.setdefault(link.b, link)
    numbers = {r.pk: r.tracking_number for r in cluster.requests}
    decided_before = bool(proposal.conversions or proposal.dismissals)
    already_converted = selectors.live_conversion(proposal)
    rows = []
    for r in cluster.requests:
        link = first_link.get(r.pk)
        rows.append({"request": r, "link": link, "linked_to": numbers.get(link.a, "") if link else "",
                     "new": decided_before and r.pk in cluster.undecided})
    return render(request, "conversions/staff/proposal.html", {
        "proposal": proposal,
        "cluster": cluster,
        "rows": rows,
        "can_convert": Action.CONVERT in actions and already_converted is None,
        "already_converted": already_converted,
        "can_dismiss": Action.DISMISS in actions,
        "convert_form": convert_form,
        "dismiss_form": dismiss_form,
        "error": error,
    }, status=status)


def _reload(*, user, pk):
    try:
        return selectors.proposal_get_for_user(user=user, pk=pk)
    except Http404:
        return None  # it changed meanwhile: the page says so


@staff_required
@require_GET
def proposal_detail(request, pk: str):
    return render_proposal(request, selectors.proposal_get_for_user(user=request.user, pk=pk))


PAGE = ActionPage("staff:conversion-proposal", load=selectors.proposal_get_for_user,
                  render=render_proposal, reload=_reload)


def _may_decide(user, proposal) -> bool:
    return permissions.can_decide(user, proposal.agency)


def _bind_convert(proposal, *, data, files, prefix):
    return _convert_form(proposal, data=data, prefix=prefix)


def _bind_dismiss(proposal, *, data, files, prefix):
    return DismissForm(data=data, prefix=prefix)


@PAGE.step(title="转为主动公开", may=_may_decide, bind=_bind_convert, prefix="convert")
def proposal_convert(request, proposal, data):
    conversion = services.proposal_convert(
        actor=request.user, agency=proposal.agency, key=proposal.pk, column=data["column"],
        title=data["title"], written_on=data["written_on"], include_files=data["include_files"])
    publication = conversion.publication
    return (f"已生成草稿“{publication.title}”（索引号 {publication.index_number}），"
            "请在主动公开中提交保密审查，审查、审批通过后发布。")


@PAGE.step(title="不予转为主动公开", may=_may_decide, bind=_bind_dismiss, prefix="dismiss")
def proposal_dismiss(request, proposal, data):
    services.proposal_dismiss(actor=request.user, agency=proposal.agency, key=proposal.pk,
                              reason=data["reason"])
    return "已记录不予转为主动公开及其理由；除非有新的申请加入，该建议不再提出。"


# --- one conversion ------------------------------------------------------------------------


@staff_required
@require_GET
def conversion_detail(request, pk: int):
    conversion = selectors.conversion_get_for_user(user=request.user, pk=pk)
    return render(request, "conversions/staff/conversion.html", {
        "conversion": conversion,
        "publication": conversion.publication,
        "requests": selectors.conversion_requests(conversion),
        "events": conversion.events.select_related("actor"),
    })
