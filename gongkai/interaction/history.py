"""Facts derived from a message's history (its events), shared by services and selectors:
the approved extensions and a pending extension request since the message reached its
current agency. No queries here: callers pass the events (oldest first)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from gongkai.interaction.workflow import Action

_EXTENSION_STEPS = (Action.REQUEST_EXTENSION, Action.EXTEND, Action.REFUSE_EXTENSION)


@dataclass(frozen=True)
class ExtensionState:
    approved_days: int
    pending_days: int | None  # days asked for, while a request awaits the leader
    pending_reason: str = ""


def since_arrival(events: Iterable) -> list:
    """The events since the message reached its current agency (the last transfer)."""
    events = list(events)
    last_transfer = max((i for i, e in enumerate(events) if e.action == Action.TRANSFER), default=-1)
    return events[last_transfer + 1:]


def extension_state(events: Iterable) -> ExtensionState:
    approved, pending, reason = 0, None, ""
    for e in since_arrival(events):
        if e.action == Action.EXTEND:
            approved += int(e.data.get("days", 0))
        if e.action in _EXTENSION_STEPS:
            pending = int(e.data.get("days", 0)) if e.action == Action.REQUEST_EXTENSION else None
            reason = e.reason if e.action == Action.REQUEST_EXTENSION else ""
    return ExtensionState(approved, pending, reason)
