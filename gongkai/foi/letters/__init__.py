"""The letters of a request (告知文书): the reply letter (答复告知书, Art. 36–39) and the
notices the regulation requires on the way — 补正申请告知书 (Art. 30), 第三方意见征询函
(Art. 32), 延期答复告知书 (Art. 33), 收费通知书 (Art. 42) — each numbered (文号), laid out
as DOCX and PDF, and previewed as the clerk types.

- ``replies``: reply templates (agency / platform / packaged), their checks and text;
- ``notices``: the notices' texts and the delivery sentence, ``data/notice_templates.toml``;
- ``dedup``: the clerk's sentences the template already says are dropped;
- ``compose``: what each letter says (``LetterText``), from records or form fields;
- ``document`` / ``pdf``: the layout as DOCX and PDF;
- ``numbering``: the 文号 pattern and the gap-free serial.

Issuing (number, files, ``Letter`` row, audit) is ``foi.services.letters``.
"""

from __future__ import annotations

from gongkai.foi.letters.compose import (
    LetterInputError,
    compose,
    preview_letter,
    reply_letter,
)
from gongkai.foi.letters.dedup import without_repeats
from gongkai.foi.letters.document import SEAL_MARK, LetterText, build_docx
from gongkai.foi.letters.fill import chinese_date
from gongkai.foi.letters.notices import (
    NoticeTemplateError,
    delivery_sentence,
    notice_templates,
    parse_notice_templates,
)
from gongkai.foi.letters.numbering import (
    PREVIEW_NUMBER,
    format_number,
    pattern_problems,
    take_number,
)
from gongkai.foi.letters.pdf import LetterFontError, build_pdf
from gongkai.foi.letters.replies import (
    PLACEHOLDERS,
    ReplyTemplateError,
    ReplyText,
    default_templates,
    parse_templates,
    render_reply_text,
    reply_text,
    required_placeholders,
    template_for,
    validate_template_body,
)

__all__ = [
    "PLACEHOLDERS",
    "PREVIEW_NUMBER",
    "SEAL_MARK",
    "LetterFontError",
    "LetterInputError",
    "LetterText",
    "NoticeTemplateError",
    "ReplyTemplateError",
    "ReplyText",
    "build_docx",
    "build_pdf",
    "chinese_date",
    "compose",
    "default_templates",
    "delivery_sentence",
    "format_number",
    "notice_templates",
    "parse_notice_templates",
    "parse_templates",
    "pattern_problems",
    "preview_letter",
    "render_reply_text",
    "reply_letter",
    "reply_text",
    "required_placeholders",
    "take_number",
    "template_for",
    "validate_template_body",
    "without_repeats",
]

