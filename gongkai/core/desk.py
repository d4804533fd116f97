"""The back office's desk (工作台): what waits on the active membership, as queues with
counts. Core knows no area, so each area registers a queue provider in its
``AppConfig.ready()`` (as with ``core.navigation``); the home page only presents them.

A provider takes the membership the user acts under and returns its queues for that role
(none for a role it has nothing for). Each queue's count must be exactly what its link
lists, and only of the membership's agency (a supervisor's: the subtree below it). Count
with one or a few aggregate queries in the area's selectors, never a query per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models

from gongkai.core.models import Membership


class Urgency(models.TextChoices):
    """How the desk marks a queue that is not empty (text says it too, never only colour)."""

    NORMAL = "normal", "待办"
    SOON = "soon", "即将到期"
    OVERDUE = "overdue", "已逾期"


@dataclass(frozen=True)
class QueueLine:
    """One line of a queue's breakdown (e.g. one agency of a supervisor's subtree)."""

    label: str
    count: int
    url: str


@dataclass(frozen=True)
class Queue:
    """One queue on the desk: ``key`` names it for tests and styling (``"foi.overdue"``),
    ``area`` is the heading it is shown under, ``url`` the list of exactly what ``count``
    counts; ``lines`` an optional breakdown (worst first)."""

    key: str
    area: str
    label: str
    count: int
    url: str
    urgency: Urgency = Urgency.NORMAL
    hint: str = ""
    lines: tuple[QueueLine, ...] = ()
    lines_caption: str = ""

    @property
    def marked(self) -> bool:
        """Shown as urgent: something waits, and it is due soon or overdue."""
        return self.count > 0 and self.urgency != Urgency.NORMAL


Provider = Callable[[Membership], Iterable[Queue]]


@dataclass(frozen=True)
class _Entry:
    key: str
    provider: Provider
    order: int


_providers: list[_Entry] = []


def register(key: str, provider: Provider, *, order: int = 100) -> None:
    """Add an area's provider (``key``: the area's label, e.g. "foi"); registering the
    same key again replaces it, so a repeated ``ready()`` does not double the queues."""
    _providers[:] = [e for e in _providers if e.key != key]
    _providers.append(_Entry(key, provider, order))
    _providers.sort(key=lambda e: (e.order, e.key))


def registered() -> list[str]:
    return [e.key for e in _providers]


def queues_for(membership: Membership | None) -> list[Queue]:
    """Every area's queues for the membership, in the areas' order (none without one:
    a platform administrator runs the platform, not a desk)."""
    if not membership:  # None, or the request's lazy "no active membership"
        return []
    return [queue for entry in _providers for queue in entry.provider(membership)]


@dataclass(frozen=True)
class DeskArea:
    title: str
    queues: list[Queue]


def desk_for(membership: Membership | None) -> list[DeskArea]:
    """The queues grouped under their areas' headings, in order."""
    areas: dict[str, list[Queue]] = {}
    for queue in queues_for(membership):
        areas.setdefault(queue.area, []).append(queue)
    return [DeskArea(title, queues) for title, queues in areas.items()]
