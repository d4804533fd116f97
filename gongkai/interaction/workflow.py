"""States of a message (留言) and the one table of allowed transitions.

    received ──assign──▶ assigned ──submit_reply──▶ awaiting_check ──release_reply──▶ replied
       │  ▲                 │  ▲                       │                               │ publish ▲ unpublish
       │  └──transfer───────┘  └──────return_reply─────┘                               ▼         │
       │ dismiss                                                                    published ───┘
       ▼
    dismissed

``received``: with the agency's office, not yet routed (also after a transfer from another
agency: the message arrives in the new agency's queue as received). The office may reply
itself (submit a reply from ``received``). Extensions of the reply deadline (requested by
the office or the assigned officer, approved or refused by a leader), the writer's rating
and a look at full personal data are events, not states.
"""

from __future__ import annotations

from django.db import models

from gongkai.core.workflow import Transitions


class MessageStatus(models.TextChoices):
    RECEIVED = "received", "待分办"
    ASSIGNED = "assigned", "办理中"
    AWAITING_CHECK = "awaiting_check", "答复待审核"
    REPLIED = "replied", "已答复"
    PUBLISHED = "published", "已答复并公开"
    DISMISSED = "dismissed", "不予处理"


class Action(models.TextChoices):
    SUBMIT = "submit", "网上提交"
    ASSIGN = "assign", "分办"
    TRANSFER = "transfer", "转办其他机关"
    SUBMIT_REPLY = "submit_reply", "提交答复"
    RETURN_REPLY = "return_reply", "退回修改"
    RELEASE_REPLY = "release_reply", "审核通过并答复"
    REQUEST_EXTENSION = "request_extension", "申请延期"
    EXTEND = "extend", "批准延期"
    REFUSE_EXTENSION = "refuse_extension", "不同意延期"
    PUBLISH = "publish", "公开答复"
    UNPUBLISH = "unpublish", "撤回公开"
    RATE = "rate", "留言人评价"
    DISMISS = "dismiss", "不予处理"


class Kind(models.TextChoices):
    """The type of a message; the API's values are these."""

    INQUIRY = "inquiry", "咨询"
    SUGGESTION = "suggestion", "建议"
    COMPLAINT = "complaint", "投诉"
    HELP = "help", "求助"
    OTHER = "other", "其他"


class Rating(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY_SATISFIED = "basically_satisfied", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


S, A = MessageStatus, Action
# Waiting for a reply: the reply clock runs.
OPEN_STATUSES = frozenset({S.RECEIVED, S.ASSIGNED, S.AWAITING_CHECK})
ANSWERED_STATUSES = frozenset({S.REPLIED, S.PUBLISHED})

TRANSITIONS: Transitions[Action, MessageStatus] = Transitions(MessageStatus, {
    A.ASSIGN: {S.RECEIVED: S.ASSIGNED, S.ASSIGNED: S.ASSIGNED},
    A.TRANSFER: {S.RECEIVED: S.RECEIVED, S.ASSIGNED: S.RECEIVED},
    A.SUBMIT_REPLY: {S.RECEIVED: S.AWAITING_CHECK, S.ASSIGNED: S.AWAITING_CHECK},
    A.RETURN_REPLY: {S.AWAITING_CHECK: S.ASSIGNED},
    A.RELEASE_REPLY: {S.AWAITING_CHECK: S.REPLIED},
    A.REQUEST_EXTENSION: dict.fromkeys(OPEN_STATUSES),
    A.EXTEND: dict.fromkeys(OPEN_STATUSES),
    A.REFUSE_EXTENSION: dict.fromkeys(OPEN_STATUSES),
    A.PUBLISH: {S.REPLIED: S.PUBLISHED},
    A.UNPUBLISH: {S.PUBLISHED: S.REPLIED},
    A.RATE: dict.fromkeys(ANSWERED_STATUSES),
    A.DISMISS: {S.RECEIVED: S.DISMISSED, S.ASSIGNED: S.DISMISSED},
}, subject="留言")
next_status = TRANSITIONS.next_status
allowed_actions = TRANSITIONS.allowed_actions
