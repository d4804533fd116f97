"""The findings of random inspections in use (``data/findings.toml``): each with its
code (stored in ``Result.finding``), its label, the enterprise credit system's exchange
code and label, and whether it is a problem found or calls for follow-up.

Loaded once and cached; :func:`check_code` refuses an unknown code with a Chinese message."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from gongkai.core.errors import DomainError

FINDINGS_FILE = Path(__file__).parent / "data" / "findings.toml"
KINDS = ("clean", "problem", "no_activity", "refused", "not_contactable", "closed", "gone", "publicity",
         "other")


@dataclass(frozen=True)
class Finding:
    code: str
    label: str
    exchange_code: str
    exchange_label: str
    problem: bool
    follow_up: bool
    kind: str
    on_site: bool


@cache
def findings() -> tuple[Finding, ...]:
    """Every finding in use, in the file's order (the order of the form's choices)."""
    data = tomllib.loads(FINDINGS_FILE.read_text(encoding="utf-8"))
    found = tuple(Finding(**row) for row in data["finding"])
    codes = [f.code for f in found]
    if len(set(codes)) != len(codes):
        raise ValueError("findings.toml: duplicate code")
    if len({f.exchange_code for f in found}) != len(found):
        raise ValueError("findings.toml: duplicate exchange code")
    unknown = [f.code for f in found if f.kind not in KINDS]
    if unknown:
        raise ValueError(f"findings.toml: unknown kind for {unknown}")
    return found


@cache
def by_code() -> dict[str, Finding]:
    return {f.code: f for f in findings()}


def get(code: str) -> Finding | None:
    return by_code().get(code)


def check_code(code: str) -> Finding:
    """The finding of ``code``, or a DomainError naming the problem."""
    finding = get(code)
    if finding is None:
        raise DomainError(f"检查结果“{code}”不在本平台使用的检查结果之列。")
    return finding


def label(code: str) -> str:
    finding = get(code)
    return finding.label if finding else code


def choices() -> list[tuple[str, str]]:
    return [(f.code, f.label) for f in findings()]


def codes_where(**flags) -> list[str]:
    """Codes whose attributes equal ``flags`` (``codes_where(kind="gone")``)."""
    return [f.code for f in findings() if all(getattr(f, k) == v for k, v in flags.items())]
