"""Gap-free numbering: the next number of a series, taken inside the caller's transaction.

If the transaction rolls back, so does the number, which is what keeps series gap-free;
the price is that writers of one series take turns (a row lock per scope and year)."""

from django.db import IntegrityError, transaction

from gongkai.core.models import SequenceCounter


def next_number(scope: str, year: int) -> int:
    """Take the next number of ``scope`` in ``year`` (1, 2, 3, …). Call inside the
    transaction that stores the numbered object."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number must run inside the transaction that uses the number")
    counter = SequenceCounter.objects.select_for_update().filter(scope=scope, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():  # savepoint: a concurrent creator may win the insert
                SequenceCounter.objects.create(scope=scope, year=year, value=0)
        except IntegrityError:
            pass
        counter = SequenceCounter.objects.select_for_update().get(scope=scope, year=year)
    counter.value += 1
    counter.save(update_fields=["value"])
    return counter.value
