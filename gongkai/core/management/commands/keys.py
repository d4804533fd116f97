"""`gongkai keys rotate` / `gongkai keys status`: the field keys (``GONGKAI_FIELD_KEYS``).

    gongkai keys status            what is encrypted under which key
    gongkai keys rotate [--reason] re-encrypt everything under the first key; resumable
    gongkai keys sweep [--reason]  delete replaced old-key files no row names any more

Rotation: put the new key first in ``GONGKAI_FIELD_KEYS`` (keep the old ones after it),
restart, run ``gongkai keys rotate`` until it completes, wait until the replaced files may
be deleted (``keyrotation.DELETE_GRACE`` after the rotation; ``keys status`` says when) and
run ``gongkai keys sweep``, check ``gongkai keys status`` shows nothing under an old key, and
only then remove the old key. See ``gongkai.core.keyrotation``."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongkai.core import crypto, keyrotation


class Command(BaseCommand):
    help = "Field-key rotation and status (personal data fields and request files)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        rotate = sub.add_parser("rotate", help="re-encrypt everything under the first key (resumable)")
        rotate.add_argument("--reason", default="", help="why (recorded in the audit trail)")
        rotate.add_argument("--batch-size", type=int, default=500)
        sweep = sub.add_parser("sweep", help="delete replaced files no row names (recorded long enough ago)")
        sweep.add_argument("--reason", default="", help="why (recorded in the audit trail)")
        sub.add_parser("status", help="what is encrypted under which key; exit 1 while an old key is in use")

    def handle(self, *args, action, **options):
        try:
            if action == "rotate":
                return self._rotate(options)
            if action == "sweep":
                return self._sweep(options)
            return self._status()
        except crypto.DecryptionError as exc:
            raise CommandError(f"{exc} — nothing after this point was changed; fix the keys and run again") from None

    def _label(self, key: str, ids: list[str]) -> str:
        if key in ids:
            position = ids.index(key)
            return f"key {position + 1} ({key})" + (" current" if position == 0 else " old")
        return {"plaintext": "not encrypted", "missing": "missing from storage",
                "unreadable": "no configured key"}.get(key, f"unknown key {key}")

    def _rotate(self, options):
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be positive")
        ids = crypto.field_key_ids()
        self.stdout.write(f"rotating to key 1 ({ids[0]}); {len(ids)} key(s) configured")
        result = keyrotation.rotate(reason=options["reason"], batch_size=options["batch_size"])
        for label, count in result.fields.items():
            self.stdout.write(f"fields  {label}: {count} row(s) re-encrypted")
        self.stdout.write(f"blind indexes: {result.blind_indexes} recomputed")
        self.stdout.write(f"files: {result.files} re-encrypted")
        for name in result.files_missing:
            self.stderr.write(f"missing from storage (row kept): {name}")
        self._report_sweep(result.sweep)
        self.stdout.write("rotation complete; run `gongkai keys status` before removing an old key")

    def _sweep(self, options):
        self._report_sweep(keyrotation.sweep_audited(reason=options["reason"]))

    def _report_sweep(self, result):
        self.stdout.write(f"replaced files: {result.deleted} deleted, {result.waiting} kept until "
                          f"{keyrotation.DELETE_GRACE} after their rotation (then `gongkai keys sweep`)")
        if result.named_again:
            self.stderr.write(f"{result.named_again} replaced file(s) were saved back into a row and kept; "
                              "run `gongkai keys rotate` again")

    def _status(self):
        report = keyrotation.status()
        ids = report.key_ids
        for position, key in enumerate(ids):
            self.stdout.write(f"key {position + 1}: {key}" + (" (encrypts)" if position == 0 else ""))
        for label, counts in report.fields.items():
            summary = ", ".join(f"{self._label(k, ids)}: {n}" for k, n in sorted(counts.items())) or "empty"
            self.stdout.write(f"field {label}: {summary}")
        summary = ", ".join(f"{self._label(k, ids)}: {n}" for k, n in sorted(report.files.items())) or "none"
        self.stdout.write(f"files: {summary}")
        if report.replaced:
            summary = ", ".join(f"{self._label(k, ids)}: {n}" for k, n in sorted(report.replaced.items()))
            when = timezone.localtime(report.replaced_deletable_at).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(f"replaced files awaiting deletion: {summary}; "
                              f"`gongkai keys sweep` deletes them from {when}")
        if report.old_key_in_use():
            self.stdout.write("an old key is still in use: run `gongkai keys rotate` before removing it")
            raise SystemExit(1)
        self.stdout.write("everything is under key 1; keys after it can be removed")
