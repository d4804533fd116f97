"""How well the database itself protects the audit trail, and a system check that says so.

On PostgreSQL a trigger (migration ``audit_append_only``) refuses every UPDATE and DELETE
on the audit table. A trigger only binds roles that cannot remove it: the table's owner
(or a member of the owning role) can drop or disable it, and a superuser can do anything.
So the application should connect as a role that neither owns the audit table nor may
TRUNCATE it (the trigger does not cover TRUNCATE), with the tables owned by a separate
role that runs the migrations (README, "Audit trail").

``inspect()`` reads that posture from the catalogue; ``gongkai audit verify`` prints it,
and the ``gongkai.audit`` system checks warn about it (checks tagged ``database`` run
with ``gongkai migrate`` and ``gongkai check --database default``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core import checks
from django.db import DatabaseError, connections

TRIGGER = "gongkai_audit_append_only"
MIGRATION_SUFFIX = "audit_append_only"

# pg_trigger.tgenabled
_TRIGGER_STATES = {"O": "enabled", "A": "enabled (always)", "R": "replica only", "D": "disabled"}


@dataclass(frozen=True)
class GuardPosture:
    vendor: str
    table: str
    role: str = ""
    trigger: str = "missing"  # one of _TRIGGER_STATES' values, or "missing"
    superuser: bool = False
    can_alter: bool = False  # owns the table or is a member of the owning role
    can_truncate: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def guarded(self) -> bool:
        return self.vendor == "postgresql" and self.trigger.startswith("enabled")

    def trigger_problem(self) -> str | None:
        if self.vendor != "postgresql" or self.guarded:
            return None
        return (
            f"the append-only trigger {TRIGGER} on {self.table} is {self.trigger}: "
            "UPDATE and DELETE on the audit trail are not refused by the database"
        )

    def role_problems(self) -> list[tuple[str, str]]:
        """What the connected role could do to the trail despite the trigger, as
        (check id, message) pairs."""
        if self.vendor != "postgresql":
            return []
        problems = []
        if self.superuser:
            problems.append(("gongkai.audit.W002", (
                f"the database role {self.role!r} is a superuser: it can disable the "
                "append-only trigger and rewrite the audit trail"
            )))
        elif self.can_alter:
            problems.append(("gongkai.audit.W002", (
                f"the database role {self.role!r} owns {self.table} (or is a member of its "
                "owning role): it can drop the append-only trigger and rewrite the audit trail"
            )))
        if self.can_truncate and not self.superuser:
            problems.append(("gongkai.audit.W003", (
                f"the database role {self.role!r} may TRUNCATE {self.table}, which the "
                "trigger does not refuse"
            )))
        return problems

    def describe(self) -> list[str]:
        """Lines for `gongkai audit verify`."""
        if self.vendor != "postgresql":
            return [
                f"database guard: none on {self.vendor} (the trigger that refuses UPDATE and "
                "DELETE exists on PostgreSQL only; run production on PostgreSQL)"
            ]
        lines = [f"database guard: trigger {TRIGGER} on {self.table} is {self.trigger}"]
        problems = self.role_problems()
        if problems:
            lines += [f"database guard WARNING: {message}" for _, message in problems]
        else:
            lines.append(
                f"database guard: role {self.role!r} cannot alter, drop the trigger on, or "
                f"truncate {self.table}"
            )
        return lines


def inspect(using: str = "default") -> GuardPosture:
    from gongkai.core.models import AuditEvent

    connection = connections[using]
    table = AuditEvent._meta.db_table
    if connection.vendor != "postgresql":
        return GuardPosture(vendor=connection.vendor, table=table)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT current_user,
                   r.rolsuper,
                   c.oid IS NOT NULL,
                   COALESCE(pg_has_role(current_user, c.relowner, 'MEMBER'), false),
                   COALESCE(has_table_privilege(current_user, c.oid, 'TRUNCATE'), false),
                   t.tgenabled
              FROM pg_roles r
              LEFT JOIN pg_class c ON c.oid = to_regclass(%s)
              LEFT JOIN pg_trigger t ON t.tgrelid = c.oid AND t.tgname = %s
             WHERE r.rolname = current_user
            """,
            [connection.ops.quote_name(table), TRIGGER],
        )
        role, superuser, exists, can_alter, can_truncate, enabled = cursor.fetchone()
    if not exists:
        return GuardPosture(vendor="postgresql", table=table, role=role, trigger="missing (no table)")
    return GuardPosture(
        vendor="postgresql",
        table=table,
        role=role,
        trigger=_TRIGGER_STATES.get(enabled, "missing") if enabled else "missing",
        superuser=bool(superuser),
        can_alter=bool(can_alter),
        can_truncate=bool(can_truncate),
    )


def _guard_migration_applied(using: str) -> bool:
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connections[using])
    if not recorder.has_table():
        return False
    return recorder.migration_qs.filter(app="core", name__endswith=MIGRATION_SUFFIX).exists()


@checks.register(checks.Tags.database)
def check_audit_guard(app_configs=None, databases=None, **kwargs):
    """W001 (any install on PostgreSQL): the trigger is missing or disabled although its
    migration was applied. W002/W003 (production): the connected role could remove the
    trigger or truncate the table. Warnings, not errors: ``gongkai migrate`` runs these
    checks and must still run, as the owner role, to repair things."""
    if not databases or "default" not in databases:
        return []
    if connections["default"].vendor != "postgresql":
        return []
    try:
        posture = inspect("default")
        applied = _guard_migration_applied("default")
    except DatabaseError as exc:  # no database yet: migrate will say so itself
        return [checks.Warning(f"could not inspect the audit trail's guard: {exc}",
                               id="gongkai.audit.W000")]
    found = []
    problem = posture.trigger_problem()
    if problem and applied:
        found.append(checks.Warning(
            problem,
            hint=f"As the owner role, run the CREATE statement of core's *_{MIGRATION_SUFFIX} "
                 f"migration in psql (it re-creates the function and the trigger, ENABLE "
                 f"ALWAYS); do not migrate core backwards, which would drop the tables of later "
                 f"migrations. Then find out who disabled it.",
            id="gongkai.audit.W001",
        ))
    if getattr(settings, "PRODUCTION", False):
        for code, message in posture.role_problems():
            found.append(checks.Warning(
                message,
                hint="Expected while `gongkai migrate` runs as the owner role. The "
                     "application itself should connect as a role with only SELECT and "
                     "INSERT on the audit table (README, \"Audit trail\").",
                id=code,
            ))
    return found
