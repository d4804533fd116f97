"""Back-office pages for an item of proactive disclosure: the list, drafting (with
attachments), the item's page with the steps its state and the user's role allow, and one
POST view per step (Art. 17, 19–26).

Each step: the same 404 for a missing or foreign item; 403 for the wrong role before the
input is read; the form checks the input's shape; the service checks the rules. A refusal
re-renders the item's page with status 400 and the Chinese message next to the form that
was filled in; a success redirects to the page with a message."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongkai.core import clock
from gongkai.core.errors import DomainError, InvalidTransition
from gongkai.core.models import Department, Role
from gongkai.core.selectors import get_working_day_calendar
from gongkai.core.views.base import staff_required
from gongkai.publishing import forms as f
from gongkai.publishing import permissions, rules, screening
from gongkai.publishing.models import (
    AgencyPublishingSettings,
    Column,
    DisclosureAttribute,
    Publication,
    PublicationRevision,
    PublicationStatus,
    ReviewConclusion,
    Topic,
    Validity,
)
from gongkai.publishing.redaction import body_text
from gongkai.publishing.services import publications as svc
from gongkai.publishing.views import lookups
from gongkai.publishing.workflow import Action, allowed_actions, next_status

PAGE_SIZE = 50
S = PublicationStatus


EXTRA_FINDING_LABELS = {"unscreened_image": "图片（须人工核对）"}


def require(allowed: bool, message: str = "您的岗位不能办理此项操作。") -> None:
    """The wrong role gets 403 before any input is looked at."""
    if not allowed:
        raise PermissionDenied(message)


# --- who may do what --------------------------------------------------------------------------


def _screens(user, p: Publication) -> bool:
    return (
        permissions.can_edit(user, p)
        or permissions.can_review(user, p)
        or permissions.can_publish(user, p)
    )


def _returns(user, p: Publication) -> bool:
    return (
        permissions.can_review(user, p)
        or permissions.can_approve(user, p)
        or permissions.can_publish(user, p)
    )


def _redacts(user, p: Publication) -> bool:
    # In a draft the drafter masks; once submitted, the reviewer.
    if p.status == S.DRAFT:
        return permissions.can_edit(user, p)
    return permissions.can_review(user, p)


@dataclass
class Context:
    """What the page knows about the item, shared by the panels' conditions and forms."""

    publication: Publication
    screening: object | None  # the latest ScreeningRun of the current version
    body_kinds: list[tuple[str, str]]  # finding kinds in the body that masking can fix


def _has_open_findings(c: Context) -> bool:
    return bool(c.screening and c.screening.findings and not c.screening.clears_publication)


def _state(action: Action) -> Callable[[Context], bool]:
    return lambda c: action in allowed_actions(c.publication.status)


def _redact_offered(c: Context) -> bool:
    status = c.publication.status
    in_state = status == S.DRAFT or Action.OVERRIDE_SCREENING in allowed_actions(status)
    return in_state and _has_open_findings(c) and bool(c.body_kinds)


def _override_offered(c: Context) -> bool:
    return _state(Action.OVERRIDE_SCREENING)(c) and _has_open_findings(c)


def _plain(form_class):
    return lambda c, **kw: form_class(**kw)


def _redact_form(c: Context, **kw) -> forms.Form:
    return f.RedactForm(kinds=c.body_kinds, **kw)


def _schedule_form(c: Context, **kw) -> forms.Form:
    kw.setdefault(
        "initial", {"at": timezone.localtime(f.schedule_default()).strftime("%Y-%m-%dT%H:%M")}
    )
    return f.ScheduleForm(**kw)


@dataclass(frozen=True)
class Step:
    """One step staff can take on an item: its URL name (``staff:publishing-<key>``, also
    the form's prefix), its title and button, its form, who may take it (403 otherwise),
    and when the page offers it."""

    key: str
    title: str
    button: str
    form: Callable[..., forms.Form]
    may: Callable[[object, Publication], bool]
    offered: Callable[[Context], bool]
    hint: str = ""


STEPS: dict[str, Step] = {
    s.key: s
    for s in [
        Step(
            "submit",
            "提交保密审查",
            "提交",
            _plain(f.ConfirmForm),
            permissions.can_edit,
            _state(Action.SUBMIT),
            "提交时将自动对正文和附件进行泄密筛查。",
        ),
        Step(
            "screen",
            "重新进行泄密筛查",
            "筛查",
            _plain(f.ConfirmForm),
            _screens,
            _state(Action.SCREEN),
        ),
        Step(
            "review",
            "保密审查（第十七条）",
            "提交审查结论",
            _plain(f.ReviewForm),
            permissions.can_review,
            _state(Action.REVIEW_PASS),
            "一文一审。结论为“可以公开”的，须泄密筛查无疑点，或疑点已脱敏、已说明理由放行。",
        ),
        Step(
            "redact",
            "一键脱敏（正文）",
            "脱敏并重新筛查",
            _redact_form,
            _redacts,
            _redact_offered,
            "按本机关的脱敏规则遮盖正文中选定类型的内容，形成新版本并重新筛查。附件不能在此脱敏，请替换附件或说明理由放行。",
        ),
        Step(
            "override",
            "确认筛查结果后放行",
            "放行",
            _plain(f.OverrideForm),
            permissions.can_review,
            _override_offered,
            "确认疑点可以公开（如公职人员办公电话），理由记入发布记录。",
        ),
        Step(
            "approve",
            "领导审批",
            "同意发布",
            _plain(f.ApproveForm),
            permissions.can_approve,
            _state(Action.APPROVE),
        ),
        Step(
            "return",
            "退回修改",
            "退回",
            _plain(f.ReturnForm),
            _returns,
            _state(Action.RETURN),
            "退回后信息回到草稿状态，由起草人修改后重新提交。",
        ),
        Step(
            "publish",
            "立即发布",
            "发布",
            _plain(f.ConfirmForm),
            permissions.can_publish,
            _state(Action.PUBLISH),
        ),
        Step(
            "schedule",
            "定时发布",
            "定时发布",
            _schedule_form,
            permissions.can_publish,
            _state(Action.SCHEDULE),
        ),
        Step(
            "withdraw",
            "撤回",
            "撤回",
            _plain(f.WithdrawForm),
            permissions.can_publish,
            _state(Action.WITHDRAW),
        ),
        Step(
            "revise",
            "撤回后重新编辑",
            "重新编辑",
            _plain(f.ConfirmForm),
            permissions.can_publish,
            _state(Action.REVISE),
            "信息回到草稿状态，索引号不变；修改后须重新经过保密审查和审批。",
        ),
        Step(
            "release-record",
            "登记其他渠道发布",
            "登记",
            _plain(f.ChannelReleaseForm),
            permissions.can_publish,
            lambda c: c.publication.status == S.PUBLISHED,
            "政务新媒体、报刊、广播电视、查阅场所等渠道的发布情况，计入年度报告。",
        ),
    ]
}


@dataclass
class Panel:
    step: Step
    form: forms.Form
    url: str


def _context(publication: Publication) -> Context:
    run = svc.latest_screening(publication)
    kinds: list[tuple[str, str]] = []
    if run is not None:
        for finding in run.findings:
            if finding.get("source") == "正文" and finding["kind"] not in [k for k, _ in kinds]:
                kinds.append((finding["kind"], kind_label(finding["kind"])))
    return Context(publication, run, kinds)


def _panels(user, c: Context, bound: dict[str, forms.Form]) -> list[Panel]:
    panels = []
    for step in STEPS.values():
        if step.offered(c) and step.may(user, c.publication):
            form = bound.get(step.key) or step.form(c, prefix=step.key)
            panels.append(
                Panel(step, form, reverse(f"staff:publishing-{step.key}", args=[c.publication.pk]))
            )
    return panels


# --- presentation helpers ---------------------------------------------------------------------


def kind_label(kind: str) -> str:
    return str(screening.KIND_LABELS.get(kind) or EXTRA_FINDING_LABELS.get(kind, kind))


def _label(choices, value) -> str:
    try:
        return choices(value).label
    except ValueError:
        return value or ""


def event_details(event) -> str:
    d = event.data or {}
    parts = []
    if "revision" in d:
        parts.append(f"第{d['revision']}版")
    if "findings" in d:
        parts.append(f"疑点{d['findings']}处")
    if d.get("kinds"):
        parts.append("脱敏类型：" + "、".join(kind_label(k) for k in d["kinds"]))
    if "step" in d:
        parts.append(f"第{d['step']}级审批")
    if d.get("conclusion"):
        parts.append(f"结论：{_label(ReviewConclusion, d['conclusion'])}")
    if d.get("at"):
        try:
            at = timezone.localtime(dt.datetime.fromisoformat(d["at"]))
            parts.append(f"发布时间：{at:%Y-%m-%d %H:%M}")
        except ValueError:
            pass
    return "；".join(parts)


def column_paths(columns) -> list[str]:
    """ "上级 › 栏目" for each column, as the public catalogue shows it."""
    result = []
    for c in columns:
        names, node, seen = [c.name], c, set()
        while node.parent_id and node.parent_id not in seen:
            seen.add(node.parent_id)
            node = node.parent
            names.append(node.name)
        result.append(" › ".join(reversed(names)))
    return result


@dataclass
class Change:
    label: str
    published: str
    current: str


def _metadata_text(metadata: dict, key: str) -> str:
    value = metadata.get(key)
    if value in (None, "", []):
        return "—"
    if key == "department_id":
        return Department.objects.filter(pk=value).values_list("name", flat=True).first() or str(
            value
        )
    if key == "topic_id":
        return Topic.objects.filter(pk=value).values_list("name", flat=True).first() or str(value)
    if key == "column_ids":
        return "、".join(column_paths(Column.objects.filter(pk__in=value).select_related("parent")))
    if key == "attachment_ids":
        from gongkai.publishing.models import PublicationAttachment

        return "、".join(
            PublicationAttachment.objects.filter(pk__in=value).values_list(
                "original_name", flat=True
            )
        )
    if key == "disclosure_attribute":
        return _label(DisclosureAttribute, value)
    if key == "validity":
        return _label(Validity, value)
    return str(value)


_METADATA_LABELS = [
    ("issuing_agency", "发布机构"),
    ("department_id", "起草科室"),
    ("written_on", "成文日期"),
    ("topic_id", "主题分类"),
    ("disclosure_attribute", "公开属性"),
    ("validity", "有效性"),
    ("keywords", "关键词"),
    ("column_ids", "所属栏目"),
    ("attachment_ids", "附件"),
]


def compare_revisions(published: PublicationRevision, current: PublicationRevision) -> dict:
    """What changed between the published version and the working version: the fields,
    and the body's visible text line by line."""
    changes = []
    if published.title != current.title:
        changes.append(Change("标题", published.title, current.title))
    if published.doc_number != current.doc_number:
        changes.append(Change("文号", published.doc_number or "—", current.doc_number or "—"))
    for key, label in _METADATA_LABELS:
        if published.metadata.get(key) != current.metadata.get(key):
            changes.append(
                Change(
                    label,
                    _metadata_text(published.metadata, key),
                    _metadata_text(current.metadata, key),
                )
            )
    old = [line for line in body_text(published.body).splitlines() if line.strip()]
    new = [line for line in body_text(current.body).splitlines() if line.strip()]
    diff = [
        line
        for line in difflib.unified_diff(old, new, lineterm="", n=1)
        if not line.startswith(("---", "+++"))
    ]
    return {"changes": changes, "body_diff": diff}


# --- the item's page ---------------------------------------------------------------------------


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
    c = _context(publication)
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
                {
                    "event": e,
                    "action": _label(Action, e.action),
                    "details": event_details(e),
                    "from": _label(PublicationStatus, e.from_status),
                    "to": _label(PublicationStatus, e.to_status),
                }
                for e in publication.events.select_related("actor")
            ],
            "panels": _panels(user, c, bound or {}),
            "can_edit": Action.EDIT in allowed_actions(publication.status)
            and permissions.can_edit(user, publication),
            "late": late_flag(publication, get_working_day_calendar(), clock.today()),
            "error": error,
        },
        status=status,
    )


@staff_required
def publication_detail(request, pk: int):
    publication = lookups.publication_get_for_user(user=request.user, pk=pk)
    return render_detail(request, publication)


def _act(request, pk: int, key: str, perform: Callable[[Publication, dict], str]):
    step = STEPS[key]
    publication = lookups.publication_get_for_user(user=request.user, pk=pk)
    require(step.may(request.user, publication))
    form = step.form(_context(publication), data=request.POST, prefix=key)
    if form.is_valid():
        try:
            message = perform(publication, form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, message)
            return redirect("staff:publishing-detail", pk=publication.pk)
    # Nothing was written (the service's transaction rolled back): the page as it stands,
    # with this form and its errors.
    publication = lookups.publication_get_for_user(user=request.user, pk=pk)
    first_error = next(iter(form.non_field_errors()), "") or "请检查填写的内容。"
    return render_detail(
        request,
        publication,
        bound={key: form},
        status=400,
        error=f"{step.title}未完成：{first_error}",
    )


def _step(key: str):
    """Decorate ``perform(request, publication, data) -> message`` into the POST view of
    ``staff:publishing-<key>``."""

    def decorator(perform):
        @staff_required
        @require_POST
        def view(request, pk: int):
            return _act(request, pk, key, lambda p, d: perform(request, p, d))

        view.__name__ = view.__qualname__ = perform.__name__
        view.__doc__ = perform.__doc__
        return view

    return decorator


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


# --- the list ------------------------------------------------------------------------------------


def late_flag(publication: Publication, calendar, today) -> str:
    """The list's and the item page's flag for Art. 26 (``publishing.rules``): published
    after the deadline; or, not yet published, a proactive item already past it."""
    if publication.published_on:
        late = rules.is_published_late(
            publication.written_on, publication.published_on, calendar=calendar
        )
        return "逾期发布" if late else ""
    if (
        publication.disclosure_attribute == DisclosureAttribute.PROACTIVE
        and publication.status != S.WITHDRAWN
        and rules.is_publication_overdue(publication.written_on, today=today, calendar=calendar)
    ):
        return "已超过公开时限"
    return ""


def _membership_agency(request):
    membership = request.membership
    return membership.agency if membership else None


@staff_required
def publication_list(request):
    agency = _membership_agency(request)
    columns = lookups.agency_columns(agency)
    form = f.PublicationFilterForm(
        request.GET or None, departments=lookups.agency_departments(agency), columns=columns
    )
    data = form.cleaned_data if form.is_valid() else {}
    qs = lookups.publication_list_for_user(
        user=request.user,
        status=data.get("status", ""),
        column_id=data.get("column"),
        department_id=data["department"].pk if data.get("department") else None,
        year=data.get("year"),
        text=(data.get("q") or "").strip(),
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    calendar, today = get_working_day_calendar(), clock.today()
    rows = [
        {
            "publication": p,
            "late": late_flag(p, calendar, today),
            "columns": "、".join(c.name for c in p.columns.all()),
        }
        for p in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "publishing/staff/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "caption": f"共{page.paginator.count}条",
            "can_create": _may_draft_here(request),
            "can_manage_catalogue": agency is not None
            and permissions.can_manage_catalogue(request.user, agency),
            "agency": agency,
        },
    )


# --- drafting ------------------------------------------------------------------------------------


def _may_draft_here(request) -> bool:
    try:
        _drafting_scope(request)
    except PermissionDenied:
        return False
    return True


def _drafting_scope(request):
    """The agency and department a new item is drafted for: the active membership's
    agency; an officer's own department (fixed), the office chooses one."""
    membership = request.membership
    if not membership:
        raise PermissionDenied("请先选择工作岗位。")
    if membership.role == Role.OFFICER:
        require(
            permissions.can_draft(request.user, membership.agency, membership.department),
            "您无权起草政府信息。",
        )
        return membership.agency, membership.department, None
    require(
        membership.role == Role.OFFICE and permissions.can_draft(request.user, membership.agency),
        "只有公开办和科室工作人员可以起草政府信息。",
    )
    return membership.agency, None, lookups.agency_departments(membership.agency)


def _add_attachments(request, publication: Publication, uploads) -> None:
    for upload in uploads:
        svc.publication_add_attachment(actor=request.user, publication=publication, upload=upload)


@staff_required
def publication_create(request):
    agency, department, departments = _drafting_scope(request)
    columns = lookups.columns_for_publication_form(agency)
    form = f.PublicationForm(
        request.POST or None,
        request.FILES or None,
        departments=departments,
        columns=columns,
        initial={"issuing_agency": agency.name, "department": department},
    )
    if request.method == "POST" and form.is_valid():
        fields = form.catalogue_fields()
        chosen = fields.pop("department", department)
        try:
            # One item with its files, or nothing.
            with transaction.atomic():
                publication = svc.publication_create(
                    actor=request.user,
                    agency=agency,
                    department=chosen,
                    columns=form.cleaned_data["columns"],
                    **fields,
                )
                _add_attachments(request, publication, form.cleaned_data["attachments"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已保存草稿，索引号 {publication.index_number}。")
            return redirect("staff:publishing-detail", pk=publication.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "publishing/staff/form.html",
        {
            "form": form,
            "agency": agency,
            "fixed_department": department,
            "publication": None,
        },
        status=status,
    )


def _editable(request, publication: Publication) -> str:
    """ "" when the item can be edited now, else why not."""
    try:
        next_status(publication.status, Action.EDIT)
    except InvalidTransition as exc:
        hint = (
            "如需修改，请由审查员、领导或公开办退回。"
            if publication.status != S.WITHDRAWN
            else "如需修改，请由公开办先“撤回后重新编辑”。"
        )
        return f"{exc.message}{hint}"
    return ""


def _edit_form(request, publication: Publication, *, data=None, files=None) -> f.PublicationForm:
    office = permissions.can_publish(request.user, publication)
    return f.PublicationForm(
        data,
        files,
        departments=lookups.agency_departments(publication.agency) if office else None,
        columns=lookups.columns_for_publication_form(publication.agency, publication),
        initial=f.PublicationForm.initial_for(publication),
    )


def render_edit(
    request, publication: Publication, form=None, *, error: str = "", status: int = 200
):
    return render(
        request,
        "publishing/staff/form.html",
        {
            "form": form or _edit_form(request, publication),
            "agency": publication.agency,
            "fixed_department": None
            if permissions.can_publish(request.user, publication)
            else publication.department,
            "publication": publication,
            "attachments": publication.attachments.filter(is_active=True),
            "remove_form": f.AttachmentRemoveForm(),
            "error": error,
        },
        status=status,
    )


@staff_required
def publication_edit(request, pk: int):
    publication = lookups.publication_get_for_user(user=request.user, pk=pk)
    require(permissions.can_edit(request.user, publication), "您无权修改该信息。")
    refused = _editable(request, publication)
    if refused:
        return render_detail(request, publication, error=refused, status=400)
    if request.method != "POST":
        return render_edit(request, publication)
    form = _edit_form(request, publication, data=request.POST, files=request.FILES)
    if form.is_valid():
        fields = form.catalogue_fields()
        uploads = form.cleaned_data["attachments"]
        changed = [name for name in form.changed_data if name != "attachments"]
        try:
            with transaction.atomic():
                if changed:
                    svc.publication_update(
                        actor=request.user,
                        publication=publication,
                        columns=form.cleaned_data["columns"],
                        **fields,
                    )
                _add_attachments(request, publication, uploads)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if changed or uploads:
                messages.success(request, "已保存，形成新版本。")
            else:
                messages.info(request, "没有修改。")
            return redirect("staff:publishing-detail", pk=publication.pk)
    publication = lookups.publication_get_for_user(user=request.user, pk=pk)
    return render_edit(request, publication, form, status=400)


# --- attachments ----------------------------------------------------------------------------------


@staff_required
@require_POST
def attachment_remove(request, pk: int):
    attachment = lookups.attachment_get_for_user(user=request.user, pk=pk)
    publication = attachment.publication
    require(permissions.can_edit(request.user, publication), "您无权修改该信息。")
    form = f.AttachmentRemoveForm(request.POST)
    if not form.is_valid():
        return render_edit(
            request, publication, error="删除附件未完成：删除理由不超过500字。", status=400
        )
    try:
        svc.publication_remove_attachment(
            actor=request.user, attachment=attachment, reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        publication = lookups.publication_get_for_user(user=request.user, pk=publication.pk)
        return render_detail(
            request, publication, error=f"删除附件未完成：{exc.message}", status=400
        )
    messages.success(request, f"已删除附件“{attachment.original_name}”，形成新版本。")
    return redirect("staff:publishing-edit", pk=publication.pk)


@staff_required
def attachment_download(request, pk: int):
    attachment = lookups.attachment_get_for_user(user=request.user, pk=pk)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("附件文件不存在") from None
    return FileResponse(handle, as_attachment=True, filename=attachment.original_name)
