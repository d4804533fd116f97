"""Reply letters (政府信息公开申请答复告知书, Art. 36–39).

Each reply type has a text: the agency's own ``ReplyTemplate``, else the platform default
row, else the default in ``data/reply_templates.toml`` (the law as data, checked once at
load). The text is filled from the request and the reply and laid out as a DOCX in the
manner of an official document (A4, 仿宋 body, centred bold title, agency and date at the
foot).

Templates are edited by agencies, so filling them never fails: only ``{name}`` with a
known name is replaced; unknown names, stray braces, ``{a.b}`` or ``{a:spec}`` stay in
the letter as written, where staff will see them. The applicant's ID number and phone are
never offered as placeholders.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import string
import tomllib
import zipfile
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources

import docx
from django.db.models import F, Q
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips

from gongkai.core import clock
from gongkai.foi.models import ReplyTemplate
from gongkai.foi.outcomes import REPLY_RULES, ReplyType

__all__ = [
    "PLACEHOLDERS",
    "ReplyTemplateError",
    "build_reply_letter",
    "chinese_date",
    "default_templates",
    "parse_templates",
    "render_reply_text",
    "required_placeholders",
    "template_for",
    "validate_template_body",
]

# What each placeholder stands for, shown in the back office's template editor.
PLACEHOLDERS: dict[str, str] = {
    "applicant": "申请人姓名或名称",
    "tracking_number": "申请编号",
    "received_on": "收到申请日期",
    "replied_on": "答复日期",
    "description": "申请人对所需信息的描述",
    "content": "答复内容",
    "legal_basis": "不予公开的理由和法律依据",
    "responsible_agency": "负责公开该信息的机关",
    "responsible_agency_contact": "该机关的联系方式",
    "remedy": "救济途径",
    "agency": "本机关名称",
    "agency_address": "本机关地址",
    "agency_phone": "本机关联系电话",
}

# Why a placeholder is required, by the rule that requires it.
_CONTENT = ("content", "答复告知书应当载明答复内容")
_REMEDY = ("remedy", "不予公开、无法提供或者不予处理的答复应当告知申请行政复议或者提起行政诉讼的途径（第三十六条）")
_LEGAL_BASIS = ("legal_basis", "不予公开的内容应当说明理由并列明法律依据（第三十六条第三项、第三十七条）")
_RESPONSIBLE = ("responsible_agency", "应当告知负责公开该政府信息的行政机关（第三十六条第五项）")
_RESPONSIBLE_CONTACT = ("responsible_agency_contact", "应当告知该行政机关的联系方式（第三十六条第五项）")

TITLE_FONT = "宋体"
BODY_FONT = "仿宋"
TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号


class ReplyTemplateError(ValueError):
    """``reply_templates.toml`` does not give a lawful letter for every reply type."""


def chinese_date(day: dt.date) -> str:
    """2025年1月24日 — the date as an official document writes it."""
    return f"{day.year}年{day.month}月{day.day}日"


# --- placeholders ---------------------------------------------------------------------

# "{{" and "}}" are escaped braces, as in str.format; "{name}" is a field; nothing else is.
_TOKEN = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")


class _LenientFormatter(string.Formatter):
    """``str.format`` that cannot fail on an edited template: only a plain ``{name}`` is a
    field (no attribute or index access, no format spec, no conversion); any other brace
    is literal text."""

    def parse(self, format_string: str) -> Iterator[tuple[str, str | None, str | None, str | None]]:
        pos = 0
        for match in _TOKEN.finditer(format_string):
            literal = format_string[pos:match.start()]
            pos = match.end()
            if match.group(1) is None:
                yield literal + match.group(0)[0], None, None, None
            else:
                yield literal, match.group(1), "", None
        yield format_string[pos:], None, None, None


class _Values(dict):
    """Placeholder values; an unknown name renders as itself, braces and all."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


_formatter = _LenientFormatter()


def _fields(text: str) -> list[str]:
    return [name for _, name, _, _ in _formatter.parse(text) if name is not None]


def _fill(text: str, values: Mapping[str, str]) -> str:
    return _formatter.vformat(text, (), _Values(values))


def required_placeholders(reply_type: ReplyType | str) -> list[tuple[str, str]]:
    """The placeholders a letter of this type must contain, each with the reason."""
    rule = REPLY_RULES[ReplyType(reply_type)]
    required = [_CONTENT]
    if rule.refusal:
        required.append(_REMEDY)
    if rule.needs_ground:
        required.append(_LEGAL_BASIS)
    if rule.names_agency:
        required += [_RESPONSIBLE, _RESPONSIBLE_CONTACT]
    return required


def validate_template_body(reply_type: ReplyType | str, body: str) -> list[str]:
    """Problems with a template body, in Chinese, for the template editor; empty if none.

    Lists each placeholder the reply type's rule requires and the body lacks, then each
    unknown placeholder (a typo would otherwise print as ``{aplicant}`` in the letter).
    """
    present = _fields(body)
    problems = [
        f"缺少占位符{{{name}}}（{PLACEHOLDERS[name]}）：{why}"
        for name, why in required_placeholders(reply_type) if name not in present
    ]
    unknown = [name for name in dict.fromkeys(present) if name not in PLACEHOLDERS]
    problems += [f"未知的占位符{{{name}}}，将原样显示在答复告知书中" for name in unknown]
    return problems


# --- templates ------------------------------------------------------------------------

def _read_templates_text() -> str:
    return resources.files("gongkai.foi").joinpath("data", "reply_templates.toml").read_text(
        encoding="utf-8"
    )


def parse_templates(text: str) -> dict[ReplyType, tuple[str, str]]:
    """Parse and check a reply-templates document: one ``[type]`` table with a ``title``
    and a ``body`` for every reply type, each body carrying the placeholders its rule
    requires. Strict, so a typo fails at start rather than in a letter to a citizen."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ReplyTemplateError(f"reply_templates.toml: {exc}") from exc
    known = {rt.value for rt in ReplyType}
    if unknown := sorted(set(data) - known):
        raise ReplyTemplateError(f"reply_templates.toml: unknown reply type(s): {', '.join(unknown)}")
    templates: dict[ReplyType, tuple[str, str]] = {}
    for reply_type in ReplyType:
        where = f"reply_templates.toml [{reply_type.value}]（{reply_type.label}）"
        entry = data.get(reply_type.value)
        if entry is None:
            raise ReplyTemplateError(f"{where}: missing; every reply type needs a default letter")
        if not isinstance(entry, dict) or set(entry) != {"title", "body"}:
            raise ReplyTemplateError(f"{where}: needs exactly the keys title and body")
        title, body = entry["title"], entry["body"]
        if not (isinstance(title, str) and title.strip() and isinstance(body, str) and body.strip()):
            raise ReplyTemplateError(f"{where}: title and body must be non-empty text")
        problems = validate_template_body(reply_type, body) + [
            f"标题中未知的占位符{{{name}}}" for name in _fields(title) if name not in PLACEHOLDERS
        ]
        if problems:
            raise ReplyTemplateError(f"{where}: {'；'.join(problems)}")
        templates[reply_type] = (title.strip(), body.strip())
    return templates


@cache
def default_templates() -> dict[ReplyType, tuple[str, str]]:
    """The platform's default letters from the packaged TOML, parsed and checked once."""
    return parse_templates(_read_templates_text())


def template_for(agency, reply_type: ReplyType | str) -> tuple[str, str]:
    """(title, body) for a reply of this type from this agency: its own template, else
    the platform default row (no agency), else the packaged default."""
    reply_type = ReplyType(reply_type)
    row = (
        ReplyTemplate.objects.filter(Q(agency=agency) | Q(agency__isnull=True), reply_type=reply_type)
        .order_by(F("agency").asc(nulls_last=True))
        .values_list("title", "body")
        .first()
    )
    return row if row is not None else default_templates()[reply_type]


# --- rendering ------------------------------------------------------------------------

def _values(reply) -> dict[str, str]:
    """Placeholder values: name, tracking number, dates, the decision and the agency —
    never the ID number or the phone."""
    request = reply.request
    agency = request.agency
    received_on = request.received_on or clock.localdate_of(request.submitted_at)
    return {
        "applicant": request.name,
        "tracking_number": request.tracking_number,
        "received_on": chinese_date(received_on),
        "replied_on": chinese_date(reply.replied_on),
        # Quoted inside a sentence, so kept on one line.
        "description": " ".join(request.description.split()),
        "content": reply.content,
        "legal_basis": reply.legal_basis,
        "responsible_agency": reply.responsible_agency,
        "responsible_agency_contact": reply.responsible_agency_contact,
        "remedy": reply.remedy,
        "agency": agency.name,
        "agency_address": agency.address,
        "agency_phone": agency.phone,
    }


def _paragraphs(body: str, values: Mapping[str, str]) -> list[str]:
    """One paragraph per line of the template; a line whose placeholders are all empty
    (the remedy of a disclosure, an agency without a phone) is left out; a value of
    several lines (the decision) becomes several paragraphs."""
    paragraphs = []
    for line in body.splitlines():
        known = [name for name in _fields(line) if name in values]
        if known and not any(values[name] for name in known):
            continue
        paragraphs += [p.strip() for p in _fill(line, values).splitlines() if p.strip()]
    return paragraphs


def render_reply_text(reply) -> tuple[str, list[str]]:
    """The letter's title and body paragraphs, filled from the request and the reply."""
    title, body = template_for(reply.request.agency, reply.reply_type)
    values = {name: (value or "").strip() for name, value in _values(reply).items()}
    return " ".join(_fill(title, values).split()), _paragraphs(body, values)


# --- the document ---------------------------------------------------------------------

def _set_font(run_or_style, name: str, size: Pt, *, bold: bool = False) -> None:
    """Latin and East Asian font alike: Word takes Chinese glyphs from w:eastAsia."""
    font = run_or_style.font
    font.name, font.size, font.bold = name, size, bold
    r_pr = run_or_style.element.get_or_add_rPr()
    r_pr.get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _add(document, text: str, *, align=None, indent: bool = False, font: str = BODY_FONT,
         size: Pt = BODY_SIZE, bold: bool = False):
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.line_spacing = Pt(28)  # GB/T 9704: 22 lines a page of 三号 text
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = size * 2  # two characters
    _set_font(paragraph.add_run(text), font, size, bold=bold)
    return paragraph


def _stable_zip(data: bytes, when: dt.date) -> bytes:
    """The same letter gives the same bytes: zip entries dated the reply date."""
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(zipfile.ZipInfo(item.filename, date_time=stamp), src.read(item.filename),
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def build_reply_letter(reply) -> bytes:
    """The reply letter as a DOCX: A4 with GB/T 9704 margins, the title centred in bold,
    the application number under it, the body, and the agency and reply date at the foot.
    """
    title, paragraphs = render_reply_text(reply)
    request = reply.request

    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Twips(11906), Twips(16838)  # A4, as Word writes it
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = document.styles["Normal"]
    _set_font(normal, BODY_FONT, BODY_SIZE)
    r_pr = normal.element.get_or_add_rPr()
    if (lang := r_pr.find(qn("w:lang"))) is None:
        lang = OxmlElement("w:lang")
        r_pr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    lang.set(qn("w:eastAsia"), "zh-CN")

    _add(document, title, align=WD_ALIGN_PARAGRAPH.CENTER, font=TITLE_FONT, size=TITLE_SIZE, bold=True)
    _add(document, f"（申请编号：{request.tracking_number}）", align=WD_ALIGN_PARAGRAPH.CENTER)
    _add(document, "")
    for index, text in enumerate(paragraphs):
        # The salutation ("张三：") starts at the margin; the rest are indented.
        _add(document, text, indent=not (index == 0 and text.endswith("：")))
    _add(document, "")
    _add(document, request.agency.name, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _add(document, chinese_date(reply.replied_on), align=WD_ALIGN_PARAGRAPH.RIGHT)

    moment = dt.datetime.combine(reply.replied_on, dt.time(), tzinfo=dt.UTC)
    props = document.core_properties
    props.title, props.author, props.last_modified_by = title, request.agency.name, request.agency.name
    props.created = props.modified = moment
    props.revision = 1

    out = io.BytesIO()
    document.save(out)
    return _stable_zip(out.getvalue(), reply.replied_on)
