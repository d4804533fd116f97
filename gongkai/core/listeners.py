"""Named events that core and the domain apps emit, and whoever cares subscribes to.

Arrows point down: core, foi, publishing, decisions and reports never import the portal
(see ``docs/architecture.md``). When they change something that a part above them mirrors
(the portal's page cache, its search index) or reacts to (the offices' e-mail), they emit
an event here; the part that cares subscribes in its ``AppConfig.ready()``. The emitter
does not know who listens, or whether anyone does.

The events, with what a subscriber receives and when:

- ``CONTENT_CHANGED``: something the public sees changed (an item published or
  withdrawn, a column, the normative register, a decision, an annual report, an agency).
  No arguments. Delivered at once, inside the emitter's transaction: a subscriber that
  acts outside the database waits for the commit itself (the page cache does, and turns
  the many changes of one transaction into one).
- ``PUBLICATION_VISIBILITY``: one publication became public (``visible=True``) or stopped
  being public. Called as ``fn(publication, visible)`` inside the publishing transaction,
  so that whatever mirrors the public set (the search index) changes with it or not at
  all. Publishing's ``visibility_listeners`` is this event's subscriber list.
- ``PUBLIC_OBJECT_CHANGED``: a public object other than a publication's visibility (a
  decision published or withdrawn, an annual report published, an agency and so its guide
  created or changed, an item linked in the normative register) may have changed what
  the public sees of it. Called as ``fn(obj_or_list, visible)`` inside the emitter's
  transaction (``visible`` a hint: the search index reads what is public itself), so the
  search index changes with it or not at all.
- ``AGENCY_MOVED``: an agency (with its subtree) was moved under another parent, so the
  agency ancestors of everything in the subtree changed (``Agency.path``). Called as
  ``fn(agency)`` inside the emitter's transaction, the agency's new path already saved:
  whatever holds the ancestors (the search index's agency filter tokens) schedules its
  own update (a task written in the same transaction, run after the commit).
- ``CALENDAR_CHANGED``: the working-day calendar changed. Called as ``fn(days)`` with the
  dates whose status may have changed, after the commit, each subscriber on its own (a
  subscriber's failure cannot undo the change). ``core.services.calendar``'s
  ``calendar_change_listeners`` is this event's subscriber list.

A new event is a constant here, a line in the list above and its delivery in
``_AFTER_COMMIT`` or not. Subscribers are plain callables, kept in order of subscription;
subscribing twice keeps one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.db import transaction

CONTENT_CHANGED = "content changed"
PUBLICATION_VISIBILITY = "publication visibility"
PUBLIC_OBJECT_CHANGED = "public object changed"
CALENDAR_CHANGED = "calendar changed"
AGENCY_MOVED = "agency moved"

# Events delivered after the emitter's transaction commits (at once outside one).
_AFTER_COMMIT = frozenset({CALENDAR_CHANGED})

_subscribers: dict[str, list[Callable]] = {
    event: []
    for event in (CONTENT_CHANGED, PUBLICATION_VISIBILITY, PUBLIC_OBJECT_CHANGED, CALENDAR_CHANGED,
                  AGENCY_MOVED)
}


def subscribers(event: str) -> list[Callable]:
    """The event's subscriber list itself (not a copy): an emitter that kept its own
    list name (``visibility_listeners``) is this list under that name."""
    try:
        return _subscribers[event]
    except KeyError:
        raise LookupError(f"unknown event {event!r}; events: {sorted(_subscribers)}") from None


def subscribe(event: str, fn: Callable) -> None:
    """Call ``fn`` on every ``emit(event, ...)``; a second subscription is ignored."""
    listeners = subscribers(event)
    if fn not in listeners:
        listeners.append(fn)


def unsubscribe(event: str, fn: Callable) -> None:
    listeners = subscribers(event)
    if fn in listeners:
        listeners.remove(fn)


def emit(event: str, /, *args, **kwargs) -> None:
    """Tell the event's subscribers, now or after the commit as the event's delivery says
    (see the module docstring). The subscribers are those present at the emit."""
    listeners = list(subscribers(event))
    if event in _AFTER_COMMIT:
        for fn in listeners:
            transaction.on_commit(functools.partial(fn, *args, **kwargs))
    else:
        for fn in listeners:
            fn(*args, **kwargs)
