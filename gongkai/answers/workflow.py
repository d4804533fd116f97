"""States of an FAQ and the one table of allowed transitions.

  create ─▶ draft ─submit─▶ submitted ─approve (office or leader, not the submitter)─▶ published
              ▲                 │                                                       │
              └── return (reason)┘                                                       │
              └── redraft ◀── withdrawn ◀──────────────── withdraw (reason) ────────────┘

Only a draft is edited; a published FAQ is changed by withdrawing it, redrafting and
approving it again, so the public never reads an answer nobody approved.
"""

from __future__ import annotations

from django.db import models

from gongkai.answers.models import FaqStatus
from gongkai.core.workflow import Transitions

S = FaqStatus


class Action(models.TextChoices):
    CREATE = "create", "起草"
    EDIT = "edit", "修改"
    SUBMIT = "submit", "提交审核"
    APPROVE = "approve", "审核通过并发布"
    RETURN = "return", "退回修改"
    WITHDRAW = "withdraw", "撤回"
    REDRAFT = "redraft", "重新编辑"


A = Action
TRANSITIONS: Transitions[Action, FaqStatus] = Transitions(FaqStatus, {
    A.EDIT: {S.DRAFT: None},
    A.SUBMIT: {S.DRAFT: S.SUBMITTED},
    A.APPROVE: {S.SUBMITTED: S.PUBLISHED},
    A.RETURN: {S.SUBMITTED: S.DRAFT},
    A.WITHDRAW: {S.PUBLISHED: S.WITHDRAWN},
    A.REDRAFT: {S.WITHDRAWN: S.DRAFT},
}, subject="该常见问题")
next_status = TRANSITIONS.next_status
allowed_actions = TRANSITIONS.allowed_actions
