import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.test import TestCase

from gongkai.core.errors import DomainError, InvalidTransition
from gongkai.core.models import AuditEvent
from gongkai.core.tabular import MAX_FILE_BYTES, FileRefused
from gongkai.hotspots import services
from gongkai.hotspots.aggregates import count_complaints
from gongkai.hotspots.models import (
    ColumnMapping,
    Complaint,
    ComplaintImport,
    DimensionCount,
    StagedComplaintFile,
    StagedFileState,
    TermCount,
)
from gongkai.hotspots.tests.conftest import HEADER, TODAY, csv_bytes, row, upload, xlsx_bytes
from gongkai.tasks.models import OutboxTask

pytestmark = pytest.mark.django_db


def test_good_rows_are_kept_and_bad_rows_listed_with_row_number_and_reason(import_file):
    result = import_file(csv_bytes([
        row("A1"),
        row("A2", date=""),  # file row 3
        row("A3", date="2026-02-30"),
        row("A4", date="2099-01-01"),
        row("A5", summary=""),
        row("A6", date="2026/3/3 14:05:00"),
        row("A7", category="=HYPERLINK(\"x\")"),
    ]))
    batch = result.batch
    assert (batch.rows, batch.imported, batch.bad, batch.duplicates) == (7, 2, 5, 0)
    assert [str(p) for p in result.problems] == [
        "第3行“日期”：不能为空",
        "第4行“日期”：日期“2026-02-30”不存在",
        "第5行“日期”：日期晚于今天",
        "第6行“内容摘要”：不能为空",
        "第8行“问题类别”：是公式，不予计算，请在Excel中“粘贴为数值”后再导入",
    ]
    assert set(Complaint.objects.values_list("source_id", flat=True)) == {"A1", "A6"}
    assert Complaint.objects.get(source_id="A6").received_on == dt.date(2026, 3, 3)
    assert batch.problems[0] == [3, "日期", "不能为空"]


def test_reimport_with_ticket_numbers_imports_nothing_twice(import_file):
    data = csv_bytes([row("A1"), row("A2", summary="外卖中吃出异物。"), row("A1")])
    first = import_file(data).batch
    assert (first.imported, first.duplicates) == (2, 1)
    second = import_file(data).batch
    assert (second.imported, second.duplicates) == (0, 3)
    assert Complaint.objects.count() == 2
    kinds = DimensionCount.objects.filter(dimension="kind", grain="W").aggregate(n=Sum("count"))
    assert kinds["n"] == 2  # the aggregates were not counted twice either


def test_without_ticket_numbers_the_normalised_row_is_the_key(import_file):
    header = [h for h in HEADER if h != "工单编号"]

    def rows(*summaries):
        return [row(summary=s)[1:] for s in summaries]

    assert import_file(csv_bytes(rows("健身房闭店。", "健身房  闭店。"), header)).batch.imported == 1
    batch = import_file(csv_bytes(rows("健身房闭店。", "外卖中吃出异物。"), header)).batch
    assert (batch.imported, batch.duplicates) == (1, 1)
    assert all(k.startswith("h:") for k in Complaint.objects.values_list("key", flat=True))


def test_xlsx_with_a_title_row_and_date_cells(import_file):
    data = xlsx_bytes([row("X1", date=dt.datetime(2026, 3, 2, 9, 30)), row("X2", date=dt.date(2026, 3, 4))],
                      title="2026年3月12315投诉举报明细")
    result = import_file(data, name="export.xlsx")
    assert result.batch.file_format == "XLSX" and result.batch.imported == 2
    assert sorted(Complaint.objects.values_list("received_on", flat=True)) == [
        dt.date(2026, 3, 2), dt.date(2026, 3, 4)]


def test_gb18030_csv_is_read(import_file):
    assert import_file(csv_bytes([row("G1")], encoding="gb18030")).batch.imported == 1


@pytest.mark.parametrize(("data", "message"), [
    (b"%PDF-1.7 not a table", "文件内容不是CSV或XLSX表格。"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "不支持旧版Excel（.xls）文件"),
    (b"", "文件是空的。"),
    (b"PK\x03\x04garbage", "XLSX文件已损坏"),
    (b"\x00\x01\x02binary\x03" * 20, "文件内容不是CSV或XLSX表格"),
])
def test_hostile_files_are_refused_in_chinese_and_nothing_is_kept(office, bureau, data, message):
    with pytest.raises(FileRefused) as refused:
        services.staged_file_create(actor=office, agency=bureau, upload=upload(data))
    assert message in refused.value.message
    assert not StagedComplaintFile.objects.exists()


def test_a_zip_bomb_is_refused_from_its_declared_size(office, bureau):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (70 * 1024 * 1024))
    with pytest.raises(FileRefused, match="解压后过大"):
        services.staged_file_create(actor=office, agency=bureau, upload=upload(buffer.getvalue()))


def test_a_file_over_the_size_limit_is_refused(office, bureau):
    data = csv_bytes([row()]) + b"x" * MAX_FILE_BYTES
    with pytest.raises(FileRefused, match="大小上限"):
        services.staged_file_create(actor=office, agency=bureau, upload=upload(data))


def test_summaries_are_stored_with_personal_numbers_masked(import_file):
    import_file(csv_bytes([row(summary="预付卡退费，联系电话13812345678。")]))
    summary = Complaint.objects.get().summary
    assert "13812345678" not in summary and "138****5678" in summary


def test_aggregates_equal_counts_over_the_raw_rows(import_file):
    import_file(csv_bytes([
        row("A1", date="2026-03-02", summary="健身房闭店，预付卡退费。"),
        row("A2", date="2026-03-03", category="食品", region="城西区", summary="外卖中吃出异物，预付卡。"),
        row("A3", date="2026-02-27", summary="健身房闭店。"),
    ]))
    expected_terms, expected_dimensions = count_complaints(Complaint.objects.all())
    stored_terms = {(t.agency_id, t.grain, t.period, t.term, t.phrase): t.count
                    for t in TermCount.objects.all()}
    stored_dimensions = {(d.agency_id, d.grain, d.period, d.dimension, d.value): d.count
                         for d in DimensionCount.objects.all()}
    assert stored_terms == dict(expected_terms)
    assert stored_dimensions == dict(expected_dimensions)
    week = TermCount.objects.get(grain="W", period=dt.date(2026, 3, 2), term="预付卡", phrase=False)
    month = TermCount.objects.get(grain="M", period=dt.date(2026, 2, 1), term="健身房", phrase=False)
    assert (week.count, month.count) == (2, 1)


def test_the_import_is_audited_and_the_mapping_remembered(import_file, office, bureau):
    batch = import_file(csv_bytes([row("A1"), row("A2", date="")]), name="三月.csv").batch
    event = AuditEvent.objects.get(action="hotspots.import")
    assert event.actor == office and event.agency == bureau
    assert event.after["file"] == "三月.csv"
    assert (event.after["imported"], event.after["bad"], event.after["duplicates"]) == (1, 1, 0)
    assert batch.imported_by == office
    assert ColumnMapping.objects.get(agency=bureau).mapping["received_on"] == "登记日期"
    staged = StagedComplaintFile.objects.get()
    assert staged.content == ""  # the file is gone once imported, its outcome stays
    assert staged.outcome == {"batch": batch.pk, "imported": 1, "duplicates": 0, "bad": 1}


def test_the_remembered_mapping_is_offered_next_time(import_file, bureau):
    header = ["受理日期", "登记日期", "内容摘要"]
    data = csv_bytes([["2026-03-02", "2026-03-03", "健身房闭店。"]], header)
    import_file(data, mapping={"received_on": 1, "summary": 2})
    assert ColumnMapping.objects.get(agency=bureau).mapping == {"received_on": "登记日期",
                                                                "summary": "内容摘要"}
    staged = services.staged_file_create(actor=ColumnMapping.objects.get().updated_by,
                                         agency=bureau, upload=upload(data))
    from gongkai.hotspots.columns import guess_mapping

    assert guess_mapping(staged.headers, services.remembered_mapping(bureau))["received_on"] == 1


def test_a_mapping_without_required_fields_is_refused_and_the_file_kept(office, bureau):
    staged = services.staged_file_create(actor=office, agency=bureau, upload=upload(csv_bytes([row()])))
    with pytest.raises(DomainError, match="请选择“内容摘要”对应的列"):
        services.complaints_import(actor=office, staged=staged, mapping={"received_on": 1})
    with pytest.raises(DomainError, match="不能同时作为"):
        services.complaints_import(actor=office, staged=staged, mapping={"received_on": 1, "summary": 1})
    assert StagedComplaintFile.objects.filter(pk=staged.pk).exists()
    assert not ComplaintImport.objects.exists()


@pytest.mark.parametrize("actor", ["leader", "officer", "reviewer", "supervisor", "other_office",
                                   "platform_admin"])
def test_only_the_agencys_office_may_import(request, bureau, actor):
    with pytest.raises(PermissionDenied):
        services.staged_file_create(actor=request.getfixturevalue(actor), agency=bureau,
                                    upload=upload(csv_bytes([row()])))


def test_a_staged_file_is_the_uploaders_own(office, bureau, other_office):
    staged = services.staged_file_create(actor=office, agency=bureau, upload=upload(csv_bytes([row()])))
    assert services.staged_file_get(actor=office, pk=staged.pk) == staged
    assert services.staged_file_get(actor=other_office, pk=staged.pk) is None


# --- the import by a worker --------------------------------------------------------------------

MAPPING = {"source_id": 0, "received_on": 1, "summary": 9}


def staged_for(office, bureau, rows=None):
    return services.staged_file_create(actor=office, agency=bureau,
                                       upload=upload(csv_bytes(rows or [row("A1"), row("A2")])))


def confirm_without_running(office, staged, mapping=MAPPING):
    """Confirm, leaving the task queued: the worker does not run here."""
    with TestCase.captureOnCommitCallbacks(execute=False) as queued:
        services.complaints_import_confirm(actor=office, staged=staged, mapping=mapping)
    return queued


def test_confirming_queues_the_import_and_the_worker_imports_it(office, bureau):
    staged = staged_for(office, bureau)
    queued = confirm_without_running(office, staged)
    # Confirmed: nothing imported while the request waits, a task for the worker.
    staged.refresh_from_db()
    assert staged.state == StagedFileState.QUEUED and staged.mapping == MAPPING
    assert staged.confirmed_at is not None and staged.content != ""
    assert not ComplaintImport.objects.exists()
    task = OutboxTask.objects.get()
    assert (task.name, task.args) == ("hotspots.import_staged", {"staged_id": staged.pk})

    with TestCase.captureOnCommitCallbacks(execute=True):
        for callback in queued:  # the commit: the worker imports (local mode)
            callback()

    staged.refresh_from_db()
    batch = ComplaintImport.objects.get()
    assert (batch.imported, batch.imported_by, batch.agency) == (2, office, bureau)
    assert staged.state == StagedFileState.DONE and staged.content == ""
    assert staged.outcome == {"batch": batch.pk, "imported": 2, "duplicates": 0, "bad": 0}
    with pytest.raises(InvalidTransition):  # confirming again imports nothing twice
        services.complaints_import_confirm(actor=office, staged=staged, mapping=MAPPING)
    assert ComplaintImport.objects.count() == 1 and OutboxTask.objects.count() == 1


def test_a_second_confirmation_while_queued_is_refused_and_queues_nothing(office, bureau):
    staged = staged_for(office, bureau)
    confirm_without_running(office, staged)
    with pytest.raises(InvalidTransition, match="该文件已确认导入"):
        confirm_without_running(office, staged)
    assert OutboxTask.objects.count() == 1


def test_the_worker_running_an_import_twice_imports_it_once(office, bureau):
    staged = staged_for(office, bureau)
    confirm_without_running(office, staged)
    services.staged_file_import(staged_id=staged.pk)
    services.staged_file_import(staged_id=staged.pk)  # a redelivery
    assert ComplaintImport.objects.count() == 1 and Complaint.objects.count() == 2
    assert AuditEvent.objects.filter(action="hotspots.import").count() == 1
    staged.refresh_from_db()
    assert staged.state == StagedFileState.DONE


def test_an_uploader_who_lost_the_role_before_the_worker_ran_imports_nothing(office, bureau):
    staged = staged_for(office, bureau)
    confirm_without_running(office, staged)
    office.memberships.update(is_active=False)
    services.staged_file_import(staged_id=staged.pk)
    staged.refresh_from_db()
    assert staged.state == StagedFileState.REFUSED and staged.content == ""
    assert staged.outcome == {"refused": "只有本机关的政府信息公开工作人员可以导入投诉举报数据"}
    assert not ComplaintImport.objects.exists() and not Complaint.objects.exists()
    assert not ColumnMapping.objects.exists()  # the mapping is not remembered either


def test_a_file_refused_as_a_whole_at_import_keeps_the_reason(office, bureau, monkeypatch):
    from gongkai.hotspots import importer

    staged = staged_for(office, bureau)
    confirm_without_running(office, staged)
    monkeypatch.setattr(importer, "MAX_ROWS", 1)
    services.staged_file_import(staged_id=staged.pk)
    staged.refresh_from_db()
    assert staged.state == StagedFileState.REFUSED and staged.content == ""
    assert "文件超过1行数据的上限" in staged.outcome["refused"]
    assert not ComplaintImport.objects.exists()


def test_a_wrong_mapping_is_refused_at_confirmation_and_nothing_is_queued(office, bureau):
    staged = staged_for(office, bureau)
    with pytest.raises(DomainError, match="请选择“内容摘要”对应的列"):
        confirm_without_running(office, staged, mapping={"received_on": 1})
    staged.refresh_from_db()
    assert staged.state == StagedFileState.STAGED and not OutboxTask.objects.exists()


def test_only_the_office_may_confirm(office, bureau, other_office):
    staged = staged_for(office, bureau)
    with pytest.raises(PermissionDenied):
        confirm_without_running(other_office, staged)
    assert not OutboxTask.objects.exists()


def test_an_import_the_worker_gave_up_on_stops_waiting(office, bureau):
    staged = staged_for(office, bureau)
    confirm_without_running(office, staged)
    services._import_gave_up(staged_id=staged.pk, error=RuntimeError("database gone"))
    staged.refresh_from_db()
    assert staged.state == StagedFileState.REFUSED and staged.content == ""
    assert staged.outcome == {"refused": services.GAVE_UP_REASON}


def test_a_new_upload_or_the_daily_cleanup_never_drops_a_queued_file(office, bureau):
    from gongkai.core.tests.helpers import at

    at(TODAY - dt.timedelta(days=2))
    old_done = staged_for(office, bureau)
    old_done.state = StagedFileState.DONE
    old_done.save()
    old_queued = staged_for(office, bureau)
    confirm_without_running(office, old_queued)
    at(TODAY)
    waiting = staged_for(office, bureau)  # the same person's file not yet confirmed
    newest = staged_for(office, bureau)  # replaces it

    assert set(StagedComplaintFile.objects.values_list("pk", flat=True)) == {old_queued.pk, newest.pk}
    assert waiting.pk != newest.pk
    # Still queued two days on (the workers were down): still shown, and imported.
    assert services.staged_file_get(actor=office, pk=old_queued.pk) is not None
    services.staged_file_import(staged_id=old_queued.pk)
    assert ComplaintImport.objects.count() == 1
