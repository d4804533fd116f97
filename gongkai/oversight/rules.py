"""The compliance table's columns and their red/amber/green marks.

Each column names the rule it measures; the thresholds are data
(``data/thresholds.toml``), and a supervising office may set its own per column
(``models.ComplianceThreshold``). No Django models here: figures in, marks out.
"""

from __future__ import annotations

import enum
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from gongkai.decisions.rules import LICENCE
from gongkai.decisions.rules import PUBLICATION_LIMIT_DAYS as DECISION_LIMIT_DAYS
from gongkai.foi.deadlines import MAX_EXTENSION_DAYS, REPLY_LIMIT_DAYS
from gongkai.publishing.rules import PUBLICATION_LIMIT_DAYS
from gongkai.random_inspections.rules import RESULTS_PUBLICATION_WORKING_DAYS

THRESHOLDS_FILE = Path(__file__).parent / "data" / "thresholds.toml"


class Direction(enum.StrEnum):
    HIGH_BAD = "high_bad"  # a count of defects: the more, the worse
    LOW_BAD = "low_bad"  # a rate in per cent: the lower, the worse


class Mark(enum.StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NONE = "none"  # nothing to measure (a rate without a denominator)

    @property
    def label(self) -> str:
        return _MARK_LABELS[self.value]


_MARK_LABELS = {"green": "正常", "amber": "关注", "red": "预警", "none": ""}


@dataclass(frozen=True)
class Column:
    """One column of the table: ``key`` names it in URLs, thresholds and the export;
    ``basis`` is the rule it measures, shown as the header's title."""

    key: str
    label: str
    basis: str
    marked: bool = True
    rate: bool = False  # a per-cent or an average (recomputed from sums, never averaged)


COLUMNS: tuple[Column, ...] = (
    Column("requests_open", "办理中申请", "条例第三十三条", marked=False),
    Column("requests_overdue", "逾期未答复", f"条例第三十三条：{REPLY_LIMIT_DAYS}个工作日，延期不超过{MAX_EXTENSION_DAYS}个工作日"),
    Column("on_time_rate", "按时答复率", "条例第三十三条", rate=True),
    Column("avg_reply_days", "平均答复工作日", "条例第三十三条", rate=True),
    Column("publications_late", "超期公开信息", f"条例第二十六条：形成或变更之日起{PUBLICATION_LIMIT_DAYS}个工作日内"),
    Column("normative_uninterpreted", "规范性文件逾期未解读", "国办发〔2016〕80号；解读期限为本机关设置"),
    Column("decisions_late", "双公示迟公示", f"国办发〔2018〕118号：许可、处罚决定{DECISION_LIMIT_DAYS[LICENCE]}个工作日内"),
    Column("columns_stale", "未按期更新栏目", "国办秘函〔2019〕19号：5个及以上单项否决"),
    Column("columns_blank", "空白栏目", "国办秘函〔2019〕19号：5个及以上单项否决"),
    Column("report_missing", "年度报告", "条例第四十九条：1月31日前，县级以上人民政府3月31日前"),
    Column("messages_finish_rate", "留言办结率", "国办秘函〔2019〕19号附件", rate=True),
    Column("messages_unanswered", "留言超3个月未答复", "国办秘函〔2019〕19号：单项否决"),
    Column("ri_results_late", "双随机结果逾期",
           f"国发〔2019〕5号：抽查任务结束后{RESULTS_PUBLICATION_WORKING_DAYS}个工作日内公示检查结果"),
)
COLUMN_KEYS = tuple(c.key for c in COLUMNS)
BY_KEY = {c.key: c for c in COLUMNS}
MARKED_KEYS = tuple(c.key for c in COLUMNS if c.marked)


@dataclass(frozen=True)
class Threshold:
    direction: Direction
    amber: Decimal
    red: Decimal

    # Figures are counts or rates rounded to 0.1; thresholds have two decimals at most, so
    # comparing as floats gives the same answers, at a fraction of the cost per cell.
    @property
    def amber_f(self) -> float:
        return _as_float(self.amber)

    @property
    def red_f(self) -> float:
        return _as_float(self.red)


@cache
def _as_float(value: Decimal) -> float:
    return float(value)


@cache
def default_thresholds() -> dict[str, Threshold]:
    """The thresholds of ``data/thresholds.toml``, one per marked column."""
    with THRESHOLDS_FILE.open("rb") as f:
        data = tomllib.load(f)
    result = {}
    for key in MARKED_KEYS:
        row = data[key]
        result[key] = Threshold(Direction(row["direction"]), Decimal(str(row["amber"])),
                                Decimal(str(row["red"])))
    return result


def check_threshold(direction: Direction, amber: Decimal, red: Decimal) -> str:
    """"" when the pair is consistent, else the reason in words: red must be at least as
    bad as amber."""
    if amber < 0 or red < 0:
        return "阈值不能为负数。"
    if direction is Direction.HIGH_BAD and red < amber:
        return "“预警”阈值不能小于“关注”阈值。"
    if direction is Direction.LOW_BAD and (red > amber or amber > 100):
        return "比率阈值应在0至100之间，且“预警”阈值不能大于“关注”阈值。"
    return ""


def mark(value, threshold: Threshold) -> Mark:
    """Red, amber or green for a figure; ``None`` (nothing measured) is never marked."""
    if value is None:
        return Mark.NONE
    red, amber = threshold.red_f, threshold.amber_f
    if threshold.direction is Direction.HIGH_BAD:
        if value >= red:
            return Mark.RED
        if value >= amber:
            return Mark.AMBER
        return Mark.GREEN
    if value < red:
        return Mark.RED
    if value < amber:
        return Mark.AMBER
    return Mark.GREEN
