"""The supervising office's roll-up of its subtree's annual reports (``reports.rollup``):
the summary (汇总) in the national format and its DOCX and PDF, the agencies that have
not published with a reminder for each, and the rules over every report.

The same 404 for an agency that does not exist and one outside the user's supervision
(an office of a bureau asking for its parent's roll-up gets it too).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from gongkai.core import clock
from gongkai.core.errors import DomainError
from gongkai.core.views.base import staff_required
from gongkai.reports import reminders, rollup, selectors
from gongkai.reports.views.public import download_response


def reminders_window_start(year: int) -> dt.date:
    return dt.date(year, *reminders.WINDOW_START)


def _root_and_year(request, agency: int, year: int):
    root = rollup.rollup_root(user=request.user, pk=agency)
    return root, rollup.check_year(year, clock.today())


@staff_required
@require_GET
def rollup_summary(request, agency: int, year: int):
    root, year = _root_and_year(request, agency, year)
    view = rollup.rollup(user=request.user, root=root, year=year)
    grid = selectors.report_grid(view.format, cells=view.summary.cells, provenance=view.summary.provenance,
                                 sources={}, manual_refs=())
    draft_grid = None
    if view.drafts.count:
        draft_grid = selectors.report_grid(view.format, cells=view.drafts.cells,
                                           provenance=view.drafts.provenance, sources={},
                                           manual_refs=())
    return render(request, "reports/staff/rollup.html", {
        "view": view, "grid": grid, "draft_grid": draft_grid, "section": "summary",
        "document": rollup.summary_document(view),
    })


@staff_required
@require_GET
def rollup_download(request, agency: int, year: int, kind: str):
    root, year = _root_and_year(request, agency, year)
    view = rollup.rollup(user=request.user, root=root, year=year)
    return download_response(request, rollup.summary_document(view), kind,
                             back_url=reverse("staff:report-rollup", args=[root.pk, year]))


@staff_required
@require_GET
def rollup_outstanding(request, agency: int, year: int):
    root, year = _root_and_year(request, agency, year)
    today = clock.today()
    rows = rollup.outstanding(user=request.user, root=root, year=year, today=today)
    return render(request, "reports/staff/rollup_outstanding.html", {
        "root": root, "year": year, "rows": rows, "today": today, "section": "outstanding",
        "can_remind": today >= reminders_window_start(year),
        "window_start": reminders_window_start(year),
    })


@staff_required
@require_POST
def rollup_remind(request, agency: int, year: int, target: int):
    root, year = _root_and_year(request, agency, year)
    target_agency = rollup.rollup_root(user=request.user, pk=target)
    if not target_agency.path.startswith(root.path):
        raise Http404("机关不存在")
    try:
        result = reminders.remind_from_supervisor(actor=request.user, agency=target_agency, report_year=year)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        name = target_agency.name
        if result.status == "sent":
            messages.success(request, f"已向{name}公开办发送提醒（{len(result.recipients)}人）。")
        elif result.status == "mail_failed":
            messages.error(request, f"向{name}公开办的提醒已记录，但邮件服务器未能发出邮件，今天不再重复发送；"
                                    "请通过电话等方式联系该机关公开办。")
        elif result.status == "already_sent":
            messages.info(request, f"{name}今天已收到年度报告提醒，每个机关每天最多提醒一次，未重复发送。")
        else:
            messages.error(request, f"{name}公开办没有登记电子邮箱的工作人员，提醒未能发送。")
    return redirect("staff:report-rollup-outstanding", agency=root.pk, year=year)


@staff_required
@require_GET
def rollup_findings(request, agency: int, year: int):
    root, year = _root_and_year(request, agency, year)
    view = rollup.findings(user=request.user, root=root, year=year)
    return render(request, "reports/staff/rollup_findings.html", {
        "view": view, "root": root, "year": year, "section": "findings",
    })
