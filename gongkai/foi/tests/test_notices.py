"""The notices of a request (补正告知书, 第三方意见征询函, 延期答复告知书, 收费通知书) issued
through the real services: what each must say by its article, the 文号 (gap-free per
agency and year, a rolled-back issue gives its number back), DOCX and PDF with the same
text, the PDF refused without a CJK font, LibreOffice opening every kind, the preview
endpoint and the audited downloads."""

import datetime as dt
import html
import io
import os
import subprocess
import sys
from pathlib import Path

import docx
import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from gongkai.core.models import AuditEvent, SequenceCounter
from gongkai.core.tests.helpers import at
from gongkai.core.tests.libreoffice import convert_to_pdf, pdf_text, squeezed
from gongkai.foi import deadlines
from gongkai.foi.letters import (
    PREVIEW_NUMBER,
    LetterText,
    build_pdf,
    format_number,
    pattern_problems,
    preview_letter,
)
from gongkai.foi.letters.pdf import embedded_fonts
from gongkai.foi.models import AgencyFoiSettings, FoiEvent, Letter, LetterKind
from gongkai.foi.selectors import request_deadline
from gongkai.foi.services import requests as svc
from gongkai.foi.services.letters import issue_letter
from gongkai.foi.services.replies import request_reply
from gongkai.foi.tests.conftest import applicant
from gongkai.foi.workflow import Action

pytestmark = pytest.mark.django_db
D = dt.date
RECEIVED = D(2025, 3, 3)  # a Monday
AGENCY = "测试市市场监督管理局"
ITEMS = ["请写明所需信息的名称或者文号", "请写明所需信息的形成时间范围"]
THIRD_PARTY = "青岚某某食品有限公司"
CORRECTION_ON = D(2025, 3, 4)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def foi(register):
    return register(RECEIVED)


def docx_lines(letter: Letter) -> list[str]:
    with letter.docx.open("rb") as stored:
        return [p.text for p in docx.Document(io.BytesIO(stored.read())).paragraphs]


def pdf_of(letter: Letter) -> bytes:
    with letter.pdf.open("rb") as stored:
        return stored.read()


def pypdf_text(data: bytes) -> str:
    return squeezed("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def ask_correction(office, foi, on=CORRECTION_ON):
    at(on)
    svc.request_ask_correction(actor=office, request=foi, items=ITEMS, correct_by=D(2025, 3, 14), on=on)
    return Letter.objects.get(request=foi, kind=LetterKind.CORRECTION)


def issue_correction(actor, foi, on):
    """A correction notice issued directly (numbering tests), without the request event."""
    at(on)
    return issue_letter(actor=actor, request=foi, kind=LetterKind.CORRECTION, on=on,
                        fields={"items": ITEMS, "correct_by": on + dt.timedelta(days=10)})


# --- what each notice says --------------------------------------------------------------

def test_correction_notice_lists_every_item_the_date_the_restart_and_the_consequence(office, foi):
    letter = ask_correction(office, foi)
    lines = docx_lines(letter)
    assert lines[:5] == ["政府信息公开申请补正告知书", "2025年依申请公开第1号",
                         f"（申请编号：{foi.tracking_number}）", "", "张三："]
    assert f"（一）{ITEMS[0]}" in lines and f"（二）{ITEMS[1]}" in lines
    text = "".join(lines)
    assert "第三十条" in text and "一次性告知" in text
    assert "请您于2025年3月14日前向本机关提交补正后的申请" in text
    assert "答复期限自本机关收到补正的申请之日起计算" in text
    assert f"{deadlines.REPLY_LIMIT_DAYS}个工作日内予以答复" in text
    assert "无正当理由逾期不补正的，视为放弃申请" in text
    assert lines[-3:] == ["（盖章）", AGENCY, "2025年3月4日"]
    assert letter.addressee == "张三" and letter.visible_to_applicant and letter.issued_by == office
    assert letter.paragraphs == lines[5:-4]  # the body as issued, without the blank line
    event = FoiEvent.objects.get(request=foi, action=Action.REQUEST_CORRECTION)
    assert event.data["document_number"] == "2025年依申请公开第1号"
    entry = AuditEvent.objects.get(action="foi.letter.issue")
    assert entry.after["document_number"] == "2025年依申请公开第1号"
    assert "13800138000" not in str(entry.after) and "张三" not in str(entry.after)


def test_consultation_letter_goes_to_the_third_party_only_and_names_the_period(office, foi):
    at(D(2025, 3, 5))
    consultation = svc.request_start_consultation(actor=office, request=foi, party_kind="third_party",
                                                  party_name=THIRD_PARTY, sent_on=D(2025, 3, 5))
    letter = Letter.objects.get(request=foi, kind=LetterKind.CONSULTATION)
    assert letter.consultation == consultation and letter.addressee == THIRD_PARTY
    assert not letter.visible_to_applicant
    lines = docx_lines(letter)
    text = "".join(lines)
    assert lines[4] == f"{THIRD_PARTY}："
    assert "第三十二条" in text and "“2024年度食品安全监督抽检结果”" in text
    assert f"自收到本函之日起{deadlines.THIRD_PARTY_REPLY_DAYS}个工作日内" in text
    assert "逾期未提出意见的，本机关将依照《中华人民共和国政府信息公开条例》的规定决定是否公开" in text
    assert "张三" not in text  # the applicant is not named to the third party


def test_consulting_another_agency_issues_no_third_party_letter(office, foi):
    at(D(2025, 3, 5))
    svc.request_start_consultation(actor=office, request=foi, party_kind="other_agency",
                                   party_name="测试市生态环境局", sent_on=D(2025, 3, 5))
    assert not Letter.objects.filter(request=foi).exists()


def test_fee_notice_gives_basis_scale_calculation_amount_pay_by_payment_and_pause(office, foi):
    at(D(2025, 3, 6))
    notice = svc.request_send_fee_notice(actor=office, request=foi, scale="per_page", pages=150,
                                         sent_on=D(2025, 3, 6))
    letter = Letter.objects.get(request=foi, kind=LetterKind.FEE)
    assert letter.fee_notice == notice
    text = "".join(docx_lines(letter))
    assert "国办函〔2020〕109号" in text and "第四十二条" in text
    assert "收费标准（按量计收）：第1—30页，不收费；第31—100页，每页10元" in text
    for step in notice.calculation["explanation"]:
        assert step in text
    assert "应缴信息处理费：人民币1700.00元。" in text
    assert f"请您于{notice.pay_by.year}年{notice.pay_by.month}月{notice.pay_by.day}日前缴纳" in text
    assert "缴纳方式：请通过本机关提供的非税收入缴款渠道缴纳" in text
    assert f"次日起{deadlines.FEE_PAYMENT_DAYS}个工作日内缴纳费用" in text
    assert "不计算在政府信息公开申请的答复期限内" in text


def test_fee_notice_says_nothing_of_a_pause_where_the_agency_counts_the_period(office, foi, bureau):
    AgencyFoiSettings.objects.create(agency=bureau, fee_notice_pauses_clock=False)
    at(D(2025, 3, 6))
    preview = preview_letter("fee", foi, {"scale": "per_page", "pages": "40"})
    title, paragraphs = preview.title, preview.paragraphs
    assert title == "政府信息公开信息处理费收费通知书"
    assert "应缴信息处理费：人民币100.00元。" in paragraphs
    assert not any("不计算在政府信息公开申请的答复期限内" in p for p in paragraphs)


def approve_extension(office, leader, foi, *, days, reason, on):
    """An extension as the back office makes it: asked for, approved by the leader, who
    thereby issues the 延期答复告知书."""
    at(on)
    ext = svc.extension_request(actor=office, request=foi, days=days, reason=reason)
    svc.extension_approve(actor=leader, extension=ext)
    return Letter.objects.get(request=foi, kind=LetterKind.EXTENSION)


def test_extension_notice_gives_reason_new_due_date_and_the_ceiling(office, leader, foi):
    at(D(2025, 3, 20))
    # The preview from the form, before the extension is recorded, announces the date
    # the issued notice will.
    preview = preview_letter("extension", foi, {"days": "10", "reason": "所需信息涉及三个科室，需要汇总核实。"})
    letter = approve_extension(office, leader, foi, days=10, reason="所需信息涉及三个科室，需要汇总核实。",
                               on=D(2025, 3, 20))
    due = request_deadline(foi, as_of=D(2025, 3, 20)).due_on
    text = "".join(docx_lines(letter))
    assert letter.kind == LetterKind.EXTENSION and letter.issued_on == D(2025, 3, 20)
    assert letter.issued_by == leader
    assert "因所需信息涉及三个科室，需要汇总核实，本机关不能在规定期限内作出答复" in text
    assert "第三十三条第二款" in text and "答复期限延长10个工作日" in text
    assert f"本机关将于{due.year}年{due.month}月{due.day}日前作出答复" in text
    assert f"最长不超过{deadlines.MAX_EXTENSION_DAYS}个工作日" in text
    assert list(preview.paragraphs) == letter.paragraphs
    event = FoiEvent.objects.get(request=foi, action=Action.EXTEND)
    assert event.data["days"] == 10 and event.on == letter.issued_on


def test_no_extension_notice_without_a_recorded_extension(leader, foi):
    """Only an approved extension's event makes a notice: no numbered 延期答复告知书
    for an extension nobody recorded."""
    from gongkai.foi.services.letters import issue_extension_notice

    register_event = FoiEvent.objects.get(request=foi)
    with pytest.raises(ValueError, match="extension event"):
        issue_extension_notice(leader, foi, register_event)
    with pytest.raises((ValueError, AttributeError)):
        issue_extension_notice(leader, foi, {"days": 10, "reason": "需要汇总核实", "on": D(2025, 3, 20)})
    assert not Letter.objects.filter(request=foi).exists()


# --- 文号 ---------------------------------------------------------------------------------

def test_numbers_are_gap_free_per_agency_and_per_year(office, other_office, foi, register, bureau,
                                                     other_agency):
    numbers = [issue_correction(office, foi, D(2025, 12, 29)).document_number for _ in range(3)]
    assert numbers == [f"2025年依申请公开第{n}号" for n in (1, 2, 3)]
    # Another agency counts on its own.
    at(D(2025, 12, 29))
    theirs, _ = svc.request_register(actor=other_office, agency=other_agency, channel="in_person",
                                     received_on=D(2025, 12, 29),
                                     data=applicant())
    assert issue_correction(other_office, theirs, D(2025, 12, 30)).document_number == "2025年依申请公开第1号"
    # A new year starts again at 1; the old year's series is untouched.
    assert issue_correction(office, foi, D(2026, 1, 5)).document_number == "2026年依申请公开第1号"
    assert issue_correction(office, foi, D(2026, 1, 5)).serial == 2
    assert list(Letter.objects.filter(agency=bureau, year=2025).values_list("serial", flat=True)) == [1, 2, 3]


def test_a_rolled_back_issue_gives_its_number_back(office, foi):
    issue_correction(office, foi, D(2025, 3, 4))
    with pytest.raises(RuntimeError), transaction.atomic():
        issue_correction(office, foi, D(2025, 3, 4))
        raise RuntimeError("the calling service failed after issuing")
    assert issue_correction(office, foi, D(2025, 3, 4)).serial == 2
    # A letter that cannot be written takes no number either.
    with pytest.raises(Exception, match="逐项列明"):
        issue_letter(actor=office, request=foi, kind=LetterKind.CORRECTION, on=D(2025, 3, 4),
                     fields={"items": [], "correct_by": D(2025, 3, 14)})
    assert SequenceCounter.objects.get(scope__startswith="foi.letter", year=2025).value == 2


def test_the_agency_pattern_is_used(office, foi, bureau):
    AgencyFoiSettings.objects.create(agency=bureau, letter_number_pattern="测市监公开〔{year}〕{n}号")
    assert ask_correction(office, foi).document_number == "测市监公开〔2025〕1号"


@pytest.mark.parametrize("pattern, problem", [
    ("{year}年依申请公开", "必须包含{n}"),
    ("青市监公开第{n}号", "必须包含{year}"),  # {n} restarts each year: numbers would repeat
    ("{year}年第{n}号{x}", "未知的占位符{x}"),
    ("{year}年第{n}号{", "花括号不成对"),
    ("", "请填写文号格式"),
])
def test_bad_patterns_are_refused_in_chinese(pattern, problem):
    assert any(problem in p for p in pattern_problems(pattern))


def test_format_number_replaces_only_year_and_n():
    assert format_number("青〔{year}〕{n}号", 2026, 12) == "青〔2026〕12号"
    assert pattern_problems("青〔{year}〕{n}号") == []


def test_settings_form_saves_a_pattern_and_refuses_a_bad_one(client_for, office, bureau):
    client = client_for(office)
    url = reverse("staff:foi-settings")
    base = {"review_body": "", "court": "", "fee_notice_pauses_clock": "on", "duplicate_window_days": "365"}
    page = client.get(url)
    assert "letter_number_pattern" in page.content.decode()
    bad = client.post(url, {**base, "letter_number_pattern": "青〔{year}〕{m}号"})
    assert bad.status_code == 400
    assert "未知的占位符{m}" in html.unescape(bad.content.decode())
    assert not AgencyFoiSettings.objects.filter(agency=bureau).exists()
    good = client.post(url, {**base, "letter_number_pattern": "青〔{year}〕{n}号"})
    assert good.status_code == 302
    assert AgencyFoiSettings.objects.get(agency=bureau).letter_number_pattern == "青〔{year}〕{n}号"
    assert AuditEvent.objects.filter(action="foi.settings.save", agency=bureau).exists()


# --- PDF ------------------------------------------------------------------------------------

def test_pdf_holds_the_letter_text_in_cjk_fonts(office, foi):
    letter = ask_correction(office, foi)
    data = pdf_of(letter)
    text = pypdf_text(data)
    for line in ("政府信息公开申请补正告知书", "2025年依申请公开第1号", "张三：", f"（一）{ITEMS[0]}",
                 "（盖章）", AGENCY, "2025年3月4日"):
        assert squeezed(line) in text, line
    fonts = embedded_fonts(data)
    assert fonts and all("CJK" in name for name in fonts)


def test_pdf_without_a_cjk_font_is_refused(tmp_path):
    """Where fontconfig knows only DejaVu, the letter is not printed in boxes: it fails."""
    assert Path("/usr/share/fonts/truetype/dejavu").is_dir(), "install Debian's fonts-dejavu-core"
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        "<dir>/usr/share/fonts/truetype/dejavu</dir>"
        f"<cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>", encoding="utf-8")
    script = (
        "import datetime, django, sys; django.setup()\n"
        "from gongkai.foi.letters import LetterText, LetterFontError, build_pdf\n"
        "letter = LetterText(kind='correction', title='补正告知书', addressee='张三', paragraphs=('正文',),"
        " agency_name='测试局', issued_on=datetime.date(2025, 3, 4))\n"
        "try:\n    build_pdf(letter)\nexcept LetterFontError as exc:\n    print('refused', exc)\n"
        "else:\n    print('printed')\n"
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "DJANGO_SETTINGS_MODULE": "gongkai.settings_test"}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert out.startswith("refused") and "中文字体" in out, out


def test_pdf_is_built_with_the_installed_cjk_font():
    letter = LetterText(kind="correction", title="补正告知书", addressee="张三", paragraphs=("正文一段。",),
                        agency_name=AGENCY, issued_on=D(2025, 3, 4), document_number="2025年依申请公开第9号")
    assert "2025年依申请公开第9号" in pypdf_text(build_pdf(letter))


# --- LibreOffice ----------------------------------------------------------------------------

def test_every_kind_of_letter_opens_in_libreoffice_with_its_key_lines(office, leader, foi, tmp_path):
    issue_correction(office, foi, CORRECTION_ON)
    at(D(2025, 3, 5))
    svc.request_start_consultation(actor=office, request=foi, party_kind="third_party",
                                   party_name=THIRD_PARTY, sent_on=D(2025, 3, 5))
    svc.request_end_consultation(actor=office, consultation=foi.consultations.get(),
                                 ended_on=D(2025, 3, 5), opinion="agree")
    at(D(2025, 3, 6))
    notice = svc.request_send_fee_notice(actor=office, request=foi, scale="per_page", pages=150,
                                         sent_on=D(2025, 3, 6))
    svc.request_record_payment(actor=office, request=foi, paid_on=D(2025, 3, 6), amount=notice.amount)
    approve_extension(office, leader, foi, days=5, reason="需要汇总核实", on=D(2025, 3, 7))
    at(D(2025, 3, 10))
    request_reply(actor=office, request=foi, reply_type="disclosed", outcome="disclosed",
                  content="一、2024年度抽检结果见附件。", replied_on=D(2025, 3, 10))
    letters = list(Letter.objects.filter(request=foi).order_by("serial"))
    assert {letter.kind for letter in letters} == set(LetterKind.values)
    sources = []
    for letter in letters:
        path = tmp_path / f"{letter.kind}.docx"
        with letter.docx.open("rb") as stored:
            path.write_bytes(stored.read())
        sources.append(path)
    for letter, pdf in zip(letters, convert_to_pdf(sources, tmp_path / "pdf"), strict=True):
        text = squeezed(pdf_text(pdf))
        for line in (letter.title, letter.document_number, f"{letter.addressee}：", letter.paragraphs[1],
                     AGENCY, f"{letter.issued_on.year}年{letter.issued_on.month}月{letter.issued_on.day}日"):
            assert squeezed(line) in text, (letter.kind, line)


# --- preview and downloads --------------------------------------------------------------------

REPLY_FIELDS = {
    "reply-reply_type": "disclosed", "reply-outcome": "disclosed",
    "reply-content": "经审查，您所申请的政府信息属于可以公开的政府信息，现答复如下：一、抽检结果见附件。",
    "reply-replied_on": "2025-03-10",
}


def preview(client, foi, data, **headers):
    return client.post(reverse("staff:foi-letter-preview", args=[foi.pk]), data, **headers)


def test_preview_shows_the_letter_as_issued_marked_and_unnumbered(client_for, office, foi):
    at(D(2025, 3, 10))
    response = preview(client_for(office), foi, REPLY_FIELDS, HTTP_X_LETTER_PREVIEW="1")
    assert response.status_code == 200
    body = html.unescape(response.content.decode())
    assert "<html" not in body  # the fragment alone
    assert "预览" in body and PREVIEW_NUMBER in body and "政府信息公开告知书" in body
    assert "张三：" in body and AGENCY in body and "2025年3月10日" in body and "（盖章）" in body
    # The template's fixed wording is shown; the clerk's repeat of it is not, but listed.
    assert "根据《中华人民共和国政府信息公开条例》第三十六条第二项的规定" in body
    assert "一、抽检结果见附件。" in body
    assert body.count("属于可以公开的政府信息") == 2  # once in the letter, once in the dropped list
    assert "出具时将省略" in body
    assert "本机关将通过电子邮件将上述政府信息发送至您在申请中提供的电子邮箱" in body
    assert not Letter.objects.exists() and not SequenceCounter.objects.filter(scope__startswith="foi.letter").exists()


def test_preview_without_javascript_is_a_page(client_for, office, foi):
    at(D(2025, 3, 10))
    response = preview(client_for(office), foi, REPLY_FIELDS)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" in body and "告知文书预览" in body and PREVIEW_NUMBER in html.unescape(body)


def test_preview_of_a_notice_and_of_an_incomplete_form(client_for, office, foi):
    at(D(2025, 3, 4))
    client = client_for(office)
    response = preview(client, foi, {"letter_kind": "correction", "correction-request-items": "\n".join(ITEMS),
                                     "correction-request-correct_by": "2025-03-14"}, HTTP_X_LETTER_PREVIEW="1")
    assert response.status_code == 200
    assert f"（一）{ITEMS[0]}" in html.unescape(response.content.decode())
    bad = preview(client, foi, {"reply-content": "x"}, HTTP_X_LETTER_PREVIEW="1")
    assert bad.status_code == 400 and "请选择答复类型" in html.unescape(bad.content.decode())


def test_preview_refusals(client, client_for, office, leader, other_office, foi):
    at(D(2025, 3, 10))
    url = reverse("staff:foi-letter-preview", args=[foi.pk])
    assert client_for(other_office).post(url, REPLY_FIELDS).status_code == 404  # another agency
    assert client_for(leader).post(url, REPLY_FIELDS).status_code == 403  # may read, not handle
    assert client_for(office).get(url).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(office)
    assert strict.post(url, REPLY_FIELDS).status_code == 403  # no CSRF token


def test_downloads_are_listed_served_and_audited(client_for, office, other_office, foi):
    letter = ask_correction(office, foi)
    client = client_for(office)
    page = client.get(reverse("staff:foi-detail", args=[foi.pk])).content.decode()
    assert letter.document_number in page and "letter_preview.js" in page
    for fmt, content_type in (("docx", "wordprocessingml"), ("pdf", "application/pdf")):
        url = reverse("staff:foi-letter-file", args=[foi.pk, letter.pk, fmt])
        assert url in page
        response = client.get(url)
        assert response.status_code == 200 and content_type in response["Content-Type"]
        assert b"".join(response.streaming_content)
        assert client_for(other_office).get(url).status_code == 404
        client_for(office)
    assert list(AuditEvent.objects.filter(action="foi.letter.download").order_by("seq").values_list("after__format", flat=True)) \
        == ["docx", "pdf"]
    assert client.get(reverse("staff:foi-letter-file", args=[foi.pk, letter.pk, "exe"])).status_code == 404


def test_the_letters_table_masks_the_applicants_name_like_the_rest_of_the_page(client_for, office, reviewer, foi):
    ask_correction(office, foi)
    page = client_for(reviewer).get(reverse("staff:foi-detail", args=[foi.pk])).content.decode()
    letters = page[page.index("文号"):]
    assert "张三" not in page  # the addressee column shows the masked name
    assert "张*" in letters
