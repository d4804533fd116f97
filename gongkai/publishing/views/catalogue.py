"""The agency's disclosure catalogue (政府信息公开目录, Art. 12) in the back office: the
column tree with kinds, item counts and freshness; the office adds, renames, re-kinds and
deactivates columns, and installs the default catalogue into an empty one."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gongkai.core import permissions as core_permissions
from gongkai.core import selectors as core_selectors
from gongkai.core.errors import DomainError
from gongkai.core.views.actions import require
from gongkai.core.views.base import chosen_agency, staff_required
from gongkai.publishing import forms as f
from gongkai.publishing import permissions, selectors
from gongkai.publishing.models import STALE_AFTER_DAYS, ColumnKind
from gongkai.publishing.services import catalogue as catalogue_services

DUPLICATE_NAME = "同一上级栏目下已有同名栏目"




def _may_manage(user, agency) -> bool:
    return permissions.can_manage_catalogue(user, agency)


def _column_rows(agency, bound: dict[str, forms.Form]) -> list[dict]:
    # Staleness as the website inspection and the statistics page see it: a parent column
    # is updated when any of its sub-columns is.
    freshness = {row.column.pk: row for row in selectors.column_freshness(agency=agency).columns}
    rows = []
    for column, depth in f.column_tree(selectors.catalogue_columns(agency)):
        fresh = freshness.get(column.pk)
        prefix = f"column-{column.pk}"
        rows.append(
            {
                "column": column,
                "depth": range(depth),
                "count": column.published_count,
                "last": fresh.last_published_on if fresh else column.last_published_on,
                "stale": bool(fresh and fresh.stale),
                "blank": bool(fresh and fresh.blank),
                "form": bound.get(prefix)
                or f.ColumnUpdateForm(
                    prefix=prefix,
                    initial={
                        "name": column.name,
                        "kind": column.kind,
                        "sort_order": column.sort_order,
                        "is_active": column.is_active,
                    },
                ),
            }
        )
    return rows


def render_catalogue(
    request,
    agency,
    *,
    bound: dict[str, forms.Form] | None = None,
    error: str = "",
    status: int = 200,
):
    bound = bound or {}
    rows = _column_rows(agency, bound) if agency is not None else []
    columns = [r["column"] for r in rows]
    return render(
        request,
        "publishing/staff/catalogue.html",
        {
            "agency": agency,
            "rows": rows,
            "can_manage": agency is not None and _may_manage(request.user, agency),
            "can_install": agency is not None
            and not rows
            and (
                _may_manage(request.user, agency)
                or core_permissions.is_platform_admin(request.user)
            ),
            "create_form": bound.get("column-new")
            or f.ColumnCreateForm(prefix="column-new", columns=columns),
            "kinds": [(k.label, STALE_AFTER_DAYS[k]) for k in ColumnKind],
            "error": error,
        },
        status=status,
    )


@staff_required
def catalogue(request):
    return render_catalogue(request, chosen_agency(request))


@staff_required
@require_POST
def catalogue_install_default(request, agency_pk: int):
    agency = core_selectors.agency_get_for_user(user=request.user, pk=agency_pk)
    require(
        _may_manage(request.user, agency) or core_permissions.is_platform_admin(request.user),
        "只有本机关公开办可以维护目录。",
    )
    try:
        created = catalogue_services.catalogue_install_default(actor=request.user, agency=agency)
    except DomainError as exc:
        return render_catalogue(
            request, agency, error=f"导入默认目录未完成：{exc.message}", status=400
        )
    messages.success(request, f"已导入默认目录，共{created}个栏目。")
    return _back(agency)


def _back(agency):
    response = redirect("staff:publishing-catalogue")
    response["Location"] += f"?agency={agency.pk}"
    return response


@staff_required
@require_POST
def column_create(request, agency_pk: int):
    agency = core_selectors.agency_get_for_user(user=request.user, pk=agency_pk)
    require(_may_manage(request.user, agency), "只有本机关公开办可以维护目录。")
    form = f.ColumnCreateForm(
        request.POST, prefix="column-new", columns=selectors.agency_columns(agency)
    )
    if form.is_valid():
        d = form.cleaned_data
        try:
            column = catalogue_services.column_create(
                actor=request.user,
                agency=agency,
                name=d["name"],
                kind=d["kind"],
                parent=d["parent"],
                sort_order=d["sort_order"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已添加栏目“{column.name}”。")
            return _back(agency)
    first_error = next(iter(form.non_field_errors()), "") or "请检查填写的内容。"
    return render_catalogue(
        request,
        agency,
        bound={"column-new": form},
        status=400,
        error=f"添加栏目未完成：{first_error}",
    )


@staff_required
@require_POST
def column_update(request, pk: int):
    column = selectors.column_get_for_user(user=request.user, pk=pk)
    agency = column.agency
    require(_may_manage(request.user, agency), "只有本机关公开办可以维护目录。")
    prefix = f"column-{column.pk}"
    form = f.ColumnUpdateForm(request.POST, prefix=prefix)
    if form.is_valid():
        d = form.cleaned_data
        try:
            catalogue_services.column_update(
                actor=request.user,
                column=column,
                name=d["name"],
                kind=d["kind"],
                is_active=d["is_active"],
                sort_order=d["sort_order"],
            )
        except IntegrityError:
            # The unique (agency, parent, name) constraint: the service's transaction has
            # rolled back, nothing was changed.
            form.add_error("name", DUPLICATE_NAME)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已保存栏目“{d['name']}”。")
            return _back(agency)
    errors = [*form.non_field_errors(), *[e for field in form for e in field.errors]]
    return render_catalogue(
        request,
        agency,
        bound={prefix: form},
        status=400,
        error=f"修改栏目未完成：{errors[0] if errors else '请检查填写的内容。'}",
    )
