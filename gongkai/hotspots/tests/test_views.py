import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from gongkai.hotspots.models import (
    Complaint,
    ComplaintImport,
    StagedComplaintFile,
    StagedFileState,
)
from gongkai.hotspots.tests.conftest import csv_bytes, row

pytestmark = pytest.mark.django_db
ANALYSIS = "staff:hotspots-analysis"


# --- who may see what (only the actor varies) ----------------------------------------------------

@pytest.mark.parametrize(("actor", "status"), [
    ("office", 200), ("supervisor", 200),
    ("leader", 403), ("officer", 403), ("reviewer", 403), ("platform_admin", 403),
])
def test_the_analysis_page_is_for_the_office_and_the_supervising_office(request, client_for, actor, status):
    assert client_for(request.getfixturevalue(actor)).get(reverse(ANALYSIS)).status_code == status


@pytest.mark.parametrize(("actor", "status"), [
    ("office", 200), ("supervisor", 200), ("other_office", 404),
])
def test_another_agencys_analysis_is_the_same_404(request, client_for, bureau, actor, status):
    response = client_for(request.getfixturevalue(actor)).get(reverse(ANALYSIS), {"agency": bureau.pk})
    assert response.status_code == status


@pytest.mark.parametrize(("actor", "status"), [
    ("office", 200), ("supervisor", 403), ("leader", 403), ("platform_admin", 403),
])
def test_only_an_office_may_open_the_import_page(request, client_for, actor, status):
    assert client_for(request.getfixturevalue(actor)).get(reverse("staff:hotspots-import")).status_code == status


@pytest.mark.parametrize(("actor", "status"), [("office", 200), ("supervisor", 200), ("other_office", 404)])
def test_an_import_result_is_the_same_404_outside_the_scope(request, client_for, import_file, actor, status):
    batch = import_file(csv_bytes([row()])).batch
    response = client_for(request.getfixturevalue(actor)).get(
        reverse("staff:hotspots-import-detail", args=[batch.pk]))
    assert response.status_code == status


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse(ANALYSIS))
    assert response.status_code == 302 and reverse("staff:sign-in") in response["Location"]


# --- the page -------------------------------------------------------------------------------------

def test_the_page_has_a_canvas_and_a_table_per_chart_and_the_data(client_for, office, import_file):
    import_file(csv_bytes([row(f"A{i}", summary="健身房闭店，预付卡退费。") for i in range(6)]))
    response = client_for(office).get(reverse(ANALYSIS))
    html = response.content.decode()
    assert response.status_code == 200
    assert "2026年第10周（3月2日—3月8日）" in html
    specs = json.loads(re.search(r'<script id="hotspots-charts" type="application/json">(.*?)</script>',
                                 html, re.S).group(1))
    ids = [s["id"] for s in specs]
    assert {"trend", "kind", "category", "region", "terms"} <= set(ids)
    for chart_id in ids:
        assert f'id="chart-{chart_id}"' in html
    assert html.count('class="chart-table"') >= len(ids)
    assert "闭店" in html and 'data-testid="emerging"' in html
    assert "vendor/chart.js-4.6.1/chart.umd.min.js" in html and "hotspots/charts.js" in html


def test_the_supervisor_sees_the_subtree_summed_by_default(client_for, supervisor, import_file):
    import_file(csv_bytes([row("A1"), row("A2")]))
    html = client_for(supervisor).get(reverse(ANALYSIS)).content.decode()
    assert "及下级" in html
    assert re.search(r'data-testid="total">2<', html)


def test_a_malformed_period_says_so_and_shows_the_default(client_for, office):
    response = client_for(office).get(reverse(ANALYSIS), {"grain": "W", "period": "2026-13"})
    assert response.status_code == 200
    assert "期间格式不正确" in response.content.decode()


def test_the_brief_downloads_as_docx(client_for, office, import_file):
    import_file(csv_bytes([row()]))
    response = client_for(office).get(reverse("staff:hotspots-brief"), {"grain": "M", "period": "2026-03"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content[:2] == b"PK"
    assert "2026-03" in response["Content-Disposition"]


# --- the import pages -------------------------------------------------------------------------------

def test_upload_map_import_and_see_the_bad_rows(client_for, office, bureau):
    client = client_for(office)
    data = csv_bytes([row("A1"), row("A2", date="昨天")])
    response = client.post(reverse("staff:hotspots-import"),
                           {"agency": bureau.pk, "file": SimpleUploadedFile("三月.csv", data)})
    assert response.status_code == 302
    mapping_url = response["Location"]
    page = client.get(mapping_url).content.decode()
    assert 'value="1" selected' in page  # 登记日期 guessed for the date
    assert "13812345678" not in page  # samples are masked
    form = {"received_on": "1", "summary": "9", "kind": "2", "category": "3", "subject": "",
            "region": "5", "department": "", "source_id": "0"}
    with TestCase.captureOnCommitCallbacks(execute=True):  # the worker runs at the commit
        response = client.post(mapping_url, form)
    staged = StagedComplaintFile.objects.get()
    status_url = reverse("staff:hotspots-import-status", args=[staged.pk])
    assert response.status_code == 302 and response["Location"] == status_url
    done = client.get(status_url)
    batch = ComplaintImport.objects.get()
    assert done.status_code == 302
    assert done["Location"] == reverse("staff:hotspots-import-detail", args=[batch.pk])
    detail = client.get(done["Location"]).content.decode()
    assert "已导入1条；重复0条未重复导入；有误1条未导入。" in detail
    # The cell ("昨天") is not quoted back: only a value that looks like a date is (a
    # wrongly mapped column could put names and phones in the list of bad rows).
    assert "第3行“日期”：日期无法识别" in detail
    assert Complaint.objects.get().subject == ""  # not mapped
    assert ComplaintImport.objects.get().imported == 1


def test_a_mapping_missing_the_summary_is_refused_in_chinese(client_for, office, bureau):
    client = client_for(office)
    response = client.post(reverse("staff:hotspots-import"),
                           {"agency": bureau.pk, "file": SimpleUploadedFile("a.csv", csv_bytes([row()]))})
    response = client.post(response["Location"], {"received_on": "1", "summary": ""})
    assert response.status_code == 400
    assert "内容摘要" in response.content.decode()
    assert not Complaint.objects.exists()


def test_a_hostile_file_gets_a_chinese_error_on_the_upload_page(client_for, office, bureau):
    response = client_for(office).post(
        reverse("staff:hotspots-import"),
        {"agency": bureau.pk, "file": SimpleUploadedFile("a.csv", b"%PDF-1.4 payload")})
    assert response.status_code == 400
    assert "文件内容不是CSV或XLSX表格" in response.content.decode()


def test_another_persons_staged_file_is_404(client_for, office, other_office, bureau):
    response = client_for(office).post(
        reverse("staff:hotspots-import"), {"agency": bureau.pk, "file": SimpleUploadedFile("a.csv", csv_bytes([row()]))})
    url = response["Location"]
    assert client_for(other_office).get(url).status_code == 404


MAPPING_FORM = {"received_on": "1", "summary": "9", "source_id": "0"}


def uploaded(client, bureau, rows=None) -> str:
    """Upload as the signed-in office; the mapping page's URL."""
    response = client.post(reverse("staff:hotspots-import"), {
        "agency": bureau.pk, "file": SimpleUploadedFile("三月.csv", csv_bytes(rows or [row()]))})
    assert response.status_code == 302
    return response["Location"]


def test_while_the_worker_has_not_run_the_page_says_importing_and_refreshes(client_for, office,
                                                                            bureau):
    client = client_for(office)
    mapping_url = uploaded(client, bureau)
    with TestCase.captureOnCommitCallbacks(execute=False) as queued:
        response = client.post(mapping_url, MAPPING_FORM)
    staged = StagedComplaintFile.objects.get()
    status_url = reverse("staff:hotspots-import-status", args=[staged.pk])
    assert response["Location"] == status_url and staged.state == StagedFileState.QUEUED

    pending = client.get(status_url)
    html = pending.content.decode()
    assert pending.status_code == 200 and "导入中" in html
    assert '<meta http-equiv="refresh" content="3">' in html
    assert not ComplaintImport.objects.exists()
    # The mapping page of a confirmed file leads to its status, and does not confirm again.
    assert client.get(mapping_url)["Location"] == status_url
    again = client.post(mapping_url, MAPPING_FORM)
    assert again["Location"] == status_url and len(queued) == 1

    with TestCase.captureOnCommitCallbacks(execute=True):
        for callback in queued:  # the commit: the worker imports (local mode)
            callback()
    done = client.get(status_url)
    batch = ComplaintImport.objects.get()
    assert done["Location"] == reverse("staff:hotspots-import-detail", args=[batch.pk])
    assert "已导入1条；重复0条未重复导入；有误0条未导入。" in client.get(done["Location"]).content.decode()
    # A second confirmation after the import (a back button) imports nothing twice.
    assert client.post(mapping_url, MAPPING_FORM)["Location"] == status_url
    assert ComplaintImport.objects.count() == 1 and Complaint.objects.count() == 1


def test_a_file_refused_by_the_worker_shows_why_and_stops_refreshing(client_for, office, bureau,
                                                                    monkeypatch):
    from gongkai.hotspots import importer

    client = client_for(office)
    mapping_url = uploaded(client, bureau, [row("A1"), row("A2")])
    monkeypatch.setattr(importer, "MAX_ROWS", 1)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(mapping_url, MAPPING_FORM)
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "文件未导入" in html and "文件超过1行数据的上限" in html
    assert 'http-equiv="refresh"' not in html  # nothing to wait for
    assert not ComplaintImport.objects.exists()


def test_a_column_chosen_twice_is_shown_on_the_form_and_nothing_is_queued(client_for, office, bureau):
    client = client_for(office)
    mapping_url = uploaded(client, bureau)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(mapping_url, {"received_on": "1", "summary": "1"})
    assert response.status_code == 400 and "不能同时作为" in response.content.decode()
    assert StagedComplaintFile.objects.get().state == StagedFileState.STAGED


@pytest.mark.parametrize(("actor", "status"), [
    ("office", 200), ("other_office", 404), ("supervisor", 403), ("leader", 403),
    ("platform_admin", 403),
])
def test_the_status_page_is_the_uploaders_only(request, client_for, office, bureau, actor, status):
    mapping_url = uploaded(client_for(office), bureau)
    with TestCase.captureOnCommitCallbacks(execute=False):
        client_for(office).post(mapping_url, MAPPING_FORM)
    status_url = reverse("staff:hotspots-import-status", args=[StagedComplaintFile.objects.get().pk])
    assert client_for(request.getfixturevalue(actor)).get(status_url).status_code == status
