"""The back office's batch checker: who may use it, a batch of good, altered and broken
files gives one row each (never a 500), the batch limits, files read one at a time, the
CSV download without a second upload, the navigation entry."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongkai.core import navigation
from gongkai.reports.checker import check as check_module
from gongkai.reports.checker.forms import MAX_FILES, MAX_TOTAL_BYTES
from gongkai.reports.tests.fixtures.sample_reports import (
    AGENCY_2018,
    AGENCY_2020,
    REPORT_2018,
    REPORT_2020,
    alter_2020,
)
from gongkai.reports.views import checker as checker_views

URL = reverse("staff:report-checker")


def csv_url(token: str) -> str:
    return reverse("staff:report-checker-csv", args=[token])


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def batch():
    return [
        upload("青岚2020.txt", REPORT_2020.read_bytes()),
        upload("澄川2018.txt", REPORT_2018.read_bytes()),
        upload("改动.txt", alter_2020(line_starts="(七)", column=0, value="2").encode()),
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
    assert client.get(csv_url("abc")).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "next=" in response["Location"]


def test_a_batch_gives_one_row_per_file_with_violations_in_chinese(client_for, supervisor):
    response = client_for(supervisor).post(URL, {"files": batch()})
    assert response.status_code == 200
    page = response.content.decode()
    results = response.context["results"]
    assert [r.name for r in results] == ["青岚2020.txt", "澄川2018.txt", "改动.txt", "损坏.docx", "空白.pdf"]
    assert [r.status for r in results] == [0, 0, 1, 2, 2]
    assert page.count('data-testid="checker-row"') == 5
    assert "2019年版年度报告格式" in page and "2019年以前格式（附表）" in page
    assert AGENCY_2020 in page and AGENCY_2018 in page
    assert "198 / 198" in page and "16 / 16" in page
    # the altered file's violation, described in Chinese, with the cells it reads
    assert "（七）总计等于（一）至（六）各项之和（分组只计各分项）（自然人）：应为 0，实为 2" in page
    assert "表三「(七)总计」×「自然人」" in page
    # the broken and empty files get a row saying so
    assert "文件已损坏，无法按ZIP格式读取。" in page
    assert "corrupt" not in page and "ZIP archive" not in page  # no English in the back office
    assert "空文件，未检查。" in page
    assert "1个存在不符合勾稽关系的数据或格式问题" in page and "2个无法检查" in page


def test_nothing_uploaded_is_a_form_error(client_for, supervisor):
    response = client_for(supervisor).post(URL, {})
    assert response.status_code == 400
    assert "请选择至少一个年度报告文件。" in response.content.decode()


def test_too_many_files_are_refused_with_a_chinese_message(client_for, supervisor):
    files = [upload(f"{i}.txt", b"x") for i in range(MAX_FILES + 1)]
    response = client_for(supervisor).post(URL, {"files": files})
    assert response.status_code == 400
    assert f"一次最多检查{MAX_FILES}个文件" in response.content.decode()


def test_a_batch_over_the_total_size_is_refused_before_any_file_is_read(client_for, supervisor, monkeypatch):
    read = []
    monkeypatch.setattr(check_module, "check_bytes", lambda name, data: read.append(name))
    big = MAX_TOTAL_BYTES // 3 + 1
    files = [upload(f"{i}.txt", b"x" * big) for i in range(3)]
    response = client_for(supervisor).post(URL, {"files": files})
    assert response.status_code == 400
    assert "合计不能超过50MB" in response.content.decode()
    assert read == []


def test_twenty_files_are_the_most_a_batch_takes():
    assert MAX_FILES == 20 and MAX_TOTAL_BYTES == 50 * 1024 * 1024


class _Upload:
    """An uploaded file that records when it is read and closed."""

    def __init__(self, name, data, events):
        self.name, self.size, self._data, self._events = name, len(data), data, events

    def read(self, n=-1):
        self._events.append(("read", self.name))
        return self._data

    def close(self):
        self._events.append(("close", self.name))


def test_files_are_read_one_at_a_time(monkeypatch):
    """Each upload is read only when the checker comes to it and closed before it is
    checked: at most one file's bytes are held."""
    events = []
    real_check = check_module.check_bytes

    def check_bytes(name, data):
        events.append(("check", name))
        return real_check(name, data)

    monkeypatch.setattr(check_module, "check_bytes", check_bytes)

    class Form:
        cleaned_data = {"files": [_Upload("a.txt", REPORT_2020.read_bytes(), events),
                                  _Upload("empty.txt", b"", events),
                                  _Upload("b.txt", REPORT_2018.read_bytes(), events)]}

    results = checker_views._results(Form())
    assert [r.name for r in results] == ["a.txt", "empty.txt", "b.txt"]
    assert [r.status for r in results] == [0, 2, 0]
    assert events == [("read", "a.txt"), ("close", "a.txt"), ("check", "a.txt"),
                      ("close", "empty.txt"),
                      ("read", "b.txt"), ("close", "b.txt"), ("check", "b.txt")]


def test_results_download_as_csv_without_a_second_upload(client_for, office):
    client = client_for(office)
    files = [*batch(), upload("=HYPERLINK(1).txt", REPORT_2020.read_bytes())]
    page = client.post(URL, {"files": files})
    token = page.context["csv_token"]
    assert csv_url(token) in page.content.decode()
    response = client.get(csv_url(token))  # a GET: nothing uploaded again
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:5] == ["文件", "读取方式", "格式", "年度", "机关"]
    by_file = {row[0]: row for row in rows[1:]}
    assert by_file["青岚2020.txt"][2:7] == ["2019年版年度报告格式", "2020", AGENCY_2020, "198", "198"]
    assert by_file["青岚2020.txt"][-1] == "全部规则成立"
    assert by_file["改动.txt"][7] == "3" and "应为 0，实为 2" in by_file["改动.txt"][8]
    assert by_file["损坏.docx"][-1] == "无法检查"
    assert "'=HYPERLINK(1).txt" in by_file  # a file name cannot become a spreadsheet formula


def test_the_csv_of_another_session_or_an_unknown_token_is_not_found(client_for, office, supervisor):
    page = client_for(office).post(URL, {"files": batch()})
    token = page.context["csv_token"]
    assert client_for(supervisor).get(csv_url(token)).status_code == 404
    assert client_for(office).get(csv_url("not-a-token")).status_code == 404


def test_the_navigation_entry_is_shown_to_who_may_use_it(supervisor, officer):
    import gongkai.reports.navigation_checker  # noqa: F401  (registers the entry)

    assert "年报检查" in [i["label"] for i in navigation.items_for(supervisor, "/")]
    assert "年报检查" not in [i["label"] for i in navigation.items_for(officer, "/")]
