"""Anchors: the chain head kept outside the database (`gongkai audit anchor FILE`), and
`gongkai audit verify --anchor FILE` catching the three rewrites of issue 15, finding 4,
that the hash chain alone lets through:

1. the last entries deleted and the head moved back;
2. one entry edited and every later hash recomputed with the project's own function;
3. every entry and the head deleted.
"""

import datetime as dt
import io
import json
import os

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from gongkai.core import audit, audit_anchor, clock
from gongkai.core.models import AuditEvent
from gongkai.core.tests import audit_attacks

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 1, 24, 3, 0, tzinfo=dt.UTC)


def append_entries(n, actor=None, start=0):
    return [
        audit.record(actor=actor, action="test.step", object_type="test", object_id=str(start + i),
                     reason=f"第{start + i}步", after={"n": start + i})
        for i in range(n)
    ]


def anchor(path, **kwargs):
    out, err = io.StringIO(), io.StringIO()
    call_command("audit", "anchor", str(path), stdout=out, stderr=err, **kwargs)
    return out.getvalue(), err.getvalue()


def verify(path=None):
    out = io.StringIO()
    args = ["audit", "verify"] + (["--anchor", str(path)] if path is not None else [])
    call_command(*args, stdout=out)
    return out.getvalue()


def lines(path):
    return path.read_text(encoding="utf-8").splitlines()


@pytest.fixture
def anchored(tmp_path):
    """Ten entries, anchored at seq 4 (a day earlier) and at the head (seq 10 or more)."""
    path = tmp_path / "anchors.jsonl"
    events = append_entries(4)
    clock.freeze(T0 - dt.timedelta(days=1))
    anchor(path)
    events += append_entries(6, start=4)
    clock.freeze(T0)
    anchor(path)
    return path, events


# --- writing anchors -------------------------------------------------------------------------


def test_anchor_appends_one_json_line_with_the_head_and_the_time(tmp_path):
    events = append_entries(3)
    clock.freeze(T0)
    path = tmp_path / "anchors.jsonl"
    out, _ = anchor(path)
    (line,) = lines(path)
    assert json.loads(line) == {
        "seq": events[-1].seq, "hash": events[-1].hash, "anchored_at": "2026-01-24T03:00:00.000000+00:00",
    }
    assert list(json.loads(line)) == ["seq", "hash", "anchored_at"]  # the documented order
    assert f"anchored to {path}: {line}" in out
    assert "no sinks configured" in out
    assert oct(path.stat().st_mode & 0o777) == oct(0o640)


def test_anchor_only_appends_and_never_rewrites_the_file(anchored):
    path, events = anchored
    before = path.read_bytes()
    inode = path.stat().st_ino
    append_entries(2, start=10)
    clock.freeze(T0 + dt.timedelta(days=1))
    anchor(path)
    after = path.read_bytes()
    assert after.startswith(before)  # earlier lines byte for byte
    assert path.stat().st_ino == inode  # the same file, not a replacement
    assert [json.loads(line)["seq"] for line in lines(path)] == [
        events[3].seq, events[-1].seq, events[-1].seq + 2,
    ]


def test_anchor_opens_for_append_and_fsyncs(tmp_path, monkeypatch):
    append_entries(1)
    opened, synced = [], []
    real_open, real_fsync = os.open, os.fsync

    def spy_open(path, flags, *args):
        opened.append((str(path), flags))
        return real_open(path, flags, *args)

    def spy_fsync(fd):
        synced.append(fd)
        return real_fsync(fd)

    monkeypatch.setattr(audit_anchor.os, "open", spy_open)
    monkeypatch.setattr(audit_anchor.os, "fsync", spy_fsync)
    path = tmp_path / "anchors.jsonl"
    anchor(path)
    file_flags = [flags for p, flags in opened if p == str(path)]
    assert file_flags and all(flags & os.O_APPEND for flags in file_flags)
    assert not any(flags & os.O_TRUNC for flags in file_flags)
    assert len(synced) == 2  # the file, and its directory (the file was new)


def test_an_empty_trail_is_anchored_at_seq_0_with_the_genesis_hash(tmp_path):
    audit_attacks.empty_trail()
    path = tmp_path / "anchors.jsonl"
    anchor(path)
    assert json.loads(lines(path)[0])["seq"] == 0
    assert json.loads(lines(path)[0])["hash"] == audit.GENESIS_HASH
    assert "anchors OK" in verify(path)


def test_anchor_refuses_a_broken_chain_and_writes_nothing(anchored):
    path, events = anchored
    before = path.read_bytes()
    audit_attacks.raw(f"UPDATE {audit_attacks.EVENTS} SET reason = %s WHERE seq = %s",  # noqa: S608
                      ["篡改", events[5].seq])
    with pytest.raises(CommandError, match=f"refusing to anchor: audit chain BROKEN at entry seq={events[5].seq}"):
        anchor(path)
    assert path.read_bytes() == before


def test_anchor_refuses_a_chain_that_contradicts_earlier_anchors(anchored):
    """A rewritten chain is never laundered into a fresh anchor."""
    path, events = anchored
    before = path.read_bytes()
    audit_attacks.rewrite_from(events[2].seq, "篡改")
    with pytest.raises(CommandError, match="refusing to anchor: audit chain does not match the anchors"):
        anchor(path)
    assert path.read_bytes() == before


def test_anchor_refuses_to_append_to_a_malformed_file(tmp_path):
    append_entries(1)
    path = tmp_path / "anchors.jsonl"
    path.write_text('{"seq": 1, "hash": "x"}\n')
    with pytest.raises(CommandError, match="anchor file unusable") as caught:
        anchor(path)
    assert caught.value.returncode == 2
    assert path.read_text() == '{"seq": 1, "hash": "x"}\n'


# --- sinks -----------------------------------------------------------------------------------


def failing_sink(anchor):
    raise ConnectionError("the mail relay is down")


received = []


def recording_sink(anchor):
    received.append(anchor.line)


def test_the_email_sink_sends_the_same_line_to_every_configured_address(tmp_path, settings):
    settings.GONGKAI_AUDIT_ANCHOR_SINKS = ["gongkai.core.audit_anchor.email_sink"]
    settings.GONGKAI_AUDIT_ANCHOR_EMAILS = ["audit@supervisor.example.gov.cn", "auditor@example.cn"]
    append_entries(2)
    clock.freeze(T0)
    path = tmp_path / "anchors.jsonl"
    out, _ = anchor(path)
    (message,) = mail.outbox
    assert message.to == ["audit@supervisor.example.gov.cn", "auditor@example.cn"]
    (line,) = lines(path)
    assert line in message.body.splitlines()
    assert f"seq={json.loads(line)['seq']}" in message.subject
    assert "sent to sink gongkai.core.audit_anchor.email_sink" in out


def test_a_failing_sink_is_reported_but_the_file_line_is_written(tmp_path, settings):
    received.clear()
    settings.GONGKAI_AUDIT_ANCHOR_SINKS = [
        f"{__name__}.failing_sink",
        "gongkai.core.no_such_module.sink",
        f"{__name__}.recording_sink",
    ]
    append_entries(2)
    path = tmp_path / "anchors.jsonl"
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 of 3 anchor sinks failed") as caught:
        call_command("audit", "anchor", str(path), stdout=io.StringIO(), stderr=err)
    assert caught.value.returncode == 1
    (line,) = lines(path)
    assert "failing_sink FAILED: ConnectionError: the mail relay is down" in err.getvalue()
    assert "gongkai.core.no_such_module.sink FAILED" in err.getvalue()
    assert received == [line]  # the other sinks still ran


def test_the_email_sink_without_addresses_is_a_failure_not_a_silent_pass(tmp_path, settings):
    settings.GONGKAI_AUDIT_ANCHOR_SINKS = ["gongkai.core.audit_anchor.email_sink"]
    settings.GONGKAI_AUDIT_ANCHOR_EMAILS = []
    append_entries(1)
    path = tmp_path / "anchors.jsonl"
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 of 1 anchor sinks failed"):
        call_command("audit", "anchor", str(path), stdout=io.StringIO(), stderr=err)
    assert "GONGKAI_AUDIT_ANCHOR_EMAILS is empty" in err.getvalue()
    assert len(lines(path)) == 1
    assert mail.outbox == []


# --- verify --anchor: the three rewrites of the issue -----------------------------------------


def test_an_intact_chain_verifies_against_its_anchors(anchored):
    path, events = anchored
    append_entries(3, start=10)  # entries after the last anchor are fine
    out = verify(path)
    assert f"audit chain OK: {events[-1].seq + 3} entries" in out
    assert f"anchors OK: 2 lines in {path}" in out
    assert f"seq {events[-1].seq}, anchored 2026-01-24T03:00:00+00:00" in out


def test_case_1_entries_cut_off_the_end_with_the_head_moved_back(anchored):
    path, events = anchored
    keep = events[6].seq
    audit_attacks.cut_off_end(keep)
    assert audit.verify().ok  # the finding: the chain alone no longer notices
    verify()  # nor does the command without anchors
    with pytest.raises(CommandError) as caught:
        verify(path)
    message = str(caught.value)
    assert caught.value.returncode == 1
    assert f"first bad seq={keep + 1}" in message
    assert f"the chain ends at seq {keep} but seq {events[-1].seq} was anchored" in message
    assert "anchor line 2" in message


def test_case_1_holds_after_the_trail_grew_again_past_the_anchor(anchored):
    """Cut off, then new entries appended over the gap: the anchored seq exists again,
    with another hash."""
    path, events = anchored
    audit_attacks.cut_off_end(events[6].seq)
    append_entries(10, start=100)
    assert audit.verify().ok
    with pytest.raises(CommandError, match=f"first bad seq={events[-1].seq}: .*was rewritten"):
        verify(path)


def test_case_2_one_entry_edited_and_every_later_hash_recomputed(anchored):
    path, events = anchored
    target = events[6]
    audit_attacks.rewrite_from(target.seq, "篡改后的理由")
    assert AuditEvent.objects.get(seq=target.seq).reason == "篡改后的理由"
    assert audit.verify().ok  # the finding: it verifies on its own
    verify()
    with pytest.raises(CommandError) as caught:
        verify(path)
    message = str(caught.value)
    assert f"first bad seq={events[-1].seq}" in message
    assert f"the chain was rewritten at or before seq {events[-1].seq}, after seq {events[3].seq}" in message
    assert "(the last anchor that matches)" in message


def test_case_2_a_rewrite_before_the_first_anchor_is_caught_by_it(anchored):
    path, events = anchored
    audit_attacks.rewrite_from(events[0].seq, "篡改")
    with pytest.raises(CommandError, match=f"anchor line 1 \\(seq {events[3].seq}.*first bad seq={events[3].seq}"):
        verify(path)


def test_case_3_every_entry_and_the_head_deleted(anchored):
    path, _ = anchored
    audit_attacks.empty_trail()
    assert audit.verify().ok  # the finding: an empty trail verifies
    assert AuditEvent.objects.count() == 0
    with pytest.raises(CommandError) as caught:
        verify(path)
    message = str(caught.value)
    assert "first bad seq=1" in message
    assert "the audit trail is empty" in message
    assert "the table and its head were emptied" in message


def test_an_anchor_file_whose_seq_goes_backwards_fails(anchored):
    path, events = anchored
    with path.open("a") as fh:
        fh.write(audit_anchor.Anchor(events[3].seq, events[3].hash, T0).line + "\n")
    with pytest.raises(CommandError, match=f"seq goes backwards from {events[-1].seq}"):
        verify(path)


# --- malformed anchor files are errors, never passes ------------------------------------------

GOOD = '{"seq": 0, "hash": "' + "0" * 64 + '", "anchored_at": "2026-01-24T03:00:00+00:00"}'


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "holds no anchors"),
        (b"not json\n", "line 1: not JSON"),
        (GOOD.encode(), "line 1: incomplete"),
        ((GOOD + "\n\n").encode(), "line 2: not JSON"),
        (b"[1, 2]\n", "line 1: not a JSON object"),
        (b'{"seq": 1, "hash": "' + b"a" * 64 + b'"}\n', "missing anchored_at"),
        ((GOOD[:-1] + ', "note": "x"}\n').encode(), "unknown note"),
        (GOOD.replace('"seq": 0', '"seq": -1').encode() + b"\n", "seq must be a whole number"),
        (GOOD.replace('"seq": 0', '"seq": true').encode() + b"\n", "seq must be a whole number"),
        (GOOD.replace('"seq": 0', '"seq": "3"').encode() + b"\n", "seq must be a whole number"),
        (GOOD.replace("0" * 64, "A" * 64).encode() + b"\n", "hash must be 64 lower-case"),
        (GOOD.replace("0" * 64, "a" * 64).encode() + b"\n", "must carry the genesis hash"),
        (GOOD.replace("+00:00", "").encode() + b"\n", "anchored_at must be"),
        (GOOD.replace("2026-01-24T03:00:00+00:00", "yesterday").encode() + b"\n", "anchored_at must be"),
        (b"\xff\xfe\n", "not UTF-8"),
    ],
)
def test_a_malformed_anchor_file_is_an_error(tmp_path, content, expected):
    path = tmp_path / "anchors.jsonl"
    path.write_bytes(content)
    with pytest.raises(CommandError, match="anchor file unusable") as caught:
        verify(path)
    assert expected in str(caught.value)
    assert caught.value.returncode == 2


def test_a_missing_anchor_file_or_a_directory_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        verify(tmp_path / "missing.jsonl")
    with pytest.raises(CommandError, match="not a regular file"):
        verify(tmp_path)


def test_verify_without_anchors_says_what_it_cannot_see():
    append_entries(1)
    assert "anchors: none given" in verify()
