"""`gongkai restore DIR`: verify a backup (signature, every file's size and hash, nothing
missing or extra, the database vendor) and only then replace the configured database and
media files with it; then verify the audit chain. See core/backup.py."""

import sys

from django.core.management.base import BaseCommand, CommandError

from gongkai.core import backup


class Command(BaseCommand):
    help = "Verify a backup made by `gongkai backup` and restore it over the configured database and media."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="a directory written by `gongkai backup`")
        parser.add_argument(
            "--yes", action="store_true",
            help="do not ask for confirmation; required to replace a database that holds data",
        )
        parser.add_argument(
            "--check", action="store_true", help="verify the backup only; change nothing",
        )
        parser.add_argument(
            "--no-owner", action="store_true",
            help="PostgreSQL: do not restore object ownership (restoring into another cluster)",
        )
        parser.add_argument("--reason", default="命令行恢复", help="why (recorded in the audit trail)")

    def handle(self, *args, directory, yes, check, no_owner, reason, **options):
        try:
            verified = backup.verify_backup(directory)
            unknown = backup.unknown_migrations(verified)
            if unknown:
                raise backup.BackupError(
                    f"the backup's schema is newer than this gongkai ({len(unknown)} unknown "
                    f"migrations, e.g. {unknown[0]}): install gongkai {verified.manifest['gongkai_version']} "
                    "or later to restore it"
                )
        except backup.BackupError as error:
            raise CommandError(f"restore refused, nothing was changed: {error}") from None

        manifest = verified.manifest
        head = manifest["audit_head"]
        self.stdout.write(
            f"Backup verified: made {manifest['created_at']} by gongkai {manifest['gongkai_version']}, "
            f"{manifest['database']['vendor']} database, {len(verified.media_files)} media files, "
            f"audit head seq={head['seq']}."
        )
        missing_keys = backup.missing_field_keys(verified)
        if missing_keys:
            self.stderr.write(
                "warning: personal data in this backup was encrypted under field key(s) "
                f"{', '.join(missing_keys)}, which GONGKAI_FIELD_KEYS does not hold here: "
                "it will not be readable until those keys are configured"
            )
        if check:
            return

        pending = backup.pending_migrations(verified)
        if pending:
            self.stdout.write(
                f"The backup's schema is older than this gongkai ({len(pending)} migrations newer, "
                f"e.g. {pending[0]}): the database is restored with the backup's schema exactly "
                "(tables of newer migrations are dropped); run `gongkai migrate` afterwards."
            )
        leftovers = backup.leftover_folders()
        if leftovers:
            self.stdout.write(
                f"An earlier restore was interrupted: {len(leftovers)} working folder(s) beside "
                f"MEDIA_ROOT ({', '.join(p.name for p in leftovers[:3])}) will be recovered first."
            )
        state = backup.target_state()
        if not state.empty:
            if not yes:
                raise CommandError(
                    f"restore refused, nothing was changed: the configured database is not empty "
                    f"({state}). Restoring REPLACES it; rerun with --yes to do so."
                )
            self.stdout.write(self.style.WARNING(
                f"Replacing a NON-EMPTY database ({state}) and the media files with the backup."
            ))
        elif not yes:
            self.stdout.write("This replaces the configured database and media files with the backup.")
            if not sys.stdin.isatty():
                raise CommandError("restore not confirmed (no terminal): rerun with --yes")
            if input("Type 'yes' to restore: ").strip().lower() != "yes":
                raise CommandError("restore cancelled; nothing was changed")

        progress = (lambda line: self.stderr.write(f"  {line}")) if options["verbosity"] > 1 else (lambda _: None)
        try:
            result = backup.restore_backup(verified, reason=reason, no_owner=no_owner, progress=progress)
        except backup.BackupError as error:
            raise CommandError(f"restore failed: {error}") from None

        for line in result.recovered:
            self.stdout.write(f"Recovered: {line}")
        if pending:
            self.stdout.write(
                f"The backup's schema is older than this gongkai ({len(pending)} migrations to apply): "
                "run `gongkai migrate` before starting the server."
            )
        verify = result.verify
        if not verify.ok:
            raise CommandError(
                f"restored, but the audit chain is BROKEN at {verify.broken} "
                f"({verify.checked} entries verified before it)"
            )
        if not result.head_matches:
            raise CommandError(
                f"restored, but the audit head is seq={verify.head_seq} hash={verify.head_hash}, "
                f"not the backup's seq={head['seq']} hash={head['hash']}: the dump does not match its manifest"
            )
        self.stdout.write(self.style.SUCCESS(
            f"Restored. audit chain OK: {verify.checked} entries, head seq={verify.head_seq} "
            f"hash={verify.head_hash} (as in the backup); the restore is recorded as entry "
            f"seq={verify.head_seq + 1}."
        ))
