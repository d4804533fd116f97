"""Pages of the decisions area: the back office (list, one decision, import with a dry run
then confirmation, publish, withdraw) and the public listing of an agency's decisions.

Views are thin: the same 404 for a missing and a foreign record (selectors), 403 for the
wrong role before any input is read, the importer and services for the rules."""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongkai.core import clock
from gongkai.core import selectors as core_selectors
from gongkai.core.errors import DomainError, InvalidTransition
from gongkai.core.masking import mask_id_number
from gongkai.core.models import Agency
from gongkai.core.views.base import chosen_agency, staff_required
from gongkai.decisions import permissions, rules, selectors, services
from gongkai.decisions.columns import COLUMNS
from gongkai.decisions.forms import (
    ImportUploadForm,
    PublicFilterForm,
    StaffFilterForm,
    WithdrawForm,
)
from gongkai.decisions.importer import MAX_ROWS
from gongkai.decisions.models import DecisionKind, DecisionStatus, StagedImportState

PAGE_SIZE = 50




def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- back office --------------------------------------------------------------------------

@staff_required
@require_GET
def decision_list(request):
    if not permissions.can_view_decisions_area(request.user):
        raise PermissionDenied
    agency = chosen_agency(request)
    if agency is None:
        return render(request, "decisions/staff/list.html", {"agency": None})
    form = StaffFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.decision_list(user=request.user, agency=agency, status=data.get("status", ""),
                                 kind=data.get("kind", ""), year=data.get("year"))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    can_manage = permissions.can_manage_decisions(request.user, agency)
    limits = selectors.fine_limits_for(agency)
    return render(request, "decisions/staff/list.html", {
        "agency": agency,
        "form": form,
        "page": page,
        "rows": selectors.decision_rows(page.object_list, agency=agency, limits=limits),
        "query": _query_without_page(request),
        "kinds": DecisionKind.labels,
        "yearly": selectors.yearly_counts(agency=agency),
        "batches": selectors.pending_batches(agency=agency) if can_manage else [],
        "can_manage": can_manage,
        "limits": limits,
    })


def _render_detail(request, decision, *, withdraw_form=None, status=200):
    row = selectors.decision_rows([decision], agency=decision.agency)[0]
    can_manage = permissions.can_manage_decisions(request.user, decision.agency)
    return render(request, "decisions/staff/detail.html", {
        "row": row,
        "d": decision,
        "masked_id": mask_id_number(decision.party_id_number) if decision.party_id_number else "",
        "public": selectors.public_row(decision),
        "can_publish": can_manage and decision.status == DecisionStatus.PENDING,
        "can_withdraw": can_manage and decision.status in (DecisionStatus.PENDING,
                                                          DecisionStatus.PUBLISHED),
        "withdraw_form": withdraw_form or WithdrawForm(initial={"changed_on": clock.today()}),
    }, status=status)


@staff_required
@require_GET
def decision_detail(request, pk: int):
    decision = selectors.decision_get_for_user(user=request.user, pk=pk)
    return _render_detail(request, decision)


def _require_manage(request, agency: Agency) -> None:
    if not permissions.can_manage_decisions(request.user, agency):
        raise PermissionDenied("只有本机关的政府信息公开工作人员可以办理。")


@staff_required
@require_POST
def decision_publish(request, pk: int):
    decision = selectors.decision_get_for_user(user=request.user, pk=pk)
    _require_manage(request, decision.agency)
    try:
        services.decision_publish(actor=request.user, decision=decision)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已公示 {decision.number}。")
    return redirect("staff:decision-detail", pk=decision.pk)


@staff_required
@require_POST
def decision_withdraw(request, pk: int):
    decision = selectors.decision_get_for_user(user=request.user, pk=pk)
    _require_manage(request, decision.agency)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            decision = services.decision_withdraw(
                actor=request.user, decision=decision, changed_on=form.cleaned_data["changed_on"],
                reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            row = selectors.decision_rows([decision], agency=decision.agency)[0]
            late = (f"（已超过{rules.WITHDRAWAL_LIMIT_DAYS}个工作日的撤回时限）"
                    if row.withdrawn_late else "")
            messages.success(request, f"已撤回 {decision.number}{late}。")
            return redirect("staff:decision-detail", pk=decision.pk)
    return _render_detail(request, decision, withdraw_form=form, status=400)


@staff_required
@require_POST
def batch_publish(request, pk: int):
    batch = selectors.batch_get_for_office(user=request.user, pk=pk)
    _require_manage(request, batch.agency)
    try:
        count = services.batch_publish(actor=request.user, batch=batch)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已公示“{batch.file_name}”中的{count}条决定。")
    return redirect(f"{reverse('staff:decision-list')}?agency={batch.agency_id}")


def _import_page(request, form, *, report=None, staged=None, status=200):
    return render(request, "decisions/staff/import.html", {
        "form": form, "report": report, "staged": staged, "columns": COLUMNS,
        "max_rows": MAX_ROWS,
    }, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def decision_import(request):
    """Step one: upload and dry run. Nothing is saved but the file itself (encrypted),
    kept for the confirmation."""
    if not permissions.agencies_managed_by(request.user).exists():
        raise PermissionDenied("只有政府信息公开工作人员可以导入公示信息。")
    if request.method != "POST":
        membership = request.membership
        initial = {"agency": membership.agency} if membership else {}
        return _import_page(request, ImportUploadForm(user=request.user, initial=initial))
    form = ImportUploadForm(request.POST, request.FILES, user=request.user)
    if not form.is_valid():
        return _import_page(request, form, status=400)
    result = services.staged_import_create(
        actor=request.user, agency=form.cleaned_data["agency"], upload=form.cleaned_data["file"],
        held=form.cleaned_data["held"])
    return _import_page(request, form, report=result.report, staged=result.staged,
                        status=200 if result.report.ok else 400)


@staff_required
@require_POST
def decision_import_confirm(request, pk: int):
    """Step two: a worker imports the file that passed its dry run, all or nothing."""
    staged = services.staged_import_get(actor=request.user, pk=pk)
    if staged is None:
        raise Http404("待确认的导入文件不存在或已过期，请重新上传。")
    # Confirmed twice (a double click): the first one's page says how it went.
    with contextlib.suppress(InvalidTransition):
        services.staged_import_confirm(actor=request.user, staged=staged)
    return redirect("staff:decision-import-status", pk=staged.pk)


IMPORT_REFRESH_SECONDS = 3


@staff_required
@require_GET
def decision_import_status(request, pk: int):
    """Step three: while the worker imports, a page that refreshes itself; then the list
    with what was imported, or the problems found by the check at import."""
    staged = services.staged_import_get(actor=request.user, pk=pk)
    if staged is None or staged.state == StagedImportState.STAGED:
        raise Http404("该导入文件不存在或已过期，请重新上传。")
    if staged.state == StagedImportState.DONE:
        messages.success(request, services.import_outcome_message(staged.outcome))
        return redirect(f"{reverse('staff:decision-list')}?agency={staged.agency_id}")
    return render(request, "decisions/staff/import_status.html", {
        "staged": staged, "refresh": IMPORT_REFRESH_SECONDS,
        "refused": staged.state == StagedImportState.REFUSED,
    })


# --- public --------------------------------------------------------------------------------

@require_GET
def public_index(request):
    agencies = core_selectors.agencies_public()
    return render(request, "decisions/portal/index.html", {"agencies": agencies})


@require_GET
def public_list(request, code: str):
    """An agency's licensing, penalty and enforcement decisions in their publication
    period, with personal data processed (Order 45 Art. 6): natural persons' names masked,
    resident ID numbers never shown, organisations' credit codes shown."""
    agency = core_selectors.agencies_public().filter(code=code).first()
    if agency is None:
        raise Http404("机关不存在")
    form = PublicFilterForm(request.GET or None)
    kind = form.cleaned_data["kind"] if form.is_valid() else ""
    limits = selectors.fine_limits_for(agency)
    qs = selectors.public_decisions(agency=agency, limits=limits, kind=kind)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    notices = [selectors.public_notice(d)
               for d in selectors.public_withdrawal_notices(agency=agency, limits=limits)]
    return render(request, "decisions/portal/list.html", {
        "agency": agency,
        "form": form,
        "page": page,
        "rows": [selectors.public_row(d) for d in page.object_list],
        "notices": notices,
        "query": _query_without_page(request),
    })
