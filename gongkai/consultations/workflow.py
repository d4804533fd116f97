"""States of a consultation and the one table of allowed transitions.

draft ─submit─▶ awaiting_approval ─approve (领导审核发布)─▶ published ─publish_feedback─▶ feedback_published
  ▲                  │ return                                  │ (after the close: comments screened, opinions decided)
  └──────────────────┘                                          │
draft, awaiting_approval, published ─withdraw (with reason)─▶ withdrawn

A published consultation is upcoming, open or closed by its dates (``selectors.phase``).
Editing the draft is allowed until it is published; the final normative document can be
linked while published and after the feedback.
"""

from __future__ import annotations

from django.db import models

from gongkai.consultations.models import ConsultationStatus
from gongkai.core.workflow import Transitions

S = ConsultationStatus


class Action(models.TextChoices):
    CREATE = "create", "起草"
    EDIT = "edit", "修改"
    ATTACH = "attach", "上传附件"
    SUBMIT = "submit", "提交领导审核"
    RETURN = "return", "退回修改"
    APPROVE = "approve", "审核同意并发布"
    PUBLISH_FEEDBACK = "publish_feedback", "公布采纳情况"
    LINK_FINAL = "link_final", "关联正式文件"
    WITHDRAW = "withdraw", "撤回"


A = Action
TRANSITIONS: Transitions[Action, ConsultationStatus] = Transitions(ConsultationStatus, {
    A.EDIT: {S.DRAFT: None},
    A.ATTACH: {S.DRAFT: None},
    A.SUBMIT: {S.DRAFT: S.AWAITING_APPROVAL},
    A.RETURN: {S.AWAITING_APPROVAL: S.DRAFT},
    A.APPROVE: {S.AWAITING_APPROVAL: S.PUBLISHED},
    A.PUBLISH_FEEDBACK: {S.PUBLISHED: S.FEEDBACK_PUBLISHED},
    A.LINK_FINAL: {S.PUBLISHED: None, S.FEEDBACK_PUBLISHED: None},
    A.WITHDRAW: {S.DRAFT: S.WITHDRAWN, S.AWAITING_APPROVAL: S.WITHDRAWN, S.PUBLISHED: S.WITHDRAWN},
}, subject="该意见征集")
next_status = TRANSITIONS.next_status
allowed_actions = TRANSITIONS.allowed_actions
