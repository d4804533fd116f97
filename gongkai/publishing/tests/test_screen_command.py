"""`gongkai screen FILE...`: JSON lines on stdout, errors on stderr, exit 0/1/2."""

import json
import time
from io import StringIO

import pytest
from django.core.management import call_command

from gongkai.publishing.tests.fixtures.documents import (
    docx_bytes,
    pdf_bytes,
    zip_bomb_docx,
)

RAW_VALUES = ("11010519491231002X", "13812345678", "6222021234567894")
LEAKY_TEXT = "机密★1年\n当事人身份证号11010519491231002X，电话13812345678。\n"


def run(*paths):
    out, err = StringIO(), StringIO()
    try:
        call_command("screen", *map(str, paths), stdout=out, stderr=err)
        status = 0
    except SystemExit as exc:
        status = exc.code
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    for raw in RAW_VALUES:
        assert raw not in out.getvalue() + err.getvalue()  # never the unmasked value
    return status, lines, err.getvalue()


@pytest.fixture
def files(tmp_path):
    def write(name, data):
        path = tmp_path / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
        return path

    return write


def test_clean_file_exits_0_silently(files):
    status, lines, err = run(files("通知.txt", "关于开展政务公开检查的通知\n"))
    assert (status, lines, err) == (0, [], "")


def test_findings_are_json_lines_and_exit_1(files):
    path = files("决定书.txt", LEAKY_TEXT)
    status, lines, err = run(path)
    assert status == 1
    assert err == ""
    assert lines == [
        {
            "file": str(path),
            "kind": "secrecy_marking",
            "excerpt": "机密★1年 当事人身份证号11…",
            "position": 0,
            "location": "line 1",
        },
        {
            "file": str(path),
            "kind": "resident_id",
            "excerpt": "…1年 当事人身份证号110***********002X，电话138****…",
            "position": LEAKY_TEXT.index("1101"),
            "location": "line 2",
        },
        {
            "file": str(path),
            "kind": "mobile",
            "excerpt": "…***002X，电话138****5678。",
            "position": LEAKY_TEXT.index("1381"),
            "location": "line 2",
        },
    ]


def test_location_in_a_docx(files):
    path = files(
        "决定书.docx", docx_bytes(header="内部资料", body=["正文", "账号6222021234567894"])
    )
    status, lines, _ = run(path)
    assert status == 1
    assert [(line["kind"], line["location"]) for line in lines] == [
        ("bank_card", "paragraph 2"),
        ("secrecy_marking", "header"),
    ]
    assert lines[0]["excerpt"] == "正文 账号6222********7894 内部资料"


def test_missing_file_exits_2_with_one_line_on_stderr(files, tmp_path):
    status, lines, err = run(tmp_path / "nope.pdf")
    assert status == 2
    assert lines == []
    assert err == f"{tmp_path / 'nope.pdf'}: error: cannot read: No such file or directory\n"


def test_directory_is_unreadable(tmp_path):
    status, _, err = run(tmp_path)
    assert status == 2
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("scan.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image file"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "legacy"),
        ("broken.pdf", b"%PDF-1.4\n%%garbage", "corrupt PDF"),
        ("scan2.pdf", pdf_bytes([[]]), "without a text layer"),
    ],
)
def test_unknown_or_corrupt_file_exits_2(files, name, data, message):
    status, lines, err = run(files(name, data))
    assert status == 2
    assert lines == []
    assert message in err
    assert err.count("\n") == 1


def test_zip_bomb_docx_exits_2_quickly(files):
    path = files("决定书.docx", zip_bomb_docx())
    started = time.monotonic()
    status, _, err = run(path)
    assert status == 2
    assert "zip bomb" in err
    assert time.monotonic() - started < 2


def test_unreadable_wins_over_found(files, tmp_path):
    leaky = files("决定书.txt", LEAKY_TEXT)
    status, lines, err = run(leaky, tmp_path / "missing.docx", files("通知.txt", "正文"))
    assert status == 2
    assert {line["file"] for line in lines} == {str(leaky)}  # the readable files still screened
    assert "missing.docx" in err


def test_found_wins_over_clean(files):
    status, lines, _ = run(files("通知.txt", "正文"), files("决定书.txt", LEAKY_TEXT))
    assert status == 1
    assert len(lines) == 3


def test_renamed_text_is_read_by_content(files):
    path = files("决定书.pdf", "当事人身份证号11010519491231002X")
    status, lines, err = run(path)
    assert status == 1
    assert [line["kind"] for line in lines] == ["resident_id"]
    assert err == f"{path}: warning: content is TEXT although the name says PDF\n"


def test_pdf_with_cjk_marking(files):
    status, lines, _ = run(files("通报.pdf", pdf_bytes([["机密", "关于……的通报"]])))
    assert status == 1
    assert lines[0]["kind"] == "secrecy_marking"
    assert lines[0]["location"] == "page 1"


def test_paths_are_named_as_typed_and_the_worst_status_wins(files, tmp_path, monkeypatch):
    """As an operator runs it in a directory: relative names, one of them missing. (The
    `gongkai` program itself is run as a real process in core/tests/test_commands.py.)"""
    files("a.txt", LEAKY_TEXT)
    monkeypatch.chdir(tmp_path)

    status, lines, err = run("a.txt", "missing.txt")

    assert status == 2
    assert [(line["file"], line["kind"]) for line in lines] == [
        ("a.txt", "secrecy_marking"),
        ("a.txt", "resident_id"),
        ("a.txt", "mobile"),
    ]
    assert err == "missing.txt: error: cannot read: No such file or directory\n"
