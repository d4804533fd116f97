"""States of a publication and the one table of allowed transitions.

draft ─submit─▶ in_review ─review (may publish)─▶ in_approval ─approve × N─▶ approved
  ▲                 │ review (may not publish) / return                   │ publish ─▶ published ─withdraw─▶ withdrawn
  └─────────────────┴──────────────── return ◀────────────────────────────┤ schedule ─▶ scheduled ─release─▶ published
                                                                          └ (0 approval steps: review leads to approved)
withdrawn ─revise─▶ draft (same index number; a new version goes through review again)
"""

from __future__ import annotations

from django.db import models

from gongkai.core.workflow import Transitions
from gongkai.publishing.models import PublicationStatus

S = PublicationStatus


class Action(models.TextChoices):
    CREATE = "create", "起草"
    EDIT = "edit", "修改"
    SUBMIT = "submit", "提交保密审查"
    REVIEW_PASS = "review_pass", "保密审查通过"
    REVIEW_REJECT = "review_reject", "保密审查不通过"
    APPROVE = "approve", "领导审批同意"
    RETURN = "return", "退回修改"
    SCREEN = "screen", "泄密筛查"
    OVERRIDE_SCREENING = "override_screening", "确认筛查结果后放行"
    PUBLISH = "publish", "发布"
    SCHEDULE = "schedule", "定时发布"
    RELEASE = "release", "到时发布"
    WITHDRAW = "withdraw", "撤回"
    REVISE = "revise", "撤回后重新编辑"


A = Action
# None as to_status keeps the status (an event only).
TRANSITIONS: Transitions[Action, PublicationStatus] = Transitions(PublicationStatus, {
    A.EDIT: {S.DRAFT: None},
    A.SUBMIT: {S.DRAFT: S.IN_REVIEW},
    A.REVIEW_PASS: {S.IN_REVIEW: S.IN_APPROVAL},  # or APPROVED when no approval steps
    A.REVIEW_REJECT: {S.IN_REVIEW: S.DRAFT},
    A.APPROVE: {S.IN_APPROVAL: None},  # APPROVED after the last step
    A.RETURN: {
        S.IN_REVIEW: S.DRAFT,
        S.IN_APPROVAL: S.DRAFT,
        S.APPROVED: S.DRAFT,
        S.SCHEDULED: S.DRAFT,
    },
    A.SCREEN: {
        S.DRAFT: None,
        S.IN_REVIEW: None,
        S.IN_APPROVAL: None,
        S.APPROVED: None,
        S.SCHEDULED: None,
    },
    A.OVERRIDE_SCREENING: {S.IN_REVIEW: None, S.IN_APPROVAL: None, S.APPROVED: None},
    A.PUBLISH: {S.APPROVED: S.PUBLISHED},
    A.SCHEDULE: {S.APPROVED: S.SCHEDULED},
    A.RELEASE: {S.SCHEDULED: S.PUBLISHED},
    A.WITHDRAW: {S.PUBLISHED: S.WITHDRAWN, S.SCHEDULED: S.WITHDRAWN},
    A.REVISE: {S.WITHDRAWN: S.DRAFT},
}, subject="该信息")
next_status = TRANSITIONS.next_status
allowed_actions = TRANSITIONS.allowed_actions
