"""The one shape of a workflow: an app declares its table of allowed status changes, and
this type answers the two questions every service and page asks of it.

An app's ``workflow`` module holds its statuses, its actions and one ``Transitions``
table (action → {from_status: to_status}); ``to_status`` None records the action without
changing the status (an event only). Services call ``next_status`` before they write;
pages offer what ``allowed_actions`` lists. The vocabulary is the events' own:
``status``, ``from_status``, ``to_status``, ``action``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Generic, TypeVar

from django.db import models

from gongkai.core.errors import InvalidTransition

StatusT = TypeVar("StatusT", bound=models.TextChoices)
ActionT = TypeVar("ActionT", bound=models.TextChoices)


class Transitions(Mapping, Generic[ActionT, StatusT]):
    """An app's transition table, read as a mapping action → {from_status: to_status}.

    ``subject`` names the object in the refusal message, e.g. "申请" or "该信息":
    "申请当前状态为“待补正”，不能执行“答复”。"
    """

    def __init__(
        self,
        statuses: type[StatusT],
        table: Mapping[ActionT, Mapping[StatusT, StatusT | None]],
        *,
        subject: str,
    ):
        self.statuses = statuses
        self.subject = subject
        self._table = {action: dict(row) for action, row in table.items()}
        for action, row in self._table.items():
            for from_status, to_status in row.items():
                # A typo in a table would otherwise surface as a refusal at run time.
                if not isinstance(from_status, statuses) or not (
                    to_status is None or isinstance(to_status, statuses)
                ):
                    raise TypeError(
                        f"{action}: {from_status!r} → {to_status!r} is not a {statuses.__name__}"
                    )

    # --- the mapping ------------------------------------------------------------------------

    def __getitem__(self, action: ActionT) -> dict[StatusT, StatusT | None]:
        return self._table[action]

    def __iter__(self) -> Iterator[ActionT]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)

    # --- the questions ------------------------------------------------------------------------

    def allows(self, status: StatusT | str, action: ActionT) -> bool:
        return self.statuses(status) in self._table.get(action, {})

    def next_status(self, status: StatusT | str, action: ActionT) -> StatusT:
        """The status after ``action``, or ``InvalidTransition`` with a message staff can read."""
        status = self.statuses(status)
        row = self._table.get(action, {})
        if status not in row:
            raise InvalidTransition(
                f"{self.subject}当前状态为“{status.label}”，不能执行“{action.label}”。"
            )
        to_status = row[status]
        return status if to_status is None else to_status

    def allowed_actions(self, status: StatusT | str) -> list[ActionT]:
        """The actions ``status`` allows, in the table's order."""
        status = self.statuses(status)
        return [action for action, row in self._table.items() if status in row]
