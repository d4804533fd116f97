"""The explanation of a reply deadline: one line per fact, citing the rule (see
``gongkai.foi.deadlines``)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from gongkai.foi.deadlines.model import PAUSE_CITATIONS, DeadlineState, PausePeriod

if TYPE_CHECKING:
    from gongkai.foi.deadlines import _Clock


def _pause_line(pause: PausePeriod, due: datetime.date | None) -> str:
    citation = PAUSE_CITATIONS[pause.reason]
    rule = f"期间不计入答复期限（{citation}）" if citation else "期间不计入答复期限"
    if pause.ended_on is None:
        line = f"{pause.started_on} 起 {pause.label}，尚未结束，{rule}：目前不计{pause.working_days}个工作日"
    else:
        line = (
            f"{pause.started_on} 至 {pause.ended_on} {pause.label}，{rule}："
            f"不计{pause.working_days}个工作日"
        )
    if due is not None and pause.started_on >= due:
        line += "（答复期限届满后才开始，不影响答复期限）"
    return line


def _dates(days: tuple[datetime.date, ...]) -> str:
    return "、".join(d.isoformat() for d in days)


def _provisional_note(years: tuple[int, ...]) -> str:
    listed = "、".join(f"{y}年" for y in years)
    return f"（暂定：{listed}节假日安排尚未公布，按《全国年节及纪念日放假办法》的节日和补假推算）"


def explain(
    clock: _Clock,
    *,
    state: DeadlineState,
    pauses: tuple[PausePeriod, ...],
    excluded: int,
    due: datetime.date,
    original_due: datetime.date,
    limit: int,
    days_used: int,
    days_left: int,
    holidays: tuple[datetime.date, ...],
    makeups: tuple[datetime.date, ...],
    years: tuple[int, ...],
    may_shift: str = "",
) -> tuple[str, ...]:
    """Receipt/correction history, this period's pauses and extensions in date order,
    what shaped the date, then the result: one line per fact, citing the rule."""
    dated = [(p.started_on, _pause_line(p, due)) for p in pauses]
    for ext in clock.extensions:
        line = f"{ext.on} 经批准延长答复期限{ext.days}个工作日（第三十三条第二款）"
        if ext.label:
            line += f"：{ext.label}"
        if ext.on > original_due:
            line += f"；注意：原答复期限{original_due}已届满"
        dated.append((ext.on, line))
    dated.sort(key=lambda item: item[0])  # stable: pauses before extensions on one day
    steps = [*clock.history, *(text for _, text in dated)]
    if excluded != sum(p.working_days for p in pauses):
        steps.append(f"中止期间有重叠，重叠的工作日只扣除一次：合计不计{excluded}个工作日")
    if clock.extension_days:
        steps.append(f"原答复期限：{original_due}；延长后共{limit}个工作日")
    shaping = []
    if holidays:
        shaping.append(f"法定节假日顺延：{_dates(holidays)}")
    if makeups:
        shaping.append(f"调休上班日计入：{_dates(makeups)}")
    if shaping:
        steps.append("；".join(shaping))
    if may_shift:
        steps.append(
            f"暂定的答复期限临近{may_shift}（7日内），国务院公布调休安排后可能提前或推后：可能因调休变动"
        )

    note = _provisional_note(years) if years else ""
    if state is DeadlineState.PAUSED and days_left < 0:
        steps.append(
            f"答复期限中止计算，但答复期限{due}在中止前已届满（已逾期{-days_left}个工作日）{note}"
        )
    elif state is DeadlineState.PAUSED:
        steps.append(
            f"答复期限中止计算：已用{days_used}个工作日，剩余{days_left}个工作日；"
            f"如今日恢复计算，答复期限为{due}{note}"
        )
    elif days_left < 0:
        steps.append(f"答复期限：{due}（已逾期{-days_left}个工作日）{note}")
    elif days_left == 0:
        steps.append(f"答复期限：{due}（今日到期）{note}")
    else:
        steps.append(f"答复期限：{due}（剩余{days_left}个工作日）{note}")
    return tuple(steps)
