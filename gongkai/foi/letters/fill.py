"""Filling letter texts: lenient placeholders, Chinese dates and ordinals.

Templates are edited by agencies, so filling them never fails: only ``{name}`` with a
known name is replaced; unknown names, stray braces, ``{a.b}`` or ``{a:spec}`` stay in
the letter as written, where staff will see them.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Iterator, Mapping

# "{{" and "}}" are escaped braces, as in str.format; "{name}" is a field; nothing else is.
_TOKEN = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")

_DIGITS = "零一二三四五六七八九"


def chinese_date(day: dt.date) -> str:
    """2025年1月24日 — the date as an official document writes it."""
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_ordinal(n: int) -> str:
    """一, 二, … 十, 十一, … 九十九 — for the （一）（二） items of a notice."""
    if not 1 <= n <= 99:
        return str(n)
    tens, units = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[units] if units else "")


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


def fields_of(text: str) -> list[str]:
    """The placeholder names used in ``text``, in order (repeats kept)."""
    return [name for _, name, _, _ in _formatter.parse(text) if name is not None]


def fill(text: str, values: Mapping[str, str]) -> str:
    return _formatter.vformat(text, (), _Values(values))


def fill_lines(body: str, values: Mapping[str, str]) -> list[str]:
    """One paragraph per line of the template; a line whose placeholders are all empty
    (the remedy of a disclosure, an agency without a phone) is left out; a value of
    several lines (the decision) becomes several paragraphs."""
    paragraphs = []
    for line in body.splitlines():
        known = [name for name in fields_of(line) if name in values]
        if known and not any(values[name] for name in known):
            continue
        paragraphs += [p.strip() for p in fill(line, values).splitlines() if p.strip()]
    return paragraphs
