"""The listener registry (core.listeners): named events, delivered at once or after the
commit as the event says, to the subscribers present when it is emitted."""

import pytest
from django.db import transaction

from gongkai.core import listeners

EVENTS = (listeners.CONTENT_CHANGED, listeners.PUBLICATION_VISIBILITY,
          listeners.CALENDAR_CHANGED)


@pytest.fixture
def heard():
    """The only subscriber to every event for the test; the site's own subscribers (page
    cache, search index, offices' mail) are put back afterwards, in the same lists."""
    calls = []

    def subscriber(*args, **kwargs):
        calls.append((args, kwargs))

    saved = {event: list(listeners.subscribers(event)) for event in EVENTS}
    for event in EVENTS:
        listeners.subscribers(event).clear()
        listeners.subscribe(event, subscriber)
    yield calls
    for event in EVENTS:
        listeners.subscribers(event)[:] = saved[event]


def test_a_second_subscription_keeps_one(heard):
    def fn():
        pass

    listeners.subscribe(listeners.CONTENT_CHANGED, fn)
    listeners.subscribe(listeners.CONTENT_CHANGED, fn)
    try:
        assert listeners.subscribers(listeners.CONTENT_CHANGED).count(fn) == 1
    finally:
        listeners.unsubscribe(listeners.CONTENT_CHANGED, fn)
    assert fn not in listeners.subscribers(listeners.CONTENT_CHANGED)


def test_an_unknown_event_is_refused():
    with pytest.raises(LookupError, match="content-changed"):
        listeners.emit("content-changed")
    with pytest.raises(LookupError):
        listeners.subscribe("contnet changed", print)


def test_content_changed_is_delivered_inside_the_transaction(db, heard,
                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False), transaction.atomic():
        listeners.emit(listeners.CONTENT_CHANGED)
        assert heard == [((), {})]  # before the commit: the subscriber decides what waits


def test_visibility_is_delivered_inside_the_transaction_with_its_arguments(db, heard):
    with transaction.atomic():
        listeners.emit(listeners.PUBLICATION_VISIBILITY, "item", False)
        assert heard == [(("item", False), {})]


def test_calendar_changed_waits_for_the_commit(db, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        listeners.emit(listeners.CALENDAR_CHANGED, {"2025-05-06"})
        assert heard == []
    assert callbacks
    assert heard == [(({"2025-05-06"},), {})]


def test_calendar_changed_in_a_rolled_back_transaction_is_never_delivered(
    db, heard, django_capture_on_commit_callbacks,
):
    with (django_capture_on_commit_callbacks(execute=True) as callbacks,
          pytest.raises(RuntimeError), transaction.atomic()):
        listeners.emit(listeners.CALENDAR_CHANGED, {"2025-05-06"})
        raise RuntimeError
    assert callbacks == []
    assert heard == []


def test_a_subscriber_added_after_the_emit_is_not_called(db, heard,
                                                          django_capture_on_commit_callbacks):
    late = []
    with django_capture_on_commit_callbacks(execute=True):
        listeners.emit(listeners.CALENDAR_CHANGED, {"2025-05-06"})
        listeners.subscribe(listeners.CALENDAR_CHANGED, late.append)
    listeners.unsubscribe(listeners.CALENDAR_CHANGED, late.append)
    assert late == []


def test_the_old_listener_lists_are_the_events_subscriber_lists():
    from gongkai.core.services.calendar import calendar_change_listeners
    from gongkai.publishing.services.publications import visibility_listeners

    assert calendar_change_listeners is listeners.subscribers(listeners.CALENDAR_CHANGED)
    assert visibility_listeners is listeners.subscribers(listeners.PUBLICATION_VISIBILITY)


def test_the_portal_subscribes_when_the_site_starts():
    from gongkai.portal import caching

    assert caching.content_changed in listeners.subscribers(listeners.CONTENT_CHANGED)
    assert caching._on_visibility in listeners.subscribers(listeners.PUBLICATION_VISIBILITY)
