"""Heavy and scheduled work off the request (issue 20): a database outbox fed to Celery.

``enqueue(name, args=…, key=…)`` writes an ``OutboxTask`` row in the caller's transaction;
after commit the row is pushed to the broker (or, with no broker configured, run in the
process). Nothing a citizen submits waits on, or fails because of, the broker.
"""
