"""Back-office pages of the register of rules and normative documents: the list (filtered
by kind, status, year of issue and interpretation flag), a document's page with its
interpretations, registration, repeal and adding an interpretation.

Everyone in scope reads the register; only the agency's disclosure office writes it
(403). A document outside the user's scope is 404, for reads and writes alike."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gongkai.core import clock
from gongkai.core import permissions as core_permissions
from gongkai.core.errors import DomainError
from gongkai.core.models import Role
from gongkai.core.views.base import staff_required
from gongkai.publishing import permissions, selectors
from gongkai.publishing.models import NormativeDocument
from gongkai.publishing.registers_forms import (
    InterpretationAddForm,
    NormativeDocumentForm,
    NormativeFilterForm,
    RepealForm,
)
from gongkai.publishing.services import normative as svc

PAGE_SIZE = 50


def _office_agency(request):
    """The active membership's agency, when that membership is its disclosure office."""
    membership = request.membership
    if not membership or membership.role != Role.OFFICE:
        raise PermissionDenied("只有公开办工作人员可以登记规章和规范性文件。")
    return membership.agency


@staff_required
def normative_list(request):
    several = permissions.reads_several_agencies(request.user)
    form = NormativeFilterForm(
        request.GET or None,
        agencies=core_permissions.agencies_visible_to(request.user).order_by("path")
        if several
        else None,
    )
    data = form.cleaned_data if form.is_valid() else {}
    documents = selectors.normative_document_list_for_user(
        user=request.user,
        kind=data.get("kind", ""),
        status=data.get("status", ""),
        year=data.get("year"),
        agency_id=data["agency"].pk if data.get("agency") else None,
    )
    flag = data.get("flag", "")
    if flag:
        # The flag is derived from the calendar, so it is filtered after the query.
        rows = [r for r in selectors.normative_rows(documents) if r.interpretation.state == flag]
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        page_rows = list(page.object_list)
    else:
        page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
        page_rows = selectors.normative_rows(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    membership = request.membership
    return render(
        request,
        "publishing/staff/register_list.html",
        {
            "form": form,
            "page": page,
            "rows": page_rows,
            "query": query.urlencode(),
            "show_agency": several,
            "caption": f"共{page.paginator.count}件",
            "can_register": bool(membership and membership.role == Role.OFFICE),
        },
    )


@staff_required
def normative_register(request):
    agency = _office_agency(request)
    form = NormativeDocumentForm(request.POST or None, agency=agency)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = svc.normative_document_register(
                actor=request.user,
                agency=agency,
                kind=data["kind"],
                title=data["title"],
                doc_number=data["doc_number"],
                issued_on=data["issued_on"],
                effective_on=data["effective_on"],
                drafting_department=data["drafting_department"],
                publication=data["index_number"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已登记：{document}")
            return redirect("staff:normative-detail", pk=document.pk)
    return render(
        request,
        "publishing/staff/register_form.html",
        {
            "form": form,
            "agency": agency,
        },
        status=400 if request.method == "POST" else 200,
    )


def _render_detail(
    request,
    document: NormativeDocument,
    *,
    repeal_form=None,
    interpretation_form=None,
    error: str = "",
    status: int = 200,
):
    can_write = svc.can_keep_register(request.user, document.agency)
    row = selectors.normative_rows([document])[0]
    return render(
        request,
        "publishing/staff/register_detail.html",
        {
            "document": document,
            "row": row,
            "interpretations": document.interpretations.all(),
            "can_write": can_write,
            "repeal_form": repeal_form
            or RepealForm(prefix="repeal", initial={"repealed_on": clock.today()}),
            "interpretation_form": interpretation_form
            or InterpretationAddForm(
                prefix="interpretation",
                agency=document.agency,
                initial={"published_on": clock.today()},
            ),
            "error": error,
        },
        status=status,
    )


@staff_required
def normative_detail(request, pk: int):
    document = selectors.normative_document_get_for_user(user=request.user, pk=pk)
    return _render_detail(request, document)


def _writable(request, pk: int) -> NormativeDocument:
    document = selectors.normative_document_get_for_user(user=request.user, pk=pk)
    if not svc.can_keep_register(request.user, document.agency):
        raise PermissionDenied("只有本机关公开办可以维护规章和规范性文件登记。")
    return document


@staff_required
@require_POST
def normative_repeal(request, pk: int):
    document = _writable(request, pk)
    form = RepealForm(request.POST, prefix="repeal")
    if form.is_valid():
        try:
            svc.normative_document_repeal(
                actor=request.user,
                document=document,
                repealed_on=form.cleaned_data["repealed_on"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "已登记废止/失效。")
            return redirect("staff:normative-detail", pk=document.pk)
    return _render_detail(
        request, document, repeal_form=form, status=400, error="未登记废止/失效：请按提示修改。"
    )


@staff_required
@require_POST
def normative_interpretation_add(request, pk: int):
    document = _writable(request, pk)
    form = InterpretationAddForm(request.POST, prefix="interpretation", agency=document.agency)
    if form.is_valid():
        data = form.cleaned_data
        try:
            svc.interpretation_add(
                actor=request.user,
                document=document,
                form=data["form"],
                title=data["title"],
                published_on=data["published_on"],
                publication=data["index_number"],
                url=data["url"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "已登记解读。")
            return redirect("staff:normative-detail", pk=document.pk)
    return _render_detail(
        request, document, interpretation_form=form, status=400, error="未登记解读：请按提示修改。"
    )
