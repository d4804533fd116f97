"""The one table of allowed transitions of an annual report."""

import pytest

from gongkai.core.errors import InvalidTransition
from gongkai.reports.models import ReportState as S
from gongkai.reports.workflow import TRANSITIONS, Action, allowed_actions, next_status


@pytest.mark.parametrize("state, action, target", [
    (S.DRAFT, Action.SUBMIT, S.SUBMITTED),
    (S.SUBMITTED, Action.SIGN_OFF, S.SIGNED_OFF),
    (S.SIGNED_OFF, Action.PUBLISH, S.PUBLISHED),
    (S.SUBMITTED, Action.RETURN, S.DRAFT),
    (S.SIGNED_OFF, Action.RETURN, S.DRAFT),
    (S.PUBLISHED, Action.CORRECT, S.DRAFT),
    (S.DRAFT, Action.SET_FIGURE, S.DRAFT),
    (S.SUBMITTED, Action.OVERRIDE, S.SUBMITTED),
    (S.DRAFT, Action.REVERT_FIGURE, S.DRAFT),
])
def test_allowed_transitions(state, action, target):
    assert next_status(state, action) == target


@pytest.mark.parametrize("state, action", [
    (S.DRAFT, Action.PUBLISH),  # never without submission and sign-off
    (S.SUBMITTED, Action.PUBLISH),  # never without the leader
    (S.DRAFT, Action.SIGN_OFF),
    (S.PUBLISHED, Action.RETURN),
    (S.SUBMITTED, Action.SET_FIGURE),  # cells are frozen once submitted
    (S.SIGNED_OFF, Action.EDIT_PROSE),
    (S.PUBLISHED, Action.RECOMPUTE),  # a published report never changes
    (S.DRAFT, Action.OVERRIDE),
    (S.SIGNED_OFF, Action.OVERRIDE),  # the leader signs off having seen the override
    (S.SUBMITTED, Action.REVERT_FIGURE),
])
def test_refused_transitions_say_why_in_chinese(state, action):
    with pytest.raises(InvalidTransition) as exc:
        next_status(state, action)
    assert state.label in exc.value.message and action.label in exc.value.message


def test_every_state_but_start_has_a_way_on():
    for state in S:
        assert allowed_actions(state), state
    assert all(target is None or target in S for table in TRANSITIONS.values()
               for target in table.values())
    assert allowed_actions(S.PUBLISHED) == [Action.CORRECT]
