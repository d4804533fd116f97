"""`gongkai screen FILE...`: leak screening of files before they are published.

Prints one JSON object per finding per line::

    {"file": "决定书.docx", "kind": "resident_id", "excerpt": "…身份证号110***********002X，…",
     "position": 57, "location": "paragraph 3"}

``position`` is the character offset in the file's extracted text; ``excerpt`` shows the
value masked (markings as they are). The unmasked value is never printed.

Exit status: 0 when every file is clean, 1 when anything was found, 2 when any file could
not be read (missing, unknown type, corrupt, hostile) — each such file also gets a
one-line error on stderr. Unreadable wins over found: a file nobody could screen is worse
than a finding.
"""

import json
import logging
import os

from django.core.management.base import BaseCommand

from gongkai.publishing.extract import MAX_INPUT_BYTES, UnreadableFile, extract_text
from gongkai.publishing.screening import screen_extracted

CLEAN, FOUND, UNREADABLE = 0, 1, 2


def read_file(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            if os.fstat(fh.fileno()).st_size > MAX_INPUT_BYTES:
                raise UnreadableFile(f"file larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB")
            return fh.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise UnreadableFile(f"cannot read: {exc.strerror or exc}") from None


class Command(BaseCommand):
    help = "Screen files for personal data and secrecy markings before publication."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args, files, **options):
        # pypdf reports every repaired defect through logging; the verdict is ours to give.
        logging.getLogger("pypdf").setLevel(logging.CRITICAL)
        status = CLEAN
        for path in files:
            try:
                extracted = extract_text(read_file(path), filename=os.path.basename(path))
            except UnreadableFile as exc:
                self.stderr.write(f"{path}: error: {exc.message}")
                status = UNREADABLE
                continue
            for warning in extracted.warnings:
                self.stderr.write(f"{path}: warning: {warning}")
            findings = screen_extracted(extracted)
            for finding in findings:
                record = {
                    "file": path,
                    "kind": str(finding.kind),
                    "excerpt": finding.excerpt,
                    "position": finding.start,
                    "location": finding.location,
                }
                self.stdout.write(json.dumps(record, ensure_ascii=False))
            if findings:
                status = max(status, FOUND)
        if status != CLEAN:
            raise SystemExit(status)
