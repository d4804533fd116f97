"""Anchors: the audit chain's head, written down outside the database.

The hash chain (``core.audit``) shows that rows were edited, removed from the middle or
reordered. It cannot show, on its own, a chain rewritten by someone who can write the
database: cut off the end and move the head back, edit a row and recompute every later
hash with the same public function, or empty the table and the head. An anchor can: it is
the pair (seq, hash) of the head at some moment, kept where a database writer cannot
reach it. Any later chain must still contain that entry with that hash.

The anchor file holds one JSON object per line (JSON Lines, UTF-8, ``\\n`` after every
line), keys in this order::

    {"seq": 1234, "hash": "<64 lower-case hex>", "anchored_at": "2026-01-24T03:00:00.123456+00:00"}

- ``seq``: the head's sequence number (0 for an empty trail, with the genesis hash);
- ``hash``: the head entry's SHA-256 (``core.audit.entry_hash``);
- ``anchored_at``: when the line was written, UTC, ISO 8601.

``gongkai audit anchor FILE`` only ever appends a line (``O_APPEND``, then ``fsync``); it
never rewrites the file. Lines are in the order written, so ``seq`` never decreases.

Sinks send the same line elsewhere (``GONGKAI_AUDIT_ANCHOR_SINKS``: dotted paths of
callables taking an ``Anchor``); the built-in ``email_sink`` mails it to
``GONGKAI_AUDIT_ANCHOR_EMAILS``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.utils.module_loading import import_string

from gongkai.core import clock
from gongkai.core.audit import GENESIS_HASH
from gongkai.core.models import AuditEvent

KEYS = ("seq", "hash", "anchored_at")
_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    anchored_at: dt.datetime
    line_no: int = 0  # where it was read from (0: not read from a file)

    @property
    def line(self) -> str:
        """The line as written to the file and sent to sinks (no trailing newline)."""
        return json.dumps(
            {
                "seq": self.seq,
                "hash": self.hash,
                "anchored_at": self.anchored_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            },
            ensure_ascii=True,
        )

    def where(self) -> str:
        at = self.anchored_at.astimezone(dt.UTC).isoformat(timespec="seconds")
        prefix = f"anchor line {self.line_no} " if self.line_no else "anchor "
        return f"{prefix}(seq {self.seq}, anchored {at})"


class AnchorFileError(ValueError):
    """The anchor file cannot be read as anchors: missing, not a file, or malformed.
    Never treated as a pass."""


# --- reading -------------------------------------------------------------------------------


def parse_line(text: str, line_no: int) -> Anchor:
    def bad(why: str) -> AnchorFileError:
        return AnchorFileError(f"line {line_no}: {why}")

    try:
        data = json.loads(text)
    except ValueError as exc:
        raise bad(f"not JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise bad("not a JSON object")
    missing = [k for k in KEYS if k not in data]
    unknown = sorted(set(data) - set(KEYS))
    if missing or unknown:
        raise bad(
            "expected exactly the keys seq, hash, anchored_at"
            + (f"; missing {', '.join(missing)}" if missing else "")
            + (f"; unknown {', '.join(unknown)}" if unknown else "")
        )
    seq, hash_, at = data["seq"], data["hash"], data["anchored_at"]
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
        raise bad(f"seq must be a whole number >= 0, not {seq!r}")
    if not isinstance(hash_, str) or not _HEX64.fullmatch(hash_):
        raise bad("hash must be 64 lower-case hexadecimal characters")
    if seq == 0 and hash_ != GENESIS_HASH:
        raise bad("seq 0 (an empty trail) must carry the genesis hash")
    try:
        anchored_at = dt.datetime.fromisoformat(at) if isinstance(at, str) else None
    except ValueError:
        anchored_at = None
    if anchored_at is None or anchored_at.tzinfo is None:
        raise bad("anchored_at must be an ISO 8601 date and time with a UTC offset")
    return Anchor(seq=seq, hash=hash_, anchored_at=anchored_at, line_no=line_no)


def read_anchors(path: Path | str, *, allow_empty: bool = False) -> list[Anchor]:
    """Every anchor in the file, in order. A missing, unreadable, empty (unless
    ``allow_empty``) or malformed file raises ``AnchorFileError``."""
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise AnchorFileError(f"{path}: no such file") from None
    except OSError as exc:
        raise AnchorFileError(f"{path}: {exc.strerror}") from None
    if not stat.S_ISREG(mode):
        raise AnchorFileError(f"{path}: not a regular file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise AnchorFileError(f"{path}: {exc.strerror}") from None
    if not raw:
        if allow_empty:
            return []
        raise AnchorFileError(f"{path}: the file holds no anchors")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise AnchorFileError(f"{path}: not UTF-8 text") from None
    if not text.endswith("\n"):
        last = text.count("\n") + 1
        raise AnchorFileError(f"{path}: line {last}: incomplete (no newline at its end)")
    anchors = []
    for line_no, line in enumerate(text[:-1].split("\n"), start=1):
        try:
            anchors.append(parse_line(line, line_no))
        except AnchorFileError as exc:
            raise AnchorFileError(f"{path}: {exc}") from None
    return anchors


# --- checking ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnchorProblem:
    anchor: Anchor
    first_bad_seq: int
    problem: str

    def __str__(self) -> str:
        return f"{self.anchor.where()}: first bad seq={self.first_bad_seq}: {self.problem}"


def check_anchors(anchors: Iterable[Anchor], *, head_seq: int) -> list[AnchorProblem]:
    """Compare anchors with the stored chain, whose entries 1..head_seq have already been
    verified (``core.audit.verify``). Returns every problem, in file order."""
    anchors = list(anchors)
    wanted = sorted({a.seq for a in anchors if 0 < a.seq <= head_seq})
    stored: dict[int, str] = {}
    for start in range(0, len(wanted), 1000):
        chunk = wanted[start:start + 1000]
        stored.update(AuditEvent.objects.filter(seq__in=chunk).values_list("seq", "hash"))

    problems: list[AnchorProblem] = []
    last_good: Anchor | None = None
    previous: Anchor | None = None
    for anchor in anchors:
        if previous is not None and anchor.seq < previous.seq:
            problems.append(AnchorProblem(
                anchor, anchor.seq + 1,
                f"seq goes backwards from {previous.seq} (line {previous.line_no}): the chain "
                "head had moved back when this line was written",
            ))
            previous = anchor
            continue
        previous = anchor
        if anchor.seq == 0:
            continue  # an empty trail: nothing in the chain to compare with
        if anchor.seq > head_seq:
            if head_seq == 0:
                problem = (
                    f"the audit trail is empty (no entries, head at seq 0) but seq {anchor.seq} "
                    "was anchored: the table and its head were emptied"
                )
            else:
                problem = (
                    f"the chain ends at seq {head_seq} but seq {anchor.seq} was anchored: "
                    f"entries from seq {head_seq + 1} on were removed and the head moved back"
                )
            problems.append(AnchorProblem(anchor, head_seq + 1, problem))
            continue
        found = stored.get(anchor.seq)
        if found is None:  # cannot happen after a verified chain; checked all the same
            problems.append(AnchorProblem(anchor, anchor.seq, f"entry seq {anchor.seq} is missing"))
        elif found != anchor.hash:
            after = f", after seq {last_good.seq} (the last anchor that matches)" if last_good else ""
            problems.append(AnchorProblem(
                anchor, anchor.seq,
                f"entry seq {anchor.seq} has hash {found} but {anchor.hash} was anchored: the "
                f"chain was rewritten at or before seq {anchor.seq}{after}",
            ))
        else:
            last_good = anchor
    return problems


# --- writing -------------------------------------------------------------------------------


def current(head_seq: int, head_hash: str) -> Anchor:
    return Anchor(seq=head_seq, hash=head_hash, anchored_at=clock.now())


def append(path: Path | str, anchor: Anchor) -> None:
    """Append the anchor's line to the file (created if missing, mode 0640), flushed to
    disk. Opened with O_APPEND and nothing else: the existing lines are never touched."""
    path = Path(path)
    created = not path.exists()
    data = (anchor.line + "\n").encode("ascii")
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags, 0o640)
    try:
        written = 0
        while written < len(data):
            written += os.write(fd, data[written:])
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:  # make the new directory entry durable too
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


# --- sinks ---------------------------------------------------------------------------------

Sink = Callable[[Anchor], None]


def configured_sinks() -> list[tuple[str, Sink | Exception]]:
    """(dotted path, callable) for each configured sink; a path that cannot be imported
    gives its exception instead, so that the caller reports it after writing the file."""
    sinks: list[tuple[str, Sink | Exception]] = []
    for path in getattr(settings, "GONGKAI_AUDIT_ANCHOR_SINKS", []):
        try:
            sink = import_string(path)
        except ImportError as exc:
            sinks.append((path, exc))
            continue
        if not callable(sink):
            sinks.append((path, ImproperlyConfigured(f"{path} is not callable")))
            continue
        sinks.append((path, sink))
    return sinks


def email_sink(anchor: Anchor) -> None:
    """Mail the anchor line to GONGKAI_AUDIT_ANCHOR_EMAILS: mailboxes outside the
    platform's administration (e.g. the supervising office's, or an auditor's), so that
    a copy of every head exists where a database writer cannot change it."""
    recipients = list(getattr(settings, "GONGKAI_AUDIT_ANCHOR_EMAILS", []))
    if not recipients:
        raise ImproperlyConfigured("GONGKAI_AUDIT_ANCHOR_EMAILS is empty: no address to send the anchor to")
    for address in recipients:
        try:
            validate_email(address)
        except ValidationError:
            raise ImproperlyConfigured(f"GONGKAI_AUDIT_ANCHOR_EMAILS: {address!r} is not an e-mail address") from None
    site = getattr(settings, "GONGKAI_SITE_NAME", "") or "政府信息公开平台"
    base_url = getattr(settings, "GONGKAI_BASE_URL", "")
    at = anchor.anchored_at.astimezone(dt.UTC).isoformat(timespec="seconds")
    body = (
        f"{site}（{base_url}）审计日志链头锚点。\n"
        f"The audit chain head of {base_url}, anchored at {at}.\n\n"
        "请原样保存下面这一行，不要修改；核验时与其他锚点行一起放入锚点文件，运行\n"
        "Keep the line below unchanged; to check the trail, put it in an anchor file and run\n"
        "    gongkai audit verify --anchor FILE\n\n"
        f"{anchor.line}\n"
    )
    send_mail(
        subject=f"[{site}] 审计日志锚点 audit anchor seq={anchor.seq}",
        message=body,
        from_email=None,
        recipient_list=recipients,
        fail_silently=False,
    )
