"""A draft's numbered articles (第一条, 第二条 …), so a commenter can say which one a
comment is about.

An article starts where a line begins with 第<Chinese numeral>条 (full-width spaces and
indentation before it tolerated) and runs to the next one; chapter and section headings
(第一章, 第一节) end the article before them and are not articles. Numerals are those
of legal drafting: 一 … 十, 十一, 二十, 一百零三, also 〇/零 and 两.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
           "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMERAL = "[零〇一二两三四五六七八九十百千]+"
_ARTICLE = re.compile(rf"^[ \t\u3000]*第({_NUMERAL})条[ \t\u3000]*", re.M)
_HEADING = re.compile(rf"^[ \t\u3000]*第{_NUMERAL}[章节编]", re.M)

__all__ = ["Article", "chinese_numeral", "numeral_text", "parse_articles"]


@dataclass(frozen=True)
class Article:
    number: int
    label: str  # 第三条
    text: str  # the article's text without its label

    @property
    def excerpt(self) -> str:
        text = " ".join(self.text.split())
        return text if len(text) <= 30 else text[:30] + "…"


def chinese_numeral(text: str) -> int:
    """一 → 1, 十 → 10, 二十六 → 26, 一百零三 → 103, 一千零一 → 1001; ValueError if not a numeral."""
    if not text or any(ch not in _DIGITS and ch not in _UNITS for ch in text):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    total, current = 0, 0
    for ch in text:
        if ch in _UNITS:
            total += (current or 1) * _UNITS[ch]
            current = 0
        else:
            current = _DIGITS[ch]
    return total + current


def numeral_text(n: int) -> str:
    """1 → 一, 10 → 十, 26 → 二十六, 103 → 一百零三 (the article labels' own form)."""
    if n <= 0 or n >= 10000:
        raise ValueError("article numbers run from 1 to 9999")
    digits = "零一二三四五六七八九"
    out, zero = [], False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // value % 10
        if d:
            if zero:
                out.append("零")
                zero = False
            out.append(("" if (unit == "十" and d == 1 and not out) else digits[d]) + unit)
        elif out:
            zero = True
    return "".join(out)


def parse_articles(body: str) -> list[Article]:
    """The numbered articles of ``body``, in order. A number already seen (a quoted
    article of another instrument at the start of a line) is skipped: each number once."""
    body = (body or "").replace("\r\n", "\n")
    starts = list(_ARTICLE.finditer(body))
    headings = [m.start() for m in _HEADING.finditer(body)]
    articles: list[Article] = []
    seen: set[int] = set()
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(body)
        end = min([h for h in headings if m.end() <= h < end] or [end])
        number = chinese_numeral(m.group(1))
        if number in seen:
            continue
        seen.add(number)
        articles.append(Article(number, f"第{m.group(1)}条", body[m.end():end].strip()))
    return articles
