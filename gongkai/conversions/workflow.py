"""The states of a proposal (a cluster of requests for the same information) and the
office's two decisions on it. A proposal is derived, never stored: it is "proposed" while
any of its requests is undecided, and takes the state of the decision that covered it."""

from __future__ import annotations

from django.db import models

from gongkai.core.workflow import Transitions


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", "待处理"
    CONVERTED = "converted", "已转为主动公开"
    DISMISSED = "dismissed", "不予转为主动公开"


class Action(models.TextChoices):
    CONVERT = "convert", "转为主动公开"
    DISMISS = "dismiss", "不予转为主动公开"


S = ProposalStatus
TRANSITIONS: Transitions[Action, ProposalStatus] = Transitions(ProposalStatus, {
    Action.CONVERT: {S.PROPOSED: S.CONVERTED},
    Action.DISMISS: {S.PROPOSED: S.DISMISSED},
}, subject="该建议")
next_status = TRANSITIONS.next_status
allowed_actions = TRANSITIONS.allowed_actions
