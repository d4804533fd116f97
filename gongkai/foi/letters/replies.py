"""Reply letters (政府信息公开申请答复告知书, Art. 36–39): their templates and text.

Each reply type has a text: the agency's own ``ReplyTemplate``, else the platform default
row, else the default in ``data/reply_templates.toml`` (the law as data, checked once at
load). The text is filled from the request and the reply. The applicant's ID number and
phone are never offered as placeholders.

What the applicant gets is described by the way they chose (``FoiRequest.delivery``):
``{delivery}`` is the sentence for that way only, from ``notice_templates.toml``. An older
template's fixed "如您选择当面领取…" line is replaced by that sentence too.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from django.db.models import F, Q

from gongkai.foi.letters.dedup import without_repeats
from gongkai.foi.letters.fill import chinese_date, fields_of, fill, fill_lines
from gongkai.foi.models import ReplyTemplate
from gongkai.foi.outcomes import REPLY_RULES, ReplyType

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
    "delivery": "获取信息的方式（按申请人选择的方式表述）",
    "agency": "本机关名称",
    "agency_address": "本机关地址",
    "agency_phone": "本机关联系电话",
}

# The clerk's own fields: compared with the template's fixed wording, never part of it.
CLERK_FIELDS = ("content", "legal_basis", "responsible_agency", "responsible_agency_contact", "remedy")
# Clerk fields cleared of sentences the template already says (never the remedy: the
# remedy the clerk typed is printed as typed).
DEDUPLICATED = ("content", "legal_basis")

# Why a placeholder is required, by the rule that requires it.
_CONTENT = ("content", "答复告知书应当载明答复内容")
_REMEDY = ("remedy", "不予公开、无法提供或者不予处理的答复应当告知申请行政复议或者提起行政诉讼的途径（第三十六条）")
_LEGAL_BASIS = ("legal_basis", "不予公开的内容应当说明理由并列明法律依据（第三十六条第三项、第三十七条）")
_RESPONSIBLE = ("responsible_agency", "应当告知负责公开该政府信息的行政机关（第三十六条第五项）")
_RESPONSIBLE_CONTACT = ("responsible_agency_contact", "应当告知该行政机关的联系方式（第三十六条第五项）")


class ReplyTemplateError(ValueError):
    """``reply_templates.toml`` does not give a lawful letter for every reply type."""


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
    present = fields_of(body)
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
            f"标题中未知的占位符{{{name}}}" for name in fields_of(title) if name not in PLACEHOLDERS
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


# --- text -----------------------------------------------------------------------------

# The reply letter's placeholders that every notice shares (``notices.common_values``);
# the notices' others (periods, issue date) are not placeholders of a reply template.
_SHARED = ("applicant", "tracking_number", "received_on", "description", "agency", "agency_address",
           "agency_phone")


def _values(reply) -> dict[str, str]:
    """Placeholder values: name, tracking number, dates, the decision, the way of
    delivery and the agency — never the ID number or the phone."""
    from gongkai.foi.letters.notices import common_values, delivery_sentence

    request = reply.request
    shared = common_values(request, issued_on=reply.replied_on)
    return {
        **{name: shared[name] for name in _SHARED},
        "replied_on": chinese_date(reply.replied_on),
        "content": reply.content,
        "legal_basis": reply.legal_basis,
        "responsible_agency": reply.responsible_agency,
        "responsible_agency_contact": reply.responsible_agency_contact,
        "remedy": reply.remedy,
        "delivery": delivery_sentence(request),
    }


def _with_delivery(body: str) -> str:
    """The body with an older template's fixed pickup line replaced by ``{delivery}``."""
    from gongkai.foi.letters.notices import is_legacy_delivery_line

    lines = body.splitlines()
    has_delivery = "delivery" in fields_of(body)
    out = []
    for line in lines:
        if is_legacy_delivery_line(line):
            if not has_delivery:
                out.append("{delivery}")
                has_delivery = True
            continue
        out.append(line)
    return "\n".join(out)


def fixed_wording(body: str, values: Mapping[str, str]) -> str:
    """What the template itself says, filled, without the clerk's fields."""
    blank = {**values, **dict.fromkeys(CLERK_FIELDS, "")}
    return "\n".join(fill(line, blank) for line in body.splitlines())


@dataclass(frozen=True)
class ReplyText:
    """A reply letter's title and body, with which paragraphs carry the clerk's text
    (the rest is the template's fixed wording) and what was dropped as a repeat."""

    title: str
    paragraphs: list[str]
    clerk: list[bool] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def reply_text(reply) -> ReplyText:
    """The letter's title and body, filled from the request and the reply: the clerk's
    sentences that the template already says are dropped, and the remedy — the one the
    clerk typed, else the agency's default on a refusal — is always printed, even where
    an agency's template has no place for it."""
    title, body = template_for(reply.request.agency, reply.reply_type)
    body = _with_delivery(body)
    values = {name: (value or "").strip() for name, value in _values(reply).items()}
    if not values["remedy"] and REPLY_RULES[ReplyType(reply.reply_type)].refusal:
        # A refusal always names the remedies (Art. 36): the agency's default if none typed.
        from gongkai.foi.services.replies import default_remedy

        values["remedy"] = default_remedy(reply.request)
    fixed = fixed_wording(body, values)
    dropped: list[str] = []
    for name in DEDUPLICATED:
        if values[name]:
            values[name], gone = without_repeats(values[name], fixed)
            dropped += gone
    paragraphs: list[str] = []
    clerk: list[bool] = []
    for line in body.splitlines():
        filled = fill_lines(line, values)
        mine = any(values.get(name) for name in fields_of(line) if name in CLERK_FIELDS)
        paragraphs += filled
        clerk += [mine] * len(filled)
    remedy = values["remedy"]
    if remedy and not any(remedy in p for p in paragraphs):
        # Before the closing formula ("特此告知。") if the template ends with one.
        at = len(paragraphs) - 1 if paragraphs and len(paragraphs[-1]) <= 8 else len(paragraphs)
        paragraphs.insert(at, remedy)
        clerk.insert(at, True)
    return ReplyText(" ".join(fill(title, values).split()), paragraphs, clerk, dropped)


def render_reply_text(reply) -> tuple[str, list[str]]:
    """The letter's title and body paragraphs, filled from the request and the reply."""
    text = reply_text(reply)
    return text.title, text.paragraphs
