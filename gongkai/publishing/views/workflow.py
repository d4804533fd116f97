"""The item's back-office page and one POST view per step on it (Art. 17, 19–26), in
the shape of ``core.views.actions``: the same 404 for a missing or foreign item, 403 for
the wrong role before the input is read, the form checks the input's shape, the service
checks the rules; a refusal re-renders the item's page with status 400 and the Chinese
message next to the form that was filled in.

The steps themselves (who, when, which form) are ``views.steps``; the list is
``views.listing``; drafting and editing ``views.drafting``; attachments
``views.attachments``."""

from __future__ import annotations

from django import forms
from django.shortcuts import render
from django.utils import timezone

from gongkai.core import clock
from gongkai.core.selectors import get_working_day_calendar
from gongkai.core.views.actions import ActionPage
from gongkai.core.views.base import staff_required
from gongkai.publishing import permissions, selectors
from gongkai.publishing.models import (
    AgencyPublishingSettings,
    Publication,
    PublicationStatus,
    ReviewConclusion,
)
from gongkai.publishing.revisions import column_paths, compare_revisions
from gongkai.publishing.services import publications as svc
from gongkai.publishing.views.presentation import event_details, kind_label, late_flag
from gongkai.publishing.views.steps import STEPS, panels, step_context
from gongkai.publishing.workflow import Action, allowed_actions

S = PublicationStatus


def render_detail(
    request,
    publication: Publication,
    *,
    bound: dict[str, forms.Form] | None = None,
    error: str = "",
    status: int = 200,
):
    """The item's page. ``bound`` carries a refused step's form (with its errors), shown
    open where it was filled in."""
    user = request.user
    c = step_context(publication)
    current = svc.current_revision(publication)
    published = publication.published_revision
    comparison = None
    if published is not None and current is not None and published.pk != current.pk:
        comparison = compare_revisions(published, current)
    settings = AgencyPublishingSettings.objects.filter(agency=publication.agency).first()
    steps_needed = settings.approval_steps if settings else 1
    findings = [
        {**finding, "kind_label": kind_label(finding["kind"])}
        for finding in (c.screening.findings if c.screening else [])
    ]
    attachments = list(publication.attachments.select_related("uploaded_by"))
    columns = list(publication.columns.select_related("parent"))
    return render(
        request,
        "publishing/staff/detail.html",
        {
            "publication": publication,
            "column_paths": column_paths(columns),
            "current": current,
            "published": published,
            "comparison": comparison,
            "revisions": publication.revisions.select_related("created_by").order_by("-number"),
            "screening": c.screening,
            "findings": findings,
            "attachment_findings": any(x.get("source") != "正文" for x in findings),
            "reviews": publication.reviews.select_related("reviewer", "revision"),
            "approvals": publication.approvals.select_related("approver", "revision"),
            "approved_steps": publication.approvals.filter(revision=current, approved=True).count(),
            "steps_needed": steps_needed,
            "attachments": [a for a in attachments if a.is_active],
            "removed_attachments": [a for a in attachments if not a.is_active],
            "releases": publication.channel_releases.select_related("recorded_by"),
            "events": [
                {"event": e, "details": event_details(e)}
                for e in publication.events.select_related("actor")
            ],
            "panels": panels(user, c, bound or {}),
            "can_edit": Action.EDIT in allowed_actions(publication.status)
            and permissions.can_edit(user, publication),
            "late": late_flag(publication, get_working_day_calendar(), clock.today()),
            "error": error,
        },
        status=status,
    )


@staff_required
def publication_detail(request, pk: int):
    publication = selectors.publication_get_for_user(user=request.user, pk=pk)
    return render_detail(request, publication)


PAGE = ActionPage(
    "staff:publishing-detail", load=selectors.publication_get_for_user, render=render_detail
)


def _step(key: str):
    """Decorate ``perform(request, publication, data) -> message`` into the POST view of
    ``staff:publishing-<key>``."""
    step = STEPS[key]
    return PAGE.step(title=step.title, may=step.may, bind=step.bind, prefix=key)


@_step("submit")
def publication_submit(request, p, d):
    svc.publication_submit(actor=request.user, publication=p)
    run = svc.latest_screening(p)
    if run is not None and run.findings:
        return f"已提交保密审查。泄密筛查发现{len(run.findings)}处疑点，须经保密审查员处理。"
    return "已提交保密审查，泄密筛查未发现疑点。"


@_step("screen")
def publication_screen(request, p, d):
    run = svc.publication_screen(actor=request.user, publication=p)
    return (
        f"筛查完成，发现{len(run.findings)}处疑点。" if run.findings else "筛查完成，未发现疑点。"
    )


@_step("review")
def publication_review(request, p, d):
    """Art. 17: the secrecy review, one per version."""
    review = svc.publication_review(
        actor=request.user,
        publication=p,
        involves_state_secrets=d["involves_state_secrets"],
        involves_privacy_or_trade_secrets=d["involves_privacy_or_trade_secrets"],
        endangers_security_or_stability=d["endangers_security_or_stability"],
        conclusion=d["conclusion"],
        opinion=d["opinion"],
    )
    if review.conclusion == ReviewConclusion.MAY_PUBLISH:
        return "保密审查通过。"
    return "保密审查未通过，已退回起草人修改。"


@_step("redact")
def publication_redact(request, p, d):
    run = svc.publication_redact(actor=request.user, publication=p, kinds=set(d["kinds"]))
    if run.findings:
        return f"已脱敏并形成新版本；重新筛查仍有{len(run.findings)}处疑点。"
    return "已脱敏并形成新版本，重新筛查未发现疑点。"


@_step("override")
def publication_override(request, p, d):
    svc.publication_override_screening(actor=request.user, publication=p, reason=d["reason"])
    return "已确认筛查结果并放行，理由已记录。"


@_step("approve")
def publication_approve(request, p, d):
    approval = svc.publication_approve(actor=request.user, publication=p, opinion=d["opinion"])
    p.refresh_from_db(fields=["status"])
    if p.status == S.APPROVED:
        return "审批同意，待公开办发布。"
    return f"已完成第{approval.step}级审批，待下一级领导审批。"


@_step("return")
def publication_return(request, p, d):
    svc.publication_return(actor=request.user, publication=p, reason=d["reason"])
    return "已退回起草人修改。"


@_step("publish")
def publication_publish(request, p, d):
    svc.publication_publish(actor=request.user, publication=p)
    return "已发布。"


@_step("schedule")
def publication_schedule(request, p, d):
    svc.publication_schedule(actor=request.user, publication=p, at=d["at"])
    return f"已设定于{timezone.localtime(d['at']):%Y-%m-%d %H:%M}定时发布。"


@_step("withdraw")
def publication_withdraw(request, p, d):
    svc.publication_withdraw(actor=request.user, publication=p, reason=d["reason"])
    return "已撤回，撤回理由已记录。"


@_step("revise")
def publication_revise(request, p, d):
    svc.publication_revise(actor=request.user, publication=p)
    return "已转为草稿，可以修改后重新提交。"


@_step("release-record")
def publication_release_record(request, p, d):
    svc.channel_release_record(
        actor=request.user,
        publication=p,
        channel=d["channel"],
        released_on=d["released_on"],
        reference=d["reference"],
    )
    return "已登记其他渠道发布。"
