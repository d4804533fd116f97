"""The office dashboard's numbers for one agency and year, as the annual report and real
annual reports present them: items per column and channel, year-over-year change, late
items (Art. 26), interpretations missing or late, and column freshness. Derived when asked
from stored facts and the working-day calendar; nothing is stored by a job."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Min, Q

from gongkai.core import clock
from gongkai.core.models import Agency
from gongkai.core.selectors import get_working_day_calendar
from gongkai.core.workdays import WorkingDayCalendar
from gongkai.publishing import rules
from gongkai.publishing.models import (
    ChannelRelease,
    Column,
    NormativeDocument,
    Publication,
    PublicationStatus,
    ReleaseChannel,
)
from gongkai.publishing.models.publication import PublicationOrigin
from gongkai.publishing.selectors.catalogue import column_full_names, columns_with_counts
from gongkai.publishing.selectors.dates import in_year
from gongkai.publishing.selectors.freshness import FreshnessReport, freshness_report
from gongkai.publishing.selectors.normative import InterpretationState, NormativeRow, normative_rows

TOP_COLUMNS = 10


# --- late publication (Art. 26) ---------------------------------------------------------------


@dataclass(frozen=True)
class LatePublication:
    """An item that went public after its Art. 26 deadline (``rules.publication_deadline``)."""

    pk: int
    index_number: str
    title: str
    written_on: dt.date
    due_on: dt.date
    published_on: dt.date
    working_days: int  # working days from the written date to publication
    provisional: bool


def late_publications(
    *, agency_ids: Iterable[int], year: int, calendar: WorkingDayCalendar | None = None
) -> list[LatePublication]:
    """Items published in ``year`` (and public now) after their Art. 26 deadline, longest
    delay first. One query."""
    calendar = calendar or get_working_day_calendar()
    rows = (
        Publication.objects.filter(
            agency_id__in=list(agency_ids), status=PublicationStatus.PUBLISHED
        )
        .filter(in_year("published_on", year))
        .values_list("pk", "index_number", "title", "written_on", "published_on")
    )
    late = []
    for pk, index_number, title, written_on, published_on in rows:
        if not rules.is_published_late(written_on, published_on, calendar=calendar):
            continue
        late.append(
            LatePublication(
                pk=pk,
                index_number=index_number,
                title=title,
                written_on=written_on,
                due_on=rules.publication_deadline(written_on, calendar=calendar),
                published_on=published_on,
                working_days=calendar.working_days_between(written_on, published_on),
                provisional=calendar.is_span_provisional(written_on, published_on),
            )
        )
    late.sort(key=lambda p: (-p.working_days, p.published_on, p.pk))
    return late


# --- the statistics page ------------------------------------------------------------------------


def _pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _change_pct(this: int, last: int) -> Decimal | None:
    """Year-over-year change in per cent, one decimal like the reports (None: nothing
    last year to compare with)."""
    if not last:
        return None
    return (Decimal(this - last) * 100 / Decimal(last)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Change:
    this_year: int
    last_year: int

    @property
    def delta(self) -> int:
        return self.this_year - self.last_year

    @property
    def pct(self) -> Decimal | None:
        return _change_pct(self.this_year, self.last_year)


@dataclass(frozen=True)
class ColumnCount:
    column: Column
    name: str
    count: Change
    share: Decimal | None  # of all releases (listings) in the year, in per cent


@dataclass(frozen=True)
class ChannelCount:
    channel: str
    label: str
    count: int


@dataclass(frozen=True)
class PublishingStatistics:
    """The office dashboard's numbers for one agency and year, as the annual report and
    real annual reports present them."""

    agency: Agency
    year: int
    as_of: dt.date
    releases: Change  # item-column listings: an item in three columns counts three times
    items: Change  # distinct items
    documents: Change  # distinct items that are documents (with a document number)
    # distinct items that came from repeated requests (依申请转主动, 条例第四十四条)
    converted: Change
    unlisted: int  # items of the year in no column
    columns: list[ColumnCount]
    top_columns: list[ColumnCount]
    top_share: Decimal | None
    late: list[LatePublication]
    interpretation_overdue: list[NormativeRow]
    interpretation_late: list[NormativeRow]
    interpretation_pending: list[NormativeRow]
    channels: list[ChannelCount]
    freshness: FreshnessReport


def publication_statistics(
    *, agency: Agency, year: int, today: dt.date | None = None
) -> PublishingStatistics:
    """Items published per column (an item listed in several columns counts in each),
    distinct items, documents and items converted from repeated requests (Art. 44), the
    top-10 columns with their share of all releases, year-over-year change per column and
    in total, late items (Art. 26), documents whose interpretation is missing or late,
    releases per channel (the website's own count is the distinct items), and column
    freshness as of today. A fixed number of queries, whatever the size of the catalogue."""
    today = today or clock.today()
    calendar = get_working_day_calendar()
    columns = columns_with_counts(agency, year)
    names = column_full_names(columns)

    listed = [c for c in columns if c.n or c.n_last]
    releases = Change(sum(c.n for c in listed), sum(c.n_last for c in listed))
    counted = [
        ColumnCount(
            column=c,
            name=names[c.pk],
            count=Change(c.n, c.n_last),
            share=_pct(c.n, releases.this_year),
        )
        for c in listed
    ]
    # Ties keep catalogue order (the sort is stable).
    counted.sort(key=lambda c: -c.count.this_year)
    top = [c for c in counted if c.count.this_year][:TOP_COLUMNS]

    public = Publication.objects.filter(agency=agency, status=PublicationStatus.PUBLISHED)
    this_q, last_q = in_year("published_on", year), in_year("published_on", year - 1)
    document_q = ~Q(doc_number="")
    converted_q = Q(origin=PublicationOrigin.CONVERTED_FROM_REQUESTS)
    totals = public.aggregate(
        items=Count("id", distinct=True, filter=this_q),
        items_last=Count("id", distinct=True, filter=last_q),
        documents=Count("id", distinct=True, filter=this_q & document_q),
        documents_last=Count("id", distinct=True, filter=last_q & document_q),
        unlisted=Count("id", distinct=True, filter=this_q & Q(columns__isnull=True)),
        converted=Count("id", distinct=True, filter=this_q & converted_q),
        converted_last=Count("id", distinct=True, filter=last_q & converted_q),
    )

    channel_counts = dict(
        ChannelRelease.objects.filter(publication__agency=agency)
        .filter(in_year("released_on", year))
        .values("channel")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("channel", "n")
    )
    channels = [ChannelCount("website", "政府网站（本平台）", totals["items"])]
    channels += [
        ChannelCount(c.value, c.label, channel_counts.get(c.value, 0)) for c in ReleaseChannel
    ]

    documents = (
        NormativeDocument.objects.filter(agency=agency)
        .filter(in_year("issued_on", year))
        .annotate(first_interpreted_on=Min("interpretations__published_on"))
        .order_by("issued_on", "id")
    )
    rows = normative_rows(documents, today=today, calendar=calendar)

    def in_state(state):
        return [r for r in rows if r.interpretation.state == state]

    return PublishingStatistics(
        agency=agency,
        year=year,
        as_of=today,
        releases=releases,
        items=Change(totals["items"], totals["items_last"]),
        documents=Change(totals["documents"], totals["documents_last"]),
        converted=Change(totals["converted"], totals["converted_last"]),
        unlisted=totals["unlisted"],
        columns=counted,
        top_columns=top,
        top_share=_pct(sum(c.count.this_year for c in top), releases.this_year),
        late=late_publications(agency_ids=[agency.pk], year=year, calendar=calendar),
        interpretation_overdue=in_state(InterpretationState.OVERDUE),
        interpretation_late=in_state(InterpretationState.LATE),
        interpretation_pending=in_state(InterpretationState.PENDING),
        channels=channels,
        freshness=freshness_report(columns, today=today),
    )
