"""The compliance table, its XLSX export, the drill-downs and the thresholds page.

Thin views: the scope and the 404s come from ``selectors``, the rules from
``compliance`` and ``rules``, the writes from ``services``."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from gongkai.core import clock
from gongkai.core.errors import DomainError
from gongkai.core.views.base import staff_required
from gongkai.oversight import drilldown as drill
from gongkai.oversight import export, permissions, rules, selectors, services
from gongkai.oversight.forms import TableFilterForm, ThresholdForm


def _require_area(user) -> None:
    if not permissions.can_view_area(user):
        raise PermissionDenied(selectors.NOT_THIS_ROLE)


def _year(raw: str | None) -> int:
    this_year = clock.today().year
    if raw and raw.isdigit() and len(raw) == 4 and 2008 <= int(raw) <= this_year:
        return int(raw)
    return this_year


@staff_required
@require_GET
def compliance_table(request):
    # The page (and the export) build and free the whole table with the cycle collector
    # paused (see ``selectors.collector_paused``): the table's objects are freed by their
    # reference counts when ``_table_page`` returns, so no collection ever walks them.
    with selectors.collector_paused():
        return _table_page(request)


def _table_page(request):
    _require_area(request.user)
    roots = list(permissions.supervised_roots(request.user))
    form = TableFilterForm(request.GET or None, roots=roots)
    data = form.cleaned_data if form.is_valid() else {}
    root = selectors.root_for(request.user, str(data["root"]) if data.get("root") else request.GET.get("root"))
    if root is None:
        return render(request, "oversight/compliance.html", {"root": None, "form": form})
    table = selectors.compliance_table(
        user=request.user, root=root, year=_year(request.GET.get("year")), level=data.get("level", ""),
        kind=data.get("kind", ""), only_red=data.get("only_red", False), q=data.get("q", ""),
        sort=data.get("sort", ""), desc=data.get("desc", False))
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(export.table_xlsx(table), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        response["Content-Disposition"] = f'attachment; filename="oversight-{root.code}-{table.year}.xlsx"'
        return response
    page = Paginator(table.rows, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    sort_query = request.GET.copy()
    for key in ("page", "format", "sort", "desc"):
        sort_query.pop(key, None)
    return render(request, "oversight/compliance.html", {
        "root": root, "form": form, "table": table, "page": page, "query": query.urlencode(),
        "sort_query": sort_query.urlencode(), "sort": data.get("sort", ""), "desc": data.get("desc", False),
        "can_set_thresholds": permissions.can_set_thresholds(request.user, root),
        "marks": [rules.Mark.RED, rules.Mark.AMBER, rules.Mark.GREEN],
    })


@staff_required
@require_GET
def drilldown(request, agency_pk: int, key: str):
    _require_area(request.user)
    agency = selectors.agency_for_drilldown(request.user, agency_pk)
    year = _year(request.GET.get("year"))
    subtree = request.GET.get("subtree") == "1"
    if key not in drill.DRILLDOWNS:
        raise Http404("没有这个指标")
    result = drill.drilldown(agency=agency, key=key, year=year, subtree=subtree, as_of=clock.today())
    return render(request, "oversight/drilldown.html", {
        "agency": agency, "year": year, "subtree": subtree, "d": result, "limit": drill.LIMIT,
        "back": reverse("staff:oversight-compliance") + "?" + urlencode({"year": year}),
    })


@staff_required
@require_http_methods(["GET", "POST"])
def thresholds(request):
    _require_area(request.user)
    root = selectors.root_for(request.user, request.POST.get("root") or request.GET.get("root"))
    if root is None:
        raise Http404("没有可设置的机关")
    can_set = permissions.can_set_thresholds(request.user, root)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not can_set:
            raise PermissionDenied("只有本机关的主管部门监督员可以修改预警阈值。")
        column = request.POST.get("column", "")
        if column not in rules.MARKED_KEYS:
            raise Http404("没有这个指标")
        if request.POST.get("reset"):
            services.threshold_reset(actor=request.user, agency=root, column=column,
                                     reason=request.POST.get("reason", ""))
            messages.success(request, f"“{rules.BY_KEY[column].label}”已恢复默认阈值。")
            return redirect(reverse("staff:oversight-thresholds") + f"?root={root.pk}")
        form = ThresholdForm(request.POST)
        if form.is_valid():
            try:
                services.threshold_set(actor=request.user, agency=root, column=column,
                                       amber=form.cleaned_data["amber"], red=form.cleaned_data["red"],
                                       reason=form.cleaned_data["reason"])
            except DomainError as exc:
                errors[column] = exc.message
            else:
                messages.success(request, f"“{rules.BY_KEY[column].label}”的阈值已保存。")
                return redirect(reverse("staff:oversight-thresholds") + f"?root={root.pk}")
        else:
            errors[column] = "；".join(e for errs in form.errors.values() for e in errs)
    return render(request, "oversight/thresholds.html", {
        "root": root, "rows": selectors.threshold_rows(root), "can_set": can_set, "errors": errors,
    }, status=400 if errors else 200)
