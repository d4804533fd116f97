"""文号 of the letters: the agency's pattern (``AgencyFoiSettings.letter_number_pattern``)
with ``{year}`` and ``{n}``, ``n`` taken gap-free per agency and year inside the issuing
transaction (``core.sequences``): a rolled-back issue gives its number back."""

from __future__ import annotations

import re

from gongkai.core.sequences import next_number

PLACEHOLDERS = {"year": "年度", "n": "本机关当年顺序号"}
DEFAULT_PATTERN = "{year}年依申请公开第{n}号"
MAX_LENGTH = 100  # Letter.document_number
PREVIEW_NUMBER = "〔预览，出具时编号〕"

_FIELD = re.compile(r"\{([^{}]*)\}")


def pattern_problems(pattern: str) -> list[str]:
    """What is wrong with a 文号 pattern, in Chinese; empty if nothing."""
    pattern = (pattern or "").strip()
    if not pattern:
        return ["请填写文号格式"]
    problems = []
    names = _FIELD.findall(pattern)
    if "n" not in names:
        problems.append("文号格式必须包含{n}（本机关当年顺序号），否则各告知文书的文号会相同")
    if "year" not in names:
        # {n} restarts every year: without the year, next year's letters repeat this year's 文号.
        problems.append("文号格式必须包含{year}（年度），否则顺序号每年从1重新开始后文号会与往年重复")
    for name in dict.fromkeys(names):
        if name not in PLACEHOLDERS:
            problems.append(f"文号格式中有未知的占位符{{{name}}}，只能使用{{year}}（年度）和{{n}}（顺序号）")
    if "{" in _FIELD.sub("", pattern) or "}" in _FIELD.sub("", pattern):
        problems.append("文号格式中的花括号不成对，占位符应写作{year}或{n}")
    if len(format_number(pattern, 9999, 99999)) > MAX_LENGTH:
        problems.append(f"文号过长，最多{MAX_LENGTH}个字")
    return problems


def format_number(pattern: str, year: int, n: int) -> str:
    """The 文号 for number ``n`` of ``year``: only ``{year}`` and ``{n}`` are replaced."""
    values = {"year": str(year), "n": str(n)}
    return _FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), pattern.strip())


def sequence_scope(agency) -> str:
    return f"foi.letter:{agency.pk}"


def take_number(agency, year: int, pattern: str | None = None) -> tuple[int, str]:
    """The next serial of the agency's letters in ``year`` and its 文号. Call inside the
    transaction that stores the letter. An invalid stored pattern falls back to the
    default rather than issuing letters with the same number."""
    pattern = pattern or DEFAULT_PATTERN
    if pattern_problems(pattern):
        pattern = DEFAULT_PATTERN
    serial = next_number(sequence_scope(agency), year)
    return serial, format_number(pattern, year, serial)
