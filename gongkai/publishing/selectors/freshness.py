"""What a website inspector would find in an agency's columns today: stale and blank
columns and the single-veto reasons (the website inspection's indicators,
《政府网站与政务新媒体检查指标》, 国办秘函〔2019〕19号)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from gongkai.core import clock
from gongkai.core.models import Agency
from gongkai.publishing.models import STALE_AFTER_DAYS, Column, ColumnKind
from gongkai.publishing.selectors.catalogue import column_full_names, columns_with_counts

# The website inspection's single-veto thresholds (《政府网站与政务新媒体检查指标》,
# 国办秘函〔2019〕19号).
VETO_STALE_COLUMNS = 5
VETO_BLANK_COLUMNS = 5
HOME_PAGE_STALE_AFTER_DAYS = 14


@dataclass(frozen=True)
class ColumnFreshness:
    """One column as the website inspection sees it: the newest item in it or any of its
    sub-columns, the days since, and the limit for its kind."""

    column: Column
    name: str
    last_published_on: dt.date | None
    days_since: int | None
    limit_days: int | None
    stale: bool
    blank: bool

    @property
    def kind_label(self) -> str:
        return ColumnKind(self.column.kind).label


@dataclass(frozen=True)
class FreshnessReport:
    """What an inspector would find in the agency's columns today (the website inspection's
    indicators, 国办秘函〔2019〕19号)."""

    as_of: dt.date
    columns: list[ColumnFreshness]
    site_last_published_on: dt.date | None
    veto_reasons: list[str] = field(default_factory=list)

    @property
    def stale(self) -> list[ColumnFreshness]:
        return [c for c in self.columns if c.stale]

    @property
    def blank(self) -> list[ColumnFreshness]:
        return [c for c in self.columns if c.blank]


def freshness_report(columns: list[Column], *, today: dt.date) -> FreshnessReport:
    names = column_full_names(columns)
    by_pk = {c.pk: c for c in columns}
    # Newest item in each column's subtree: every item also updates the ancestors.
    subtree_last: dict[int, dt.date] = {}
    for c in columns:
        if c.own_last_on is None:
            continue
        node, seen = c, set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            if node.pk not in subtree_last or subtree_last[node.pk] < c.own_last_on:
                subtree_last[node.pk] = c.own_last_on
            node = by_pk.get(node.parent_id)

    rows = []
    for c in columns:
        if not c.is_active:
            continue
        last = subtree_last.get(c.pk)
        # ColumnKind members are their values (str): no enum made per column.
        limit = STALE_AFTER_DAYS.get(c.kind)
        days = (today - last).days if last else None
        rows.append(
            ColumnFreshness(
                column=c,
                name=names[c.pk],
                last_published_on=last,
                days_since=days,
                limit_days=limit,
                # "Not updated in the 2 weeks before the check": 14 days ago is still fresh.
                stale=last is not None and limit is not None and days > limit,
                blank=last is None,
            )
        )
    site_last = max((c.own_last_on for c in columns if c.own_last_on), default=None)
    reasons = []
    veto_stale = [
        r for r in rows if r.stale and r.column.kind in (ColumnKind.DYNAMIC, ColumnKind.NOTICE)
    ]
    if len(veto_stale) >= VETO_STALE_COLUMNS:
        reasons.append(
            f"{len(veto_stale)}个动态类或通知公告/政策文件类栏目未按期更新"
            f"（{VETO_STALE_COLUMNS}个及以上即单项否决）"
        )
    blank = [r for r in rows if r.blank]
    if len(blank) >= VETO_BLANK_COLUMNS:
        reasons.append(f"{len(blank)}个空白栏目（{VETO_BLANK_COLUMNS}个及以上即单项否决）")
    if site_last is None or (today - site_last).days > HOME_PAGE_STALE_AFTER_DAYS:
        reasons.append(f"{HOME_PAGE_STALE_AFTER_DAYS}天内没有发布任何信息（首页不更新即单项否决）")
    return FreshnessReport(
        as_of=today, columns=rows, site_last_published_on=site_last, veto_reasons=reasons
    )


def column_freshness(*, agency: Agency, today: dt.date | None = None) -> FreshnessReport:
    """Stale and blank columns of an agency's catalogue as of today: dynamic columns
    without an item for more than 14 days, notice/policy columns for more than 6 months,
    plan columns for more than a year; blank columns have never had one (website
    inspection indicators, 国办秘函〔2019〕19号). A parent column counts as updated when
    any sub-column is. One query."""
    today = today or clock.today()
    return freshness_report(columns_with_counts(agency, today.year), today=today)
