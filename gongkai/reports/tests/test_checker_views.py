"""The back office's batch checker: who may use it, a batch of good, altered and broken
files gives one row each (never a 500), the CSV download, the navigation entry."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongkai.core import navigation
from gongkai.reports.checker.forms import MAX_FILES
from gongkai.reports.tests.fixtures.seeds import SEED_002, SEED_004, alter_004

URL = reverse("staff:report-checker")
CSV_URL = reverse("staff:report-checker-csv")


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def batch():
    return [
        upload("天水2020.txt", SEED_004.read_bytes()),
        upload("安庆2018.txt", SEED_002.read_bytes()),
        upload("改动.txt", alter_004(line_starts="(七)", column=0, value="2").encode()),
        upload("损坏.docx", b"PK\x03\x04 not a zip at all"),
        upload("空白.pdf", b""),
    ]


@pytest.mark.parametrize("persona", ["supervisor", "office", "platform_admin"])
def test_supervisor_office_and_admin_may_open_the_checker(request, client_for, persona):
    response = client_for(request.getfixturevalue(persona)).get(URL)
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()


@pytest.mark.parametrize("persona", ["officer", "reviewer", "leader"])
def test_other_roles_may_not(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"files": batch()}).status_code == 403
    assert client.post(CSV_URL, {"files": batch()}).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "next=" in response["Location"]


def test_a_batch_gives_one_row_per_file_with_violations_in_chinese(client_for, supervisor):
    response = client_for(supervisor).post(URL, {"files": batch()})
    assert response.status_code == 200
    page = response.content.decode()
    results = response.context["results"]
    assert [r.name for r in results] == ["天水2020.txt", "安庆2018.txt", "改动.txt", "损坏.docx", "空白.pdf"]
    assert [r.status for r in results] == [0, 0, 1, 2, 2]
    assert page.count('data-testid="checker-row"') == 5
    assert "2019年版年度报告格式" in page and "2019年以前格式（附表）" in page
    assert "天水市市场监督管理局" in page and "安庆市工商质监局" in page
    assert "198 / 198" in page and "16 / 16" in page
    # the altered file's violation, described in Chinese, with the cells it reads
    assert "（七）总计等于（一）至（六）各项之和（分组只计各分项）（自然人）：应为 0，实为 2" in page
    assert "表三「(七)总计」×「自然人」" in page
    # the broken and empty files get a row saying so
    assert "文件无法读取（corrupt ZIP archive" in page
    assert "空文件，未检查。" in page
    assert "1个存在不符合勾稽关系的数据" in page and "2个无法检查" in page


def test_nothing_uploaded_is_a_form_error(client_for, supervisor):
    response = client_for(supervisor).post(URL, {})
    assert response.status_code == 400
    assert "请选择至少一个年度报告文件。" in response.content.decode()


def test_too_many_files_are_refused_with_a_chinese_message(client_for, supervisor):
    files = [upload(f"{i}.txt", b"x") for i in range(MAX_FILES + 1)]
    response = client_for(supervisor).post(URL, {"files": files})
    assert response.status_code == 400
    assert f"一次最多检查{MAX_FILES}个文件" in response.content.decode()


def test_results_download_as_csv(client_for, office):
    files = [*batch(), upload("=HYPERLINK(1).txt", SEED_004.read_bytes())]
    response = client_for(office).post(CSV_URL, {"files": files})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:5] == ["文件", "读取方式", "格式", "年度", "机关"]
    by_file = {row[0]: row for row in rows[1:]}
    assert by_file["天水2020.txt"][2:7] == ["2019年版年度报告格式", "2020", "天水市市场监督管理局", "198", "198"]
    assert by_file["天水2020.txt"][-1] == "全部规则成立"
    assert by_file["改动.txt"][7] == "3" and "应为 0，实为 2" in by_file["改动.txt"][8]
    assert by_file["损坏.docx"][-1] == "无法检查"
    assert "'=HYPERLINK(1).txt" in by_file  # a file name cannot become a spreadsheet formula


def test_the_navigation_entry_is_shown_to_who_may_use_it(supervisor, officer):
    import gongkai.reports.navigation_checker  # noqa: F401  (registers the entry)

    assert "年报检查" in [i["label"] for i in navigation.items_for(supervisor, "/")]
    assert "年报检查" not in [i["label"] for i in navigation.items_for(officer, "/")]
