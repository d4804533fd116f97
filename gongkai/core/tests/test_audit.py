"""The audit trail: append-only, hash-chained, and `gongkai audit verify` finds the first
broken link when a row is edited, removed or cut off the end."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongkai.core import audit
from gongkai.core.models import AuditChainHead, AuditEvent
from gongkai.core.tests import audit_attacks

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(bureau, office):
    start = AuditChainHead.objects.get().seq
    events = [
        audit.record(actor=office, action="test.step", obj=bureau, agency=bureau,
                     reason=f"第{i}步", before={"n": i}, after={"n": i + 1, "日期": "2025-01-24"})
        for i in range(5)
    ]
    assert events[0].seq == start + 1
    return events


def _raw(sql, params):
    # A tamperer with the power to lift the database guard (PostgreSQL's trigger).
    audit_attacks.raw(sql, params)


def test_fresh_chain_verifies(chain):
    result = audit.verify()
    assert result.ok
    assert result.head_seq == chain[-1].seq
    assert result.checked == chain[-1].seq


def test_entries_link_to_their_predecessor(chain):
    for previous, current in zip(chain, chain[1:], strict=False):
        assert current.prev_hash == previous.hash
        assert current.seq == previous.seq + 1


def test_an_edited_row_is_reported_as_the_first_broken_link(chain):
    target = chain[2]
    _raw(f"UPDATE {AuditEvent._meta.db_table} SET reason = %s WHERE id = %s", ["篡改后的理由", target.pk])
    result = audit.verify()
    assert not result.ok
    assert result.broken.seq == target.seq
    assert "changed" in result.broken.problem


def test_an_edited_json_summary_is_detected(chain):
    target = chain[1]
    _raw(f"UPDATE {AuditEvent._meta.db_table} SET after = %s WHERE id = %s", ['{"n": 99}', target.pk])
    result = audit.verify()
    assert result.broken.seq == target.seq


def test_a_rehashed_edit_breaks_the_next_link(chain):
    """Someone who edits a row and recomputes its hash still breaks the next entry."""
    target = chain[1]
    event = AuditEvent.objects.get(pk=target.pk)
    event.reason = "篡改"
    new_hash = audit.entry_hash(audit.hashed_fields(event))
    _raw(f"UPDATE {AuditEvent._meta.db_table} SET reason = %s, hash = %s WHERE id = %s",
         ["篡改", new_hash, target.pk])
    result = audit.verify()
    assert result.broken.seq == chain[2].seq
    assert "prev_hash" in result.broken.problem


def test_a_deleted_row_is_reported(chain):
    _raw(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [chain[3].pk])
    result = audit.verify()
    assert result.broken.seq == chain[4].seq
    assert "missing" in result.broken.problem


def test_cutting_entries_off_the_end_is_reported(chain):
    _raw(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [chain[-1].pk])
    result = audit.verify()
    assert not result.ok
    assert "head" in result.broken.problem


def test_the_orm_refuses_to_change_or_delete_entries(chain):
    event = AuditEvent.objects.get(pk=chain[0].pk)
    event.reason = "x"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def test_verify_command_succeeds_on_an_intact_chain(chain, capsys):
    call_command("audit", "verify")
    assert "audit chain OK" in capsys.readouterr().out


def test_verify_command_fails_and_names_the_broken_entry(chain):
    _raw(f"UPDATE {AuditEvent._meta.db_table} SET action = %s WHERE id = %s", ["forged", chain[0].pk])
    with pytest.raises(CommandError, match=f"seq={chain[0].seq}"):
        call_command("audit", "verify")


def test_entries_record_actor_agency_object_and_dates_as_text(chain, office, bureau):
    event = AuditEvent.objects.get(pk=chain[0].pk)
    assert event.actor == office
    assert event.agency == bureau
    assert event.object_type == "core.agency"
    assert event.object_id == str(bureau.pk)
    assert event.after == {"n": 1, "日期": "2025-01-24"}


def test_a_failed_transaction_leaves_no_entry_and_no_gap(bureau, office):
    from django.db import transaction

    before = AuditChainHead.objects.get().seq
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(actor=office, action="rolled.back", obj=bureau, agency=bureau)
        raise RuntimeError("the change failed")
    assert AuditChainHead.objects.get().seq == before
    assert not AuditEvent.objects.filter(action="rolled.back").exists()
    audit.record(actor=office, action="after.rollback", obj=bureau, agency=bureau)
    assert audit.verify().ok


def test_a_missing_head_with_entries_is_reported_and_refuses_appends(chain, bureau, office):
    AuditChainHead.objects.all().delete()
    result = audit.verify()
    assert not result.ok
    with pytest.raises(audit.ChainHeadMissing):
        audit.record(actor=office, action="after.tamper", obj=bureau, agency=bureau)
