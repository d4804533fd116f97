import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongkai.hotspots.models import Complaint, ComplaintImport
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
    response = client.post(mapping_url, form)
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
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
