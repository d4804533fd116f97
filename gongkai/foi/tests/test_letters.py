"""Reply letters (答复告知书): every reply type, made through the real services and read
back with python-docx; template precedence; forgiving placeholders; the template checks."""

import datetime as dt
import io
import zipfile

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from pypdf import PdfReader

from gongkai.core.tests.helpers import at
from gongkai.foi import letters
from gongkai.foi.letters import (
    ReplyTemplateError,
    build_docx,
    chinese_date,
    default_templates,
    render_reply_text,
    reply_letter,
    reply_text,
    template_for,
    validate_template_body,
    without_repeats,
)
from gongkai.foi.letters import replies as reply_templates
from gongkai.foi.models import Letter, LetterKind, Reply, ReplyTemplate
from gongkai.foi.outcomes import REPLY_RULES, ReplyType
from gongkai.foi.services.replies import request_reply
from gongkai.foi.services.requests import ApplicantData, request_register

ID_NUMBER = "11010519491231002X"
PHONE = "13912345678"
RECEIVED_ON = dt.date(2025, 1, 24)
REPLIED_ON = dt.date(2025, 2, 10)
LEGAL_BASIS = "该信息属于内部事务信息，依据《中华人民共和国政府信息公开条例》第十六条第一款，可以不予公开。"
RESPONSIBLE = "测试市生态环境局"
RESPONSIBLE_CONTACT = "0571-87654321"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _fresh_defaults():
    default_templates.cache_clear()
    yield
    default_templates.cache_clear()


@pytest.fixture
def received(bureau, office):
    """A request received in person on 24 January 2025."""
    at(RECEIVED_ON)
    request, _ = request_register(
        actor=office, agency=bureau, channel="in_person", received_on=RECEIVED_ON,
        data=ApplicantData(
            applicant_type="natural_person", name="李四", id_type="resident_id",
            id_number=ID_NUMBER, phone=PHONE, description="2024年度食品安全监督抽检结果",
            delivery="post", address="测试市滨河区长安路18号",
        ),
    )
    return request


@pytest.fixture
def reply(received, office):
    """`reply(reply_type, **fields)` → the reply made on 10 February 2025."""

    def make(reply_type: ReplyType, **fields):
        at(REPLIED_ON)
        values = {
            "reply_type": reply_type, "outcome": REPLY_RULES[reply_type].outcomes[0],
            "content": "经查，具体情况见下。", "legal_basis": LEGAL_BASIS,
            "responsible_agency": RESPONSIBLE, "responsible_agency_contact": RESPONSIBLE_CONTACT,
        }
        return request_reply(actor=office, request=received, **(values | fields))

    return make


def open_letter(data: bytes):
    return docx.Document(io.BytesIO(data))


def issued_docx(made: Reply) -> bytes:
    """The reply letter as issued with the reply (the stored DOCX of its ``Letter``)."""
    issued = Letter.objects.get(request=made.request, kind=LetterKind.REPLY)
    with issued.docx.open("rb") as stored:
        return stored.read()


def rebuilt_docx(made: Reply) -> bytes:
    """The reply letter laid out again from the reply, under the number it was issued with."""
    issued = Letter.objects.get(request=made.request, kind=LetterKind.REPLY)
    return build_docx(reply_letter(made, document_number=issued.document_number))


def texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def whole_package(data: bytes) -> str:
    """Every part of the DOCX as text, to look for what must never be in it."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return "".join(package.read(name).decode("utf-8", "replace") for name in package.namelist())


# --- every reply type ----------------------------------------------------------------------

@pytest.mark.parametrize("reply_type", list(ReplyType), ids=[rt.value for rt in ReplyType])
def test_every_reply_type_gets_a_complete_letter_attached_to_the_reply(reply, reply_type):
    made = reply(reply_type)
    rule = REPLY_RULES[reply_type]

    # Stored encrypted under a generated name: no tracking number in it (issue 15).
    assert made.letter.name.endswith(".enc") and made.request.tracking_number not in made.letter.name
    with made.letter.open("rb") as stored:
        data = stored.read()
    document = open_letter(data)
    paragraphs = texts(document)
    text = "\n".join(paragraphs)

    title = default_templates()[reply_type][0]
    issued = Letter.objects.get(request=made.request, kind=LetterKind.REPLY)
    assert paragraphs[:5] == [title, "2025年依申请公开第1号", f"（申请编号：{made.request.tracking_number}）",
                              "", "李四："]
    assert issued.document_number == "2025年依申请公开第1号" and issued.title == title
    assert issued.docx.name == made.letter.name and issued.pdf.name.endswith(".enc")
    assert "本机关于2025年1月24日收到您提出的政府信息公开申请" in text
    assert "“2024年度食品安全监督抽检结果”" in text
    assert "经查，具体情况见下。" in paragraphs
    assert paragraphs[-3:] == ["（盖章）", "测试市市场监督管理局", "2025年2月10日"]
    assert text.count("李四：") == 1  # the template's salutation is the addressee line
    assert ("如对本答复不服" in text) is rule.refusal
    if rule.refusal:
        assert made.remedy in paragraphs
    if rule.needs_ground:
        assert LEGAL_BASIS in text
    if rule.names_agency:
        assert f"负责公开该政府信息的行政机关：{RESPONSIBLE}" in paragraphs
        assert f"该机关的联系方式：{RESPONSIBLE_CONTACT}" in paragraphs
    assert "{" not in text and "}" not in text

    package = whole_package(data)
    assert ID_NUMBER not in package and ID_NUMBER[:17] not in package
    assert PHONE not in package


@pytest.mark.parametrize("reply_type", list(ReplyType), ids=[rt.value for rt in ReplyType])
def test_every_default_letter_cites_its_article(reply_type):
    article = {
        ReplyType.ALREADY_PUBLISHED: "第三十六条第一项", ReplyType.DISCLOSED: "第三十六条第二项",
        ReplyType.PARTIALLY_DISCLOSED: "第三十七条", ReplyType.NOT_DISCLOSED: "第三十六条第三项",
        ReplyType.DOES_NOT_EXIST: "第三十六条第四项", ReplyType.NOT_THIS_AGENCY: "第三十六条第五项",
        ReplyType.NEEDS_COMPILATION: "第三十八条", ReplyType.STILL_UNCLEAR: "第三十条",
        ReplyType.REPEAT: "第三十六条第六项", ReplyType.OTHER_LAW: "第三十六条第七项",
        ReplyType.PETITION: "第三十九条第一款", ReplyType.PUBLICATION: "第三十九条第二款",
        ReplyType.EXCESSIVE: "第三十五条", ReplyType.CONFIRMATION: "第三十八条",
    }[reply_type]
    title, body = default_templates()[reply_type]
    assert "《中华人民共和国政府信息公开条例》" in body and article in body
    assert validate_template_body(reply_type, body) == []


def test_letter_is_a4_with_centred_bold_title_and_east_asian_font_on_every_run(reply):
    document = open_letter(issued_docx(reply(ReplyType.DISCLOSED)))

    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    title = document.paragraphs[0]
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert all(run.bold for run in title.runs)
    assert [p.alignment for p in document.paragraphs[-3:]] == [WD_ALIGN_PARAGRAPH.RIGHT] * 3
    assert document.paragraphs[1].alignment == WD_ALIGN_PARAGRAPH.CENTER  # 文号 under the title
    runs = [run for p in document.paragraphs for run in p.runs]
    assert runs
    for run in runs:
        assert run.element.rPr.rFonts.get(qn("w:eastAsia")) in {"仿宋", "宋体"}


def test_the_same_reply_gives_the_same_bytes(reply):
    made = reply(ReplyType.NOT_DISCLOSED)
    assert rebuilt_docx(made) == rebuilt_docx(made) == issued_docx(made)


def test_decision_of_several_lines_becomes_several_paragraphs(reply):
    made = reply(ReplyType.DISCLOSED, content="一、2024年第一季度抽检结果见附件一。\n\n二、第二季度抽检结果见附件二。")
    _, paragraphs = render_reply_text(made)
    assert "一、2024年第一季度抽检结果见附件一。" in paragraphs
    assert "二、第二季度抽检结果见附件二。" in paragraphs


def test_lines_whose_values_are_missing_are_left_out(reply, bureau):
    made = reply(ReplyType.DISCLOSED)
    _, paragraphs = render_reply_text(made)
    assert not any("联系电话" in p or "地址：" in p for p in paragraphs)  # agency has neither
    assert not any("如对本答复不服" in p for p in paragraphs)  # no remedy on a disclosure

    bureau.phone, bureau.address = "0571-12345678", "测试市人民路1号"
    bureau.save()
    made.request.agency.refresh_from_db()
    _, paragraphs = render_reply_text(made)
    assert "如有疑问，请与本机关联系，联系电话：0571-12345678。" in paragraphs
    # The applicant chose post: the letter says post, and nothing about pickup.
    assert "本机关将以邮寄方式将上述政府信息寄送至您在申请中提供的通信地址，请注意查收。" in paragraphs
    assert not any("领取" in p for p in paragraphs)


def test_received_and_reply_dates_are_written_in_chinese():
    assert chinese_date(dt.date(2025, 1, 4)) == "2025年1月4日"
    assert chinese_date(dt.date(2025, 12, 24)) == "2025年12月24日"


# --- which template ------------------------------------------------------------------------

def test_agency_template_overrides_the_platform_default_and_the_packaged_text(reply, bureau, other_agency):
    ReplyTemplate.objects.create(agency=None, reply_type=ReplyType.DOES_NOT_EXIST,
                                 title="平台统一告知书", body="{applicant}：\n{content}\n{remedy}")
    ReplyTemplate.objects.create(agency=other_agency, reply_type=ReplyType.DOES_NOT_EXIST,
                                 title="他机关告知书", body="{content}\n{remedy}")
    assert template_for(bureau, ReplyType.DOES_NOT_EXIST)[0] == "平台统一告知书"
    assert template_for(bureau, ReplyType.DISCLOSED) == default_templates()[ReplyType.DISCLOSED]

    ReplyTemplate.objects.create(
        agency=bureau, reply_type=ReplyType.DOES_NOT_EXIST, title="{agency}政府信息不存在告知书",
        body="{applicant}：\n本局经检索，未找到您申请的信息（{tracking_number}）。\n{content}\n{remedy}",
    )
    made = reply(ReplyType.DOES_NOT_EXIST)
    document = open_letter(made.letter.open("rb").read())
    paragraphs = texts(document)
    assert paragraphs[0] == "测试市市场监督管理局政府信息不存在告知书"
    assert f"本局经检索，未找到您申请的信息（{made.request.tracking_number}）。" in paragraphs
    assert made.remedy in paragraphs


@pytest.mark.parametrize("body, shown", [
    ("{applicant}：\n请联系{contact_person}。\n{content}", "请联系{contact_person}。"),
    ("{applicant}：\n答复{如下：\n{content}", "答复{如下："),
    ("{applicant}：\n编号} {tracking_number\n{content}", "编号} {tracking_number"),
    ("{applicant}：\n{applicant.__class__.__mro__}\n{content}", "{applicant.__class__.__mro__}"),
    ("{applicant}：\n{applicant:>999999999}{0}{}\n{content}", "{applicant:>999999999}{0}{}"),
])
def test_unknown_placeholders_and_stray_braces_stay_visible_and_do_not_crash(reply, bureau, body, shown):
    ReplyTemplate.objects.create(agency=bureau, reply_type=ReplyType.DISCLOSED, title="告知书", body=body)
    made = reply(ReplyType.DISCLOSED)
    paragraphs = texts(open_letter(made.letter.open("rb").read()))
    assert shown in paragraphs
    assert "李四：" in paragraphs


# --- template checks -----------------------------------------------------------------------

def test_a_complete_body_has_no_problems():
    body = "{applicant}：\n{content}\n{legal_basis}\n{remedy}"
    assert validate_template_body(ReplyType.NOT_DISCLOSED, body) == []
    assert validate_template_body(ReplyType.DISCLOSED, "{content}") == []


@pytest.mark.parametrize("reply_type, body, missing", [
    (ReplyType.DISCLOSED, "{applicant}：已公开。", ["content"]),
    (ReplyType.DOES_NOT_EXIST, "{content}", ["remedy"]),
    (ReplyType.NOT_DISCLOSED, "{content}{remedy}", ["legal_basis"]),
    (ReplyType.PARTIALLY_DISCLOSED, "{content}", ["remedy", "legal_basis"]),
    (ReplyType.NOT_THIS_AGENCY, "{content}{remedy}{responsible_agency}", ["responsible_agency_contact"]),
    (ReplyType.NOT_THIS_AGENCY, "{content}{remedy}", ["responsible_agency", "responsible_agency_contact"]),
    (ReplyType.REPEAT, "{content}{remdy}", ["remedy"]),
])
def test_missing_required_placeholders_are_reported_in_chinese(reply_type, body, missing):
    problems = [p for p in validate_template_body(reply_type, body) if p.startswith("缺少")]
    assert [p.split("}")[0].removeprefix("缺少占位符{") for p in problems] == missing


def test_unknown_placeholders_are_reported():
    assert validate_template_body(ReplyType.DISCLOSED, "{content}{aplicant}{aplicant}") == [
        "未知的占位符{aplicant}，将原样显示在答复告知书中"
    ]


def test_packaged_templates_cover_every_reply_type():
    assert set(default_templates()) == set(ReplyType)


def _without(text: str, reply_type: ReplyType) -> str:
    start = text.index(f"[{reply_type.value}]")
    end = text.find("\n[", start + 1)
    return text[:start] + (text[end:] if end != -1 else "")


def test_loader_rejects_a_template_set_missing_a_type(monkeypatch):
    real = reply_templates._read_templates_text()
    monkeypatch.setattr(reply_templates, "_read_templates_text", lambda: _without(real, ReplyType.REPEAT))
    with pytest.raises(ReplyTemplateError, match=r"\[repeat\].*missing"):
        default_templates()


def test_loader_rejects_a_refusal_without_the_remedy(monkeypatch):
    real = reply_templates._read_templates_text()
    start = real.index("[not_this_agency]")
    broken = real[:start] + real[start:].replace("{remedy}\n", "", 1)
    monkeypatch.setattr(reply_templates, "_read_templates_text", lambda: broken)
    with pytest.raises(ReplyTemplateError, match=r"\[not_this_agency\].*\{remedy\}"):
        default_templates()


def test_loader_rejects_an_unknown_type():
    real = reply_templates._read_templates_text()
    with pytest.raises(ReplyTemplateError, match="unknown reply type.*withheld"):
        letters.parse_templates(real + '\n[withheld]\ntitle = "x"\nbody = "{content}"\n')



# --- delivery, repeats, remedies, the issued letter -----------------------------------------

DELIVERY_SENTENCES = {
    "email": "本机关将通过电子邮件将上述政府信息发送至您在申请中提供的电子邮箱，请注意查收。",
    "post": "本机关将以邮寄方式将上述政府信息寄送至您在申请中提供的通信地址，请注意查收。",
    "pickup": "请您携带有效身份证件，在工作时间到本机关领取上述政府信息。",
    "online": "您可以凭申请编号和查询码登录本平台的申请查询页面，查看并下载上述政府信息。",
}


@pytest.mark.parametrize("delivery", list(DELIVERY_SENTENCES))
def test_only_the_way_the_applicant_chose_is_described(reply, received, bureau, delivery):
    bureau.address = "测试市人民路1号"
    bureau.save()
    received.delivery = delivery
    received.save(update_fields=["delivery"])
    for reply_type in (ReplyType.DISCLOSED, ReplyType.PARTIALLY_DISCLOSED):
        _, paragraphs = render_reply_text(Reply(request=received, reply_type=reply_type, replied_on=REPLIED_ON,
                                                content="见附件。", legal_basis=LEGAL_BASIS, remedy="（救济）"))
        assert DELIVERY_SENTENCES[delivery] in paragraphs
        others = [s for way, s in DELIVERY_SENTENCES.items() if way != delivery]
        assert not any(s in p for s in others for p in paragraphs)
        assert ("领取地址：测试市人民路1号。" in paragraphs) is (delivery == "pickup")
        assert not any("如您选择" in p for p in paragraphs)


def test_an_agency_template_with_the_old_pickup_line_still_renders_with_the_chosen_way(reply, bureau):
    ReplyTemplate.objects.create(
        agency=bureau, reply_type=ReplyType.DISCLOSED, title="告知书",
        body="{applicant}：\n{content}\n如您选择当面领取，请携带有效身份证件至本机关领取，地址：{agency_address}。\n特此告知。",
    )
    made = reply(ReplyType.DISCLOSED)  # the applicant chose post
    paragraphs = texts(open_letter(made.letter.open("rb").read()))
    assert DELIVERY_SENTENCES["post"] in paragraphs
    assert not any("当面领取" in p for p in paragraphs)


def test_the_clerk_does_not_repeat_the_template(reply):
    made = reply(ReplyType.DISCLOSED, content=(
        "经审查，您所申请的政府信息属于可以公开的政府信息，现答复如下：\n"
        "一、2024年度抽检结果见附件一。\n二、抽检不合格产品的处置情况见附件二。\n特此告知。"))
    text = reply_text(made)
    assert sum("属于可以公开的政府信息" in p for p in text.paragraphs) == 1
    assert text.paragraphs.count("特此告知。") == 1
    assert "一、2024年度抽检结果见附件一。" in text.paragraphs
    assert "二、抽检不合格产品的处置情况见附件二。" in text.paragraphs
    assert text.dropped == ["经审查，您所申请的政府信息属于可以公开的政府信息，现答复如下：", "特此告知。"]


def test_the_clerks_own_words_are_kept_even_where_they_share_a_phrase(reply):
    made = reply(ReplyType.NOT_DISCLOSED, content="经查，具体情况见下。该文件系内部会议纪要。")
    _, paragraphs = render_reply_text(made)
    assert "经查，具体情况见下。该文件系内部会议纪要。" in paragraphs


@pytest.mark.parametrize("text, fixed, kept, dropped", [
    ("经审查，您所申请的政府信息属于可以公开的政府信息。见附件。",
     "经审查，您所申请的政府信息属于可以公开的政府信息。", "见附件。", 1),
    ("经 审 查, 您所申请的政府信息属于可以公开的政府信息. 见附件。",
     "经审查，您所申请的政府信息属于可以公开的政府信息。", "见附件。", 1),
    ("见附件。", "经审查，您所申请的政府信息属于可以公开的政府信息。", "见附件。", 0),
])
def test_repeats_are_found_without_regard_to_punctuation_and_spaces(text, fixed, kept, dropped):
    result, gone = without_repeats(text, fixed)
    assert result == kept and len(gone) == dropped


def test_the_remedy_typed_by_the_clerk_is_never_dropped(reply, bureau):
    typed = "如对本答复不服，可以自收到本答复之日起六十日内向测试市人民政府申请行政复议。"
    made = reply(ReplyType.NOT_DISCLOSED, remedy=typed)
    assert typed in render_reply_text(made)[1]
    # An agency's older template without {remedy} (saved before the check) still prints it.
    ReplyTemplate.objects.create(agency=bureau, reply_type=ReplyType.NOT_DISCLOSED, title="告知书",
                                 body="{applicant}：\n{content}\n{legal_basis}\n特此告知。")
    _, paragraphs = render_reply_text(made)
    assert paragraphs[-2:] == [typed, "特此告知。"]


def test_the_issued_reply_letter_has_number_seal_agency_date_and_a_pdf_with_the_text(reply):
    made = reply(ReplyType.NOT_DISCLOSED)
    issued = Letter.objects.get(request=made.request)
    with issued.pdf.open("rb") as stored:
        pdf = PdfReader(io.BytesIO(stored.read()))
    text = "".join("".join(page.extract_text().split()) for page in pdf.pages)
    for line in ("政府信息不予公开告知书", "2025年依申请公开第1号", "李四：", "经查，具体情况见下。",
                 "（盖章）", "测试市市场监督管理局", "2025年2月10日", made.remedy):
        assert "".join(line.split()) in text, line
    assert issued.paragraphs == render_reply_text(made)[1][1:]  # without the salutation line
    assert rebuilt_docx(made) == issued_docx(made)
    assert "2025年依申请公开第1号" in texts(open_letter(issued_docx(made)))


def test_a_refusal_without_a_stored_remedy_still_names_the_default_remedies(reply):
    made = reply(ReplyType.DOES_NOT_EXIST)
    made.remedy = ""  # e.g. a reply stored before remedies were required
    _, paragraphs = render_reply_text(made)
    assert any(p.startswith("如对本答复不服") and "测试市人民政府办公室" in p for p in paragraphs)
