"""The steps staff can take on an item (Art. 17, 19–26): who may take each one, when the
item's page offers it, and its form. The POST views are ``views.workflow``'s."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.urls import reverse
from django.utils import timezone

from gongkai.publishing import forms as f
from gongkai.publishing import permissions
from gongkai.publishing.models import Publication, PublicationStatus
from gongkai.publishing.services import publications as svc
from gongkai.publishing.views.presentation import kind_label
from gongkai.publishing.workflow import Action, allowed_actions

S = PublicationStatus


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


# --- when the page offers a step ---------------------------------------------------------------


@dataclass
class Context:
    """What the page knows about the item, shared by the panels' conditions and forms."""

    publication: Publication
    screening: object | None  # the latest ScreeningRun of the current version
    body_kinds: list[tuple[str, str]]  # finding kinds in the body that masking can fix
    approved_by: frozenset = frozenset()  # who approved the current version already


def step_context(publication: Publication) -> Context:
    run = svc.latest_screening(publication)
    kinds: list[tuple[str, str]] = []
    if run is not None:
        for finding in run.findings:
            if finding.get("source") == "正文" and finding["kind"] not in [k for k, _ in kinds]:
                kinds.append((finding["kind"], kind_label(finding["kind"])))
    approved_by = frozenset()
    if publication.status == S.IN_APPROVAL:
        approved_by = frozenset(
            publication.approvals.filter(
                revision=svc.current_revision(publication), approved=True
            ).values_list("approver_id", flat=True)
        )
    return Context(publication, run, kinds, approved_by)


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


def _rescreen_offered(c: Context) -> bool:
    # "重新" only once the current version was screened (submitting screens it first).
    return _state(Action.SCREEN)(c) and c.screening is not None


def _not_yet_approved_by(user, c: Context) -> bool:
    # The same leader cannot approve the same version twice (services.review).
    return user.pk not in c.approved_by


# --- the forms -----------------------------------------------------------------------------------


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
    # Offered to this user at all (beyond ``may``, which is also the POST's 403).
    offered_to: Callable[[object, Context], bool] | None = None

    def bind(self, publication: Publication, *, data=None, files=None, prefix: str | None = None):
        """The step's form for ``publication`` (bound to ``data`` when given)."""
        return self.form(step_context(publication), data=data, prefix=prefix or self.key)


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
            _rescreen_offered,
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
            offered_to=_not_yet_approved_by,
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


def panels(user, c: Context, bound: dict[str, forms.Form]) -> list[Panel]:
    """The steps the page offers this user, each with its form (``bound``: a refused
    step's form with its errors, shown where it was filled in)."""
    result = []
    for step in STEPS.values():
        if (
            step.offered(c)
            and step.may(user, c.publication)
            and (step.offered_to is None or step.offered_to(user, c))
        ):
            form = bound.get(step.key) or step.form(c, prefix=step.key)
            result.append(
                Panel(step, form, reverse(f"staff:publishing-{step.key}", args=[c.publication.pk]))
            )
    return result
