"""States of an error report (「我为政府网站找错」) and the one table of allowed transitions.

    received ──reply──▶ replied
       │
       └──close──▶ closed

``received``: in the agency office's queue. ``replied``: the office fixed (or explained)
what was reported and wrote its reply. ``closed``: not an error of the site, a duplicate or
spam, closed with the reason.
"""

from __future__ import annotations

from django.db import models

from gongkai.core.workflow import Transitions


class SiteErrorStatus(models.TextChoices):
    RECEIVED = "received", "待处理"
    REPLIED = "replied", "已处理"
    CLOSED = "closed", "已关闭"


class Action(models.TextChoices):
    SUBMIT = "submit", "网上提交"
    REPLY = "reply", "处理并答复"
    CLOSE = "close", "关闭"


S, A = SiteErrorStatus, Action

TRANSITIONS: Transitions[Action, SiteErrorStatus] = Transitions(SiteErrorStatus, {
    A.REPLY: {S.RECEIVED: S.REPLIED},
    A.CLOSE: {S.RECEIVED: S.CLOSED},
}, subject="该纠错")


def next_status(status, action: Action) -> SiteErrorStatus:
    return TRANSITIONS.next_status(status, action)


def allowed_actions(status) -> list[Action]:
    return TRANSITIONS.allowed_actions(status)
