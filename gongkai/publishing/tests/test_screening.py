import datetime as dt
import functools
from zoneinfo import ZoneInfo

import pytest

from gongkai.core import clock
from gongkai.core.masking import MaskPattern
from gongkai.core.tests.fixtures import documents as sample_fixtures
from gongkai.core.tests.fixtures.documents import NAMES as SAMPLE_NAMES
from gongkai.core.tests.fixtures.documents import TRADITIONAL as TRADITIONAL_SAMPLE
from gongkai.core.tests.fixtures.documents import sample_documents
from gongkai.publishing.extract import UnreadableFile
from gongkai.publishing.screening import (
    Finding,
    FindingKind,
    redact,
    screen_file,
    screen_text,
)
from gongkai.publishing.tests.fixtures.documents import (
    CARD_LINE,
    ID_LINE,
    LEAKY_LINES,
    MARKING,
    MOBILE_LINE,
    docx_bytes,
    html_bytes,
    pdf_bytes,
    xlsx_bytes,
)

TODAY = dt.date(2025, 6, 1)
ID = FindingKind.RESIDENT_ID
MOBILE = FindingKind.MOBILE
CARD = FindingKind.BANK_CARD
MARK = FindingKind.SECRECY_MARKING


def found(text: str) -> list[tuple[str, str]]:
    return [(f.kind.value, f.value) for f in screen_text(text, today=TODAY)]


# --- resident ID numbers --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("身份证号11010519491231002X。", "11010519491231002X"),
        ("身份证号11010519491231002x。", "11010519491231002x"),
        ("身份证号：１１０１０５１９４９１２３１００２Ｘ", "１１０１０５１９４９１２３１００２Ｘ"),
        ("号码 110105 19491231 002X 。", "110105 19491231 002X"),
        ("ID11010519491231002X", "11010519491231002X"),
        ("旧证号110105491231002", "110105491231002"),  # legacy: a valid birth date suffices
        ("统一社会信用代码（身份证号码）：11010519491231037X", "11010519491231037X"),
    ],
)
def test_resident_id_is_found(text, value):
    assert found(text) == [("resident_id", value)]


@pytest.mark.parametrize(
    "text",
    [
        "身份证号110105194912310021",  # check digit wrong
        "身份证号110105194902300012",  # 1949-02-30, check digit right
        "身份证号11010520300101001X",  # born after today
        "身份证号110105189912310012",  # before 1900
        "身份证号910105194912310025",  # no region starts with 9
        "编号911010519491231002X",  # inside a longer digit run
        "编号11010519491231002X1",  # X inside an alphanumeric run
        "旧证号110105491331002",  # legacy with month 13
        "序号1234567890123456789012",  # too long for anything
        "统一社会信用代码：11010519491231037X",  # an organisation's code that passes both checks
        "注册号：330106000123458",  # registration number whose own check digit is right
    ],
)
def test_non_ids_are_not_found(text):
    assert found(text) == []


def test_birth_date_is_bounded_by_the_platform_today():
    clock.freeze(dt.datetime(2030, 1, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert [f.kind for f in screen_text("11010520300101001X")] == [ID]
    clock.freeze(dt.datetime(2029, 12, 31, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert screen_text("11010520300101001X") == []


# --- mobile numbers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("电话13812345678", "13812345678"),
        ("电话：138 1234 5678。", "138 1234 5678"),
        ("电话：138-1234-5678", "138-1234-5678"),
        ("电话：+86 138 1234 5678", "138 1234 5678"),
        ("电话：+8613812345678", "13812345678"),
        ("电话：１３８１２３４５６７８", "１３８１２３４５６７８"),
        ("Tel:19912345678", "19912345678"),
    ],
)
def test_mobile_is_found(text, value):
    assert found(text) == [("mobile", value)]


def test_two_mobiles_separated_by_a_space_are_both_found():
    assert found("电话13812345678 13912345678") == [
        ("mobile", "13812345678"),
        ("mobile", "13912345678"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "编号913812345678",  # inside a longer run
        "编号138123456789",
        "编号12812345678",  # no mobile prefix 12
        "电话 138 1234 56789",
        "电话 138-1234 5678",  # mixed separators
        "金额13812345678.50元",  # an amount
        "座机0571-8812345",
    ],
)
def test_non_mobiles_are_not_found(text):
    assert found(text) == []


# --- bank cards -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("账号6222021234567894", "6222021234567894"),
        ("账号 6222 0212 3456 7894。", "6222 0212 3456 7894"),
        ("账号：6222-0212-3456-7894", "6222-0212-3456-7894"),
        ("账号6228480012345678903", "6228480012345678903"),
        ("账号 6228 4800 1234 5678 903", "6228 4800 1234 5678 903"),
        ("账号 622848 0012345678903", "622848 0012345678903"),
    ],
)
def test_bank_card_is_found(text, value):
    assert found(text) == [("bank_card", value)]


@pytest.mark.parametrize(
    "text",
    [
        "账号6222021234567890",  # fails Luhn
        "账号6222 0212 3456 7890",
        "编号110105194912310002",  # passes Luhn, but reads as a mistyped ID
        "合同号HT6222021234567894",  # part of a code
        "年份 2002 2003 2004 2005",  # passes Luhn, but a row of years
        "账号62220212345678949",  # longer run fails Luhn: no sub-run is tried
    ],
)
def test_non_cards_are_not_found(text):
    assert found(text) == []


def test_a_valid_id_is_never_also_a_bank_card():
    assert found("11010519491231002X 110105194912310020") == [("resident_id", "11010519491231002X")]


# --- secrecy and internal-use markings ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("秘密★\n关于……的通知", "秘密★"),
        ("机密★1年", "机密★1年"),
        ("绝密★长期", "绝密★长期"),
        ("秘密★6个月", "秘密★6个月"),
        ("本件机密级★，请妥善保管", "机密级★"),
        ("秘密*1年", "秘密*1年"),
        ("机　密★１年", "机　密★１年"),
        ("機密★長期", "機密★長期"),
        ("密级：机密", "密级：机密"),
        ("份号000123 密级:秘密★1年", "密级:秘密★1年"),
        ("保密期限：10年", "保密期限：10年"),
        ("内部资料 注意保存", "内部资料"),
        ("內部資料", "內部資料"),
        ("此件为内部文件", "内部文件"),
        ("仅供内部使用", "仅供内部使用"),
        ("内部参考", "内部参考"),
        ("请注意保密", "注意保密"),
        ("不得外传", "不得外传"),
        ("严禁外传", "严禁外传"),
        ("【内部】工作简报", "【内部】"),
        ("通报（涉密）", "（涉密）"),
        ("〔机密〕", "〔机密〕"),
        ("机密\n关于……的报告", "机密"),
        ("　　秘密级\n正文", "秘密级"),
        ("内　部\n正文", "内　部"),
        ("涉密\n正文", "涉密"),
        ("国家秘密\n正文", "国家秘密"),
        ("★1年\n正文", "★1年"),
        ("名称\t机密\t备注", "机密"),
    ],
)
def test_marking_is_found(text, value):
    assert found(text) == [("secrecy_marking", value)]


@pytest.mark.parametrize(
    "text",
    [
        "按照区政府保密审查的统一部署开展一文一审制度",
        "妥善处理好政务公开与保守国家秘密的关系",
        "1.属于国家秘密",
        "涉及商业秘密、个人隐私的，不予公开",
        "保障数据的机密性和完整性",
        "加强涉密人员和涉密信息系统管理",
        "开展内部审计，健全内部控制",
        "属于三类内部事务信息",
        "内部资料性出版物准印证核发",
        "实行秘密投票",
        "加强机密文件管理",
        "★ 重点工作 ★★★★★",
        "确定密级和保密期限",
        "做好定密工作",
        "不予公开",
    ],
)
def test_innocuous_phrases_are_not_markings(text):
    assert found(text) == []


def test_overlapping_marking_rules_give_one_finding():
    assert found("\n机密★1年\n") == [("secrecy_marking", "机密★1年")]


# --- excerpts -------------------------------------------------------------------------


def test_excerpt_has_context_and_the_value_masked():
    text = "行政处罚决定书 当事人：张某，公民身份号码：11010519491231002X，住所：某市某路1号。"
    [finding] = screen_text(text, today=TODAY)
    assert finding.excerpt == "…张某，公民身份号码：110***********002X，住所：某市某路1号…"
    assert finding.start == text.index("110105")
    assert finding.end == finding.start + 18


def test_excerpt_masks_a_neighbouring_value_too():
    first, second = screen_text("电话13812345678或13912345678。", today=TODAY)
    assert first.excerpt == "电话138****5678或139****56…"
    assert second.excerpt == "…8****5678或139****5678。"


def test_excerpt_shows_markings_as_they_are_and_flattens_lines():
    [finding] = screen_text("机密★1年\n关于开展检查的通知", today=TODAY)
    assert finding.excerpt == "机密★1年 关于开展检查的通知"


def test_finding_repr_does_not_leak_the_value():
    [finding] = screen_text("11010519491231002X", today=TODAY)
    assert "11010519491231002X" not in repr(finding)


# --- redaction ------------------------------------------------------------------------

LEAKY = "机密★1年\n当事人身份证号11010519491231002X，电话138-1234-5678，账号6222 0212 3456 7894。"


def test_redact_masks_personal_data_with_default_patterns_and_keeps_markings():
    findings = screen_text(LEAKY, today=TODAY)
    assert redact(LEAKY, findings) == (
        "机密★1年\n当事人身份证号110***********002X，电话138-****-5678，账号6222 **** **** 7894。"
    )


def test_redact_uses_the_agency_pattern():
    findings = screen_text(LEAKY, today=TODAY)
    patterns = {"resident_id": MaskPattern(6, 0, "×"), "mobile": MaskPattern(0, 4, "#")}
    redacted = redact(LEAKY, findings, patterns=patterns)
    assert "110105××××××××××××" in redacted
    assert "###-####-5678" in redacted
    assert "6222 **** **** 7894" in redacted  # default for kinds the agency left alone
    assert len(redacted) == len(LEAKY)


def test_redact_only_the_chosen_kinds():
    findings = screen_text(LEAKY, today=TODAY)
    redacted = redact(LEAKY, findings, kinds={"mobile"})
    assert "11010519491231002X" in redacted
    assert "138-****-5678" in redacted


def test_markings_are_redacted_only_when_asked():
    findings = screen_text(LEAKY, today=TODAY)
    assert redact(LEAKY, findings, kinds={"secrecy_marking"}).startswith("*****\n当事人身份证号110")


def test_redact_refuses_findings_from_another_text():
    findings = screen_text(LEAKY, today=TODAY)
    with pytest.raises(ValueError, match="does not match"):
        redact("另一个版本" + LEAKY, findings)


def test_redact_never_uncovers_what_an_overlapping_finding_hid():
    text = "13812345678"
    wide = Finding(MOBILE, text, 0, 11, "")
    narrow = Finding(MOBILE, text[3:11], 3, 11, "")  # would show 123 and 5678 on its own
    assert redact(text, [wide, narrow], patterns={"mobile": MaskPattern(3, 4)}) == "138****5678"


def test_redact_rejects_an_unknown_kind():
    with pytest.raises(ValueError):
        redact(LEAKY, [], kinds={"address"})


# --- every kind in every file type ----------------------------------------------------


@functools.cache
def leaky_file(file_type: str) -> tuple[bytes, str]:
    if file_type == "docx":
        return docx_bytes(
            header=MARKING, body=[ID_LINE], table=[[MOBILE_LINE, CARD_LINE]]
        ), "a.docx"
    if file_type == "xlsx":
        cells = {"A1": MARKING, "B2": ID_LINE, "C3": MOBILE_LINE, "D4": CARD_LINE}
        return xlsx_bytes({"处罚信息": cells}), "a.xlsx"
    if file_type == "pdf":
        return pdf_bytes([[MARKING, ID_LINE], [MOBILE_LINE, CARD_LINE]]), "a.pdf"
    if file_type == "html":
        body = f"<p>{MARKING}</p>" + "".join(f"<p>{line}</p>" for line in LEAKY_LINES)
        return html_bytes(body), "a.html"
    return "\n".join([MARKING, *LEAKY_LINES]).encode("gb18030"), "a.txt"


WHERE = {
    "docx": {
        MARK: "header",
        ID: "paragraph 1",
        MOBILE: "table 1, row 1, cell 1",
        CARD: "table 1, row 1, cell 2",
    },
    "xlsx": {MARK: "处罚信息!A1", ID: "处罚信息!B2", MOBILE: "处罚信息!C3", CARD: "处罚信息!D4"},
    "pdf": {MARK: "page 1", ID: "page 1", MOBILE: "page 2", CARD: "page 2"},
    "html": {MARK: "page text", ID: "page text", MOBILE: "page text", CARD: "page text"},
    "text": {MARK: "line 1", ID: "line 2", MOBILE: "line 3", CARD: "line 4"},
}


@pytest.mark.parametrize("kind", [MARK, ID, MOBILE, CARD])
@pytest.mark.parametrize("file_type", list(WHERE))
def test_each_kind_is_found_in_each_file_type(file_type, kind):
    data, name = leaky_file(file_type)
    findings = [f for f in screen_file(data, name, today=TODAY) if f.kind == kind]
    assert len(findings) == 1
    assert findings[0].location == WHERE[file_type][kind]


@pytest.mark.parametrize("file_type", list(WHERE))
def test_each_file_type_finds_nothing_else(file_type):
    data, name = leaky_file(file_type)
    assert sorted(f.kind for f in screen_file(data, name, today=TODAY)) == sorted(
        [MARK, ID, MOBILE, CARD]
    )


def test_invalid_id_in_a_file_is_not_found():
    data = docx_bytes(body=["身份证号110105194912310021"])
    assert screen_file(data, "a.docx", today=TODAY) == []


def test_screen_file_raises_for_unreadable_files():
    with pytest.raises(UnreadableFile):
        screen_file(b"\x89PNG\r\n\x1a\n" + b"\0" * 32, "scan.png")


# --- the project's sample documents ---------------------------------------------------

# What the samples carry that a careless rule would flag: secrecy-policy prose, a table
# row in traditional characters, hotline and office numbers, document numbers, figures.
INNOCUOUS_IN_SAMPLES = [
    "保密审查", "保守国家秘密", "屬于國家秘密", "涉密信息不上网", "属于三类内部事务信息",
    "商业秘密", "12315", "0000-6612315", "青市监发〔2020〕12号", "2020年1月1日", "99.2%",
    "236.8万元", "5302人次", "21436户",
]


def test_the_samples_carry_what_the_screening_must_let_pass():
    texts = sample_documents()
    assert sorted(texts) == sorted(SAMPLE_NAMES)
    assert [p for p in INNOCUOUS_IN_SAMPLES if not any(p in text for text in texts.values())] == []


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_documents_raise_no_personal_data_or_markings(name):
    text = sample_documents()[name]
    assert [(f.kind.value, f.excerpt) for f in screen_text(text, today=TODAY)] == []


INJECTED_MARKING = "机密★10年"


def with_leaks(text: str) -> str:
    """The sample with a marking in its header, an ID line after its middle line, a mobile
    inside a sentence of its second half, and a card line at its end."""
    lines = text.split("\n")
    middle = len(lines) // 2
    lines.insert(middle, ID_LINE)
    sentence = next(i for i in range(middle + 2, len(lines)) if "。" in lines[i])
    lines[sentence] = lines[sentence].replace("。", "，联系电话13812345678。", 1)
    return "\n".join([INJECTED_MARKING, *lines, CARD_LINE])


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_leaks_injected_into_a_sample_are_all_found(name):
    findings = screen_text(with_leaks(sample_documents()[name]), today=TODAY)
    assert [(f.kind, f.value) for f in findings] == [
        (MARK, INJECTED_MARKING),
        (ID, "11010519491231002X"),
        (MOBILE, "13812345678"),
        (CARD, "6222021234567894"),
    ]


def test_a_marking_in_traditional_characters_is_found_in_the_traditional_sample():
    text = "機密★長期\n" + sample_documents()[TRADITIONAL_SAMPLE]
    assert [(f.kind, f.value) for f in screen_text(text, today=TODAY)] == [(MARK, "機密★長期")]


def test_a_missing_sample_folder_fails_rather_than_skips(monkeypatch, tmp_path):
    monkeypatch.setattr(sample_fixtures, "FOLDER", tmp_path / "absent")
    with pytest.raises(sample_fixtures.MissingFixture):
        sample_fixtures.sample_documents()
    (tmp_path / "absent").mkdir()
    (tmp_path / "absent" / SAMPLE_NAMES[0]).write_text("样本", "utf-8")
    with pytest.raises(sample_fixtures.MissingFixture):
        sample_fixtures.sample_documents()
