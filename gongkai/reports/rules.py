"""The annual report's rules: when it is due, and its format's arithmetic.

The deadline (Art. 49: 31 January, or 31 March for a people's government of county level
and above) is used by the reminders, the back office and the public pages.
The arithmetic check is used on generated reports before sign-off and on published
reports read by the checker. A format rule whose cells are not all known (a parsed report
with an unplaced cell) is reported as not checkable rather than guessed. One exception, for
published reports (``blank_total_breaks``): a total printed blank (or with a dash) over parts
that are all printed and do not sum to 0 is broken whatever the blank means, and is
reported as a violation (found 0), not as not checkable. Reading a published report's blank
cells as 0 is the checker's decision (:mod:`gongkai.reports.checker.check`), made before the
cells reach :func:`check_cells`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from gongkai.core.rules import rule
from gongkai.reports.formats import ReportFormat, RuleInstance

if TYPE_CHECKING:  # the models need Django; the arithmetic (the checker's) does not
    from gongkai.core.models import Agency

# (month, day) of the year after the report year by which the report is published: every
# administrative agency's by 31 January; a people's government's of county level and
# above (published by its disclosure office) by 31 March.
REPORT_DEADLINE = (1, 31)  # 条例第四十九条第一款
GOVERNMENT_REPORT_DEADLINE = (3, 31)  # 条例第四十九条第二款
# GOVERNMENT_REPORT_LEVELS: the AgencyLevel values of county level and above, read lazily
# (module ``__getattr__`` below) so that importing this module needs no Django.
REPORT_DEADLINE_TEXT = f"{REPORT_DEADLINE[0]}月{REPORT_DEADLINE[1]}日"
GOVERNMENT_REPORT_DEADLINE_TEXT = f"{GOVERNMENT_REPORT_DEADLINE[0]}月{GOVERNMENT_REPORT_DEADLINE[1]}日"
LATEST_REPORT_DEADLINE = max(REPORT_DEADLINE, GOVERNMENT_REPORT_DEADLINE)


def _government_report_levels() -> frozenset:
    from gongkai.core.models import AgencyLevel

    return frozenset({AgencyLevel.PROVINCE, AgencyLevel.CITY, AgencyLevel.COUNTY})


def __getattr__(name: str):
    if name == "GOVERNMENT_REPORT_LEVELS":
        return _government_report_levels()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@rule
def report_deadline(report_year: int, agency: Agency | None = None) -> dt.date:
    """The last day to publish ``agency``'s annual report on ``report_year``: 31 March of
    the year after for a people's government of county level and above, 31 January for
    every other agency (and when no agency is named).

    依据：条例第四十九条第一款；条例第四十九条第二款
    """
    from gongkai.core.models import AgencyKind

    if (agency is not None and agency.kind == AgencyKind.PEOPLES_GOVERNMENT
            and agency.level in _government_report_levels()):
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


def _evaluate(instance: RuleInstance, left_cells: Cells, right_cells: Cells,
              blank_total_breaks: bool = False) -> Violation | None | str:
    rule = instance.rule
    left = _sum(instance.left, left_cells, rule.blank_is_zero)
    right = _sum(instance.right, right_cells, rule.blank_is_zero)
    if left is None or right is None:
        if (blank_total_breaks and left is None and right is not None and right != 0
                and all(ref in left_cells and left_cells[ref] is None for ref in instance.left)):
            # every cell of the left side printed blank, the right side printed in full and
            # not 0: broken whether the blank means 0 or "not applicable"
            return Violation(rule.id, rule.text, instance.label, instance.left + instance.right, right, Decimal(0))
        return "unchecked"
    holds = left >= right if rule.kind == "at_least" else left == right
    if holds:
        return None
    return Violation(rule.id, rule.text, instance.label, instance.left + instance.right, right, left)


@rule
def check_cells(fmt: ReportFormat, cells: Cells, *, previous: Cells | None = None,
                blank_total_breaks: bool = False) -> CheckResult:
    """Every arithmetic rule of ``fmt`` on ``cells``; with ``previous`` (last year's
    report of the same agency, same or older format) also the cross-year rules. The rules
    themselves are data, in each format's file (``reports/data/formats``).

    依据：国办公开办函〔2021〕30号附件；国办公开办函〔2019〕60号附件
    """
    # blank_total_breaks (published reports, the checker): a left side printed blank over
    # a printed, non-zero right side is a violation (found 0) rather than not checkable
    violations, unchecked, unchecked_cells, checked = [], [], [], 0
    pairs = [(i, cells, cells) for i in fmt.rule_instances()]
    if previous is not None:
        pairs += [(i, cells, previous) for i in fmt.rule_instances(cross_year=True)]
    for instance, left_cells, right_cells in pairs:
        outcome = _evaluate(instance, left_cells, right_cells, blank_total_breaks)
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
