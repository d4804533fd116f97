"""The audit trail: append entries and verify the hash chain.

Every state change in gongkai calls ``record`` inside the transaction that makes the
change, so the change and its audit entry are committed together or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction

from gongkai.core import clock
from gongkai.core.models import Agency, AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64
HEAD_PK = 1


def _normalise(value: Any) -> Any:
    """JSON-native form of a before/after summary, so that what is hashed is exactly what
    the database gives back (dates become ISO strings, decimals strings, …)."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def entry_hash(fields: dict[str, Any]) -> str:
    """SHA-256 over a canonical JSON of the entry's fields, including ``prev_hash``."""
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def hashed_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "occurred_at": event.occurred_at.astimezone(dt.UTC).isoformat(
            timespec="microseconds"
        ),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "agency_id": event.agency_id,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "action": event.action,
        "reason": event.reason,
        "before": event.before,
        "after": event.after,
        "prev_hash": event.prev_hash,
    }


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    agency: Agency | None = None,
    reason: str = "",
    before: Any = None,
    after: Any = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEvent:
    """Append one entry to the audit trail (actor may be None for the system or an
    anonymous visitor). Never put personal data in ``before``/``after``: the log is read
    more widely than the records it describes."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    actor_user = actor if getattr(actor, "is_authenticated", False) else None
    # No savepoint: the entry belongs to the caller's transaction and fails with it.
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        event = AuditEvent(
            seq=head.seq + 1,
            occurred_at=clock.now(),
            actor=actor_user,
            actor_label=_actor_label(actor_user),
            agency=agency,
            object_type=object_type,
            object_id=str(object_id),
            object_repr=str(object_repr)[:200],
            action=action,
            reason=reason or "",
            before=_normalise(before),
            after=_normalise(after),
            prev_hash=head.hash,
        )
        event.hash = entry_hash(hashed_fields(event))
        event.save()
        AuditChainHead.objects.filter(pk=HEAD_PK).update(seq=event.seq, hash=event.hash)
    return event


class ChainHeadMissing(RuntimeError):
    """The head row is gone while entries exist: the trail was tampered with."""


def _locked_head() -> AuditChainHead:
    """Lock the chain head: appends take turns, so two writers never link to the same
    hash. An empty log (a fresh or flushed database) starts from the genesis hash; a
    log with entries but no head was tampered with."""
    head = AuditChainHead.objects.select_for_update().filter(pk=HEAD_PK).first()
    if head is not None:
        return head
    try:
        # Writers racing to start the chain: one insert wins, the others wait on the key
        # and then lock the winner's row.
        with transaction.atomic():
            AuditChainHead.objects.create(pk=HEAD_PK, seq=0, hash=GENESIS_HASH)
    except IntegrityError:
        pass
    head = AuditChainHead.objects.select_for_update().get(pk=HEAD_PK)
    if head.seq == 0 and AuditEvent.objects.exists():
        raise ChainHeadMissing("the audit chain head is missing but entries exist")
    return head


def _actor_label(user) -> str:
    if user is None:
        return "系统/公众"
    name = getattr(user, "full_name", "") or ""
    return f"{name}（{user.username}）" if name else user.username


@dataclass(frozen=True)
class BrokenLink:
    seq: int
    event_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"entry seq={self.seq}" + (f" (id={self.event_id})" if self.event_id else "")
        return f"{where}: {self.problem}"


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    head_seq: int
    head_hash: str
    broken: BrokenLink | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify_chain(events: Iterable[AuditEvent], *, head_seq: int, head_hash: str) -> VerifyResult:
    """Walk entries in ``seq`` order and return the first broken link, if any."""
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    for event in events:
        if event.seq != expected_seq:
            problem = (
                f"expected seq {expected_seq} but found {event.seq}: "
                f"entries {expected_seq}..{event.seq - 1} are missing"
                if event.seq > expected_seq
                else f"seq {event.seq} repeats or goes backwards"
            )
            return VerifyResult(checked, head_seq, head_hash, BrokenLink(event.seq, event.pk, problem))
        if event.prev_hash != prev_hash:
            return VerifyResult(
                checked, head_seq, head_hash,
                BrokenLink(event.seq, event.pk, "prev_hash does not match the previous entry's hash"),
            )
        if entry_hash(hashed_fields(event)) != event.hash:
            return VerifyResult(
                checked, head_seq, head_hash,
                BrokenLink(event.seq, event.pk, "content does not match its hash (the row was changed after it was written)"),
            )
        prev_hash, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    last_seq = expected_seq - 1
    if last_seq != head_seq or prev_hash != head_hash:
        return VerifyResult(
            checked, head_seq, head_hash,
            BrokenLink(
                last_seq + 1, None,
                f"the chain head says seq {head_seq} but the log ends at seq {last_seq}: "
                "entries were removed from the end or the head was altered",
            ),
        )
    return VerifyResult(checked, head_seq, head_hash, None)


def _iter_events() -> Iterator[AuditEvent]:
    """Every entry in ``seq`` order, each carrying the head as ``_head_seq``/``_head_hash``.
    One statement reads both, so they come from one snapshot: entries appended while the
    walk runs are neither half-seen nor mistaken for entries beyond the head."""
    head = AuditChainHead.objects.filter(pk=HEAD_PK)
    return (
        AuditEvent.objects.annotate(
            _head_seq=models.Subquery(head.values("seq")[:1]),
            _head_hash=models.Subquery(head.values("hash")[:1]),
        )
        .order_by("seq")
        .iterator(chunk_size=2000)
    )


def verify() -> VerifyResult:
    """Verify the whole stored chain against its head."""
    events = _iter_events()
    first = next(events, None)
    if first is None:  # no entries: the head alone says whether there should be some
        head = AuditChainHead.objects.filter(pk=HEAD_PK).first()
        head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
        return verify_chain([], head_seq=head_seq, head_hash=head_hash)
    if first._head_seq is None:  # entries but no head row
        head_seq, head_hash = 0, GENESIS_HASH
    else:
        head_seq, head_hash = first._head_seq, first._head_hash
    return verify_chain(itertools.chain([first], events), head_seq=head_seq, head_hash=head_hash)
