"""The annual report's rules: when it is due, and its format's arithmetic.

The deadline (Art. 49) is used by the reminders, the back office and the public list.
The arithmetic check is used on generated reports before sign-off and on published
reports read by the checker. A format rule whose cells are not all known (a parsed report
with an unplaced cell) is reported as not checkable rather than guessed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from gongkai.core.rules import rule
from gongkai.reports.formats import ReportFormat, RuleInstance

# (month, day) of the year after the report year by which the report is published.
REPORT_DEADLINE = (1, 31)  # 条例第四十九条第一款
REPORT_DEADLINE_TEXT = f"{REPORT_DEADLINE[0]}月{REPORT_DEADLINE[1]}日"


@rule
def report_deadline(report_year: int) -> dt.date:
    """The last day to publish the annual report on ``report_year``: 31 January of the
    year after.

    依据：条例第四十九条第一款
    """
    return dt.date(report_year + 1, *REPORT_DEADLINE)

Cells = dict[str, Decimal | int | None]


@dataclass(frozen=True)
class Violation:
    rule: str  # rule id, e.g. "三.勾稽"
    text: str  # the rule in words
    label: str  # the column or row it failed in ("" if the rule has one instance)
    cells: tuple[str, ...]  # every cell the rule reads
    expected: Decimal  # what the left side should be (the right side's sum)
    found: Decimal  # what the left side is

    def as_dict(self) -> dict:
        return {
            "rule": self.rule, "text": self.text, "label": self.label,
            "cells": list(self.cells),
            "expected": _plain(self.expected), "found": _plain(self.found),
        }

    def describe(self) -> str:
        where = f"（{self.label}）" if self.label else ""
        return f"{self.text}{where}：应为 {_plain(self.expected)}，实为 {_plain(self.found)}"


@dataclass(frozen=True)
class CheckResult:
    violations: list[Violation]
    unchecked: list[str]  # rule instances skipped for missing cells, as "rule（label）"
    checked: int  # rule instances evaluated
    # for each entry of ``unchecked``: the blank or missing cells that kept it from being checked
    unchecked_cells: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations


def _plain(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _sum(refs, cells: Cells, blank_is_zero: bool) -> Decimal | None:
    total = Decimal(0)
    for ref in refs:
        value = cells.get(ref)
        if value is None:
            if not blank_is_zero:
                return None
            value = 0
        total += Decimal(value)
    return total


def _evaluate(instance: RuleInstance, left_cells: Cells, right_cells: Cells) -> Violation | None | str:
    rule = instance.rule
    left = _sum(instance.left, left_cells, rule.blank_is_zero)
    right = _sum(instance.right, right_cells, rule.blank_is_zero)
    if left is None or right is None:
        return "unchecked"
    holds = left >= right if rule.kind == "at_least" else left == right
    if holds:
        return None
    return Violation(rule.id, rule.text, instance.label, instance.left + instance.right, right, left)


@rule
def check_cells(fmt: ReportFormat, cells: Cells, *, previous: Cells | None = None) -> CheckResult:
    """Every arithmetic rule of ``fmt`` on ``cells``; with ``previous`` (last year's
    report of the same agency, same or older format) also the cross-year rules. The rules
    themselves are data, in each format's file (``reports/data/formats``).

    依据：国办公开办函〔2021〕30号附件；国办公开办函〔2019〕60号附件
    """
    violations, unchecked, unchecked_cells, checked = [], [], [], 0
    pairs = [(i, cells, cells) for i in fmt.rule_instances()]
    if previous is not None:
        pairs += [(i, cells, previous) for i in fmt.rule_instances(cross_year=True)]
    for instance, left_cells, right_cells in pairs:
        outcome = _evaluate(instance, left_cells, right_cells)
        if outcome == "unchecked":
            unchecked.append(f"{instance.rule.id}（{instance.label}）" if instance.label else instance.rule.id)
            unchecked_cells.append(
                tuple(ref for ref in instance.left if left_cells.get(ref) is None)
                + tuple(ref for ref in instance.right if right_cells.get(ref) is None))
            continue
        checked += 1
        if outcome is not None:
            violations.append(outcome)
    return CheckResult(violations, unchecked, checked, unchecked_cells)
