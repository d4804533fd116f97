"""The annual report's rules: when it is due, and its format's arithmetic.

The deadline (Art. 49: 31 January, or 31 March for a people's government of county level
and above) is used by the reminders, the back office and the public pages.
The arithmetic check is used on generated reports before sign-off and on published
reports read by the checker. A format rule whose cells are not all known (a parsed report
with an unplaced cell) is reported as not checkable rather than guessed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from gongkai.core.models import Agency, AgencyKind, AgencyLevel
from gongkai.core.rules import rule
from gongkai.reports.formats import ReportFormat, RuleInstance

# (month, day) of the year after the report year by which the report is published: every
# administrative agency's by 31 January; a people's government's of county level and
# above (published by its disclosure office) by 31 March.
REPORT_DEADLINE = (1, 31)  # 条例第四十九条第一款
GOVERNMENT_REPORT_DEADLINE = (3, 31)  # 条例第四十九条第二款
GOVERNMENT_REPORT_LEVELS = frozenset({AgencyLevel.PROVINCE, AgencyLevel.CITY, AgencyLevel.COUNTY})
REPORT_DEADLINE_TEXT = f"{REPORT_DEADLINE[0]}月{REPORT_DEADLINE[1]}日"
GOVERNMENT_REPORT_DEADLINE_TEXT = f"{GOVERNMENT_REPORT_DEADLINE[0]}月{GOVERNMENT_REPORT_DEADLINE[1]}日"
LATEST_REPORT_DEADLINE = max(REPORT_DEADLINE, GOVERNMENT_REPORT_DEADLINE)


@rule
def report_deadline(report_year: int, agency: Agency | None = None) -> dt.date:
    """The last day to publish ``agency``'s annual report on ``report_year``: 31 March of
    the year after for a people's government of county level and above, 31 January for
    every other agency (and when no agency is named).

    依据：条例第四十九条第一款；条例第四十九条第二款
    """
    if (agency is not None and agency.kind == AgencyKind.PEOPLES_GOVERNMENT
            and agency.level in GOVERNMENT_REPORT_LEVELS):
        return dt.date(report_year + 1, *GOVERNMENT_REPORT_DEADLINE)
    return dt.date(report_year + 1, *REPORT_DEADLINE)


def report_deadline_day(agency: Agency | None) -> tuple[int, int]:
    """(month, day) of ``agency``'s deadline, read off ``report_deadline`` (the same in
    every year: neither date moves with leap years or holidays)."""
    deadline = report_deadline(2000, agency)
    return deadline.month, deadline.day


def report_deadline_text(agency: Agency | None) -> str:
    """"1月31日" or "3月31日": the agency's deadline as the public pages say it."""
    month, day = report_deadline_day(agency)
    return f"{month}月{day}日"

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
