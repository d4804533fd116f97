"""Each column's newest public item, kept (``Column.newest_public_on``).

The supervising office's compliance table counts the stale and blank columns of every
agency below it (24,000 columns of a province): finding each column's newest public item
from the items themselves is a join of the whole item-column table, about 200 ms of a
one-second page at a million items. The date is kept on the column instead, and is the
newest ``published_on`` of the public items listed in the column itself (not its
sub-columns: ``freshness_report`` climbs the tree).

How it stays exact:

- an item saved while public raises each of its columns to its date (one statement, only
  where the column's date is older); an item saved while not public, with a publication
  date, has its columns whose date is its own counted again from the items (it may have
  been their newest: a withdrawal); a draft never published costs nothing;
- a public item added to a column through the ORM raises it; items taken out of a
  column (``columns.set``, ``remove``, ``clear``, either side) and deleted items count
  their columns again;
- every change locks its columns first, in key order, and decides afterwards (see
  ``_lock``), so that two writers at once (a publish and a withdrawal, two withdrawals)
  never lose each other's change; an edit of the column itself never writes the date
  back (``Column.save``);
- bulk writes that bypass the ORM's signals say what they wrote (``raise_dates``: the
  import of an old system's items);
- ``out_of_step`` compares every kept date with the items (the nightly job
  ``schedule.column_dates``, ``gongkai publishing column-dates [--repair]``), and
  ``repair`` counts those again under their locks. A public item's publication date is
  set when it goes public and not changed afterwards; were it changed behind the
  services' back, the night's repair would put the date right.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from gongkai.publishing.models import Column, Publication, PublicationStatus

_THROUGH = Publication.columns.through


def _newest_of_column():
    """The newest public item of the outer column, from the items."""
    return Subquery(
        _THROUGH.objects.filter(column_id=OuterRef("pk"), publication__status=PublicationStatus.PUBLISHED)
        .values("column_id")
        .annotate(newest=Max("publication__published_on"))
        .values("newest")[:1]
    )


def _lock(column_ids: list[int]) -> None:
    """Lock these columns' rows, in key order (every writer of the dates takes them in the
    same order, so two never wait for each other)."""
    for start in range(0, len(column_ids), 500):
        list(Column.objects.select_for_update().filter(pk__in=column_ids[start:start + 500])
             .order_by("pk").values_list("pk", flat=True))


# Every change below locks its columns first and reads them afterwards, in statements of
# their own: on PostgreSQL a statement that waited for a lock would otherwise decide on
# what was committed before it started (a raise skipped, a count missing an item that
# committed meanwhile); after the lock, each new statement sees what committed.


def _count(column_ids: list[int]) -> None:
    """Count these (locked) columns' dates again from their items."""
    for start in range(0, len(column_ids), 500):
        Column.objects.filter(pk__in=column_ids[start:start + 500]).update(newest_public_on=_newest_of_column())


@transaction.atomic(savepoint=False)
def count_again(column_ids: Iterable[int]) -> None:
    """Count these columns' dates again from their items."""
    ids = sorted(set(column_ids))
    _lock(ids)
    _count(ids)


@transaction.atomic(savepoint=False)
def raise_dates(newest: dict[int, dt.date]) -> None:
    """Public items were added to these columns, the newest of them on these dates: a
    column's date becomes the later of its own and that one."""
    _lock(sorted(newest))
    by_date: dict[dt.date, list[int]] = {}
    for column_id, on in newest.items():
        by_date.setdefault(on, []).append(column_id)
    for on, ids in by_date.items():
        Column.objects.filter(Q(newest_public_on__isnull=True) | Q(newest_public_on__lt=on), pk__in=ids).update(
            newest_public_on=on)


@transaction.atomic(savepoint=False)
def _left_the_site(column_ids: list[int], on: dt.date) -> None:
    """An item public on ``on`` is not any more: the columns whose newest it may have been
    are counted again."""
    ids = sorted(set(column_ids))
    _lock(ids)
    _count(list(Column.objects.filter(pk__in=ids, newest_public_on=on).values_list("pk", flat=True)))


def newest_from_items() -> dict[int, dt.date]:
    """Every column's newest public item, from the items (one grouped query)."""
    return dict(
        _THROUGH.objects.filter(publication__status=PublicationStatus.PUBLISHED)
        .values("column_id")
        .annotate(newest=Max("publication__published_on"))
        .values_list("column_id", "newest")
        .order_by()
    )


def out_of_step() -> dict[int, tuple[dt.date | None, dt.date | None]]:
    """The columns whose kept date differs from their items': {column: (kept, items')}."""
    counted = newest_from_items()
    return {
        pk: (kept, counted.get(pk))
        for pk, kept in Column.objects.values_list("pk", "newest_public_on").iterator(chunk_size=5000)
        if kept != counted.get(pk)
    }


def repair() -> dict[int, tuple[dt.date | None, dt.date | None]]:
    """Write the items' date where the kept one differs; what was wrong."""
    wrong = out_of_step()
    # Counted again under the columns' locks, not written from the check's figures: an
    # item published since the check must not be undone.
    count_again(wrong)
    return wrong


# --- kept in step with the ORM's writes ---------------------------------------------------------


def _columns_of(publication_id: int) -> list[int]:
    return list(_THROUGH.objects.filter(publication_id=publication_id).values_list("column_id", flat=True))


def _publication_saved(sender, instance: Publication, raw=False, **kwargs) -> None:
    if raw or instance.published_on is None:
        return  # a fixture being loaded, or an item that has never been public
    columns = _columns_of(instance.pk)
    if not columns:
        return
    if instance.status == PublicationStatus.PUBLISHED:
        raise_dates(dict.fromkeys(columns, instance.published_on))
    else:
        # Not public (withdrawn, reopened): where it was the newest, count again.
        _left_the_site(columns, instance.published_on)


_CLEARED = "_gongkai_columns_cleared"
_DELETED = "_gongkai_columns_of_deleted"


def _columns_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    if reverse:  # column.publications.add(...) and the like: count that column again
        if action in ("post_add", "post_remove", "post_clear"):
            count_again([instance.pk])
        return
    if action == "pre_clear":
        setattr(instance, _CLEARED, _columns_of(instance.pk))
    elif action == "post_clear":
        count_again(getattr(instance, _CLEARED, []))
    elif action == "post_remove" and instance.published_on is not None:
        count_again(pk_set or ())
    elif (action == "post_add" and instance.status == PublicationStatus.PUBLISHED
          and instance.published_on is not None):
        raise_dates(dict.fromkeys(pk_set or (), instance.published_on))


def _publication_deleting(sender, instance: Publication, **kwargs) -> None:
    if instance.published_on is not None:
        setattr(instance, _DELETED, _columns_of(instance.pk))


def _publication_deleted(sender, instance: Publication, **kwargs) -> None:
    count_again(getattr(instance, _DELETED, []))


def connect() -> None:
    post_save.connect(_publication_saved, sender=Publication, dispatch_uid="column_dates.saved")
    m2m_changed.connect(_columns_changed, sender=_THROUGH, dispatch_uid="column_dates.columns")
    pre_delete.connect(_publication_deleting, sender=Publication, dispatch_uid="column_dates.deleting")
    post_delete.connect(_publication_deleted, sender=Publication, dispatch_uid="column_dates.deleted")
