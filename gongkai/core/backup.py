"""Backups that restore: what `gongkai backup DIR` writes and what `gongkai restore DIR`
checks before it changes anything.

A backup is a directory::

    DIR/manifest.json        format, time, database vendor, migrations, versions, audit
                             head, and every other file's path, size and SHA-256;
                             authenticated with an HMAC-SHA256
    DIR/database.dump        PostgreSQL: ``pg_dump --format=custom``
    DIR/database.sqlite3     SQLite: a copy made with the online backup API
    DIR/media/...            the media files (attachments, letters), bytes as stored
                             (they are encrypted at rest; the backup never decrypts them)

The manifest's HMAC key is derived from ``GONGKAI_BACKUP_KEY`` when it is set, otherwise
from ``SECRET_KEY``. Restoring elsewhere needs the same key, and reading the restored
personal data needs the same ``GONGKAI_FIELD_KEYS``: neither is in the backup, by design,
so a stolen backup is neither forgeable nor readable.

Consistency: on PostgreSQL the manifest's audit head and migration list are read in the
same snapshot that ``pg_dump`` dumps (``pg_export_snapshot`` / ``--snapshot``); on SQLite
they are read from the copy itself. Media files are copied after the dump, so every file
the dump refers to is there (files are never rewritten in place; new ones written during
the copy may or may not be included).
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import errno
import hashlib
import hmac
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection, transaction

from gongkai.core import audit, clock
from gongkai.core.models import Agency, AuditChainHead, AuditEvent, User

FORMAT = "gongkai-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PG_DUMP_FILE = "database.dump"
SQLITE_FILE = "database.sqlite3"
MEDIA_DIR = "media"
_KEY_INFO = b"gongkai/backup-manifest/v1"
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


# --- the manifest's key and signature --------------------------------------------------


def _key_material() -> tuple[str, str]:
    """(source name, secret) of the key the manifest is signed with."""
    dedicated = getattr(settings, "GONGKAI_BACKUP_KEY", None)
    if dedicated:
        return "GONGKAI_BACKUP_KEY", dedicated
    return "SECRET_KEY", settings.SECRET_KEY


def manifest_key() -> bytes:
    """The HMAC key: derived from the secret (never the secret itself), so the manifest's
    signature cannot be used to forge anything else signed with SECRET_KEY."""
    _, secret = _key_material()
    return hmac.new(secret.encode("utf-8"), _KEY_INFO, hashlib.sha256).digest()


def key_id(key: bytes | None = None) -> str:
    """A public name of the key (16 hex characters), written in the manifest so that a
    refusal can say "signed with another key" instead of "modified"."""
    return hashlib.sha256(b"key-id:" + (key if key is not None else manifest_key())).hexdigest()[:16]


def canonical(body: dict) -> bytes:
    """The bytes the HMAC covers: sorted keys, no whitespace, UTF-8."""
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sign(body: dict, key: bytes | None = None) -> str:
    return hmac.new(key if key is not None else manifest_key(), canonical(body), hashlib.sha256).hexdigest()


# --- files -----------------------------------------------------------------------------


def sha256_of(path: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _copy_hashed(source: Path, target: Path) -> tuple[int, str]:
    """Copy bytes and return (size, SHA-256) of exactly what was written."""
    digest, size = hashlib.sha256(), 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as src, target.open("xb") as dst:
        while chunk := src.read(_CHUNK):
            digest.update(chunk)
            dst.write(chunk)
            size += len(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    return size, digest.hexdigest()


def _walk_files(root: Path) -> Iterator[Path]:
    """Every regular file under root, sorted; a symlink or special file is refused (a
    backup is bytes, never a pointer to something outside it)."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        base = Path(dirpath)
        for name in dirnames:
            if (base / name).is_symlink():
                raise BackupError(f"{base / name}: a symbolic link; backups hold regular files only")
        for name in sorted(filenames):
            path = base / name
            if path.is_symlink() or not path.is_file():
                raise BackupError(f"{path}: not a regular file; backups hold regular files only")
            yield path


def _safe_relative(name: str) -> PurePosixPath:
    """A manifest path that stays inside the backup (no absolute path, no '..')."""
    path = PurePosixPath(name)
    if not name or path.is_absolute() or ".." in path.parts or "\\" in name or name != str(path):
        raise BackupError(f"the manifest lists an unsafe path {name!r}")
    return path


# --- what the database is ------------------------------------------------------------


def vendor() -> str:
    return connection.vendor  # "postgresql" or "sqlite"


def _db() -> dict:
    return settings.DATABASES["default"]


def _pg_env() -> dict[str, str]:
    """libpq's environment for the configured database: the password goes in PGPASSWORD,
    never on a command line that `ps` shows."""
    db = _db()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for var, value in (
        ("PGHOST", db.get("HOST")), ("PGPORT", db.get("PORT")), ("PGUSER", db.get("USER")),
        ("PGPASSWORD", db.get("PASSWORD")), ("PGDATABASE", db.get("NAME")),
    ):
        if value:
            env[var] = str(value)
    options = db.get("OPTIONS") or {}
    for option, var in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"),
                        ("sslcert", "PGSSLCERT"), ("sslkey", "PGSSLKEY"),
                        ("options", "PGOPTIONS"), ("service", "PGSERVICE")):
        if options.get(option):
            env[var] = str(options[option])
    return env


def pg_tool(name: str) -> str:
    """Path of pg_dump / pg_restore: in GONGKAI_PG_BIN_DIR when set, else on PATH."""
    bin_dir = getattr(settings, "GONGKAI_PG_BIN_DIR", None)
    path = Path(bin_dir) / name if bin_dir else shutil.which(name)
    if not path or not Path(path).exists():
        where = f"in GONGKAI_PG_BIN_DIR={bin_dir}" if bin_dir else "on PATH"
        raise BackupError(
            f"{name} not found {where}: install the PostgreSQL client tools "
            "(the same major version as the server) or set GONGKAI_PG_BIN_DIR"
        )
    return str(path)


def tool_major(path: str) -> int:
    """Major version of a PostgreSQL client tool (``pg_dump (PostgreSQL) 15.20`` → 15)."""
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    try:
        return int(out.strip().split()[-1].split(".")[0])
    except (IndexError, ValueError):
        raise BackupError(f"cannot read the version of {path}: {out.strip()!r}") from None


def server_major() -> int:
    connection.ensure_connection()
    return connection.pg_version // 10000


def _migrations_from(cursor) -> list[list[str]]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [[app, name] for app, name in cursor.fetchall()]


def _head_from(cursor) -> dict:
    cursor.execute(f"SELECT seq, hash FROM {AuditChainHead._meta.db_table} WHERE id = %s", [audit.HEAD_PK])  # noqa: S608
    row = cursor.fetchone()
    seq, hash_ = (row[0], row[1]) if row else (0, audit.GENESIS_HASH)
    return {"seq": seq, "hash": hash_}


def _field_key_ids() -> list[str]:
    from gongkai.core import crypto

    ids = getattr(crypto, "field_key_ids", None)
    return ids() if ids else []


def gongkai_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gongkai")
    except PackageNotFoundError:
        return "unknown"


# --- backup ----------------------------------------------------------------------------


@dataclass
class BackupResult:
    directory: Path
    manifest: dict
    warnings: list[str] = field(default_factory=list)


def _prepare_directory(directory: Path) -> Path:
    directory = directory.resolve()
    if directory.exists():
        if not directory.is_dir():
            raise BackupError(f"{directory} exists and is not a directory")
        if any(directory.iterdir()):
            raise BackupError(f"{directory} is not empty: a backup goes into a new or empty directory")
    else:
        if not directory.parent.is_dir():
            raise BackupError(f"{directory.parent} does not exist")
        directory.mkdir(mode=0o700)
    media_root = Path(settings.MEDIA_ROOT).resolve()
    if directory == media_root or media_root in directory.parents:
        raise BackupError(f"{directory} is inside MEDIA_ROOT ({media_root}): choose a directory outside it")
    return directory


def _dump_sqlite(target: Path) -> dict:
    """Copy the live database with SQLite's online backup API: a consistent snapshot, and
    the server keeps writing (WAL readers do not block writers)."""
    source_path = _db()["NAME"]
    src = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        cursor = dst.cursor()
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [list(row) for row in cursor.fetchall()]
        cursor.execute(
            f"SELECT seq, hash FROM {AuditChainHead._meta.db_table} WHERE id = ?",  # noqa: S608
            (audit.HEAD_PK,),
        )
        row = cursor.fetchone()
        head = {"seq": row[0], "hash": row[1]} if row else {"seq": 0, "hash": audit.GENESIS_HASH}
        ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            raise BackupError(f"the copied SQLite database fails its integrity check: {ok}")
        version = sqlite3.sqlite_version
    finally:
        dst.close()
        src.close()
    return {"vendor": "sqlite", "file": SQLITE_FILE, "sqlite_version": version,
            "migrations": migrations, "audit_head": head}


def _dump_postgresql(target: Path) -> dict:
    """pg_dump of the snapshot in which the audit head and migrations are read."""
    pg_dump = pg_tool("pg_dump")
    dump_major, srv_major = tool_major(pg_dump), server_major()
    if dump_major < srv_major:
        raise BackupError(
            f"pg_dump is version {dump_major} but the server is {srv_major}: install the "
            f"PostgreSQL {srv_major} client tools or set GONGKAI_PG_BIN_DIR"
        )
    connection.ensure_connection()
    if connection.in_atomic_block:
        raise BackupError("a backup cannot run inside a transaction")
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            migrations = _migrations_from(cursor)
            head = _head_from(cursor)
        # The transaction stays open (and the snapshot valid) while pg_dump reads it.
        result = subprocess.run(  # noqa: S603 (fixed argv, no shell)
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}",
             "--no-password"],
            env=_pg_env(), capture_output=True, text=True,
        )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed (exit {result.returncode}): {result.stderr.strip()}")
    return {"vendor": "postgresql", "file": PG_DUMP_FILE, "server_major": srv_major,
            "pg_dump_major": dump_major, "migrations": migrations, "audit_head": head}


def _media_storage_is_local() -> bool:
    return isinstance(default_storage, FileSystemStorage)


def create_backup(directory: Path, *, progress: Callable[[str], None] = lambda _: None) -> BackupResult:
    """Write a backup of the configured database and media into ``directory``."""
    directory = _prepare_directory(Path(directory))
    warnings: list[str] = []
    files: list[dict] = []
    try:
        kind = vendor()
        progress(f"dumping the {kind} database")
        if kind == "sqlite":
            database = _dump_sqlite(directory / SQLITE_FILE)
        elif kind == "postgresql":
            database = _dump_postgresql(directory / PG_DUMP_FILE)
        else:
            raise BackupError(f"database vendor {kind!r} is not supported by gongkai backup")
        size, digest = sha256_of(directory / database["file"])
        files.append({"path": database["file"], "size": size, "sha256": digest})

        if _media_storage_is_local():
            media_root = Path(settings.MEDIA_ROOT)
            media = {"storage": "filesystem", "included": True}
            if media_root.is_dir():
                progress(f"copying media files from {media_root}")
                for path in _walk_files(media_root):
                    relative = path.relative_to(media_root).as_posix()
                    size, digest = _copy_hashed(path, directory / MEDIA_DIR / relative)
                    files.append({"path": f"{MEDIA_DIR}/{relative}", "size": size, "sha256": digest})
        else:
            media = {"storage": type(default_storage).__name__, "included": False}
            warnings.append(
                "media files are in object storage, not in this backup: back up the bucket "
                "with its own tools (versioning or replication)"
            )

        audit_head = database.pop("audit_head")
        migrations = database.pop("migrations")
        source, _ = _key_material()
        body = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": clock.now().astimezone(dt.UTC).isoformat(timespec="seconds"),
            "gongkai_version": gongkai_version(),
            "database": database,
            "migrations": migrations,
            "audit_head": audit_head,
            "media": media,
            "field_key_ids": _field_key_ids(),
            "key": {"source": source, "id": key_id()},
            "files": files,
        }
        document = {**body, "hmac": sign(body)}
        temporary = directory / f".{MANIFEST}.tmp"
        with temporary.open("x", encoding="utf-8") as fh:
            json.dump(document, fh, ensure_ascii=False, indent=2, sort_keys=True)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        # Written last and renamed into place: a directory without manifest.json is an
        # interrupted backup, and restore refuses it.
        temporary.rename(directory / MANIFEST)
    except BaseException:
        progress(f"backup failed; removing the incomplete {directory}")
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return BackupResult(directory, body, warnings)


# --- verification ----------------------------------------------------------------------


@dataclass
class VerifiedBackup:
    directory: Path
    manifest: dict

    @property
    def database_file(self) -> Path:
        return self.directory / self.manifest["database"]["file"]

    @property
    def media_files(self) -> list[dict]:
        return [f for f in self.manifest["files"] if f["path"].startswith(MEDIA_DIR + "/")]


def verify_backup(directory: Path) -> VerifiedBackup:
    """Check a backup without changing anything: the manifest's HMAC, its format, the
    files (none missing, none extra, each of the listed size and SHA-256), and that it
    fits this installation's database vendor. Raises BackupError naming the problem."""
    directory = Path(directory).resolve()
    if not directory.is_dir():
        raise BackupError(f"{directory} is not a directory")
    manifest_path = directory / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{directory} has no {MANIFEST}: not a gongkai backup, or an interrupted one")
    try:
        document = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BackupError(f"{MANIFEST} is not valid JSON ({error}): the manifest was damaged") from None
    if not isinstance(document, dict) or not isinstance(document.get("hmac"), str):
        raise BackupError(f"{MANIFEST} has no signature (hmac): not a gongkai backup manifest")
    body = {k: v for k, v in document.items() if k != "hmac"}
    if not hmac.compare_digest(sign(body), document["hmac"]):
        key = body.get("key") if isinstance(body.get("key"), dict) else {}
        source, _ = _key_material()
        if key.get("id") and key.get("id") != key_id():
            raise BackupError(
                f"the manifest's signature does not verify: it was signed with another key "
                f"(key id {key.get('id')} from {key.get('source')}; this installation's {source} "
                f"gives {key_id()}). Configure the key of the installation that made the backup "
                "(GONGKAI_BACKUP_KEY, or its SECRET_KEY) and try again."
            )
        raise BackupError(
            "the manifest's signature (HMAC) does not verify: the manifest was modified after "
            "the backup was written. Nothing was restored."
        )
    if body.get("format") != FORMAT or body.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"unsupported backup format {body.get('format')!r} version {body.get('format_version')!r} "
            f"(this gongkai reads {FORMAT} version {FORMAT_VERSION})"
        )

    listed: dict[str, dict] = {}
    for entry in body["files"]:
        path = _safe_relative(entry["path"])
        if path.parts[0] == MANIFEST or path.name.startswith(f".{MANIFEST}"):
            raise BackupError(f"the manifest lists itself ({entry['path']})")
        listed[str(path)] = entry
    present = {
        path.relative_to(directory).as_posix()
        for path in _walk_files(directory)
        if path != manifest_path
    }
    missing = sorted(set(listed) - present)
    extra = sorted(present - set(listed))
    if missing:
        raise BackupError(f"{len(missing)} file(s) listed in the manifest are missing: {', '.join(missing[:5])}")
    if extra:
        raise BackupError(
            f"{len(extra)} file(s) are in the backup but not in the manifest: {', '.join(extra[:5])}"
        )
    for name, entry in listed.items():
        size, digest = sha256_of(directory / name)
        if size != entry["size"]:
            raise BackupError(f"{name}: size {size} bytes, but the manifest says {entry['size']}: the file was changed")
        if digest != entry["sha256"]:
            raise BackupError(f"{name}: SHA-256 does not match the manifest: the file was changed")
    if body["database"]["file"] not in listed:
        raise BackupError("the manifest lists no database file")

    here = vendor()
    if body["database"]["vendor"] != here:
        raise BackupError(
            f"this is a {body['database']['vendor']} backup but the configured database is "
            f"{here}: restore it into a {body['database']['vendor']} database"
        )
    return VerifiedBackup(directory, body)


# --- restore ---------------------------------------------------------------------------


def known_migrations() -> set[tuple[str, str]]:
    from django.db.migrations.loader import MigrationLoader

    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def unknown_migrations(backup: VerifiedBackup) -> list[str]:
    """Migrations applied in the backup that this code does not have (a newer backup)."""
    known = known_migrations()
    return [f"{app}.{name}" for app, name in backup.manifest["migrations"] if (app, name) not in known]


def pending_migrations(backup: VerifiedBackup) -> list[str]:
    """Migrations of this code that the backup's schema had not applied (an older backup)."""
    applied = {(app, name) for app, name in backup.manifest["migrations"]}
    return sorted(f"{app}.{name}" for app, name in known_migrations() - applied)


def missing_field_keys(backup: VerifiedBackup) -> list[str]:
    """Field keys the backup's data was encrypted under that are not configured here."""
    configured = set(_field_key_ids())
    if not configured:
        return []
    return [k for k in backup.manifest.get("field_key_ids", []) if k not in configured]


@dataclass
class TargetState:
    users: int
    agencies: int
    audit_entries: int

    @property
    def empty(self) -> bool:
        return not (self.users or self.agencies or self.audit_entries)

    def __str__(self) -> str:
        return f"{self.users} users, {self.agencies} agencies, {self.audit_entries} audit entries"


def target_state() -> TargetState:
    """What the configured database holds now (tables missing count as empty)."""
    tables = set(connection.introspection.table_names())
    counts = []
    with connection.cursor() as cursor:
        for table in (User._meta.db_table, Agency._meta.db_table, AuditEvent._meta.db_table):
            if table in tables:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
                counts.append(cursor.fetchone()[0])
            else:
                counts.append(0)
    return TargetState(*counts)


def _stage_media(backup: VerifiedBackup, staging: Path) -> None:
    """Copy the media files beside MEDIA_ROOT, re-checking each hash as it is copied (the
    backup could change between verification and copy)."""
    for entry in backup.media_files:
        relative = entry["path"][len(MEDIA_DIR) + 1:]
        size, digest = _copy_hashed(backup.directory / entry["path"], staging / relative)
        if (size, digest) != (entry["size"], entry["sha256"]):
            raise BackupError(f"{entry['path']} changed while it was being restored")


def _stage_database(backup: VerifiedBackup, target: Path) -> Path:
    """Copy the database file into a private folder, hashing exactly the bytes copied, and
    restore from that copy: the backup directory could change between verification and
    restore (another user, a sync job, a failing disk), the private copy cannot."""
    entry = next(f for f in backup.manifest["files"] if f["path"] == backup.manifest["database"]["file"])
    target.mkdir(mode=0o700, parents=True)
    copy = target / Path(entry["path"]).name
    size, digest = _copy_hashed(backup.database_file, copy)
    if (size, digest) != (entry["size"], entry["sha256"]):
        raise BackupError(
            f"{entry['path']} changed after it was verified (SHA-256 or size no longer matches "
            "the manifest): nothing was restored"
        )
    return copy


def _restore_sqlite(source: Path) -> None:
    """Replace the configured SQLite database's content with the backup's, through the
    backup API: SQLite takes the target's write lock and swaps every page in one go, so a
    reader sees the old database or the new one, never a mix. Every table, index and
    trigger of the target is replaced, so an older schema comes back exactly as it was."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        ok = src.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            raise BackupError(f"the backup's SQLite database fails its integrity check: {ok}")
        connection.close()
        target = Path(_db()["NAME"])
        target.parent.mkdir(parents=True, exist_ok=True)
        dst = sqlite3.connect(target, timeout=float((_db().get("OPTIONS") or {}).get("timeout", 20)))
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
        finally:
            dst.close()
    finally:
        src.close()


_TOC_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (?!DATA )(\S+) ")


def dump_schemas(pg_restore: str, dump: Path) -> list[str]:
    """The schemas the dump's tables live in (normally just ``public``)."""
    result = subprocess.run([pg_restore, "--list", str(dump)], capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"pg_restore --list failed (exit {result.returncode}): {result.stderr.strip()}")
    schemas = sorted({m.group(1) for line in result.stdout.splitlines() if (m := _TOC_TABLE.match(line))})
    if not schemas:
        raise BackupError("the dump holds no tables: not a gongkai database dump")
    return schemas


def empty_schemas_sql(schemas: list[str]) -> str:
    """SQL that drops every table, view, sequence, routine and type in ``schemas`` except
    those that belong to an extension: run in the restore's transaction before the dump's
    own statements, so the database ends up holding exactly the dump's objects. Without it
    tables created by migrations newer than the backup would survive the restore (and one
    with a foreign key to a restored table makes the restore fail)."""
    literal = "ARRAY[" + ", ".join("'" + s.replace("'", "''") + "'" for s in schemas) + "]::text[]"
    return f"""
DO $gongkai_restore$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT format('DROP %s IF EXISTS %I.%I CASCADE',
                      CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                     WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE'
                                     ELSE 'TABLE' END,
                      n.nspname, c.relname) AS stmt
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ANY({literal}) AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                          WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid
                            AND d.deptype = 'e')
        ORDER BY c.relkind = 'S', c.relname
    LOOP
        EXECUTE r.stmt;
    END LOOP;
    FOR r IN
        SELECT format('DROP ROUTINE IF EXISTS %I.%I(%s) CASCADE', n.nspname, p.proname,
                      pg_catalog.pg_get_function_identity_arguments(p.oid)) AS stmt
        FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = ANY({literal})
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                          WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid
                            AND d.deptype = 'e')
    LOOP
        EXECUTE r.stmt;
    END LOOP;
    FOR r IN
        SELECT format('DROP TYPE IF EXISTS %I.%I CASCADE', n.nspname, t.typname) AS stmt
        FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = ANY({literal}) AND t.typtype IN ('e', 'd', 'r', 'm')
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                          WHERE d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid
                            AND d.deptype = 'e')
    LOOP
        EXECUTE r.stmt;
    END LOOP;
END
$gongkai_restore$;
"""  # noqa: S608 (the schema names are quoted as SQL literals above)


def _restore_postgresql(backup: VerifiedBackup, dump: Path, *, no_owner: bool) -> None:
    """Replace the database's schema with the dump's in ONE transaction: pg_restore turns
    the dump into SQL (wrapped in BEGIN/COMMIT by --single-transaction), and psql runs it
    with an extra first step right after BEGIN that empties the dump's schemas. Any error
    (psql stops at the first one) or a pg_restore that dies part-way (its COMMIT is held
    back until it has exited cleanly) rolls everything back: the database is then exactly
    as it was. Objects in other schemas and extensions are left alone.

    Why not restore into a fresh database and swap: renaming databases needs CREATEDB and
    no other session connected to either database, which a running installation cannot
    promise; emptying the schema inside the restore's transaction needs neither."""
    pg_restore, psql = pg_tool("pg_restore"), pg_tool("psql")
    major = tool_major(pg_restore)
    dumped_with = backup.manifest["database"].get("pg_dump_major", 0)
    if major < dumped_with:
        raise BackupError(
            f"pg_restore is version {major} but the dump was written by pg_dump {dumped_with}: "
            f"install the PostgreSQL {dumped_with} client tools or set GONGKAI_PG_BIN_DIR"
        )
    prelude = empty_schemas_sql(dump_schemas(pg_restore, dump)).encode("utf-8")
    connection.close()
    script = [pg_restore, "--clean", "--if-exists", "--single-transaction", "--exit-on-error", "--file=-"]
    if no_owner:
        script.append("--no-owner")
    script.append(str(dump))
    runner = [psql, "--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=1",
              f"--dbname={_db()['NAME']}", "--file=-"]
    env = _pg_env()
    with tempfile.TemporaryFile() as restore_err, tempfile.TemporaryFile() as psql_err:
        producer = subprocess.Popen(script, stdout=subprocess.PIPE, stderr=restore_err, env=env)  # noqa: S603
        consumer = subprocess.Popen(runner, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,  # noqa: S603
                                    stderr=psql_err, env=env)
        began = False
        try:
            for line in producer.stdout:
                consumer.stdin.write(line)
                if not began and line.rstrip(b"\r\n") == b"BEGIN;":
                    consumer.stdin.write(prelude)
                    began = True
            # pg_restore writes COMMIT only after the last object: if it died part-way,
            # psql reaches the end of its input inside the transaction and it rolls back.
            consumer.stdin.close()
        except BrokenPipeError:
            pass  # psql stopped at an error: its transaction is rolled back
        finally:
            producer.stdout.close()  # a pg_restore still writing gets SIGPIPE and ends
            with contextlib.suppress(BrokenPipeError):
                consumer.stdin.close()  # interrupted: psql ends inside the transaction
            producer_rc = producer.wait()
            consumer_rc = consumer.wait()
        restore_err.seek(0)
        psql_err.seek(0)
        errors = (restore_err.read() + psql_err.read()).decode("utf-8", "replace").strip()
    if producer_rc != 0 or consumer_rc != 0 or not began:
        raise BackupError(
            f"restoring the dump failed (pg_restore exit {producer_rc}, psql exit {consumer_rc}); "
            f"the database was left as it was: {errors}"
        )


@dataclass
class RestoreResult:
    verify: audit.VerifyResult
    head_matches: bool
    replaced: TargetState
    recovered: list[str] = field(default_factory=list)


def _work_names(media_root: Path) -> tuple[str, str]:
    """Glob patterns of a restore's working folders beside MEDIA_ROOT: staged copies
    (media and the database file) and the media a restore set aside."""
    return f".{media_root.name}.restore-*", f".{media_root.name}.replaced-*"


def leftover_folders(media_root: Path | None = None) -> list[Path]:
    """Working folders an interrupted restore left beside MEDIA_ROOT."""
    media_root = media_root or Path(settings.MEDIA_ROOT).resolve()
    if not media_root.parent.is_dir():
        return []
    staging, replaced = _work_names(media_root)
    return sorted([*media_root.parent.glob(staging), *media_root.parent.glob(replaced)])


def recover_interrupted_restore(media_root: Path | None = None) -> list[str]:
    """Undo what an interrupted restore left beside MEDIA_ROOT, before a new restore runs:

    - MEDIA_ROOT missing and a ``.replaced-*`` folder present (interrupted between setting
      the old media aside and moving the new in, on a system without an atomic exchange):
      the newest set-aside folder goes back to MEDIA_ROOT;
    - every other ``.restore-*`` (staged copies) and ``.replaced-*`` folder is deleted: a
      staged copy is re-made from the backup, and set-aside media are what the interrupted
      restore was replacing.

    Returns one line per action, for the operator."""
    media_root = media_root or Path(settings.MEDIA_ROOT).resolve()
    notes: list[str] = []
    if not media_root.parent.is_dir():
        return notes
    staging, replaced = _work_names(media_root)
    set_aside = sorted(p for p in media_root.parent.glob(replaced) if p.is_dir())
    if not media_root.exists() and set_aside:
        set_aside[-1].rename(media_root)
        notes.append(f"{media_root} was missing: moved {set_aside[-1].name} back into place")
    for leftover in sorted([*media_root.parent.glob(staging), *media_root.parent.glob(replaced)]):
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
        notes.append(f"removed {leftover.name}, left by an interrupted restore")
    return notes


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one step (Linux renameat2 RENAME_EXCHANGE): there is no
    moment when either name is missing. False where the system cannot do it."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(a))


def _swap_media(staging: Path, media_root: Path, old: Path) -> None:
    """Put the staged media at MEDIA_ROOT and delete the old files."""
    if media_root.exists() and _exchange(staging, media_root):
        shutil.rmtree(staging)  # now holds the old files
        return
    # Fallback (or no MEDIA_ROOT yet): two renames; recover_interrupted_restore() puts the
    # old folder back if a crash comes between them.
    if media_root.exists():
        media_root.rename(old)
    staging.rename(media_root)
    shutil.rmtree(old, ignore_errors=True)


def restore_backup(
    backup: VerifiedBackup, *, reason: str, no_owner: bool = False,
    progress: Callable[[str], None] = lambda _: None,
) -> RestoreResult:
    """Restore a verified backup: leftovers of an interrupted restore recovered, the
    database file and media staged (each re-hashed as it is copied), then the database
    restored, then the media swapped in; then the audit chain is verified and the restore
    itself recorded in it.

    The database and the media cannot change in one transaction: a crash after the
    database is restored and before the media are swapped leaves new rows and old files.
    Running the same restore again recovers the working folders and restores both."""
    replaced = target_state()
    restore_media = backup.manifest["media"].get("included", False)
    media_root = Path(settings.MEDIA_ROOT).resolve()
    recovered = recover_interrupted_restore(media_root)
    for line in recovered:
        progress(line)
    stamp = clock.now().strftime("%Y%m%d%H%M%S")
    staging = media_root.parent / f".{media_root.name}.restore-{stamp}-{os.getpid()}"
    staged_db = media_root.parent / f".{media_root.name}.restore-{stamp}-{os.getpid()}.database"
    old = media_root.parent / f".{media_root.name}.replaced-{stamp}-{os.getpid()}"
    try:
        progress("copying and re-checking the database file")
        database = _stage_database(backup, staged_db)
        if restore_media:
            progress(f"staging {len(backup.media_files)} media files")
            staging.mkdir(parents=True)
            _stage_media(backup, staging)
        progress("restoring the database")
        if backup.manifest["database"]["vendor"] == "sqlite":
            _restore_sqlite(database)
        else:
            _restore_postgresql(backup, database, no_owner=no_owner)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(staged_db, ignore_errors=True)
    if restore_media:
        progress(f"replacing {media_root}")
        _swap_media(staging, media_root, old)

    connection.close()
    result = audit.verify()
    head = backup.manifest["audit_head"]
    head_matches = result.ok and (result.head_seq, result.head_hash) == (head["seq"], head["hash"])
    if result.ok:
        with transaction.atomic():
            audit.record(
                actor=None, action="backup.restore", object_type="backup",
                object_id=backup.manifest["created_at"], object_repr=f"备份 {backup.manifest['created_at']}",
                reason=reason,
                before={"users": replaced.users, "agencies": replaced.agencies,
                        "audit_entries": replaced.audit_entries},
                after={"backup_created_at": backup.manifest["created_at"],
                       "audit_head_seq": head["seq"], "audit_head_hash": head["hash"],
                       "media_files": len(backup.media_files),
                       "gongkai_version": backup.manifest["gongkai_version"]},
            )
    return RestoreResult(result, head_matches, replaced, recovered)


def record_backup(result: BackupResult, *, reason: str) -> None:
    """The backup in the audit trail (after the snapshot, so not inside the backup)."""
    manifest = result.manifest
    with transaction.atomic():
        audit.record(
            actor=None, action="backup.create", object_type="backup",
            object_id=manifest["created_at"], object_repr=f"备份 {manifest['created_at']}",
            reason=reason,
            after={"directory": str(result.directory), "vendor": manifest["database"]["vendor"],
                   "audit_head_seq": manifest["audit_head"]["seq"],
                   "files": len(manifest["files"]),
                   "bytes": sum(f["size"] for f in manifest["files"])},
        )
