"""Issue 15: a request's files are stored encrypted under generated names, decrypted only
on an audited download, and `gongkai keys rotate` re-encrypts them (resumably) so that an
old key can be removed."""

import datetime as dt
import importlib

import pytest
from cryptography.fernet import Fernet
from django.apps import apps as django_apps
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from gongkai.core import clock, crypto, keyrotation
from gongkai.core import encrypted_storage as es
from gongkai.core.models import AuditEvent, RotationPendingFile
from gongkai.core.tests.helpers import at
from gongkai.foi.models import DisclosedFile, FoiRequest, Letter, RequestAttachment
from gongkai.foi.services.replies import request_reply
from gongkai.foi.services.requests import applicant_key, request_register
from gongkai.foi.tests.conftest import VALID_ID, applicant

SCAN_NAME = "张三身份证正反面.png"
SCAN = b"\x89PNG\r\n\x1a\n" + b"ID 11010519491231002X " * 4000  # ~90 KB: two chunks
DISCLOSED = b"%PDF-1.4\n" + b"disclosed information " * 5000
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
migration = importlib.import_module("gongkai.foi.migrations.0006_encrypted_files")


@pytest.fixture
def keys(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"

    def use(*fernet_keys):
        settings.FIELD_ENCRYPTION_KEYS = list(fernet_keys)

    use(OLD_KEY)
    return use


@pytest.fixture
def replied(keys, bureau, office):
    """A request with an ID scan, replied with a disclosed file (letters DOCX and PDF)."""
    at(dt.date(2025, 3, 3))
    upload = SimpleUploadedFile(SCAN_NAME, SCAN, content_type="image/png")
    foi, secret = request_register(actor=office, agency=bureau, data=applicant(), channel="in_person",
                                   received_on=dt.date(2025, 3, 3), attachments=[upload])
    at(dt.date(2025, 3, 10))
    request_reply(actor=office, request=foi, reply_type="disclosed", content="予以公开。",
                  disclosed_files=[(SimpleUploadedFile("抽检结果.pdf", DISCLOSED), "抽检结果")])
    foi.refresh_from_db()
    return foi, secret


def stored_files(tmp_path):
    return [p for p in (tmp_path / "media").rglob("*") if p.is_file()]


def raw_column(model, field, pk):
    table, column = model._meta.db_table, model._meta.get_field(field).column
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {connection.ops.quote_name(table)} "
                       "WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_every_file_of_a_request_is_encrypted_under_a_generated_name(replied, tmp_path):
    foi, _ = replied
    files = stored_files(tmp_path)
    # The scan, the letter's DOCX and PDF (the reply's letter is the same DOCX), the disclosed file.
    assert len(files) == 4
    for path in files:
        body = path.read_bytes()
        assert path.name.endswith(".enc") and len(path.stem) == 32
        assert es.header_key_id(body) == crypto.field_key_ids()[0]
        assert b"11010519491231002X" not in body and b"PNG" not in body and b"PK\x03\x04" not in body
        assert foi.tracking_number not in str(path) and "张三" not in str(path)
    attachment = foi.attachments.get()
    assert attachment.original_name == SCAN_NAME
    stored_name = raw_column(RequestAttachment, "original_name", attachment.pk)
    assert SCAN_NAME not in stored_name and crypto.decrypt(stored_name) == SCAN_NAME
    assert foi.reply.letter.name == Letter.objects.get(request=foi).docx.name


def test_the_office_download_decrypts_names_the_file_and_is_audited(replied, client_for, office):
    foi, _ = replied
    attachment = foi.attachments.get()
    response = client_for(office).get(reverse("staff:foi-attachment", args=[foi.pk, attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == SCAN
    assert int(response["Content-Length"]) == len(SCAN)
    assert "filename*=utf-8''" in response["Content-Disposition"]  # the applicant's own name, encoded
    entry = AuditEvent.objects.filter(action="foi.personal_data.view").latest("seq")
    assert entry.actor == office and entry.after == {"what": f"attachment:{attachment.pk}"}
    assert entry.reason == "下载申请附件"


def test_the_applicant_download_decrypts_and_is_audited(replied, client):
    foi, secret = replied
    disclosed = DisclosedFile.objects.get(request=foi)
    url = reverse("api:foi-request-file", args=[foi.tracking_number, f"disclosed-{disclosed.pk}"])
    response = client.get(url, headers={"X-Tracking-Secret": secret})
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == DISCLOSED
    entry = AuditEvent.objects.filter(action="foi.applicant.download").latest("seq")
    assert entry.after["file"] == f"disclosed-{disclosed.pk}" and entry.after["via"] == "api"
    letter = Letter.objects.get(request=foi)
    url = reverse("api:foi-request-file", args=[foi.tracking_number, f"letter-{letter.pk}.pdf"])
    assert b"".join(client.get(url, headers={"X-Tracking-Secret": secret}).streaming_content).startswith(b"%PDF")


def later(minutes: int) -> None:
    """Move the frozen clock on by ``minutes``."""
    clock.freeze(clock.now() + dt.timedelta(minutes=minutes))


def past_grace() -> None:
    later(int(keyrotation.DELETE_GRACE.total_seconds() // 60) + 1)


def _all_names(foi):
    letter = Letter.objects.get(request=foi)
    return [foi.attachments.get().file.name, letter.docx.name, letter.pdf.name,
            DisclosedFile.objects.get(request=foi).file.name]


def test_rotation_interrupted_then_resumed_leaves_everything_readable_without_the_old_key(
        replied, keys, tmp_path):
    foi, _ = replied
    old_id = crypto.field_key_ids()[0]
    before = _all_names(foi)
    keys(NEW_KEY, OLD_KEY)
    new_id = crypto.field_key_ids()[0]
    done = []

    def stop_after_two(old, new):
        done.append(old)
        if len(done) == 2:
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError, match="interrupted"):
        keyrotation.rotate(after_file=stop_after_two)
    interrupted = AuditEvent.objects.filter(action=keyrotation.ROTATE_ACTION).latest("seq")
    assert interrupted.after["completed"] is False and interrupted.after["files"] == 2
    report = keyrotation.status()
    assert report.files == {new_id: 2, old_id: 2} and report.old_key_in_use()
    # Everything is still readable with both keys in the middle of the rotation.
    foi.refresh_from_db()
    with foi.reply.letter.open("rb") as handle:
        assert handle.read(4) == b"PK\x03\x04"

    later(1)
    resumed = keyrotation.rotate(reason="年度密钥轮换")
    assert resumed.files == 2  # only what the first run had not done
    assert keyrotation.rotate().files == 0  # and a third run finds nothing
    report = keyrotation.status()
    # The replaced old-key files are still there, recorded, until the grace has passed.
    assert report.files == {new_id: 4} and report.replaced == {old_id: 4} and report.old_key_in_use()
    assert {p.relative_to(tmp_path / "media").as_posix() for p in stored_files(tmp_path)} >= set(before)
    past_grace()
    swept = keyrotation.sweep_audited()
    assert (swept.deleted, swept.named_again, swept.waiting) == (4, 0, 0)
    assert AuditEvent.objects.filter(action=keyrotation.SWEEP_ACTION).latest("seq").after["deleted"] == 4
    report = keyrotation.status()
    assert report.files == {new_id: 4} and report.replaced == {} and not report.old_key_in_use()
    assert all(set(counts) <= {new_id} for counts in report.fields.values())

    keys(NEW_KEY)  # the old key removed only now
    foi = FoiRequest.objects.get(pk=foi.pk)
    after = _all_names(foi)
    assert not set(after) & set(before)
    assert foi.reply.letter.name == after[1]  # the shared reference followed the DOCX
    assert {p.relative_to(tmp_path / "media").as_posix() for p in stored_files(tmp_path)} == set(after)
    attachment = foi.attachments.get()
    assert attachment.original_name == SCAN_NAME and foi.id_number == VALID_ID
    with attachment.file.open("rb") as handle:
        assert handle.read() == SCAN
    with DisclosedFile.objects.get(request=foi).file.open("rb") as handle:
        assert handle.read() == DISCLOSED
    assert foi.applicant_key == applicant_key(foi.id_type, VALID_ID)  # the blind index follows


def test_keys_command_reports_and_rotates(replied, keys, capsys):
    keys(NEW_KEY, OLD_KEY)
    with pytest.raises(SystemExit) as exit_info:
        call_command("keys", "status")
    assert exit_info.value.code == 1
    assert "old key is still in use" in capsys.readouterr().out
    call_command("keys", "rotate", "--reason", "测试轮换")
    out = capsys.readouterr().out
    assert "files: 4 re-encrypted" in out and "rotation complete" in out
    assert "replaced files: 0 deleted, 4 kept" in out
    entry = AuditEvent.objects.filter(action=keyrotation.ROTATE_ACTION).latest("seq")
    assert entry.reason == "测试轮换" and entry.after["completed"] is True
    assert entry.after["files_pending"] == 4
    with pytest.raises(SystemExit) as exit_info:  # the old copies are still in storage
        call_command("keys", "status")
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert "replaced files awaiting deletion: key 2" in out and ": 4;" in out
    call_command("keys", "sweep")  # too early: nothing deleted
    assert "0 deleted, 4 kept" in capsys.readouterr().out
    past_grace()
    call_command("keys", "sweep", "--reason", "轮换完成")
    assert "4 deleted, 0 kept" in capsys.readouterr().out
    call_command("keys", "status")
    assert "everything is under key 1" in capsys.readouterr().out
    assert AuditEvent.objects.filter(action=keyrotation.SWEEP_ACTION).latest("seq").reason == "轮换完成"


def test_a_row_loaded_before_rotation_and_saved_after_still_names_a_readable_file(replied, keys, tmp_path):
    foi, _ = replied
    stale_letter = Letter.objects.get(request=foi)  # a view loaded it before the rotation ...
    stale_disclosed = DisclosedFile.objects.get(request=foi)
    old_docx, old_disclosed = stale_letter.docx.name, stale_disclosed.file.name
    keys(NEW_KEY, OLD_KEY)
    keyrotation.rotate()
    later(2)
    stale_letter.save()  # ... and saves the whole row after it: the old names come back
    stale_disclosed.save()
    assert Letter.objects.get(pk=stale_letter.pk).docx.name == old_docx
    assert DisclosedFile.objects.get(pk=stale_disclosed.pk).file.name == old_disclosed
    with Letter.objects.get(pk=stale_letter.pk).docx.open("rb") as handle:
        assert handle.read(4) == b"PK\x03\x04"

    past_grace()
    swept = keyrotation.sweep()
    # Named again (the letter's DOCX and PDF, the disclosed file): kept and dropped from
    # the list; the scan's old copy is deleted. The reply row still names the re-encrypted
    # DOCX, which stays; the re-encrypted PDF and disclosed file, which the saved-back rows
    # dropped, are listed in their place for a later sweep.
    assert swept.named_again == 3 and swept.deleted == 1 and swept.waiting == 2
    with DisclosedFile.objects.get(pk=stale_disclosed.pk).file.open("rb") as handle:
        assert handle.read() == DISCLOSED
    old_id = crypto.field_key_ids()[1]
    report = keyrotation.status()
    new_id = crypto.field_key_ids()[0]
    assert report.files.get(old_id) == 3 and report.replaced == {new_id: 2} and report.old_key_in_use()

    assert keyrotation.rotate().files == 3  # the next run re-encrypts what was saved back
    past_grace()
    assert keyrotation.sweep().deleted == 5  # the three old copies, the two dropped new ones
    assert not keyrotation.status().old_key_in_use()
    keys(NEW_KEY)
    foi = FoiRequest.objects.get(pk=foi.pk)
    for name in _all_names(foi) + [foi.reply.letter.name]:
        with es.encrypted_storage().open(name, "rb") as handle:
            assert handle.read(1)
    with DisclosedFile.objects.get(pk=stale_disclosed.pk).file.open("rb") as handle:
        assert handle.read() == DISCLOSED
    assert {p.relative_to(tmp_path / "media").as_posix() for p in stored_files(tmp_path)} == {
        *_all_names(foi), foi.reply.letter.name}


def test_an_interrupted_file_leaves_only_recorded_names_which_the_sweep_removes(replied, keys, tmp_path):
    foi, _ = replied
    before = set(_all_names(foi))
    keys(NEW_KEY, OLD_KEY)
    storage = es.encrypted_storage()
    real_repoint = keyrotation._repoint

    def crash_after_writing(old, new):  # the new copy is written, the rows not yet re-pointed
        raise KeyboardInterrupt

    keyrotation._repoint = crash_after_writing
    try:
        with pytest.raises(KeyboardInterrupt):
            keyrotation.rotate()
    finally:
        keyrotation._repoint = real_repoint
    # Cleaned up on the way out: no new copy left, nothing recorded, nothing lost.
    assert not RotationPendingFile.objects.exists()
    assert {p.relative_to(tmp_path / "media").as_posix() for p in stored_files(tmp_path)} == before

    # A hard crash (no clean-up) after the re-point committed: the old file is recorded.
    old = foi.attachments.get().file.name
    new = keyrotation._rotate_one(storage, old, storage.key_id(old), crypto.field_key_ids()[0])
    assert RotationPendingFile.objects.get(name=old).replaced_by == new
    report = keyrotation.status()
    assert report.replaced == {crypto.field_key_ids()[1]: 1} and report.old_key_in_use()
    # And a name recorded for a copy whose rows were never re-pointed (crash mid-write).
    orphan = storage.save_generated(es.generated_name("foi/attachments/x"), ContentFile(b"half"))
    RotationPendingFile.objects.create(name=orphan, role=RotationPendingFile.Role.NEW,
                                       recorded_at=clock.now())
    past_grace()
    result = keyrotation.rotate()  # the sweep at the start deletes both
    assert result.sweep.deleted == 2 and not storage.exists(old) and not storage.exists(orphan)
    assert result.files == 3


def test_a_file_under_a_removed_key_stops_rotation_with_a_clear_error(replied, keys):
    keys(NEW_KEY)  # the old key dropped before rotating: nothing can be read
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="GONGKAI_FIELD_KEYS"):
        call_command("keys", "rotate")


def test_migration_encrypts_existing_plaintext_files_once(replied, keys, tmp_path,
                                                         django_capture_on_commit_callbacks):
    foi, _ = replied
    inner = storages["default"]
    attachment = foi.attachments.get()
    letter = Letter.objects.get(request=foi)
    # As before issue 15: plaintext under the applicant's own name, the name in clear.
    plain_scan = inner.save(f"foi/attachments/2025/03/{SCAN_NAME}", ContentFile(SCAN))
    plain_docx = inner.save("foi/letters/2025/2025-0003-00001.docx", ContentFile(b"PK\x03\x04docx"))
    RequestAttachment.objects.filter(pk=attachment.pk).update(file=plain_scan)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE foi_requestattachment SET original_name = %s WHERE id = %s",
                       [SCAN_NAME, attachment.pk])
    Letter.objects.filter(pk=letter.pk).update(docx=plain_docx)
    foi.reply.__class__.objects.filter(pk=foi.reply.pk).update(letter=plain_docx)

    with django_capture_on_commit_callbacks(execute=True):
        migration.encrypt_original_names(django_apps, None)
        migration.encrypt_files(django_apps, None)
    attachment.refresh_from_db()
    letter.refresh_from_db()
    assert attachment.original_name == SCAN_NAME
    assert raw_column(RequestAttachment, "original_name", attachment.pk) != SCAN_NAME
    assert attachment.file.name != plain_scan and es.is_encrypted(attachment.file.name)
    with attachment.file.open("rb") as handle:
        assert handle.read() == SCAN
    foi = FoiRequest.objects.get(pk=foi.pk)
    assert foi.reply.letter.name == letter.docx.name  # one encrypted copy for both rows
    assert not inner.exists(plain_scan) and not inner.exists(plain_docx)
    assert not any("张三" in str(p) or p.suffix == ".docx" for p in stored_files(tmp_path))

    names = _all_names(foi)
    with django_capture_on_commit_callbacks(execute=True):
        migration.encrypt_original_names(django_apps, None)
        migration.encrypt_files(django_apps, None)
    assert _all_names(FoiRequest.objects.get(pk=foi.pk)) == names  # idempotent
