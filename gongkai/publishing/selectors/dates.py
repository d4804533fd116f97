"""Date filters the reads of proactive disclosure share."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q


def year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def in_year(field_name: str, year: int, prefix: str = "") -> Q:
    first, last = year_range(year)
    return Q(**{f"{prefix}{field_name}__gte": first, f"{prefix}{field_name}__lte": last})
