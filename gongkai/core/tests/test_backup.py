"""`gongkai backup` and `gongkai restore`, run as the real program against their own
databases (a demo database on SQLite and one on PostgreSQL, each restored into a second,
separate database), then the backup tampered with in every way the restore must refuse.

The suite's own test database is never touched: every backup and restore here is a
subprocess with its own var/ directory and DATABASE_URL, so the same file runs unchanged
under `DATABASE_URL=postgres://… pytest`.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from gongkai.core import backup

GONGKAI = Path(sys.executable).parent / "gongkai"
PG = "postgres://postgres@127.0.0.1:5432"
# Fixed secrets of the fictional "source installation" (the restore side gets them the way
# an operator would copy them from the secret store).
SECRET = "backup-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
FIELD_KEY = "q1Sy6o8mFv2yQ0vN5b7c3Q9kP4jZt1wX8eR6uY2iO0s="  # urlsafe base64 of 32 bytes
_INHERITED = {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "DATABASE_URL", "CACHE_URL"}

# Prints every applicant's decrypted personal data and the SHA-256 of every decrypted
# letter: equal output on source and restored copy means the encrypted fields and the
# encrypted files came back readable with the same keys.
READ_BACK = """
import hashlib
from gongkai.foi.models import FoiRequest, Letter
for r in FoiRequest.objects.order_by("pk"):
    print("request", r.pk, r.tracking_number, r.phone, r.id_number, r.address)
for letter in Letter.objects.order_by("pk"):
    for f in (letter.docx, letter.pdf):
        if f:
            with f.open("rb") as fh:
                print("file", letter.pk, f.name, hashlib.sha256(fh.read()).hexdigest())
"""


def install_env(var_dir: Path, database_url: str, *, secret: str = SECRET, **extra) -> dict:
    """An installation in var_dir, nothing inherited from the developer's shell or the
    suite's own database settings."""
    env = {
        k: v for k, v in os.environ.items()
        if k not in _INHERITED and not k.startswith(("GONGKAI_", "DJANGO_", "PG"))
        or k == "GONGKAI_TODAY"
    }
    var_dir.mkdir(parents=True, exist_ok=True)
    env.update(
        GONGKAI_VAR_DIR=str(var_dir), DATABASE_URL=database_url, SECRET_KEY=secret,
        GONGKAI_FIELD_KEYS=FIELD_KEY, DJANGO_SETTINGS_MODULE="gongkai.settings", **extra,
    )
    return env


def gongkai(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(GONGKAI), *args], env=env, cwd=env["GONGKAI_VAR_DIR"],
        capture_output=True, text=True, timeout=300,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"gongkai {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def read_back(env: dict) -> list[str]:
    lines = gongkai(env, "shell", "-c", READ_BACK).stdout.splitlines()
    return [line for line in lines if line.startswith(("request ", "file "))]


def media_hashes(var_dir: Path) -> dict[str, str]:
    root = var_dir / "media"
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*")) if p.is_file()
    }


def _normal(value):
    return bytes(value) if isinstance(value, memoryview) else value


def sqlite_rows(path: Path) -> dict[str, list]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        result = {}
        for t in tables:
            cursor = conn.execute(f'SELECT * FROM "{t}"')  # noqa: S608
            columns = [d[0] for d in cursor.description]
            result[t] = sorted((tuple(zip(columns, r, strict=True)) for r in cursor), key=repr)
        return result
    finally:
        conn.close()


def pg_rows(dbname: str) -> dict[str, list]:
    import psycopg

    with psycopg.connect(f"{PG}/{dbname}") as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")]
        result = {}
        for t in tables:
            cursor = conn.execute(f'SELECT * FROM "{t}"')  # noqa: S608
            columns = [d.name for d in cursor.description]
            result[t] = sorted(
                (tuple((c, _normal(v)) for c, v in zip(columns, r, strict=True)) for r in cursor), key=repr)
        return result


def without_backup_entries(rows: dict[str, list], head_seq: int) -> dict[str, list]:
    """The rows as they were at backup time: the audit entries after the backup's head
    (the backup itself on the source, the restore on the copy) and the head row set aside."""
    rows = dict(rows)
    rows.pop("core_auditchainhead")
    rows["core_auditevent"] = [r for r in rows["core_auditevent"] if dict(r)["seq"] <= head_seq]
    return rows


def audit_actions_after(rows: dict[str, list], head_seq: int) -> list[str]:
    entries = sorted((dict(r) for r in rows["core_auditevent"]), key=lambda e: e["seq"])
    return [e["action"] for e in entries if e["seq"] > head_seq]


def manifest_of(directory: Path) -> dict:
    return json.loads((directory / backup.MANIFEST).read_text(encoding="utf-8"))


# --- SQLite: demo database → backup → restore into a second installation ----------------


@pytest.fixture(scope="module")
def sqlite_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("backup-sqlite")
    source = install_env(root / "source", f"sqlite:///{root / 'source' / 'gongkai.sqlite3'}")
    gongkai(source, "demo")
    before = sqlite_rows(root / "source" / "gongkai.sqlite3")
    readable = read_back(source)
    out = gongkai(source, "backup", str(root / "backup")).stdout
    after_backup = sqlite_rows(root / "source" / "gongkai.sqlite3")

    target = install_env(root / "target", f"sqlite:///{root / 'target' / 'gongkai.sqlite3'}")
    restored = gongkai(target, "restore", str(root / "backup"), "--yes")
    return {
        "root": root, "source": source, "target": target, "backup": root / "backup",
        "before": before, "after_backup": after_backup, "readable": readable, "backup_out": out,
        "restore": restored,
    }


def test_sqlite_backup_holds_database_media_and_a_signed_manifest(sqlite_site):
    directory = sqlite_site["backup"]
    manifest = manifest_of(directory)
    assert sorted(p.name for p in directory.iterdir()) == ["database.sqlite3", "manifest.json", "media"]
    assert manifest["format"] == "gongkai-backup" and manifest["format_version"] == 1
    assert manifest["database"]["vendor"] == "sqlite"
    assert ["core", "0001_initial"] in manifest["migrations"]
    assert manifest["key"]["source"] == "SECRET_KEY"
    listed = {f["path"]: f for f in manifest["files"]}
    media = {p: f for p, f in listed.items() if p.startswith("media/")}
    source_media = media_hashes(Path(sqlite_site["source"]["GONGKAI_VAR_DIR"]))
    assert source_media, "the demo writes letters: the media directory cannot be empty"
    # Every media file, as stored (encrypted), and nothing else.
    assert {p.removeprefix("media/"): f["sha256"] for p, f in media.items()} == source_media
    for path, entry in listed.items():
        data = (directory / path).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (entry["size"], entry["sha256"])
    # The audit head in the manifest is the copy's own head.
    copy = sqlite_rows(directory / "database.sqlite3")
    assert [(dict(r)["seq"], dict(r)["hash"]) for r in copy["core_auditchainhead"]] == [
        (manifest["audit_head"]["seq"], manifest["audit_head"]["hash"])
    ]
    assert manifest["audit_head"]["seq"] == len(sqlite_site["before"]["core_auditevent"])
    assert "Backup written to" in sqlite_site["backup_out"]


def test_sqlite_restore_gives_the_same_rows_and_a_verified_chain(sqlite_site):
    head = manifest_of(sqlite_site["backup"])["audit_head"]
    source_now = sqlite_site["after_backup"]
    restored = sqlite_rows(Path(sqlite_site["target"]["GONGKAI_VAR_DIR"]) / "gongkai.sqlite3")

    assert without_backup_entries(restored, head["seq"]) == without_backup_entries(sqlite_site["before"], head["seq"])
    assert sum(len(rows) for rows in restored.values()) > 500  # a whole demo, not a stub
    # The backup is in the source's trail, the restore in the copy's: after the head.
    assert audit_actions_after(source_now, head["seq"]) == ["backup.create"]
    assert audit_actions_after(restored, head["seq"]) == ["backup.restore"]

    out = sqlite_site["restore"].stdout
    assert f"audit chain OK: {head['seq']} entries, head seq={head['seq']} hash={head['hash']}" in out
    verified = gongkai(sqlite_site["target"], "audit", "verify").stdout
    assert verified.startswith(f"audit chain OK: {head['seq'] + 1} entries")


def test_sqlite_restore_brings_back_readable_personal_data_and_files(sqlite_site):
    target_dir = Path(sqlite_site["target"]["GONGKAI_VAR_DIR"])
    assert media_hashes(target_dir) == media_hashes(Path(sqlite_site["source"]["GONGKAI_VAR_DIR"]))
    readable = read_back(sqlite_site["target"])
    assert readable == sqlite_site["readable"]
    assert any(line.startswith("request ") for line in readable)
    assert any(line.startswith("file ") for line in readable)


def test_restore_into_a_database_with_data_needs_yes(sqlite_site, tmp_path):
    target = sqlite_site["target"]
    before = sqlite_rows(Path(target["GONGKAI_VAR_DIR"]) / "gongkai.sqlite3")
    result = gongkai(target, "restore", str(sqlite_site["backup"]), check=False)
    assert result.returncode == 1
    assert "the configured database is not empty" in result.stderr
    assert "rerun with --yes" in result.stderr
    assert sqlite_rows(Path(target["GONGKAI_VAR_DIR"]) / "gongkai.sqlite3") == before

    again = install_env(tmp_path / "again", f"sqlite:///{tmp_path / 'again' / 'gongkai.sqlite3'}")
    shutil.copytree(Path(target["GONGKAI_VAR_DIR"]), tmp_path / "again", dirs_exist_ok=True)
    (tmp_path / "again" / "media" / "stray.txt").write_text("not in the backup")
    replaced = gongkai(again, "restore", str(sqlite_site["backup"]), "--yes")
    assert "Replacing a NON-EMPTY database" in replaced.stdout
    # The media directory is the backup's: the stray file is gone.
    assert media_hashes(tmp_path / "again") == media_hashes(Path(sqlite_site["source"]["GONGKAI_VAR_DIR"]))


def test_backup_refuses_a_directory_that_is_not_empty(sqlite_site, tmp_path):
    (tmp_path / "old.txt").write_text("x")
    result = gongkai(sqlite_site["source"], "backup", str(tmp_path), check=False)
    assert result.returncode == 1
    assert "is not empty" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.txt"]


def test_a_dedicated_backup_key_restores_under_another_secret_key(sqlite_site, tmp_path):
    key = "a-dedicated-backup-key-kept-in-the-secret-store"
    source = {**sqlite_site["source"], "GONGKAI_BACKUP_KEY": key}
    gongkai(source, "backup", str(tmp_path / "b"))
    assert manifest_of(tmp_path / "b")["key"]["source"] == "GONGKAI_BACKUP_KEY"

    elsewhere = install_env(tmp_path / "t", f"sqlite:///{tmp_path / 't' / 'gongkai.sqlite3'}",
                            secret="another-machine-another-secret-key-0123456789")
    refused = gongkai(elsewhere, "restore", str(tmp_path / "b"), "--yes", check=False)
    assert refused.returncode == 1
    assert "signed with another key" in refused.stderr
    assert not (tmp_path / "t" / "gongkai.sqlite3").exists() or not sqlite_rows(tmp_path / "t" / "gongkai.sqlite3")

    restored = gongkai({**elsewhere, "GONGKAI_BACKUP_KEY": key}, "restore", str(tmp_path / "b"), "--yes")
    assert "audit chain OK" in restored.stdout


# --- tampering: each refused, nothing changed --------------------------------------------


def _edit_manifest(d: Path):
    document = manifest_of(d)
    document["audit_head"]["seq"] -= 1  # "the backup ends earlier" (a truncation hidden)
    (d / "manifest.json").write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")


def _edit_manifest_and_resign_with_a_guess(d: Path):
    document = manifest_of(d)
    body = {k: v for k, v in document.items() if k != "hmac"}
    body["files"] = [f for f in body["files"] if not f["path"].startswith("media/")]
    document = {**body, "hmac": backup.sign(body, key=b"guessed")}
    (d / "manifest.json").write_text(json.dumps(document), encoding="utf-8")
    shutil.rmtree(d / "media")


def _media_file(d: Path) -> Path:
    return sorted((d / "media").rglob("*.enc"))[0]


def _flip_a_byte(path: Path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _edit_media_file(d: Path):
    _flip_a_byte(_media_file(d))


def _edit_database(d: Path):
    _flip_a_byte(d / "database.sqlite3")


def _truncate_media_file(d: Path):
    path = _media_file(d)
    path.write_bytes(path.read_bytes()[:-10])


def _add_file(d: Path):
    (d / "media" / "foi" / "planted.enc").write_bytes(b"not from the backup")


def _remove_file(d: Path):
    _media_file(d).unlink()


def _remove_manifest(d: Path):
    (d / "manifest.json").unlink()


@pytest.mark.parametrize("tamper,message", [
    (_edit_manifest, "the manifest's signature (HMAC) does not verify: the manifest was modified"),
    (_edit_manifest_and_resign_with_a_guess, "the manifest's signature (HMAC) does not verify"),
    (_edit_media_file, "SHA-256 does not match the manifest: the file was changed"),
    (_edit_database, "database.sqlite3: SHA-256 does not match the manifest"),
    (_truncate_media_file, "but the manifest says"),
    (_add_file, "are in the backup but not in the manifest: media/foi/planted.enc"),
    (_remove_file, "listed in the manifest are missing: media/"),
    (_remove_manifest, "has no manifest.json: not a gongkai backup, or an interrupted one"),
])
def test_a_tampered_backup_is_refused_and_nothing_changes(sqlite_site, tmp_path, tamper, message):
    tampered = tmp_path / "tampered"
    shutil.copytree(sqlite_site["backup"], tampered)
    tamper(tampered)
    target = sqlite_site["target"]
    target_dir = Path(target["GONGKAI_VAR_DIR"])
    rows, media = sqlite_rows(target_dir / "gongkai.sqlite3"), media_hashes(target_dir)

    result = gongkai(target, "restore", str(tampered), "--yes", check=False)

    assert result.returncode == 1
    assert result.stderr.startswith("CommandError: restore refused, nothing was changed: ")
    assert message in result.stderr
    assert sqlite_rows(target_dir / "gongkai.sqlite3") == rows
    assert media_hashes(target_dir) == media
    assert not [p for p in target_dir.iterdir() if ".restore-" in p.name]


def test_restore_check_verifies_without_changing_anything(sqlite_site, tmp_path):
    target = install_env(tmp_path / "t", f"sqlite:///{tmp_path / 't' / 'gongkai.sqlite3'}")
    result = gongkai(target, "restore", str(sqlite_site["backup"]), "--check")
    assert "Backup verified" in result.stdout
    assert not (tmp_path / "t" / "media").exists()


# --- the manifest rules, in-process ---------------------------------------------------


def test_the_signature_covers_every_field_and_depends_on_the_key(settings):
    body = {"files": [{"path": "media/a", "size": 1, "sha256": "0" * 64}], "created_at": "x"}
    settings.GONGKAI_BACKUP_KEY = None
    signed = backup.sign(body)
    assert backup.sign({**body, "created_at": "y"}) != signed
    assert backup.sign({"created_at": "x", "files": body["files"]}) == signed  # key order is not content
    settings.GONGKAI_BACKUP_KEY = "dedicated"
    assert backup.sign(body) != signed
    assert backup._key_material() == ("GONGKAI_BACKUP_KEY", "dedicated")
    assert backup.manifest_key() != b"dedicated"  # derived, never the secret itself


@pytest.mark.parametrize("name", ["/etc/passwd", "media/../../x", "", "media//a", "media\\a", "./media/a"])
def test_manifest_paths_cannot_leave_the_backup(name):
    with pytest.raises(backup.BackupError, match="unsafe path"):
        backup._safe_relative(name)


# --- PostgreSQL: the same round trip between two databases ---------------------------


def _pg_available() -> bool:
    try:
        import psycopg

        psycopg.connect(f"{PG}/postgres", connect_timeout=3).close()
        return True
    except Exception:
        return False


@pytest.fixture(scope="module")
def pg_site(tmp_path_factory):
    if not _pg_available():
        pytest.skip(f"PostgreSQL is not reachable at {PG}")
    import psycopg

    n = os.getpid()
    names = {"source": f"gk_backup_src_{n}", "target": f"gk_backup_restore_{n}"}
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        for name in names.values():
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    root = tmp_path_factory.mktemp("backup-pg")
    try:
        source = install_env(root / "source", f"{PG}/{names['source']}")
        gongkai(source, "demo")
        before = pg_rows(names["source"])
        readable = read_back(source)
        gongkai(source, "backup", str(root / "backup"))
        after_backup = pg_rows(names["source"])
        target = install_env(root / "target", f"{PG}/{names['target']}")
        restored = gongkai(target, "restore", str(root / "backup"), "--yes")
        yield {"root": root, "names": names, "source": source, "target": target,
               "backup": root / "backup", "before": before, "after_backup": after_backup,
               "readable": readable, "restore": restored}
    finally:
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            for name in names.values():
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_pg_dump_and_pg_restore_match_the_server_major_version(pg_site):
    manifest = manifest_of(pg_site["backup"])
    assert manifest["database"]["vendor"] == "postgresql"
    assert manifest["database"]["pg_dump_major"] == manifest["database"]["server_major"]
    assert backup.tool_major(backup.pg_tool("pg_restore")) >= manifest["database"]["server_major"]


def test_pg_restore_gives_the_same_rows_readable_data_and_a_verified_chain(pg_site):
    head = manifest_of(pg_site["backup"])["audit_head"]
    restored = pg_rows(pg_site["names"]["target"])
    assert without_backup_entries(restored, head["seq"]) == without_backup_entries(pg_site["before"], head["seq"])
    assert sum(len(rows) for rows in restored.values()) > 500
    assert audit_actions_after(restored, head["seq"]) == ["backup.restore"]
    assert audit_actions_after(pg_site["after_backup"], head["seq"]) == ["backup.create"]

    assert f"audit chain OK: {head['seq']} entries, head seq={head['seq']} hash={head['hash']}" in pg_site["restore"].stdout
    assert gongkai(pg_site["target"], "audit", "verify").stdout.startswith(f"audit chain OK: {head['seq'] + 1} entries")
    assert read_back(pg_site["target"]) == pg_site["readable"]
    assert media_hashes(Path(pg_site["target"]["GONGKAI_VAR_DIR"])) == media_hashes(
        Path(pg_site["source"]["GONGKAI_VAR_DIR"]))


def test_pg_restore_over_data_replaces_it(pg_site):
    target = pg_site["target"]
    head = manifest_of(pg_site["backup"])["audit_head"]
    again = gongkai(target, "restore", str(pg_site["backup"]), "--yes")
    assert "Replacing a NON-EMPTY database" in again.stdout
    # The restore entry of the first restore is gone with the rest: one restore entry.
    assert audit_actions_after(pg_rows(pg_site["names"]["target"]), head["seq"]) == ["backup.restore"]


def test_a_backup_of_another_vendor_is_refused(pg_site, sqlite_site):
    target = pg_site["target"]
    before = pg_rows(pg_site["names"]["target"])
    result = gongkai(target, "restore", str(sqlite_site["backup"]), "--yes", check=False)
    assert result.returncode == 1
    assert "this is a sqlite backup but the configured database is postgresql" in result.stderr
    assert pg_rows(pg_site["names"]["target"]) == before

    result = gongkai(sqlite_site["target"], "restore", str(pg_site["backup"]), "--yes", check=False)
    assert result.returncode == 1
    assert "this is a postgresql backup but the configured database is sqlite" in result.stderr


def test_a_tampered_pg_dump_is_refused(pg_site, tmp_path):
    tampered = tmp_path / "tampered"
    shutil.copytree(pg_site["backup"], tampered)
    _flip_a_byte(tampered / "database.dump")
    before = pg_rows(pg_site["names"]["target"])
    result = gongkai(pg_site["target"], "restore", str(tampered), "--yes", check=False)
    assert result.returncode == 1
    assert "database.dump: SHA-256 does not match the manifest" in result.stderr
    assert pg_rows(pg_site["names"]["target"]) == before


# --- an older backup over an upgraded database; re-checking; an interrupted restore ----


def _pg_tables(dbname: str) -> set[str]:
    import psycopg

    with psycopg.connect(f"{PG}/{dbname}") as conn:
        return {r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")}


def _pg_migrations(dbname: str) -> list[list[str]]:
    import psycopg

    with psycopg.connect(f"{PG}/{dbname}") as conn:
        return [list(r) for r in conn.execute("SELECT app, name FROM django_migrations ORDER BY app, name")]


OLD_CORE = "0005_audit_append_only"
MAKE_TOTP_DEVICE = """
from django_otp.plugins.otp_totp.models import TOTPDevice
from gongkai.core.models import User
user = User.objects.create_user(username="newer-schema-user", password="Zz9!long-enough-pass")
TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
print("device", TOTPDevice.objects.count())
"""


def test_pg_restore_of_an_older_backup_over_an_upgraded_database(pg_site, tmp_path):
    """A backup taken before the newest migrations, restored over a database migrated to
    the newest ones, with a row of a newer table (an OTP device) pointing at core_user:
    the database gets exactly the backup's tables and migration list, and `gongkai
    migrate` then upgrades it."""
    import psycopg

    n = os.getpid()
    old_db, new_db = f"gk_backup_old_{n}", f"gk_backup_new_{n}"
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        for name in (old_db, new_db):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    try:
        old = install_env(tmp_path / "old", f"{PG}/{old_db}")
        gongkai(old, "migrate", "core", OLD_CORE)
        gongkai(old, "backup", str(tmp_path / "old-backup"))
        old_tables, old_migrations = _pg_tables(old_db), _pg_migrations(old_db)
        assert "core_ratelimitcounter" not in old_tables
        assert ["core", OLD_CORE] in old_migrations
        assert not any(app == "core" and name > OLD_CORE for app, name in old_migrations)

        new = install_env(tmp_path / "new", f"{PG}/{new_db}")
        gongkai(new, "migrate")
        assert "device 1" in gongkai(new, "shell", "-c", MAKE_TOTP_DEVICE).stdout
        assert {"core_ratelimitcounter", "core_signinguard", "otp_totp_totpdevice"} <= _pg_tables(new_db)

        restored = gongkai(new, "restore", str(tmp_path / "old-backup"), "--yes")
        assert "The backup's schema is older than this gongkai" in restored.stdout
        assert "run `gongkai migrate`" in restored.stdout
        # Exactly the backup's tables and migrations: nothing of the newer schema is left.
        assert _pg_tables(new_db) == old_tables
        assert _pg_migrations(new_db) == old_migrations

        gongkai(new, "migrate")  # no "relation already exists"
        assert {"core_ratelimitcounter", "core_signinguard", "otp_totp_totpdevice"} <= _pg_tables(new_db)
        with psycopg.connect(f"{PG}/{new_db}") as conn:
            assert conn.execute("SELECT COUNT(*) FROM otp_totp_totpdevice").fetchone()[0] == 0
            assert conn.execute("SELECT COUNT(*) FROM core_user").fetchone()[0] == 0
        assert gongkai(new, "audit", "verify").stdout.startswith("audit chain OK")
    finally:
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            for name in (old_db, new_db):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_failing_pg_restore_leaves_the_database_as_it_was(pg_site):
    """The dump's SQL failing part-way, after the schema was emptied (here an event trigger,
    outside the emptied schema, refuses to create core_user): the emptying is rolled back
    with the rest and the database is exactly as it was."""
    import psycopg

    dbname = pg_site["names"]["target"]
    before = pg_rows(dbname)
    with psycopg.connect(f"{PG}/{dbname}", autocommit=True) as conn:
        conn.execute("CREATE SCHEMA gk_test_guard")
        conn.execute("""
            CREATE FUNCTION gk_test_guard.refuse() RETURNS event_trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands()
                           WHERE object_identity = 'public.core_user') THEN
                    RAISE EXCEPTION 'test guard: core_user refused';
                END IF;
            END $$""")
        conn.execute("CREATE EVENT TRIGGER gk_test_guard ON ddl_command_end "
                     "EXECUTE FUNCTION gk_test_guard.refuse()")
    try:
        result = gongkai(pg_site["target"], "restore", str(pg_site["backup"]), "--yes", check=False)
    finally:
        with psycopg.connect(f"{PG}/{dbname}", autocommit=True) as conn:
            conn.execute("DROP EVENT TRIGGER IF EXISTS gk_test_guard")
            conn.execute("DROP SCHEMA IF EXISTS gk_test_guard CASCADE")
    assert result.returncode == 1
    assert "the database was left as it was" in result.stderr
    assert "test guard: core_user refused" in result.stderr
    assert pg_rows(dbname) == before


def test_the_database_file_is_re_hashed_just_before_it_is_restored(sqlite_site, tmp_path):
    """Changed after verification (between `verify_backup` and the restore): refused, from
    the private copy's own hash, and nothing is left behind."""
    copy = tmp_path / "backup"
    shutil.copytree(sqlite_site["backup"], copy)
    verified = backup.VerifiedBackup(copy, manifest_of(copy))
    _flip_a_byte(copy / "database.sqlite3")
    with pytest.raises(backup.BackupError, match="changed after it was verified"):
        backup._stage_database(verified, tmp_path / "staged")
    good = backup.VerifiedBackup(sqlite_site["backup"], manifest_of(sqlite_site["backup"]))
    staged = backup._stage_database(good, tmp_path / "staged-ok")
    assert staged.read_bytes() == (sqlite_site["backup"] / "database.sqlite3").read_bytes()
    assert (tmp_path / "staged-ok").stat().st_mode & 0o077 == 0


def test_a_rerun_recovers_an_interrupted_media_swap(sqlite_site, tmp_path):
    """Interrupted between setting MEDIA_ROOT aside and moving the staged copy in: MEDIA_ROOT
    is missing, the old files sit in .media.replaced-*, a staged copy in .media.restore-*.
    Running the same restore again puts everything in place and leaves no working folder."""
    var = tmp_path / "site"
    target = install_env(var, f"sqlite:///{var / 'gongkai.sqlite3'}")
    gongkai(target, "restore", str(sqlite_site["backup"]), "--yes")
    expected = media_hashes(var)
    assert expected
    (var / "media").rename(var / ".media.replaced-20240101000000-1")
    (var / ".media.restore-20240101000000-1").mkdir()
    (var / ".media.restore-20240101000000-1" / "partial").write_bytes(b"half a file")

    check = gongkai(target, "restore", str(sqlite_site["backup"]), "--check")
    assert (var / ".media.replaced-20240101000000-1").is_dir()  # --check changes nothing
    again = gongkai(target, "restore", str(sqlite_site["backup"]), "--yes")
    assert "An earlier restore was interrupted: 2 working folder(s)" in again.stdout
    assert "moved .media.replaced-20240101000000-1 back into place" in again.stdout
    assert "removed .media.restore-20240101000000-1" in again.stdout
    assert media_hashes(var) == expected
    assert sorted(p.name for p in var.iterdir() if p.name.startswith(".media")) == []
    assert check.returncode == 0


def test_recovery_deletes_leftovers_when_media_root_is_in_place(tmp_path):
    media = tmp_path / "media"
    (media / "a").mkdir(parents=True)
    (media / "a" / "f").write_bytes(b"current")
    (tmp_path / ".media.replaced-1").mkdir()
    (tmp_path / ".media.replaced-1" / "f").write_bytes(b"older")
    (tmp_path / ".media.restore-2.database").mkdir()
    (tmp_path / "unrelated").mkdir()
    assert [p.name for p in backup.leftover_folders(media)] == [".media.replaced-1", ".media.restore-2.database"]
    notes = backup.recover_interrupted_restore(media)
    assert notes == ["removed .media.replaced-1, left by an interrupted restore",
                     "removed .media.restore-2.database, left by an interrupted restore"]
    assert (media / "a" / "f").read_bytes() == b"current"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["media", "unrelated"]


def test_media_swap_leaves_no_moment_without_media_root(tmp_path):
    media, staging = tmp_path / "media", tmp_path / ".media.restore-1"
    media.mkdir()
    (media / "old").write_bytes(b"old")
    staging.mkdir()
    (staging / "new").write_bytes(b"new")
    assert backup._exchange(staging, media)  # Linux: one atomic step
    assert (media / "new").read_bytes() == b"new"
    assert (staging / "old").read_bytes() == b"old"
    backup._swap_media(staging, media, tmp_path / ".media.replaced-1")
    assert (media / "old").read_bytes() == b"old"
    assert not staging.exists() and not (tmp_path / ".media.replaced-1").exists()
