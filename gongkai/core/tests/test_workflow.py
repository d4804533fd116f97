"""The one workflow helper: a table of allowed status changes, read by services (the next
status, or a refusal in Chinese) and pages (the actions a status allows)."""

import pytest
from django.db import models

from gongkai.core.errors import InvalidTransition
from gongkai.core.workflow import Transitions


class Status(models.TextChoices):
    OPEN = "open", "办理中"
    DONE = "done", "已办结"


class Action(models.TextChoices):
    NOTE = "note", "备注"
    FINISH = "finish", "办结"
    REOPEN = "reopen", "重新办理"


TABLE = Transitions(Status, {
    Action.NOTE: {Status.OPEN: None},
    Action.FINISH: {Status.OPEN: Status.DONE},
    Action.REOPEN: {Status.DONE: Status.OPEN},
}, subject="该事项")


def test_the_next_status_follows_the_table_and_none_keeps_the_status():
    assert TABLE.next_status(Status.OPEN, Action.FINISH) is Status.DONE
    assert TABLE.next_status("done", Action.REOPEN) is Status.OPEN  # stored values too
    assert TABLE.next_status(Status.OPEN, Action.NOTE) is Status.OPEN


def test_a_refused_action_says_what_and_why_in_chinese():
    with pytest.raises(InvalidTransition) as exc:
        TABLE.next_status(Status.DONE, Action.FINISH)
    assert exc.value.message == "该事项当前状态为“已办结”，不能执行“办结”。"


def test_an_action_outside_the_table_is_refused_not_a_key_error():
    class Other(models.TextChoices):
        CREATE = "create", "创建"

    with pytest.raises(InvalidTransition):
        TABLE.next_status(Status.OPEN, Other.CREATE)
    assert not TABLE.allows(Status.OPEN, Other.CREATE)


def test_allowed_actions_in_the_tables_order():
    assert TABLE.allowed_actions(Status.OPEN) == [Action.NOTE, Action.FINISH]
    assert TABLE.allowed_actions("done") == [Action.REOPEN]
    assert TABLE.allows(Status.DONE, Action.REOPEN)


def test_the_table_reads_as_a_mapping_of_action_to_from_and_to_status():
    assert list(TABLE) == [Action.NOTE, Action.FINISH, Action.REOPEN]
    assert len(TABLE) == 3
    assert TABLE[Action.FINISH] == {Status.OPEN: Status.DONE}
    assert dict(TABLE.items())[Action.NOTE] == {Status.OPEN: None}


def test_a_status_that_is_not_one_of_the_apps_is_refused_when_the_table_is_built():
    with pytest.raises(TypeError, match="finish"):
        Transitions(Status, {Action.FINISH: {"open": Status.DONE}}, subject="该事项")
    with pytest.raises(TypeError):
        Transitions(Status, {Action.FINISH: {Status.OPEN: "done"}}, subject="该事项")


@pytest.mark.parametrize("app, subject", [
    ("foi", "申请"), ("publishing", "该信息"), ("reports", "该年度报告"),
])
def test_every_app_declares_its_table_with_the_helper_in_one_vocabulary(app, subject):
    import importlib

    workflow = importlib.import_module(f"gongkai.{app}.workflow")
    assert isinstance(workflow.TRANSITIONS, Transitions)
    assert workflow.TRANSITIONS.subject == subject
    assert workflow.next_status == workflow.TRANSITIONS.next_status
    assert workflow.allowed_actions == workflow.TRANSITIONS.allowed_actions
    assert not hasattr(workflow, "next_state")
