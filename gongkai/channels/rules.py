"""The rules for government new-media accounts (政务新媒体), as data.

国办秘函〔2019〕19号《政府网站与政务新媒体检查指标》: an account not updated in the 2 weeks
before the check fails outright (单项否决), and so does one without an interaction
function. "Not updated in 2 weeks" is read as: no post on any of the 14 days before today.
An account whose latest post was 14 days ago is still fresh; 15 days ago, stale; an
account with no known post at all is stale. Some places require an update every 10 days:
the interval is an agency setting (``AgencyChannelSettings.stale_after_days``) bounded by
``data/staleness.toml``.

Plain Python, no database.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

from gongkai.core.rules import rule

_DATA = tomllib.loads((Path(__file__).parent / "data" / "staleness.toml").read_text(encoding="utf-8"))
_NOT_UPDATED = _DATA["not_updated"]

# 国办秘函〔2019〕19号: not updated in the 2 weeks before the check.
NOT_UPDATED_DEFAULT_DAYS: int = int(_NOT_UPDATED["default_days"])
NOT_UPDATED_LEAST_DAYS: int = int(_NOT_UPDATED["least_days"])
NOT_UPDATED_MOST_DAYS: int = int(_NOT_UPDATED["most_days"])


def not_updated_days(configured: int | None) -> int:
    """The agency's interval: its setting when within the bounds, else the national rule."""
    if configured is None or not NOT_UPDATED_LEAST_DAYS <= configured <= NOT_UPDATED_MOST_DAYS:
        return NOT_UPDATED_DEFAULT_DAYS
    return configured


def days_since(last_post_on: dt.date | None, today: dt.date) -> int | None:
    """Days from the latest post to today (None without one)."""
    return None if last_post_on is None else (today - last_post_on).days


@rule
def is_stale(last_post_on: dt.date | None, *, today: dt.date, days: int = NOT_UPDATED_DEFAULT_DAYS) -> bool:
    """No post in the ``days`` days before today: the latest more than ``days`` days ago,
    or none known (an account not updated in the 2 weeks before the check fails).

    依据：国办秘函〔2019〕19号附件
    """
    since = days_since(last_post_on, today)
    return since is None or since > days


def stale_cutoff(today: dt.date, days: int = NOT_UPDATED_DEFAULT_DAYS) -> dt.date:
    """The earliest latest-post date that is still fresh (for a query: stale is
    ``last_post_on`` null or before this)."""
    return today - dt.timedelta(days=days)


# The largest figure each column stores (posts and followers: a 32-bit integer column in
# PostgreSQL; reads: the importer's bound). Bigger input is refused with a message, never
# left to fail in the database.
FIGURE_LIMITS: dict[str, int] = {"posts": 2_147_483_647, "followers": 2_147_483_647, "reads": 10**12}


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def months_of(year: int) -> list[dt.date]:
    return [dt.date(year, m, 1) for m in range(1, 13)]


def wan(value: int) -> str:
    """A count as the annual report writes it: 12.3万 from 10,000 up, else the number."""
    if value >= 10_000:
        text = f"{value / 10_000:.1f}".rstrip("0").rstrip(".")
        return f"{text}万"
    return str(value)
