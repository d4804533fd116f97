"""Rules of law as functions, each one registered with the provision it implements.

A rule of law (a time limit, a fee band, what must be published and for how long) is
computed by one function, and every page, statistic, check and letter that needs the rule
calls that function. The function is marked with the ``rule`` decorator and its docstring
names its source on a line of its own, in one fixed form::

    依据：条例第二十六条

Several sources are separated by "；" (``依据：条例第三十条；条例第三十三条第二款``). A
source is an instrument's short name from :data:`INSTRUMENTS` followed by a locator:
第…条 (with 第…款 and 第…项 where needed), or 第…部分第（…）项 for a notice whose text
has no articles, or 附件 for a notice whose rule is its attachment. An article may hold
several rules; a rule has one function.

The index of sources and functions, ``docs/rules.md``, is generated from the registry::

    python -m gongkai.core.rules > docs/rules.md

``core/tests/test_rules.py`` fails when a registered function names no source (or a
malformed or unknown one) and when ``docs/rules.md`` differs from the generator's output.

No Django at import: ``core.workdays``, the ground floor of every deadline, uses it.
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import takewhile
from pathlib import Path
from typing import TypeVar

__all__ = [
    "INSTRUMENTS",
    "SOURCE_MARKER",
    "Registry",
    "Rule",
    "Source",
    "discover",
    "parse_source",
    "registry",
    "render_index",
    "rule",
]

SOURCE_MARKER = "依据："

# Short name -> full title. The order is the index's order: the regulation first, then the
# national measures it relies on, then the instruments of the decisions area.
INSTRUMENTS: dict[str, str] = {
    "条例": "《中华人民共和国政府信息公开条例》（国务院令第711号，2019年修订）",
    "国办函〔2020〕109号": "《政府信息公开信息处理费管理办法》",
    "国办公开办函〔2021〕30号": "政府信息公开工作年度报告格式（2021年版）",
    "国办公开办函〔2019〕60号": "政府信息公开工作年度报告格式（2019年版）",
    "放假办法": "《全国年节及纪念日放假办法》",
    "民法典": "《中华人民共和国民法典》",
    "国办发〔2018〕118号": (
        "《国务院办公厅关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的"
        "指导意见》"
    ),
    "市场监管总局令第45号": "《市场监督管理行政处罚信息公示规定》",
    "国办秘函〔2019〕19号": "《政府网站与政务新媒体检查指标》",
    "重大行政决策程序暂行条例": "《重大行政决策程序暂行条例》（国务院令第713号）",
}

_NUMERAL = "[一二三四五六七八九十百零]+"
_LOCATOR = re.compile(
    rf"第(?P<article>{_NUMERAL})条(?:第(?P<paragraph>{_NUMERAL})款)?(?:第(?P<item>{_NUMERAL})项)?"
    rf"|第(?P<part>{_NUMERAL})部分第（(?P<part_item>{_NUMERAL})）项"
    r"|(?P<annex>附件)"
)
# The decorator alone on a line: how ``discover`` finds the modules that declare rules
# without importing every module of the project.
_DECORATED = re.compile(r"^[ \t]*@(?:rules\.)?rule[ \t]*$", re.M)

F = TypeVar("F", bound=Callable)


def _numeral(text: str | None) -> int:
    """一 → 1, 二十六 → 26, 一百零三 → 103 (article numbers, for sorting)."""
    if not text:
        return 0
    digits = {"零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
    total, current = 0, 0
    for char in text:
        if char == "百":
            total += (current or 1) * 100
            current = 0
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = digits[char]
    return total + current


@dataclass(frozen=True)
class Source:
    """One provision a rule implements: ``条例第三十三条第二款``."""

    instrument: str
    locator: str

    def __str__(self) -> str:
        return f"{self.instrument}{self.locator}"

    @property
    def sort_key(self) -> tuple:
        m = _LOCATOR.fullmatch(self.locator)
        assert m is not None  # only well-formed sources are built
        numbers = (
            (1, 0, 0, 0)
            if m["annex"]
            else (0, _numeral(m["article"] or m["part"]), _numeral(m["paragraph"]),
                  _numeral(m["item"] or m["part_item"]))
        )
        return (list(INSTRUMENTS).index(self.instrument), *numbers)


def parse_source(text: str) -> Source | str:
    """The source, or why ``text`` is not one (English, for the test's message)."""
    text = text.strip()
    for instrument in sorted(INSTRUMENTS, key=len, reverse=True):
        if text.startswith(instrument):
            locator = text[len(instrument):]
            if _LOCATOR.fullmatch(locator):
                return Source(instrument, locator)
            return (
                f"{text!r}: after {instrument!r} expected 第…条[第…款][第…项], "
                "第…部分第（…）项 or 附件"
            )
    return f"{text!r}: unknown instrument (known: {', '.join(INSTRUMENTS)})"


@dataclass(frozen=True)
class Rule:
    """A registered rule function and what its docstring says of its source."""

    module: str
    qualname: str
    summary: str  # the docstring's first paragraph, on one line
    sources: tuple[Source, ...]
    problems: tuple[str, ...]  # empty when the docstring names its sources in the fixed form

    @property
    def name(self) -> str:
        return f"{self.module}.{self.qualname}"


def _read(func: Callable) -> Rule:
    doc = inspect.getdoc(func) or ""
    lines = [line.strip() for line in doc.splitlines()]
    marked = [line[len(SOURCE_MARKER):] for line in lines if line.startswith(SOURCE_MARKER)]
    problems: list[str] = []
    sources: list[Source] = []
    if not marked:
        problems.append(f"its docstring has no line starting with {SOURCE_MARKER!r}")
    elif len(marked) > 1:
        problems.append(f"its docstring has {len(marked)} lines starting with {SOURCE_MARKER!r}")
    for text in marked[:1]:
        parts = text.split("；")
        if not any(p.strip() for p in parts):
            problems.append(f"its {SOURCE_MARKER!r} line names nothing")
            continue
        for part in parts:
            parsed = parse_source(part)
            if isinstance(parsed, Source):
                sources.append(parsed)
            else:
                problems.append(parsed)
    return Rule(
        module=func.__module__,
        qualname=func.__qualname__,
        summary=" ".join(takewhile(bool, lines)),
        sources=tuple(sources),
        problems=tuple(problems),
    )


class Registry:
    """The rule functions declared so far (a module's rules register when it is imported)."""

    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}

    def rule(self, func: F) -> F:
        """Mark ``func`` as the one function of a rule of law; it is returned unchanged."""
        found = _read(func)
        self._rules[found.name] = found
        return func

    def rules(self) -> list[Rule]:
        return sorted(self._rules.values(), key=lambda r: r.name)

    def problems(self) -> list[str]:
        """One line per rule function whose docstring does not name its source properly."""
        return [f"{r.name}: {p}" for r in self.rules() for p in r.problems]

    def by_source(self) -> list[tuple[Source, list[Rule]]]:
        """Each source, in the index's order, with the functions that cite it."""
        cited: dict[Source, list[Rule]] = {}
        for r in self.rules():
            for source in r.sources:
                cited.setdefault(source, []).append(r)
        return sorted(cited.items(), key=lambda pair: pair[0].sort_key)


registry = Registry()
rule = registry.rule


def discover(package: str = "gongkai") -> list[str]:
    """Import every shipped module of ``package`` that declares a rule (tests and
    migrations aside), so the registry is complete; returns their names. A module is
    found by the decorator on a line of its own, without importing the rest."""
    root = Path(importlib.import_module(package).__file__).parent
    names = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if {"tests", "migrations"} & set(parts[:-1]) or path.name.startswith("test_"):
            continue
        if not _DECORATED.search(path.read_text(encoding="utf-8")):
            continue
        module = ".".join((package, *path.relative_to(root).with_suffix("").parts))
        importlib.import_module(module.removesuffix(".__init__"))
        names.append(module)
    return names


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_index(rules: Registry | None = None, *, instruments: Iterable[str] = ()) -> str:
    """``docs/rules.md``: for each instrument, each provision with the functions that
    compute it. Deterministic, so a test can compare it with the file."""
    rules = rules or registry
    shown = set(instruments)
    lines = [
        "# Rules of law and the functions that compute them",
        "",
        "Generated from the rule registry (`gongkai/core/rules.py`); do not edit by hand.",
        "After adding or changing a rule function, run",
        "",
        "    python -m gongkai.core.rules > docs/rules.md",
        "",
        "`gongkai/core/tests/test_rules.py` fails while this file differs from the output.",
        "A rule function is marked with `@rule` and names its source in its docstring on a",
        "line of its own: `依据：条例第二十六条` (several sources separated by `；`).",
        "",
    ]
    sections: dict[str, list[str]] = {}
    for source, functions in rules.by_source():
        if shown and source.instrument not in shown:
            continue
        rows = sections.setdefault(source.instrument, [])
        rows += [f"| {source} | `{r.name}` | {_cell(r.summary)} |" for r in functions]
    for instrument, rows in sections.items():
        lines += [
            f"## {instrument}：{INSTRUMENTS[instrument]}",
            "",
            "| Source | Function | What it computes |",
            "|---|---|---|",
            *rows,
            "",
        ]
    return "\n".join(lines)


def main() -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
    django.setup()
    discover()
    problems = registry.problems()
    if problems:
        raise SystemExit("rule functions without a proper source:\n" + "\n".join(problems))
    print(render_index(), end="")


if __name__ == "__main__":  # pragma: no cover
    # Run as a script this file is ``__main__``, a second copy of the module; the rule
    # modules register with the imported ``gongkai.core.rules``, so use that one.
    from gongkai.core.rules import main as _main

    _main()
