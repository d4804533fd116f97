"""Writes that are safe to repeat: the first answer to a keyed write is kept for 24 hours
and given again to every repetition.

Two callers use it. The API honours an ``Idempotency-Key`` header (scope ``api``): the
same key with the same body gets the first answer again; the same key with another body
is a conflict. The public request form carries a one-time token (scope ``web``): a
resubmitted form (double click, back button) gets the first receipt, whatever it holds.

- Keys are stored only as a keyed hash (HMAC under the field keys,
  ``crypto.blind_index``), by key alone: a key is the client's random secret, so scoping
  it by the client's address would add nothing but personal data.
- Bodies are compared by a keyed hash too (they hold ID numbers).
- The answer (it holds the applicant's secret) is stored encrypted (``EncryptedTextField``).
- Concurrency: the record is inserted *before* the write runs, in the same transaction,
  under a unique constraint. A second request with the same key waits on that insert
  (PostgreSQL's unique index; SQLite's immediate transactions) and, once the first commits,
  fails with ``IntegrityError``: it then answers with the first one's record. If the first
  rolls back, the second simply goes ahead.
- Only successful answers (2xx) are kept: a refused request left nothing behind, so
  repeating it may succeed once corrected.
- Records older than 24 hours are deleted on every keyed write (and by
  ``gongkai idempotency purge`` from cron).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from gongkai.core import clock
from gongkai.core.crypto import blind_index, blind_index_candidates
from gongkai.core.errors import DomainError
from gongkai.core.models import IdempotencyRecord

RETENTION = dt.timedelta(hours=24)
MAX_KEY_LENGTH = 255
SCOPE_API = "api"
SCOPE_WEB = "web"
_KEY_PURPOSE = "core.idempotency.key"
_BODY_PURPOSE = "core.idempotency.body"

CONFLICT_MESSAGE = "该 Idempotency-Key 已用于内容不同的另一次提交；新的提交请使用新的 Idempotency-Key。"
BAD_KEY_MESSAGE = f"Idempotency-Key 应为 1 至 {MAX_KEY_LENGTH} 个可见的 ASCII 字符。"


class IdempotencyConflict(DomainError):
    """The key was used, within 24 hours, for a different body."""

    def __init__(self, message: str = CONFLICT_MESSAGE):
        super().__init__(message)


@dataclass(frozen=True)
class Result:
    """What ``produce`` answers: an HTTP status, a JSON body, and (optionally) a public
    reference to what was created."""

    status: int
    body: dict
    reference: str = ""
    extra: dict = field(default_factory=dict)  # for the caller only; never stored


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict
    replayed: bool
    record: IdempotencyRecord | None
    extra: dict = field(default_factory=dict)


class _NotKept(Exception):
    def __init__(self, result: Result):
        super().__init__("not a success: nothing kept")
        self.result = result


def valid_key(key: str | None) -> bool:
    """A key is 1–255 visible ASCII characters (a UUID is the usual choice)."""
    return bool(key) and len(key) <= MAX_KEY_LENGTH and all(33 <= ord(c) <= 126 for c in key)


def _key_text(scope: str, key: str) -> str:
    return f"{scope}:{key}"


def body_digest(canonical: str) -> str:
    """The keyed hash of a request body in a canonical form."""
    return blind_index(f"body:{canonical}", purpose=_BODY_PURPOSE)


def _same_body(record: IdempotencyRecord, canonical: str) -> bool:
    return record.body_hash in blind_index_candidates(f"body:{canonical}", _BODY_PURPOSE)


def find(scope: str, key: str) -> IdempotencyRecord | None:
    """The unexpired record of ``key`` in ``scope`` (under any configured field key, so a
    key rotation does not forget the last day's answers)."""
    return IdempotencyRecord.objects.filter(
        scope=scope, key_hash__in=blind_index_candidates(_key_text(scope, key), _KEY_PURPOSE),
        created_at__gt=clock.now() - RETENTION,
    ).first()


def stored_body(record: IdempotencyRecord) -> dict:
    return json.loads(record.response) if record.response else {}


def purge(*, now: dt.datetime | None = None) -> int:
    """Delete the records older than 24 hours; returns how many."""
    cutoff = (now or clock.now()) - RETENTION
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lte=cutoff).delete()
    return deleted


def _replay(record: IdempotencyRecord, canonical: str, check_body: bool) -> Answer:
    if check_body and not _same_body(record, canonical):
        raise IdempotencyConflict()
    return Answer(record.status_code, stored_body(record), replayed=True, record=record)


def once(scope: str, key: str, canonical_body: str, produce: Callable[[], Result], *,
         check_body: bool = True) -> Answer:
    """Run ``produce`` once for ``key``: the first call runs it (in a transaction with the
    record) and keeps a successful answer; a repetition within 24 hours gets that answer
    back (``replayed``), or ``IdempotencyConflict`` when ``check_body`` and the body
    differs. ``produce`` must do all its writes in the database, or after the commit."""
    if not valid_key(key):
        raise ValueError("invalid idempotency key")
    existing = find(scope, key)
    if existing is not None:
        return _replay(existing, canonical_body, check_body)
    try:
        with transaction.atomic():
            purge()
            record = IdempotencyRecord.objects.create(
                scope=scope, key_hash=blind_index(_key_text(scope, key), purpose=_KEY_PURPOSE),
                body_hash=body_digest(canonical_body), status_code=0, response="",
                created_at=clock.now(),
            )
            result = produce()
            if not 200 <= result.status < 300:
                raise _NotKept(result)
            record.status_code = result.status
            record.response = json.dumps(result.body, ensure_ascii=False)
            record.reference = result.reference[:100]
            record.save(update_fields=["status_code", "response", "reference"])
    except _NotKept as refused:
        r = refused.result
        return Answer(r.status, r.body, replayed=False, record=None, extra=r.extra)
    except IntegrityError:
        # Another request with this key committed first (we waited for it on the insert).
        existing = find(scope, key)
        if existing is None:
            raise
        return _replay(existing, canonical_body, check_body)
    return Answer(result.status, result.body, replayed=False, record=record, extra=result.extra)
