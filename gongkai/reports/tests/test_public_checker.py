"""The public checker (年报体检): upload or paste a report and see the national format's
tables with the broken cells marked, the rules in Chinese, missing and unplaced rows with
their reasons, the year and agency read, and the cross-year rule for two consecutive
reports; the request form's limits (count, size, rate) refused in Chinese; CSRF on; a
hostile file gets a clear Chinese error; and nothing is stored (no row in any table, no
file, nothing of the report in the cache, no session)."""

import datetime as dt
import pickle
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from gongkai.core.hostile_input import body_limit
from gongkai.core.tests.helpers import at
from gongkai.foi.forms import ATTACHMENT_MAX_BYTES, MAX_ATTACHMENTS, SUBMIT_RATE
from gongkai.reports.formats import cell_ref, get_format
from gongkai.reports.tests.fixtures import renditions
from gongkai.reports.tests.fixtures.sample_reports import (
    AGENCY_2018,
    REPORT_2018,
    alter_2020,
    report_2020_text,
)
from gongkai.reports.views.public_checker import (
    CHECK_RATE,
    MAX_PDF_PAGES,
    PASTE_MAX_BYTES,
    PublicCheckerForm,
    where_zh,
)

URL = reverse("portal:annual-report-check")
AGENCY = "青岚市市场监督管理局"
TOTAL_NATURAL = cell_ref("3", "三.七", "natural_person")  # 表三「(七)总计」×「自然人」
CARRIED_NATURAL = cell_ref("3", "二", "natural_person")  # 表三「二、上年结转」×「自然人」
FORWARD_NATURAL = cell_ref("3", "四", "natural_person")  # 表三「四、结转下年度继续办理」×「自然人」

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    at(dt.date(2026, 3, 2))


def report(year: int = 2020, text: str | None = None) -> str:
    """The project's 2020 sample report (2019 format, traditional characters) under a title
    line naming its agency and year, as published reports begin."""
    body = text if text is not None else report_2020_text()
    if year != 2020:
        body = body.replace("2020年", f"{year}年")
    return f"{AGENCY}{year}年政府信息公开工作年度报告\n{body}"


def broken_report() -> str:
    """(七)总计 for 自然人 printed as 2 over items that are all 0."""
    return alter_2020(line_starts="(七)", column=0, value="2", text=report(2020))


def upload(name: str, data: bytes | str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data.encode() if isinstance(data, str) else data,
                              content_type="application/octet-stream")


def post(client, files=(), text=""):
    data = {"text": text}
    if files:
        data["files"] = list(files)
    return client.post(URL, data)


def cell_html(page: str, ref: str) -> str:
    match = re.search(rf'<td class="([^"]*)" data-ref="{re.escape(ref)}"[^>]*>(.*?)</td>', page)
    assert match, f"no cell {ref}"
    return match.group(0)


def test_the_page_states_the_request_forms_limits_and_that_nothing_is_kept(client):
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page and "csrfmiddlewaretoken" in page
    assert f"每次最多检查{MAX_ATTACHMENTS}份报告，每份不超过{ATTACHMENT_MAX_BYTES // (1024 * 1024)}MB" in page
    assert f"最多检查{SUBMIT_RATE.limit}次" in page
    assert "不保存任何内容" in page
    assert "no-store" in response["Cache-Control"]
    assert CHECK_RATE.limit == SUBMIT_RATE.limit and CHECK_RATE.window_seconds == SUBMIT_RATE.window_seconds


def test_an_uploaded_report_is_drawn_as_the_formats_tables_with_year_and_agency(client):
    response = post(client, [upload("青岚2020.txt", report(2020))])
    assert response.status_code == 200
    page = response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert 'data-testid="checker-year">2020<' in page
    assert f'data-testid="checker-agency">{AGENCY}<' in page
    assert "2019年版年度报告格式" in page and "198 / 198" in page
    assert "全部勾稽关系成立，格式完整" in page
    # the national format's tables, with the layout's merged labels, each figure in its cell
    assert page.count('class="report-table"') == len(get_format("2019").tables)
    assert 'rowspan="' in page and "三、本年度办理结果" in page
    assert cell_html(page, cell_ref("2.5", "licensing", "decisions")).endswith(">5361</td>")
    assert cell_html(page, cell_ref("2.9", "procurement", "amount")).endswith(">395.721万元</td>")
    assert 'data-mark="broken"' not in page


def test_pasted_text_is_checked_like_a_file(client):
    response = post(client, text=broken_report())
    assert response.status_code == 200
    page = response.content.decode()
    assert "粘贴的文字" in page and 'data-mark="broken"' in page
    assert f'data-testid="checker-agency">{AGENCY}<' in page


def test_a_broken_cell_is_outlined_and_marked_not_by_colour_alone(client):
    page = post(client, [upload("改动.txt", broken_report())]).content.decode()
    cell = cell_html(page, TOTAL_NATURAL)
    assert "pc-broken" in cell and 'data-mark="broken"' in cell
    assert ">2<" in cell or "2<a" in cell  # the figure as printed
    # a visible symbol and number linking to the rule, and words for a screen reader
    assert re.search(r'<a class="pc-mark pc-mark-broken" href="#report-1-problem-\d+">'
                     r'<span aria-hidden="true">✗</span>\d+<span class="visually-hidden">（不符合勾稽关系，见问题\d+）</span></a>',
                     cell)
    # the rule below, in Chinese, with the cells it reads
    assert "（七）总计等于（一）至（六）各项之和（分组只计各分项）（自然人）：应为 0，实为 2" in page
    assert "表三「(七)总计」×「自然人」" in page
    assert 'id="report-1-problem-1"' in page
    # a cell of no broken rule is not marked
    assert "pc-mark" not in cell_html(page, cell_ref("3", "三.一", "commercial_enterprise"))


def test_missing_rows_and_unplaced_text_are_listed_with_their_reasons(client):
    without_row = "\n".join(line for line in report(2020).split("\n") if not line.startswith("(六)其他處理"))
    page = post(client, [upload("缺行.txt", without_row), upload("澄川2018.txt", REPORT_2018.read_bytes())]
                ).content.decode()
    # the missing row: a format finding, its cells shown as not found and marked
    assert "〔格式.缺少单元格〕" in page and "（(六)其他处理）：应有7个数字，找到0个" in page
    cell = cell_html(page, cell_ref("3", "三.六", "natural_person"))
    assert "pc-doubt" in cell and "未找到" in cell and "?" in cell
    # the legacy report: year and agency read, a line of website chrome unplaced, with why
    assert f'data-testid="checker-agency">{AGENCY_2018}<' in page
    unplaced = page.split('data-testid="checker-unplaced"', 1)[1].split("</ul>", 1)[0]
    assert "无法识别的表格文字" in unplaced and re.search(r"第\d+行：", unplaced)


def test_two_consecutive_reports_of_one_agency_get_the_cross_year_rule(client):
    earlier = report(2019)
    for line, column in (("一、本年新收", 0), ("一、本年新收", 6), ("四、結轉下年度", 0), ("四、結轉下年度", 6)):
        earlier = alter_2020(line_starts=line, column=column, value="3", text=earlier)
    page = post(client, [upload("2019.txt", earlier), upload("2020.txt", report(2020))]).content.decode()
    section = page.split('data-testid="cross-year"', 1)[1].split("</section>", 1)[0]
    assert AGENCY in section and "2019—2020年度" in section and "跨年核对不成立" in section
    assert "2019.txt" in section and "2020.txt" in section
    # the later report: its 上年结转 marked; the earlier one: its 结转下年度 marked too
    later = page.split('id="report-2"', 1)[1]
    assert "本年“二、上年结转”等于上一年度报告“四、结转下年度继续办理”（自然人）：应为 3，实为 0" in later
    assert "与上一年度报告“2019.txt”对照" in later
    assert "pc-broken" in cell_html(later, CARRIED_NATURAL)
    earlier_part = page.split('id="report-1"', 1)[1].split('id="report-2"', 1)[0]
    marked = cell_html(earlier_part, FORWARD_NATURAL)
    assert "pc-broken" in marked and 'href="#report-2-problem-' in marked and "报告“2020.txt”的问题" in marked


def test_a_paste_over_its_limit_gets_the_forms_message_not_djangos_limit(client, settings):
    """The paste's limit lies below Django's limit on form fields, so the form's Chinese
    message (upload the file instead) is what a user meets."""
    assert PASTE_MAX_BYTES + 64 * 1024 <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = post(client, text=report(2020) + "一" * (PASTE_MAX_BYTES // 3 + 1))
    assert response.status_code == 400
    assert "粘贴的文字超过2MB的大小限制，请把报告保存为文件后上传" in response.content.decode()


def test_more_than_five_reports_are_refused_in_chinese(client):
    files = [upload(f"{i}.txt", report(2020)) for i in range(MAX_ATTACHMENTS + 1)]
    response = post(client, files)
    assert response.status_code == 400
    page = response.content.decode()
    assert f"一次最多检查{MAX_ATTACHMENTS}份报告，本次选择了{MAX_ATTACHMENTS + 1}个文件" in page
    assert 'data-testid="checker-results"' not in page
    # five files and pasted text are six reports too
    files = [upload(f"{i}.txt", report(2020)) for i in range(MAX_ATTACHMENTS)]
    response = post(client, files, text=report(2020))
    assert response.status_code == 400
    assert "上传的文件和粘贴的文字合计" in response.content.decode()


def test_nothing_at_all_is_refused_in_chinese(client):
    response = post(client)
    assert response.status_code == 400
    assert "请选择年度报告文件，或粘贴年度报告的文字。" in response.content.decode()


def test_a_file_over_the_request_forms_size_limit_is_refused_by_the_form():
    form = PublicCheckerForm({"text": ""}, {"files": [upload("大.pdf", b"%PDF-" + b"0" * ATTACHMENT_MAX_BYTES)]})
    assert not form.is_valid()
    assert form.errors["files"] == [f"文件“大.pdf”超过{ATTACHMENT_MAX_BYTES // (1024 * 1024)}MB的大小限制。"]


def test_the_address_accepts_bodies_as_large_as_the_request_form(client):
    """The request form's five attachments fit in one request to this address (the body
    limit of ``settings.GONGKAI_BODY_LIMITS``), and a file over the per-file limit is
    refused by the page's own form, in Chinese."""
    assert body_limit(URL) >= MAX_ATTACHMENTS * ATTACHMENT_MAX_BYTES
    response = post(client, [upload("大.txt", b"x" * (ATTACHMENT_MAX_BYTES + 1))])
    assert response.status_code == 400
    assert f"超过{ATTACHMENT_MAX_BYTES // (1024 * 1024)}MB的大小限制" in response.content.decode()


def test_the_rate_limit_of_the_request_form_applies_with_a_chinese_message(client):
    for _ in range(CHECK_RATE.limit):
        assert post(client, text="不是年度报告").status_code == 200
    response = post(client, text="不是年度报告")
    assert response.status_code == 429
    page = response.content.decode()
    assert "操作过于频繁" in page and "您检查年度报告的次数过多" in page
    # an hour later the allowance is back
    at(dt.date(2026, 3, 2), hour=12)
    assert post(client, text="不是年度报告").status_code == 200


def test_csrf_is_enforced():
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(URL, {"text": report(2020)}).status_code == 403
    strict.get(URL)
    token = strict.cookies["csrftoken"].value
    response = strict.post(URL, {"text": report(2020), "csrfmiddlewaretoken": token})
    assert response.status_code == 200 and 'data-testid="checker-results"' in response.content.decode()


def _docx_with_dtd() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                         '<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><w:document>&lol2;</w:document>')
    return buffer.getvalue()


def test_hostile_and_broken_uploads_get_a_clear_chinese_error_each(client):
    name = '<img src=x onerror="alert(1)">.html'
    response = post(client, [
        upload("实体炸弹.docx", _docx_with_dtd()),
        upload("图片.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
        upload("损坏.docx", b"PK\x03\x04 not a zip at all"),
        upload(name, f"<html><body><p>{name}</p><script>alert(1)</script></body></html>"),
        upload("好.txt", report(2020)),
    ])
    assert response.status_code == 200
    page = response.content.decode()
    errors = re.findall(r'data-testid="checker-error">无法检查：([^<]*)<', page)
    assert errors[:3] == [
        "文件结构异常（加密、解压后过大或含有不安全的内容），出于安全考虑未读取。",
        "这是图片文件，没有可读取的文字（不支持文字识别）。请上传HTML、DOCX或带文字层的PDF。",
        "文件已损坏，无法按ZIP格式读取。",
    ]
    assert len(errors) == 4 and "未识别出年度报告格式" in errors[3]
    assert "<img src=x" not in page and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;.html" in page
    assert f'data-testid="checker-agency">{AGENCY}<' in page  # the good file is still checked


def _row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
        return counts


def _cached_values() -> list[bytes]:
    backend = cache._cache  # the test settings' LocMemCache: {key: pickled value}
    return [key.encode() + (value if isinstance(value, bytes) else pickle.dumps(value))
            for key, value in backend.items()]


def test_nothing_is_stored_no_row_no_file_no_cache_entry_no_session(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    earlier = report(2019)
    before = _row_counts()
    response = post(client, [upload("2019.txt", earlier), upload("2020.txt", broken_report())],
                    text=report(2020))
    assert response.status_code == 200 and 'data-mark="broken"' in response.content.decode()
    assert _row_counts() == before
    assert not settings.MEDIA_ROOT.exists() or not any(settings.MEDIA_ROOT.rglob("*"))
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert "no-store" in response["Cache-Control"]
    # the cache holds the rate-limit counter, nothing of the reports
    for value in _cached_values():
        assert AGENCY.encode() not in value and "青嵐".encode() not in value


def test_positions_are_given_in_chinese():
    assert where_zh("page 1, line 4") == "第1页第4行"
    assert where_zh("table 2, row 3") == "表格2第3行"
    assert where_zh("line 12") == "第12行"
    assert where_zh("somewhere odd") == "位置：somewhere odd"


def _pdf(fmt, cells, **kwargs) -> bytes:
    from weasyprint import HTML  # a PDF with a text layer, printed from the web page

    return HTML(string=renditions.report_html(fmt, cells, **kwargs)).write_pdf()


@pytest.mark.parametrize("kind", ["html", "docx", "pdf"])
def test_html_docx_and_pdf_reports_in_the_2021_format_are_marked_in_its_tables(client, kind):
    """A 2021-format report as a web page, as Word and as a PDF printed from the page,
    drawn as the national templates print it (merged headers and group labels); its
    行政复议 total does not add up."""
    fmt = get_format("2021")
    cells = dict.fromkeys(fmt.cell_refs(), 0)
    cells["4/all/administrative_review.upheld"] = 10
    cells["4/all/administrative_review.corrected"] = 1  # the total stays 0: 0 ≠ 10 + 1
    agency = "澄川市人民政府办公室"
    build = {"html": renditions.report_html, "docx": renditions.report_docx, "pdf": _pdf}[kind]
    data = build(fmt, cells, agency=agency, year=2023)
    page = post(client, [upload(f"2023.{kind}", data)]).content.decode()
    assert f'data-testid="checker-agency">{agency}<' in page
    assert 'data-testid="checker-year">2023<' in page and "2021年版" in page
    total = cell_html(page, "4/all/administrative_review.total")
    assert "pc-broken" in total and "✗" in total
    assert "pc-broken" in cell_html(page, "4/all/administrative_review.upheld")
    assert "pc-mark" not in cell_html(page, "4/all/litigation_direct.total")
    assert "应为 11，实为 0" in page


def test_consistent_consecutive_reports_show_the_cross_year_rule_holding(client):
    page = post(client, [upload("2019.txt", report(2019)), upload("2020.txt", report(2020))]).content.decode()
    section = page.split('data-testid="cross-year"', 1)[1].split("</section>", 1)[0]
    assert "跨年核对成立" in section and "pc-broken" not in section
    assert 'data-mark="broken"' not in page


def test_the_cross_year_table_shows_blanks_as_the_rule_read_them(client):
    """Blank cells read as 0 (no 不适用 mark in the table) are compared as 0 and shown so,
    not as "空白或未找到" beside a rule that holds."""
    fmt = get_format("2021")
    files = []
    for year, blank in ((2022, "3/四/"), (2023, "3/二/")):
        cells = {ref: (None if ref.startswith(blank) else 0) for ref in fmt.cell_refs()}
        files.append(upload(f"{year}.html", renditions.report_html(fmt, cells, agency=AGENCY, year=year)))
    page = post(client, files).content.decode()
    section = page.split('data-testid="cross-year"', 1)[1].split("</section>", 1)[0]
    assert "跨年核对成立" in section
    assert "空白或未找到" not in section


def test_a_pdf_of_more_pages_than_a_report_has_is_refused_before_it_is_read(client):
    import io

    import pypdf

    writer = pypdf.PdfWriter()
    for _ in range(MAX_PDF_PAGES + 1):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    response = post(client, [upload("很长.pdf", buffer.getvalue())])
    assert response.status_code == 400
    assert f"PDF文件“很长.pdf”有{MAX_PDF_PAGES + 1}页，年报体检只检查不超过{MAX_PDF_PAGES}页的报告" in response.content.decode()


def test_an_encrypted_pdf_that_opens_without_a_password_is_held_to_the_page_limit(client):
    """The checker opens a PDF encrypted with an empty user password: its pages count too."""
    import io

    import pypdf

    writer = pypdf.PdfWriter()
    for _ in range(MAX_PDF_PAGES + 1):
        writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    response = post(client, [upload("加密.pdf", buffer.getvalue())])
    assert response.status_code == 400
    assert f"有{MAX_PDF_PAGES + 1}页，年报体检只检查不超过{MAX_PDF_PAGES}页的报告" in response.content.decode()
