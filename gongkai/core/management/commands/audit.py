"""`gongkai audit verify [--anchor FILE]` and `gongkai audit anchor FILE`.

- ``verify`` checks the audit trail's hash chain and reports the first broken link
  (exit 1), or prints the verified head (exit 0). With ``--anchor FILE`` it also checks
  that every anchored (seq, hash) is still in the chain, which catches a chain cut off at
  the end, rewritten with recomputed hashes, or emptied (exit 1, naming the first bad seq).
  A missing or malformed anchor file is an error (exit 2), never a pass.
- ``anchor`` verifies the chain (and the file's earlier anchors), then appends the head
  as one line to FILE (append-only, fsynced) and hands the same line to the configured
  sinks (``GONGKAI_AUDIT_ANCHOR_SINKS``, e.g. e-mail). A sink that fails is reported on
  stderr with exit 1; the file line is written first all the same.

The anchor file format is described in ``gongkai.core.audit_anchor``.
"""

from django.core.management.base import BaseCommand, CommandError

from gongkai.core import audit, audit_anchor, audit_guard

EXIT_BROKEN = 1
EXIT_BAD_INPUT = 2


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain, or anchor its head outside the database."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="verify the whole chain (and anchors, with --anchor)")
        verify.add_argument(
            "--anchor", metavar="FILE", dest="anchor_file",
            help="anchor file (JSON lines written by `gongkai audit anchor`) to check the chain against",
        )
        anchor = sub.add_parser("anchor", help="append the verified chain head to FILE and send it to the sinks")
        anchor.add_argument("file", metavar="FILE", help="anchor file, appended to (created if missing)")

    def handle(self, *args, action, **options):
        if action == "verify":
            self._verify(options.get("anchor_file"))
        else:
            self._anchor(options["file"])

    # --- verify --------------------------------------------------------------------------

    def _verify(self, anchor_file: str | None) -> None:
        anchors = self._read(anchor_file, allow_empty=False) if anchor_file else None
        result = self._verified_chain()
        self.stdout.write(
            f"audit chain OK: {result.checked} entries, head seq={result.head_seq} hash={result.head_hash}"
        )
        if anchors is not None:
            self._check(anchors, result, anchor_file)
            latest = anchors[-1]
            self.stdout.write(
                f"anchors OK: {len(anchors)} line{'s' if len(anchors) != 1 else ''} in "
                f"{anchor_file}, the latest {latest.where()}"
            )
        else:
            self.stdout.write(
                "anchors: none given (--anchor FILE); a rewritten or emptied chain is only "
                "detectable against anchors kept outside the database"
            )
        for line in audit_guard.inspect().describe():
            self.stdout.write(line)

    # --- anchor --------------------------------------------------------------------------

    def _anchor(self, path: str) -> None:
        from pathlib import Path

        existing = self._read(path, allow_empty=True) if Path(path).exists() else []
        result = self._verified_chain(refusing="refusing to anchor: ")
        self._check(existing, result, path, refusing="refusing to anchor: ")
        anchor = audit_anchor.current(result.head_seq, result.head_hash)
        sinks = audit_anchor.configured_sinks()  # resolved first, reported after the file
        try:
            audit_anchor.append(path, anchor)
        except OSError as exc:
            raise CommandError(f"cannot append to anchor file {path}: {exc}", returncode=EXIT_BAD_INPUT) from exc
        self.stdout.write(f"anchored to {path}: {anchor.line}")

        failures = []
        for dotted, sink in sinks:
            try:
                if isinstance(sink, Exception):
                    raise sink
                sink(anchor)
            except Exception as exc:  # any sink's failure is reported, none stops the others
                failures.append(f"anchor sink {dotted} FAILED: {type(exc).__name__}: {exc}")
            else:
                self.stdout.write(f"sent to sink {dotted}")
        if not sinks:
            self.stdout.write(
                "no sinks configured (GONGKAI_AUDIT_ANCHOR_SINKS): the anchor is only in the file"
            )
        if failures:
            for line in failures:
                self.stderr.write(line)
            raise CommandError(
                f"{len(failures)} of {len(sinks)} anchor sinks failed (the line was written to {path})",
                returncode=EXIT_BROKEN,
            )

    # --- shared --------------------------------------------------------------------------

    def _read(self, path: str, *, allow_empty: bool):
        try:
            return audit_anchor.read_anchors(path, allow_empty=allow_empty)
        except audit_anchor.AnchorFileError as exc:
            raise CommandError(f"anchor file unusable: {exc}", returncode=EXIT_BAD_INPUT) from None

    def _verified_chain(self, refusing: str = "") -> audit.VerifyResult:
        result = audit.verify()
        if not result.ok:
            raise CommandError(
                f"{refusing}audit chain BROKEN at {result.broken} "
                f"({result.checked} entries verified before it)",
                returncode=EXIT_BROKEN,
            )
        return result

    def _check(self, anchors, result: audit.VerifyResult, path: str, refusing: str = "") -> None:
        problems = audit_anchor.check_anchors(anchors, head_seq=result.head_seq)
        if not problems:
            return
        first = problems[0]
        more = f" ({len(problems) - 1} more anchor lines fail)" if len(problems) > 1 else ""
        raise CommandError(
            f"{refusing}audit chain does not match the anchors in {path}: {first}{more}",
            returncode=EXIT_BROKEN,
        )
