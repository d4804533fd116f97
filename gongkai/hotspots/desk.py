"""The hot-spot area on the back office's desk (``core.desk``; registered from
``HotspotsConfig.ready``): the emerging topics of last week, for the office (its agency)
and the supervising office (its subtree summed). Shown only when there are some; the
link opens the analysis of exactly that week and scope, which lists them.

The desk is every office user's first page and the analysis of a week at a provincial
scale takes most of a second, so the emerging terms are cached: per scope and week, keyed
by the newest import (a complete week changes only when complaints are imported into it)
and kept an hour, which bounds how late a message routed since shows up."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.urls import reverse

from gongkai.core.desk import Queue
from gongkai.core.models import Membership, Role
from gongkai.hotspots import selectors
from gongkai.hotspots.models import ComplaintImport
from gongkai.hotspots.periods import Period

AREA = "投诉举报热点"
CACHE_SECONDS = 3600


def emerging_terms(scope: selectors.Scope, period: Period) -> list[str]:
    """The emerging terms of ``period`` over ``scope``, from the cache when it is fresh."""
    newest = ComplaintImport.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    agencies = ",".join(str(pk) for pk in sorted(a.pk for a in scope.agencies))
    key = "hotspots.desk:" + hashlib.sha256(
        f"{period.param}|{newest}|{agencies}".encode()).hexdigest()
    terms = cache.get(key)
    if terms is None:
        result = selectors.analysis_for(scope=scope, period=period, sources="all")
        terms = [e.term for e in result.emerging]
        cache.set(key, terms, CACHE_SECONDS)
    return terms


def queues(membership: Membership) -> list[Queue]:
    if membership.role not in (Role.OFFICE, Role.SUPERVISOR):
        return []
    subtree = membership.role == Role.SUPERVISOR
    scope = selectors.scope_for(user=membership.user, agency_pk=membership.agency_id,
                                subtree=subtree, default_agency_id=None)
    period = selectors.default_period("W")
    terms = emerging_terms(scope, period)
    if not terms:
        return []
    query = f"grain=W&period={period.param}&sources=all&agency={membership.agency_id}"
    if subtree:
        query += "&subtree=on"
    return [Queue(
        key="hotspots.emerging", area=AREA, label="上周新出现的热点话题",
        count=len(terms), url=f"{reverse('staff:hotspots-analysis')}?{query}#emerging",
        hint="、".join(terms[:3]),
    )]
