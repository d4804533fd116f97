"""The supervisor's desk (``core.desk``; registered from ``OversightConfig.ready``): the
agencies of the subtree with a red mark in the compliance table, most red columns first;
the link is the table filtered to them."""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from django.core.cache import cache
from django.urls import reverse

from gongkai.core import clock
from gongkai.core.desk import Queue, Urgency
from gongkai.core.models import Membership, Role
from gongkai.oversight import selectors

AREA = "政务公开监督"
TOP = 5
# The desk is shown on every visit to the back office's home; the whole subtree's table
# is computed at most this often per supervised agency (the table itself is always fresh).
CACHE_SECONDS = 300


def _red(root) -> list[tuple[str, int]]:
    """(agency name, red columns) of the subtree's agencies in red, worst first."""
    # The thresholds in force are part of the key: a supervising office that changes them
    # (here or on an ancestor) sees its desk follow at once, not up to CACHE_SECONDS later.
    thresholds = ";".join(f"{k}={t.amber}/{t.red}" for k, t in sorted(selectors.thresholds_for(root).items()))
    version = hashlib.sha1(thresholds.encode(), usedforsecurity=False).hexdigest()[:12]
    key = f"oversight.desk.red:{root.pk}:{clock.today().isoformat()}:{version}"
    found = cache.get(key)
    if found is None:
        found = [(r.agency.name, r.red_count) for r in selectors.red_agencies(root)]
        cache.set(key, found, CACHE_SECONDS)
    return found


def _table_url(root_id: int, **params) -> str:
    return reverse("staff:oversight-compliance") + "?" + urlencode({"root": root_id, **params})


def queues(membership: Membership) -> list[Queue]:
    if membership.role != Role.SUPERVISOR:
        return []
    root = membership.agency
    rows = _red(root)
    # The worst agencies are named in the hint, not as lines: each line of a desk is one
    # agency's count of one queue, and the request queue's lines already name agencies.
    worst = "、".join(f"{name}（{count}项）" for name, count in rows[:TOP])
    more = len(rows) - TOP
    hint = f"预警最多：{worst}" + (f"等{len(rows)}个机关" if more > 0 else "") if rows else ""
    return [Queue(
        key="oversight.red", area=AREA, label="有预警指标的机关", count=len(rows),
        url=_table_url(root.pk, only_red="on"), urgency=Urgency.OVERDUE, hint=hint,
    )]
