"""The public future values a draw may take as its seed (``data/public_values.toml``), and
when a committed draw may be made.

A public-value draw names, at the commit, a kind of value (a lottery game drawn and
published by its organiser), its period (期号) and the date and time it is published
(开奖时间); the draw is refused before then, and the value is accepted only in the kind's
canonical form. Two rules keep the seed out of the office's hands:

- **it is not known at the commit**: the publication must come at least
  ``PUBLICATION_MARGIN`` after the commit;
- **one result, one spelling**: what is typed ("5 8 1", "5,8,1", "５-８-１") is reduced to
  the canonical form ("581") and anything else refused. Were several spellings accepted,
  each would be a different seed, and the office could compute the draw for each (every
  input is public) and enter the one it likes.

A commitment draw may be made only once its commitment has been public for
``COMMITMENT_MIN_PUBLIC``. No database access here."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils import timezone

from gongkai.core.errors import DomainError

PUBLIC_VALUES_FILE = Path(__file__).parent / "data" / "public_values.toml"

# A commitment draw is refused until its commitment and inputs have been public this long:
# the draw proves only that the seed was fixed before the inputs were *published*, and that
# is worth something only if people outside the platform could keep a copy of the
# commitment and the inputs' hashes before the seed is revealed (a draw in the same second
# as the commit would leave the platform's own records as the only witness).
COMMITMENT_MIN_PUBLIC = dt.timedelta(hours=1)

# Separators an office may type between the digits or numbers of a value.
_SEPARATORS = re.compile(r"[\s,、;；\-–—_/|·.]+")
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class PublicValueKind:
    code: str
    name: str
    title: str
    publisher: str
    schedule: str
    url: str
    parser: str  # "digits" or "balls"
    period_pattern: str
    period_year: bool
    example: str
    digits: int = 0
    red: int = 0
    red_least: int = 0
    red_most: int = 0
    blue: int = 0
    blue_least: int = 0
    blue_most: int = 0

    @property
    def pattern(self) -> str:
        """The canonical form as a regular expression (the ranges are checked besides)."""
        if self.parser == "digits":
            return f"^[0-9]{{{self.digits}}}$"
        red = "[0-9]{2}" + ("( [0-9]{2})" + f"{{{self.red - 1}}}" if self.red > 1 else "")
        blue = "[0-9]{2}" + ("( [0-9]{2})" + f"{{{self.blue - 1}}}" if self.blue > 1 else "")
        return f"^{red} \\+ {blue}$"

    @property
    def format_text(self) -> str:
        """The canonical form in words, for the help and the pages."""
        if self.parser == "digits":
            return f"{self.digits}位数字，如“{self.example}”"
        return (f"红球{self.red}个（{self.red_least:02d}—{self.red_most:02d}，由小到大）、"
                f"蓝球{self.blue}个（{self.blue_least:02d}—{self.blue_most:02d}），"
                f"两位数字以空格分隔、红蓝之间为“ + ”，如“{self.example}”")

    @property
    def label(self) -> str:
        return f"{self.name}（{self.publisher}，{self.schedule}）"


@dataclass(frozen=True)
class Timing:
    margin: dt.timedelta
    horizon: dt.timedelta


def _kind(code: str, row: dict) -> PublicValueKind:
    if row.get("parser") not in ("digits", "balls"):
        raise ValueError(f"public_values.toml: unknown parser for {code}")
    kind = PublicValueKind(
        code=code, name=row["name"], title=row["title"], publisher=row["publisher"], schedule=row["schedule"],
        url=row.get("url", ""), parser=row["parser"], period_pattern=row["period"],
        period_year=bool(row.get("period_year")), example=row["example"], digits=int(row.get("digits", 0)),
        red=int(row.get("red", 0)), red_least=int(row.get("red_least", 0)), red_most=int(row.get("red_most", 0)),
        blue=int(row.get("blue", 0)), blue_least=int(row.get("blue_least", 0)),
        blue_most=int(row.get("blue_most", 0)))
    if canonical_value(kind, kind.example) != kind.example:
        raise ValueError(f"public_values.toml: the example of {code} is not canonical")
    return kind


@cache
def _load() -> tuple[dict[str, PublicValueKind], Timing]:
    data = tomllib.loads(PUBLIC_VALUES_FILE.read_text(encoding="utf-8"))
    timing = data["timing"]
    kinds = {code: _kind(code, row) for code, row in data["kind"].items()}
    return kinds, Timing(margin=dt.timedelta(hours=int(timing["margin_hours"])),
                         horizon=dt.timedelta(days=int(timing["horizon_days"])))


def kinds() -> dict[str, PublicValueKind]:
    """The accepted kinds by code, in the file's order."""
    return _load()[0]


def timing() -> Timing:
    return _load()[1]


def kind_choices() -> list[tuple[str, str]]:
    return [(k.code, k.label) for k in kinds().values()]


def get_kind(code: str) -> PublicValueKind:
    found = kinds().get((code or "").strip())
    if found is None:
        raise DomainError("请选择公开数值的种类（只能采用平台列明的彩票开奖号码）")
    return found


def kind_or_none(code: str) -> PublicValueKind | None:
    return kinds().get(code or "")


def _numbers(text: str, what: str) -> list[int]:
    tokens = [t for t in _SEPARATORS.split(text) if t]
    if not tokens or any(not _DIGITS.fullmatch(t) or len(t) > 2 for t in tokens):
        raise DomainError(f"{what}应为以空格或逗号分隔的两位以内数字")
    return [int(t) for t in tokens]


def _balls(kind: PublicValueKind, text: str) -> str:
    if text.count("+") > 1:
        raise DomainError("红球与蓝球之间只能有一个“+”")
    if "+" in text:
        red_text, blue_text = text.split("+")
        red, blue = _numbers(red_text, "红球号码"), _numbers(blue_text, "蓝球号码")
    else:
        numbers = _numbers(text, "开奖号码")
        red, blue = numbers[:kind.red], numbers[kind.red:]
    if len(red) != kind.red or len(blue) != kind.blue:
        raise DomainError(f"{kind.name}开奖号码应为红球{kind.red}个、蓝球{kind.blue}个")
    if len(set(red)) != len(red) or len(set(blue)) != len(blue):
        raise DomainError(f"{kind.name}开奖号码中有重复的号码")
    if any(not kind.red_least <= n <= kind.red_most for n in red):
        raise DomainError(f"红球号码应在{kind.red_least:02d}至{kind.red_most:02d}之间")
    if any(not kind.blue_least <= n <= kind.blue_most for n in blue):
        raise DomainError(f"蓝球号码应在{kind.blue_least:02d}至{kind.blue_most:02d}之间")
    return " ".join(f"{n:02d}" for n in sorted(red)) + " + " + " ".join(f"{n:02d}" for n in sorted(blue))


def canonical_value(kind: PublicValueKind, value: str) -> str:
    """``value`` as typed reduced to the kind's one canonical form (NFKC, so full-width
    digits count; spaces, commas and dashes between digits dropped), or DomainError."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    if not text:
        raise DomainError(f"请填写已公布的{kind.name}开奖号码")
    if len(text) > 100:
        raise DomainError("开奖号码过长")
    if kind.parser == "digits":
        plain = _SEPARATORS.sub("", text)
        if not re.fullmatch(f"[0-9]{{{kind.digits}}}", plain):
            raise DomainError(f"{kind.name}开奖号码应为{kind.digits}位数字（如“{kind.example}”）")
        canonical = plain
    else:
        canonical = _balls(kind, text)
    if not re.fullmatch(kind.pattern, canonical):  # the parsers give only this form
        raise DomainError(f"{kind.name}开奖号码格式不正确")
    return canonical


def is_canonical(kind: PublicValueKind, value: str) -> bool:
    try:
        return canonical_value(kind, value) == value
    except DomainError:
        return False


def clean_period(kind: PublicValueKind, period: str) -> str:
    """The period number (期号) in its canonical form ("第2026170期" → "2026170")."""
    text = unicodedata.normalize("NFKC", period or "").strip()
    text = text.removeprefix("第").removesuffix("期").strip()
    if not text:
        raise DomainError("请填写期号")
    if not re.fullmatch(kind.period_pattern, text):
        raise DomainError(f"{kind.name}的期号格式不正确（{_period_help(kind)}）")
    return text


def _period_help(kind: PublicValueKind) -> str:
    digits = re.fullmatch(r"\^\[0-9\]\{(\d+)\}\$", kind.period_pattern)
    n = digits.group(1) if digits else ""
    if kind.period_year:
        return f"{n}位数字，前四位为开奖年份" if n else "前四位为开奖年份"
    return f"{n}位数字" if n else "按开奖公告填写"


def render_source(kind: PublicValueKind, period: str) -> str:
    """The source as the pages and the inputs document show it."""
    return f"{kind.title}第{period}期开奖号码（{kind.publisher}公布）"


def check_due_at(kind: PublicValueKind, period: str, due_at: dt.datetime | None,
                 committed_at: dt.datetime) -> dt.datetime:
    """The publication time, refused unless it is aware, at least ``PUBLICATION_MARGIN``
    after the commit and at most ``PUBLICATION_HORIZON``; with a period that starts with
    its year, in that year."""
    if due_at is None:
        raise DomainError("请填写开奖时间")
    if timezone.is_naive(due_at):
        due_at = timezone.make_aware(due_at)
    earliest = committed_at + PUBLICATION_MARGIN
    if due_at < earliest:
        hours = int(PUBLICATION_MARGIN.total_seconds() // 3600)
        raise DomainError(f"开奖时间应在公布抽取条件之后至少{hours}小时（不早于"
                          f"{timezone.localtime(earliest):%Y-%m-%d %H:%M}），以保证公布时无人能知道该数值")
    if due_at > committed_at + PUBLICATION_HORIZON:
        raise DomainError(f"开奖时间应在公布抽取条件之后{PUBLICATION_HORIZON.days}日以内")
    if kind.period_year and period[:4] != str(timezone.localtime(due_at).year):
        raise DomainError("期号的前四位应为开奖年份")
    return due_at


def draw_opens_at(draw) -> dt.datetime | None:
    """When a committed draw may be made: for a public value its publication time, for a
    commitment ``COMMITMENT_MIN_PUBLIC`` after the commit."""
    if draw is None or draw.committed_at is None:
        return None
    opens = draw.committed_at + COMMITMENT_MIN_PUBLIC
    if draw.public_value_due_at is not None and draw.public_value_due_at > opens:
        opens = draw.public_value_due_at
    return opens


# The least time between the commit and the value's publication (data/public_values.toml).
PUBLICATION_MARGIN: dt.timedelta = timing().margin
PUBLICATION_HORIZON: dt.timedelta = timing().horizon
