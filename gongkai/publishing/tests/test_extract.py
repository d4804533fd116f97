import io
import random
import time
import zipfile

import pytest

from gongkai.publishing import extract
from gongkai.publishing.extract import FileType, UnreadableFile, detect_type, extract_text
from gongkai.publishing.tests.fixtures.documents import (
    docx_bytes,
    html_bytes,
    lying_zip_docx,
    pdf_bytes,
    xlsx_bytes,
    zip_bomb_docx,
    zip_bytes,
)

# --- detection by content -------------------------------------------------------------


def test_type_comes_from_content_not_name():
    data = "公民身份号码：11010519491231002X".encode()
    result = extract_text(data, filename="决定书.pdf")
    assert result.file_type is FileType.TEXT
    assert "11010519491231002X" in result.text
    assert result.warnings == ("content is TEXT although the name says PDF",)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (lambda: docx_bytes(body=["正文"]), FileType.DOCX),
        (lambda: xlsx_bytes({"表": {"A1": "x"}}), FileType.XLSX),
        (lambda: pdf_bytes([["正文"]]), FileType.PDF),
        (lambda: "正文".encode(), FileType.TEXT),
    ],
)
def test_detect_type(data, expected):
    assert detect_type(data()) is expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "image file"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image file"),
        (b"GIF89a" + b"\x00" * 64, "image file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "legacy or password-protected"),
        (b"\x1f\x8b\x08" + b"\x00" * 64, "gzip"),
        (b"\x00\x01\x02\x03binary\x00\x00", "binary file"),
        (bytes(range(1, 32)) * 20, "binary file"),
        (b"abc\x80\xff\x80 def", "unknown encoding"),
    ],
)
def test_unknown_content_is_unreadable(data, message):
    with pytest.raises(UnreadableFile, match=message):
        extract_text(data)


@pytest.mark.parametrize("text", ["BMW 4S店行政处罚", "GIF8相关说明", "PK10 比赛"])
def test_text_that_starts_like_a_signature_is_still_text(text):
    assert extract_text(text.encode()).text == text


def test_bmp_is_an_image():
    with pytest.raises(UnreadableFile, match="image file"):
        extract_text(b"BM" + (70).to_bytes(4, "little") + b"\0\0\0\0" + b"\x36" + b"\0" * 60)


def test_pdf_header_after_leading_junk_is_a_pdf():
    assert detect_type(b"\r\n" + pdf_bytes([["正文"]])) is FileType.PDF


def test_zip_that_is_not_office_is_unreadable():
    with pytest.raises(UnreadableFile, match="neither DOCX nor XLSX"):
        extract_text(zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.text"}))


# --- plain text and HTML --------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        "机密★1年\n正文".encode(),
        "机密★1年\n正文".encode("utf-8-sig"),
        "机密★1年\n正文".encode("gb18030"),
        "机密★1年\n正文".encode("gbk"),
        "\ufeff机密★1年\n正文".encode("utf-16-le"),
        "\ufeff机密★1年\n正文".encode("utf-16-be"),
    ],
    ids=["utf-8", "utf-8-bom", "gb18030", "gbk", "utf-16-le-bom", "utf-16-be-bom"],
)
def test_text_encodings(data):
    result = extract_text(data)
    assert result.text == "机密★1年\n正文"
    assert result.location_at(result.text.index("正文")) == "line 2"


def test_html_visible_text_without_script_and_style():
    result = extract_text(
        html_bytes("<p>当事人：<b>张某</b></p><div>联系电话：138<span>1234</span>5678</div>")
    )
    assert result.file_type is FileType.HTML
    assert "当事人：张某" in result.text
    assert "联系电话：13812345678" in result.text  # inline tags do not split a number
    assert "13912345678" not in result.text  # in a script
    assert "color" not in result.text


def test_html_comments_and_alt_text_are_screened_too():
    result = extract_text(
        html_bytes(
            '<p>正文</p><!-- 内部资料 --><img alt="秘密★1年"><input type="hidden" value="x1">'
        )
    )
    hidden = [p for p in result.parts if p.label.startswith("page source")]
    assert [result.text[p.start : p.end] for p in hidden] == ["内部资料", "秘密★1年", "x1"]


def test_html_table_cells_stay_apart_and_entities_are_decoded():
    result = extract_text(html_bytes("<table><tr><td>机密</td><td>a&amp;b</td></tr></table>"))
    assert "\t机密\t" in result.text
    assert "a&b" in result.text


def test_html_fragment_from_an_editor_is_html():
    assert extract_text("<p>正文<br>第二行</p>".encode()).text == "正文\n第二行"


def test_html_in_gbk_with_meta_charset():
    data = '<html><head><meta charset="gbk"></head><body>机密</body></html>'.encode("gbk")
    assert extract_text(data).text == "机密"


# --- DOCX -----------------------------------------------------------------------------


def test_docx_body_tables_headers_and_footers():
    result = extract_text(
        docx_bytes(
            body=["第一段", "第二段"],
            table=[["姓名", "电话"], ["张某", "13812345678"]],
            header="机密★1年",
            footer="内部资料",
        )
    )
    where = {result.text[p.start : p.end]: p.label for p in result.parts}
    assert where["第一段"] == "paragraph 1"
    assert where["第二段"] == "paragraph 2"
    assert where["13812345678"] == "table 1, row 2, cell 2"
    assert where["机密★1年"] == "header"
    assert where["内部资料"] == "footer"


def test_docx_text_boxes_and_tracked_deletions_are_read():
    result = extract_text(docx_bytes(text_box="内部资料", deleted="13812345678"))
    where = {result.text[p.start : p.end]: p.label for p in result.parts}
    assert where["内部资料"] == "text box"
    # Deleted text stays in the file; it gets a line of its own, never joined to live text.
    assert where["13812345678"].startswith("deleted text")
    assert "联系电话：（已删除）" in result.text


def test_docx_properties_are_read():
    result = extract_text(docx_bytes(body=["正文"], title="内部文件"))
    assert result.location_at(result.text.index("内部文件")) == "document properties"


def test_docx_with_a_dtd_is_refused():
    data = zip_bytes(
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
        }
    )
    with pytest.raises(UnreadableFile, match="DTD"):
        extract_text(data)


def test_zip_bomb_docx_is_refused_before_inflating():
    data = zip_bomb_docx()
    started = time.monotonic()
    with pytest.raises(UnreadableFile, match="zip bomb"):
        extract_text(data, filename="决定书.docx")
    assert time.monotonic() - started < 1


def test_zip_members_adding_up_past_the_cap_are_refused(monkeypatch):
    monkeypatch.setattr(extract, "MAX_ZIP_TOTAL_BYTES", 1_000_000)
    members = {"[Content_Types].xml": b"<Types/>"}
    members |= {f"word/media/image{i}.bin": b"\0" * 400_000 for i in range(3)}
    with pytest.raises(UnreadableFile, match="zip bomb"):
        extract_text(zip_bytes(members))


def test_zip_with_a_lying_size_header_is_unreadable_not_inflated():
    with pytest.raises(UnreadableFile, match="corrupt ZIP"):
        extract_text(lying_zip_docx())


# --- XLSX -----------------------------------------------------------------------------


def test_xlsx_every_sheet_and_cell_with_its_reference():
    data = xlsx_bytes(
        {
            "名单": {"A1": "姓名", "B3": "11010519491231002X", "C3": 13812345678},
            "隐藏": {"D4": "机密"},
        },
        hidden={"隐藏"},
    )
    result = extract_text(data)
    where = {result.text[p.start : p.end]: p.label for p in result.parts}
    assert where == {
        "姓名": "名单!A1",
        "11010519491231002X": "名单!B3",
        "13812345678": "名单!C3",
        "机密": "隐藏!D4",
    }


def test_xlsx_numbers_read_as_excel_shows_them():
    result = extract_text(xlsx_bytes({"表": {"A1": 13812345678.0, "A2": 1.5, "A3": True}}))
    assert result.text.split("\n") == ["13812345678", "1.5", "TRUE"]


def test_xlsx_cell_cap(monkeypatch):
    monkeypatch.setattr(extract, "MAX_XLSX_CELLS", 3)
    data = xlsx_bytes({"表": {f"A{i}": i for i in range(1, 6)}})
    with pytest.raises(UnreadableFile, match="more than 3 filled cells"):
        extract_text(data)


def test_xlsx_with_a_far_away_cell_is_capped_not_walked(monkeypatch):
    monkeypatch.setattr(extract, "MAX_XLSX_SLOTS", 10_000)
    data = xlsx_bytes({"表": {"A1": "x", "XFD1048576": "y"}})
    started = time.monotonic()
    with pytest.raises(UnreadableFile, match="larger than 10000 cells"):
        extract_text(data)
    assert time.monotonic() - started < 2


# --- PDF ------------------------------------------------------------------------------


def test_pdf_cjk_text_layer_with_pages():
    result = extract_text(pdf_bytes([["机密★1年", "正文"], ["第二页 13812345678"]]))
    assert result.file_type is FileType.PDF
    assert result.location_at(result.text.index("机密★1年")) == "page 1"
    assert result.location_at(result.text.index("13812345678")) == "page 2"


def test_pdf_without_text_layer_is_unreadable():
    # A scan cannot be screened, so it must not pass as clean.
    with pytest.raises(UnreadableFile, match="without a text layer"):
        extract_text(pdf_bytes([[], []]))


def test_pdf_page_without_text_is_a_warning():
    result = extract_text(pdf_bytes([["正文"], []]))
    assert result.warnings == ("no text layer on page(s) 2: not screened",)


def test_pdf_page_cap(monkeypatch):
    monkeypatch.setattr(extract, "MAX_PDF_PAGES", 2)
    with pytest.raises(UnreadableFile, match="more than 2 pages"):
        extract_text(pdf_bytes([["一"], ["二"], ["三"]]))


def test_encrypted_pdf_is_unreadable():
    import pypdf

    writer = pypdf.PdfWriter(clone_from=io.BytesIO(pdf_bytes([["机密"]])))
    writer.encrypt(user_password="secret", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(UnreadableFile, match="encrypted PDF"):
        extract_text(out.getvalue())


# --- corrupt files --------------------------------------------------------------------


def _mutations(data: bytes, seed: int):
    rng = random.Random(seed)
    yield data[: len(data) // 2]
    yield data[: len(data) - 200]
    for _ in range(8):
        damaged = bytearray(data)
        for _ in range(10):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        yield bytes(damaged)


@pytest.mark.parametrize(
    "make",
    [
        lambda: docx_bytes(body=["机密★1年"] * 20, table=[["a", "b"]]),
        lambda: xlsx_bytes({"表": {f"A{i}": "机密" for i in range(1, 40)}}),
        lambda: pdf_bytes([["机密★1年"] * 10, ["正文"]]),
    ],
    ids=["docx", "xlsx", "pdf"],
)
def test_corrupt_files_never_raise_anything_but_unreadable(make):
    data = make()
    for i, damaged in enumerate(_mutations(data, seed=len(data))):
        try:
            result = extract_text(damaged)
        except UnreadableFile:
            continue
        assert isinstance(result.text, str), i


def test_zip_member_damage_is_unreadable():
    good = docx_bytes(body=["正文"])
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    members["word/document.xml"] = b"<w:document"  # not well-formed
    with pytest.raises(UnreadableFile, match="corrupt DOCX"):
        extract_text(zip_bytes(members))
