"""States of an annual report and the one table of allowed transitions.

  start ─▶ draft ─submit (checked)─▶ submitted ─sign off (leader)─▶ signed_off ─publish─▶ published
             ▲                          │                              │                    │
             └──────── return (reason) ─┴──────────────────────────────┘                    │
             └──────── correct (reason; a new version, the published one stays) ◀───────────┘

In draft the office recomputes, types figures (or reverts a replaced one) and edits prose;
after submission the cells are frozen until the report is returned. An override (publish
despite broken rules) is recorded while the report waits for sign-off, so the leader signs
off having seen it.
"""

from __future__ import annotations

from django.db import models

from gongkai.core.workflow import Transitions
from gongkai.reports.models import ReportState

S = ReportState


class Action(models.TextChoices):
    START = "start", "创建报告"
    RECOMPUTE = "recompute", "重新计算"
    SET_FIGURE = "set_figure", "录入手填数据"
    REVERT_FIGURE = "revert_figure", "恢复计算值"
    EDIT_PROSE = "edit_prose", "修改正文"
    DRAFT_PROSE = "draft_prose", "生成正文初稿"
    SUBMIT = "submit", "核对并提交签发"
    OVERRIDE = "override", "确认带问题发布"
    SIGN_OFF = "sign_off", "领导签发"
    RETURN = "return", "退回修改"
    PUBLISH = "publish", "发布"
    CORRECT = "correct", "发布后更正"


A = Action
# None as to_status keeps the status (an event only).
TRANSITIONS: Transitions[Action, ReportState] = Transitions(ReportState, {
    A.RECOMPUTE: {S.DRAFT: None},
    A.SET_FIGURE: {S.DRAFT: None},
    A.REVERT_FIGURE: {S.DRAFT: None},
    A.EDIT_PROSE: {S.DRAFT: None},
    A.DRAFT_PROSE: {S.DRAFT: None},
    A.SUBMIT: {S.DRAFT: S.SUBMITTED},
    A.OVERRIDE: {S.SUBMITTED: None},  # before sign-off: the leader sees what is overridden
    A.SIGN_OFF: {S.SUBMITTED: S.SIGNED_OFF},
    A.RETURN: {S.SUBMITTED: S.DRAFT, S.SIGNED_OFF: S.DRAFT},
    A.PUBLISH: {S.SIGNED_OFF: S.PUBLISHED},
    A.CORRECT: {S.PUBLISHED: S.DRAFT},
}, subject="该年度报告")
next_status = TRANSITIONS.next_status
allowed_actions = TRANSITIONS.allowed_actions
