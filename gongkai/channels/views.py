"""The back office's channels pages: the accounts with their flags, one account (its
details and figures), the account form, one month's grid, the import, and the year's
figures (the website's own, the accounts' totals and the charts).

Thin views: the agency comes from ``?agency=`` (or the active membership's), and an agency
or account outside the user's reading scope is a 404 (selectors) — so an officer, a
reviewer or a leader, who do not read this area, get a 404 too; a supervisor reads but
does not write (403 on the office's forms); the services hold the rules."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongkai.channels import charts, importer, permissions, rules, selectors, services
from gongkai.channels.forms import (
    AccountForm,
    AgencyFilterForm,
    GridForm,
    ImportForm,
    SettingsForm,
    parse_month,
    parse_year,
)
from gongkai.core import clock
from gongkai.core.errors import DomainError
from gongkai.core.views.base import staff_required
from gongkai.decisions.importer import read_upload

NOT_OFFICE = services.NOT_OFFICE


def url_with(name: str, **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse(name) + (f"?{query}" if query else "")


def list_url(agency_id: int | None = None) -> str:
    return url_with("staff:channel-list", agency=agency_id)


def subtree_url(agency_id: int) -> str:
    return url_with("staff:channel-stale", agency=agency_id)


def _agency(request, raw: str | None = None):
    """The agency the page is about: ``raw`` (or ``?agency=``) within the user's reading
    scope, else the active membership's; 404 outside the scope."""
    raw = request.GET.get("agency", "") if raw is None else raw
    if raw:
        if not raw.isdigit() or len(raw) > 18:
            raise Http404("机关不存在")
        return selectors.agency_get_for_user(user=request.user, pk=int(raw))
    membership = request.membership
    if membership and permissions.can_view_agency(request.user, membership.agency):
        return membership.agency
    if permissions.can_view_area(request.user):
        return None  # a platform administrator, or a role elsewhere: choose
    raise Http404("页面不存在")


def _require_manage(user, agency) -> None:
    if not permissions.can_manage(user, agency):
        raise PermissionDenied(NOT_OFFICE)


def _filter_form(user, agency):
    if not permissions.reads_several_agencies(user):
        return None
    return AgencyFilterForm(initial={"agency": agency}, agencies=permissions.agencies_readable_by(user))


# --- the accounts ----------------------------------------------------------------------------

def _render_list(request, agency, *, settings_form=None, status=200):
    user = request.user
    context = {"agency": agency, "filter_form": _filter_form(user, agency)}
    if agency is not None:
        today = clock.today()
        can_manage = permissions.can_manage(user, agency)
        days = selectors.stale_after_days(agency)
        if can_manage and settings_form is None:
            settings_form = SettingsForm(initial={"stale_after_days": days})
        rows = selectors.account_rows(agency, today)
        context.update({
            "rows": rows, "today": today, "days": days, "can_manage": can_manage,
            "settings_form": settings_form if can_manage else None,
            "stale": [r for r in rows if r.stale], "no_interaction": [r for r in rows if r.no_interaction],
            "default_days": rules.NOT_UPDATED_DEFAULT_DAYS,
        })
    return render(request, "channels/staff/list.html", context, status=status)


@staff_required
@require_GET
def account_list(request):
    return _render_list(request, _agency(request))


@staff_required
@require_GET
def stale_under(request):
    """The stale accounts of the agency's whole subtree (a supervising office's desk
    links here)."""
    agency = _agency(request)
    context = {"agency": agency, "filter_form": _filter_form(request.user, agency)}
    if agency is not None:
        context["rows"] = selectors.stale_accounts_under(agency, clock.today())
    return render(request, "channels/staff/stale.html", context)


@staff_required
@require_POST
def channel_settings(request):
    agency = _agency(request, request.POST.get("agency", "") or "x")
    _require_manage(request.user, agency)
    form = SettingsForm(request.POST)
    if form.is_valid():
        try:
            services.channel_settings_save(actor=request.user, agency=agency,
                                           stale_after_days=form.cleaned_data["stale_after_days"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已保存：超过{form.cleaned_data['stale_after_days']}天未发布信息的账号视为未更新。")
            return redirect(list_url(agency.pk))
    return _render_list(request, agency, settings_form=form, status=400)


@staff_required
@require_http_methods(["GET", "POST"])
def account_create(request):
    agency = _agency(request, request.GET.get("agency", "") or request.POST.get("agency", ""))
    if agency is None:
        raise Http404("请选择机关")
    _require_manage(request.user, agency)
    form = AccountForm(request.POST or None, agency=agency)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                account = services.account_create(actor=request.user, agency=agency, data=form.data_object())
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"已登记{account}。")
                return redirect("staff:channel-account", pk=account.pk)
    return render(request, "channels/staff/account_form.html",
                  {"agency": agency, "form": form, "account": None}, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def account_edit(request, pk: int):
    account = selectors.account_get_for_user(user=request.user, pk=pk)
    _require_manage(request.user, account.agency)
    form = AccountForm(request.POST or None, agency=account.agency,
                       initial=AccountForm.initial_for(account))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.account_update(actor=request.user, account=account, data=form.data_object())
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "已保存账号信息。")
                return redirect("staff:channel-account", pk=account.pk)
    return render(request, "channels/staff/account_form.html",
                  {"agency": account.agency, "form": form, "account": account}, status=status)


@staff_required
@require_GET
def account_detail(request, pk: int):
    account = selectors.account_get_for_user(user=request.user, pk=pk)
    today = clock.today()
    days = selectors.stale_after_days(account.agency)
    return render(request, "channels/staff/account.html", {
        "account": account, "agency": account.agency, "figures": selectors.account_figures(account),
        "stale": account.is_active and rules.is_stale(account.last_post_on, today=today, days=days),
        "since": rules.days_since(account.last_post_on, today), "days": days,
        "can_manage": permissions.can_manage(request.user, account.agency),
    })


# --- figures: the grid and the import ---------------------------------------------------------

def _month(request):
    today = clock.today()
    month = parse_month(request.GET.get("month", ""))
    if month is None:  # the month just ended, which is what an office types in
        month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return min(month, today.replace(day=1))


@staff_required
@require_http_methods(["GET", "POST"])
def figure_grid(request):
    agency = _agency(request)
    if agency is None:
        raise Http404("请选择机关")
    can_manage = permissions.can_manage(request.user, agency)
    if request.method == "POST":
        _require_manage(request.user, agency)
    month = _month(request)
    form = GridForm(request.POST or None, lines=selectors.grid_accounts(agency, month))
    status, error = 200, ""
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                result = services.figures_save(actor=request.user, agency=agency, month=month,
                                               rows=form.inputs())
            except DomainError as exc:
                error = exc.message
            else:
                messages.success(request, f"已保存{month:%Y年%m月}的数据：新录入{result.created}个账号，"
                                          f"更正{result.corrected}个，更新最近发布日期{result.latest_dates}个。")
                return redirect(url_with("staff:channel-grid", agency=agency.pk, month=f"{month:%Y-%m}"))
        else:
            error = "请检查标红的数据。"
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    return render(request, "channels/staff/grid.html", {
        "agency": agency, "month": month, "form": form, "rows": form.rows(), "error": error,
        "can_manage": can_manage, "filter_form": _filter_form(request.user, agency),
        "previous_url": url_with("staff:channel-grid", agency=agency.pk, month=f"{previous:%Y-%m}"),
        "next_url": (url_with("staff:channel-grid", agency=agency.pk, month=f"{following:%Y-%m}")
                     if following <= clock.today().replace(day=1) else ""),
    }, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def figure_import(request):
    agency = _agency(request)
    if agency is None:
        raise Http404("请选择机关")
    _require_manage(request.user, agency)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems, more, status = [], 0, 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = services.figures_import(actor=request.user, agency=agency, data=read_upload(upload),
                                                 filename=upload.name)
            except services.ImportRefused as exc:
                problems, more = exc.problems, exc.more
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"导入完成：新录入{result.created}条，更正{result.corrected}条，"
                                          f"未变{result.unchanged}条，更新最近发布日期{result.latest_dates}个账号。")
                return redirect(list_url(agency.pk))
    return render(request, "channels/staff/import.html", {
        "agency": agency, "form": form, "problems": problems, "more": more,
        "headers": importer.LABELS, "max_rows": importer.MAX_ROWS,
    }, status=status)


# --- the year's figures -----------------------------------------------------------------------

@staff_required
@require_GET
def figures(request):
    agency = _agency(request)
    context = {"agency": agency, "filter_form": _filter_form(request.user, agency)}
    if agency is not None:
        context["can_manage"] = permissions.can_manage(request.user, agency)  # the import link
        today = clock.today()
        year = parse_year(request.GET.get("year", "")) or today.year
        website = selectors.website_figures(agency=agency, year=year)
        totals = selectors.annual_totals(agency=agency, year=year)
        chart_list = charts.charts_for(year=year, series=selectors.monthly_series(agency=agency, year=year),
                                       website=website)
        years = sorted(set(selectors.years_with_figures(agency)) | {today.year, year}, reverse=True)
        context.update({
            "year": year, "years": years, "website": website, "totals": totals, "charts": chart_list,
            "charts_json": [c.as_json() for c in chart_list],
            "website_columns": [selectors.WEBSITE_LABELS[f] for f in selectors.WebsiteMonth.FIELDS],
        })
    return render(request, "channels/staff/figures.html", context)
