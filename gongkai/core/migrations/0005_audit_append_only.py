"""The audit table refuses UPDATE and DELETE in the database itself (PostgreSQL only).

The ORM already refuses to change or delete an ``AuditEvent``; this trigger refuses it to
every SQL writer too, the application's own role included, so that rewriting the trail
needs a role that can alter the table (its owner or a superuser). Run the application as a
role that does not own the table (README, "Audit trail"), and it cannot drop the trigger.

- ``FOR EACH STATEMENT``: any UPDATE or DELETE is refused, even one that matches no row.
- ``ENABLE ALWAYS``: ``SET session_replication_role = replica`` does not skip it.
- TRUNCATE is not refused here: Django's test runner empties tables with TRUNCATE between
  transactional tests, and the application role is not granted TRUNCATE (README); an
  emptied table is caught by ``gongkai audit verify --anchor``.

SQLite has no such guard (Django's test flush on SQLite issues DELETE); production runs on
PostgreSQL. The SQL is written out here, not imported, so that this migration keeps doing
what it did when it was applied.
"""

from django.db import migrations

TABLE = "core_auditevent"
FUNCTION = "gongkai_audit_append_only"
TRIGGER = "gongkai_audit_append_only"

CREATE = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % on table % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Audit entries are never changed or deleted. The trigger '
                     || TG_NAME || ' enforces this; see the README, "Audit trail".';
END;
$$;

DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE};
CREATE TRIGGER {TRIGGER}
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}();
ALTER TABLE {TABLE} ENABLE ALWAYS TRIGGER {TRIGGER};
COMMENT ON TRIGGER {TRIGGER} ON {TABLE} IS
    'gongkai: the audit trail is append-only (UPDATE and DELETE refused)';
"""

DROP = f"""
DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE};
DROP FUNCTION IF EXISTS {FUNCTION}();
"""


def create_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # the SQL has literal %


def drop_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_idempotency")]

    operations = [migrations.RunPython(create_guard, drop_guard, elidable=False)]
