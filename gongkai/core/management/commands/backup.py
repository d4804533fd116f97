"""`gongkai backup DIR`: a consistent database dump, the media files and an authenticated
manifest of their hashes, written into a new (or empty) directory. See core/backup.py."""

from django.core.management.base import BaseCommand, CommandError

from gongkai.core import backup


class Command(BaseCommand):
    help = "Back up the database and media files into a new directory, with a signed manifest."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="a new or empty directory to write the backup into")
        parser.add_argument("--reason", default="命令行备份", help="why (recorded in the audit trail)")

    def handle(self, *args, directory, reason, **options):
        progress = (lambda line: self.stderr.write(f"  {line}")) if options["verbosity"] > 1 else (lambda _: None)
        try:
            result = backup.create_backup(directory, progress=progress)
        except backup.BackupError as error:
            raise CommandError(f"backup refused: {error}") from None
        backup.record_backup(result, reason=reason)
        manifest = result.manifest
        total = sum(f["size"] for f in manifest["files"])
        media = len(manifest["files"]) - 1
        self.stdout.write(self.style.SUCCESS(
            f"Backup written to {result.directory}: {manifest['database']['vendor']} database, "
            f"{media} media files, {total} bytes; audit head seq={manifest['audit_head']['seq']} "
            f"hash={manifest['audit_head']['hash']}."
        ))
        self.stdout.write(
            f"The manifest is signed with a key derived from {manifest['key']['source']} "
            f"(key id {manifest['key']['id']}). Restoring needs that key, and reading the "
            "personal data needs the same GONGKAI_FIELD_KEYS: keep both in the secret store, "
            "not beside the backup."
        )
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
