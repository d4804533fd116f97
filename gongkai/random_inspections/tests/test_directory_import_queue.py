"""Directory imports through the back office run on a worker (random_inspections.import_directory):
the upload is checked cheaply and kept (encrypted) on a queued record, the page refreshes
itself until the worker is done, a redelivered task imports once, an uploader who lost the
role meanwhile imports nothing, and the kept file (inspectors' personal data) is dropped."""

import base64

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.urls import reverse

from gongkai.core.models import AuditEvent
from gongkai.random_inspections import importer
from gongkai.random_inspections.importer import DirectoryRefused
from gongkai.random_inspections.models import DirectoryImport, Entity, Inspector
from gongkai.random_inspections.services import directories as services
from gongkai.random_inspections.tests.conftest import uscc
from gongkai.tasks.models import OutboxTask

State = DirectoryImport.State
ENTITIES = DirectoryImport.Kind.ENTITIES
INSPECTORS = DirectoryImport.Kind.INSPECTORS
ID_NUMBER = "11010519491231002X"
REFRESH = '<meta http-equiv="refresh" content="3">'


def entity_csv(n: int, *, start: int = 1) -> bytes:
    lines = ["名称,统一社会信用代码"] + [f"测试公司{i},{uscc(i)}" for i in range(start, start + n)]
    return ("\n".join(lines) + "\n").encode()


def queue(actor, agency, data: bytes, kind=ENTITIES, file_name="名录.csv") -> DirectoryImport:
    """Upload without running the worker (its commit callbacks are dropped)."""
    with TestCase.captureOnCommitCallbacks(execute=False):
        return services.directory_import_queue(actor=actor, agency=agency, kind=kind,
                                               file_name=file_name, data=data)


def upload(data: bytes, name="名录.csv"):
    return SimpleUploadedFile(name, data, content_type="text/csv")


# --- through the page -------------------------------------------------------------------------

def test_an_upload_is_queued_then_imported_by_the_worker_and_its_page_follows(today, bureau, office,
                                                                             client_for):
    client = client_for(office)
    with TestCase.captureOnCommitCallbacks(execute=False) as commit:
        response = client.post(reverse("staff:ri-entities-import"),
                               {"agency": bureau.pk, "file": upload(entity_csv(3))})

    # The request only kept the file and queued its import: nothing imported yet.
    record = DirectoryImport.objects.get()
    url = reverse("staff:ri-directory-import", args=[record.pk])
    assert response.status_code == 302 and response["Location"] == url
    assert record.state == State.QUEUED and record.imported_by == office and not Entity.objects.exists()
    assert OutboxTask.objects.get().key == f"{services.IMPORT_DIRECTORY}:{record.pk}"
    pending = client.get(url).content.decode()
    assert REFRESH in pending and "导入中" in pending and 'data-testid="import-counts"' not in pending

    with TestCase.captureOnCommitCallbacks(execute=True):
        for callback in commit:  # the commit: the worker imports (local mode)
            callback()

    record.refresh_from_db()
    assert record.state == State.DONE and record.content == ""
    assert (record.row_count, record.created_count) == (3, 3)
    assert Entity.objects.filter(agency=bureau, last_import=record).count() == 3
    done = client.get(url).content.decode()
    assert REFRESH not in done and "导入中" not in done
    assert 'data-testid="import-counts"' in done and "<dt>新增</dt><dd>3</dd>" in done
    listing = client.get(reverse("staff:ri-entities"), {"agency": bureau.pk}).content.decode()
    assert "<td>名录.csv</td><td>已导入</td>" in listing  # the recent imports, with their state


@pytest.mark.parametrize("persona, status", [("office", 200), ("officer", 200), ("supervisor", 200),
                                             ("other_office", 404)])
def test_who_sees_a_queued_import(today, bureau, office, client_for, request, persona, status):
    record = queue(office, bureau, entity_csv(1))
    response = client_for(request.getfixturevalue(persona)).get(
        reverse("staff:ri-directory-import", args=[record.pk]))
    assert response.status_code == status
    if status == 200:
        assert "正在后台导入" in response.content.decode()


def test_a_file_the_worker_refuses_says_why_on_its_page(today, bureau, office, client_for):
    client = client_for(office)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("staff:ri-entities-import"),
                               {"agency": bureau.pk, "file": upload("甲,乙\n1,2\n".encode())})
    record = DirectoryImport.objects.get()
    assert record.state == State.REFUSED and record.content == "" and "没有找到表头行" in record.refusal
    page = client.get(response["Location"]).content.decode()
    assert "文件未导入" in page and "没有找到表头行" in page and REFRESH not in page
    assert not Entity.objects.exists()


def test_an_unreadable_upload_is_refused_in_the_request_and_nothing_is_queued(today, bureau, office,
                                                                              client_for):
    response = client_for(office).post(reverse("staff:ri-inspectors-import"),
                                       {"agency": bureau.pk, "file": upload(b"\x00\x01\x02binary", "a.csv")})
    assert response.status_code == 400 and "文件内容不是CSV或XLSX表格" in response.content.decode()
    assert not DirectoryImport.objects.exists() and not OutboxTask.objects.exists()


# --- the worker -------------------------------------------------------------------------------

def test_a_redelivered_task_imports_once(today, bureau, office):
    record = queue(office, bureau, entity_csv(2))
    services.directory_import_run(import_id=record.pk)
    services.directory_import_run(import_id=record.pk)  # a redelivery
    record.refresh_from_db()
    assert record.state == State.DONE and (record.created_count, record.unchanged_count) == (2, 0)
    assert Entity.objects.count() == 2
    assert AuditEvent.objects.filter(action="random_inspections.directory_import").count() == 1


def test_an_uploader_who_lost_the_role_before_the_worker_ran_imports_nothing(today, bureau, office):
    record = queue(office, bureau, entity_csv(2))
    office.memberships.update(is_active=False)
    services.directory_import_run(import_id=record.pk)
    record.refresh_from_db()
    assert record.state == State.REFUSED and record.content == ""
    assert record.refusal == services.UPLOADER_LOST_ROLE and "公开办" in record.refusal
    assert not Entity.objects.exists() and record.row_count == 0
    assert not AuditEvent.objects.filter(action="random_inspections.directory_import").exists()


def test_an_inspector_file_is_kept_encrypted_while_queued_and_dropped_after(today, bureau, office):
    data = f"姓名,执法证号,身份证号码\n张三,12010000001,{ID_NUMBER}\n".encode()
    record = queue(office, bureau, data, kind=INSPECTORS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM random_inspections_directoryimport WHERE id = %s", [record.pk])
        stored = cursor.fetchone()[0]
    assert stored and ID_NUMBER not in stored and base64.b64encode(data).decode() not in stored

    services.directory_import_run(import_id=record.pk)

    record.refresh_from_db()
    assert record.state == State.DONE and record.content == ""
    assert Inspector.objects.get(agency=bureau).id_number == ID_NUMBER


def test_a_task_that_failed_for_good_refuses_the_import_and_drops_the_file(today, bureau, office):
    record = queue(office, bureau, entity_csv(1))
    services.directory_import_gave_up(import_id=record.pk, error=RuntimeError("database gone"))
    record.refresh_from_db()
    assert record.state == State.REFUSED and record.content == "" and record.refusal == services.GAVE_UP
    services.directory_import_run(import_id=record.pk)  # a late delivery imports nothing
    assert not Entity.objects.exists()


def test_only_the_office_queues_an_import(today, bureau, officer):
    with pytest.raises(PermissionDenied):
        queue(officer, bureau, entity_csv(1))
    assert not DirectoryImport.objects.exists() and not OutboxTask.objects.exists()


# --- the request's cheap check ----------------------------------------------------------------

def test_the_request_reads_only_the_head_of_a_large_csv(today, bureau, office):
    # GB18030 text larger than the checked head: the cut falls on a line end, never inside a
    # character; what lies after the head is the worker's to check.
    head_rows = importer.READABLE_CHECK_BYTES // 20 + 10
    data = entity_csv(head_rows).decode().encode("gb18030") + b"\x00\x00 broken tail\n"
    importer.check_readable(data)  # no error: the head is readable
    record = queue(office, bureau, data)
    services.directory_import_run(import_id=record.pk)
    record.refresh_from_db()
    assert record.state == State.REFUSED and "无法按UTF-8或GB18030读取" in record.refusal
    assert not Entity.objects.exists()


@pytest.mark.parametrize("data, message", [
    (b"", "文件是空的"),
    (b"\xd0\xcf\x11\xe0old excel", "旧版Excel"),
    (b"%PDF-1.7", "不是CSV或XLSX"),
])
def test_the_request_refuses_what_is_no_table_by_its_first_bytes(data, message):
    with pytest.raises(DirectoryRefused, match=message):
        importer.check_readable(data)


def test_a_long_first_line_is_not_cut_inside_a_character():
    # No line end within the head: the whole file is read, not a head ending mid-character.
    data = ("名称," * (importer.READABLE_CHECK_BYTES // 3)).encode()
    with pytest.raises(UnicodeDecodeError):  # what a head cut at a fixed size would hold
        data[:importer.READABLE_CHECK_BYTES].decode("utf-8")
    importer.check_readable(data)
