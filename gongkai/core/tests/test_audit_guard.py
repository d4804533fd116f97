"""The database refuses to change the audit trail (PostgreSQL's trigger), and what the
connected role could still do to it is reported (`audit verify`, system checks).

The role tests create a role inside the test's transaction (CREATE ROLE is
transactional in PostgreSQL, so it is rolled back with the test) and switch to it with
SET LOCAL ROLE, as the application would connect in the documented set-up."""

import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from gongkai.core import audit, audit_guard
from gongkai.core.models import AuditChainHead, AuditEvent
from gongkai.core.tests import audit_attacks

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")

TABLE = AuditEvent._meta.db_table
APP_ROLE = "gk_audit_test_app_role"


@pytest.fixture
def entries():
    return [audit.record(actor=None, action="guard.test", object_type="test", object_id=str(i))
            for i in range(3)]


def run(sql, params=None):
    """One statement in a savepoint, so that a refused one leaves the test usable."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@postgres_only
@pytest.mark.parametrize(
    ("sql", "operation"),
    [
        (f"UPDATE {TABLE} SET reason = 'forged' WHERE seq = %s", "UPDATE"),  # noqa: S608
        (f"UPDATE {TABLE} SET hash = prev_hash", "UPDATE"),  # noqa: S608
        (f"DELETE FROM {TABLE} WHERE seq = %s", "DELETE"),  # noqa: S608
        (f"DELETE FROM {TABLE}", "DELETE"),  # noqa: S608
    ],
)
def test_postgresql_refuses_update_and_delete_on_the_audit_table(entries, sql, operation):
    params = [entries[1].seq] if "%s" in sql else None
    with pytest.raises(DatabaseError) as caught:
        run(sql, params)
    assert f"the audit trail is append-only: {operation} on table {TABLE} is refused" in str(caught.value)
    assert AuditEvent.objects.count() >= 3
    assert AuditEvent.objects.get(pk=entries[1].pk).reason == ""
    assert audit.verify().ok


@postgres_only
def test_the_refusal_holds_even_when_no_row_matches_and_under_replica_mode(entries):
    with pytest.raises(DatabaseError, match="append-only"):
        run(f"DELETE FROM {TABLE} WHERE seq < 0")  # noqa: S608
    # session_replication_role = replica skips ordinary triggers, not ENABLE ALWAYS ones.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(f"UPDATE {TABLE} SET reason = 'forged'")  # noqa: S608


@postgres_only
def test_appends_and_the_head_still_work_with_the_guard_on(entries):
    head_before = AuditChainHead.objects.get().seq
    event = audit.record(actor=None, action="guard.after", object_type="test", object_id="x")
    assert event.seq == head_before + 1
    assert AuditChainHead.objects.get().seq == event.seq
    assert audit.verify().ok


@postgres_only
def test_posture_of_a_superuser_connection(entries):
    posture = audit_guard.inspect()
    assert posture.trigger == "enabled (always)"
    assert posture.guarded
    assert posture.superuser  # the test suite connects as postgres
    codes = [code for code, _ in posture.role_problems()]
    assert codes == ["gongkai.audit.W002"]
    lines = posture.describe()
    assert lines[0] == f"database guard: trigger {audit_guard.TRIGGER} on {TABLE} is enabled (always)"
    assert any("WARNING" in line and "superuser" in line for line in lines)


def _as_app_role(*extra_grants):
    """Switch this transaction to a role set up as the README says for the application."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {APP_ROLE} NOLOGIN")
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}")
        cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {TABLE} FROM {APP_ROLE}")
        for grant in extra_grants:
            cursor.execute(grant)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")


@postgres_only
def test_the_documented_application_role_appends_but_cannot_lift_the_guard(entries):
    _as_app_role()
    posture = audit_guard.inspect()
    assert (posture.role, posture.superuser, posture.can_alter, posture.can_truncate) == (
        APP_ROLE, False, False, False,
    )
    assert posture.role_problems() == []
    event = audit.record(actor=None, action="guard.app_role", object_type="test", object_id="y")
    assert AuditChainHead.objects.get().seq == event.seq
    with pytest.raises(DatabaseError, match="must be owner"):
        run(f"ALTER TABLE {TABLE} DISABLE TRIGGER {audit_guard.TRIGGER}")
    with pytest.raises(DatabaseError, match="must be owner"):
        run(f"DROP TRIGGER {audit_guard.TRIGGER} ON {TABLE}")
    with pytest.raises(DatabaseError, match="permission denied"):
        run(f"TRUNCATE {TABLE}")
    with pytest.raises(DatabaseError, match="permission denied"):
        run(f"DELETE FROM {TABLE}")  # noqa: S608
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert f"database guard: role '{APP_ROLE}' cannot alter" in out.getvalue()


@postgres_only
def test_a_role_that_may_truncate_is_reported(entries):
    _as_app_role(f"GRANT TRUNCATE ON {TABLE} TO {APP_ROLE}")
    codes = [code for code, _ in audit_guard.inspect().role_problems()]
    assert codes == ["gongkai.audit.W003"]


@postgres_only
def test_the_system_check_warns_in_production_about_a_role_that_can_lift_the_guard(entries, settings):
    settings.PRODUCTION = False
    assert audit_guard.check_audit_guard(databases=["default"]) == []
    settings.PRODUCTION = True
    (warning,) = audit_guard.check_audit_guard(databases=["default"])
    assert warning.id == "gongkai.audit.W002"
    assert "superuser" in warning.msg
    assert audit_guard.check_audit_guard(databases=None) == []  # not a database check run


@postgres_only
def test_the_system_check_warns_when_the_trigger_is_disabled(entries, settings):
    settings.PRODUCTION = False
    with audit_attacks.guard_lifted():
        (warning,) = audit_guard.check_audit_guard(databases=["default"])
        assert warning.id == "gongkai.audit.W001"
        assert "is disabled" in warning.msg
        out = io.StringIO()
        call_command("audit", "verify", stdout=out)
        assert f"trigger {audit_guard.TRIGGER} on {TABLE} is disabled" in out.getvalue()
    assert audit_guard.check_audit_guard(databases=["default"]) == []


def test_the_check_registered_with_django_runs_as_a_database_check(settings):
    from django.core import checks

    settings.PRODUCTION = True
    found = [m.id for m in checks.run_checks(tags=[checks.Tags.database], databases=["default"])]
    if connection.vendor == "postgresql":
        assert "gongkai.audit.W002" in found
    else:
        assert not [i for i in found if i.startswith("gongkai.audit")]


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's posture")
def test_sqlite_has_no_guard_and_verify_says_so(entries):
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "database guard: none on sqlite" in out.getvalue()
