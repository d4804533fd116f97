"""The weekly and monthly analysis of complaints (12315 imports) and messages (the
message board, ``interaction.selectors.messages_for_analysis``).

For one period (an ISO week or a month) and a set of agencies:

- **counts** by kind, category, subject, region and department, each beside the previous
  period and the same period last year (``periods``);
- a **trend**: the totals of the last :data:`TREND_PERIODS` periods, beside the same
  periods a year before;
- the **top terms and phrases** (``text``), with the previous period's count;
- the **emerging topics** (:func:`is_emerging`), with example summaries.

Complaints are read from the aggregates built at import (``aggregates``): a handful of
indexed queries whatever the number of complaints. Messages are few (hundreds a week at
most) and are read and segmented here, once per analysis, and added to the same figures.
Top terms merge the complaints' :data:`TOP_CANDIDATES` most frequent terms with every
term of the messages, so a term can only be missed if it is outside the complaints' top
200 and the messages alone lift it into the top 20 (it is then still counted in the
emerging topics, which look at every term).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Sum

from gongkai.hotspots import text
from gongkai.hotspots.columns import BLANK_LABEL, DIMENSIONS
from gongkai.hotspots.models import Complaint, DimensionCount, TermCount
from gongkai.hotspots.periods import MONTH, WEEK, Period, start_of

TREND_PERIODS = 12
TOP_TERMS = 20
TOP_CANDIDATES = 200
TOP_VALUES = 10  # per dimension on the page; the rest summed as 其他
EXAMPLES = 3
MAX_EMERGING = 10

# The emerging-topic rule (see ``is_emerging``).
TRAILING_PERIODS = 8
EMERGING_MIN_COUNT = 5
EMERGING_RATIO = 3
EMERGING_MIN_Z = 3.0
EMERGING_SIGMA_FLOOR = 1.0

SOURCES = {"all": "投诉举报和留言", "complaints": "12315投诉举报", "messages": "留言"}


def is_emerging(count: int, trailing: list[int]) -> tuple[bool, float, float]:
    """Is a term emerging this period? ``count`` is how many complaints and messages of
    the period mention it, ``trailing`` the counts of the :data:`TRAILING_PERIODS`
    periods before it (a period without any: 0). With μ their mean and σ their
    (population) standard deviation, the term is emerging when both hold:

    - ``count ≥ max(5, 3 × μ)``: at least five mentions, and three times its usual level;
    - ``z = (count − μ) / max(σ, 1) ≥ 3``: well outside its usual variation (σ is floored
      at 1 so that a term that was never or always equally mentioned does not get an
      infinite z from a handful of mentions).

    Returns (emerging, μ, z)."""
    n = len(trailing) or 1
    mean = sum(trailing) / n
    sigma = math.sqrt(sum((x - mean) ** 2 for x in trailing) / n)
    z = (count - mean) / max(sigma, EMERGING_SIGMA_FLOOR)
    emerging = count >= max(EMERGING_MIN_COUNT, EMERGING_RATIO * mean) and z >= EMERGING_MIN_Z
    return emerging, mean, z


def change(current: int, before: int) -> float | None:
    """Relative change in per cent (None when there is nothing to compare with)."""
    if not before:
        return None
    return round((current - before) * 100 / before, 1)


# --- the result -----------------------------------------------------------------------------

@dataclass
class ValueRow:
    label: str
    current: int
    previous: int
    last_year: int

    @property
    def change_previous(self) -> float | None:
        return change(self.current, self.previous)


@dataclass
class TermRow:
    term: str
    count: int
    previous: int

    @property
    def change_previous(self) -> float | None:
        return change(self.count, self.previous)


@dataclass
class Emerging:
    term: str
    phrase: bool
    count: int
    mean: float
    z: float
    examples: list[str] = field(default_factory=list)


@dataclass
class TrendPoint:
    period: Period
    current: int
    last_year: int


@dataclass
class Analysis:
    period: Period
    sources: str
    total: int = 0
    previous_total: int = 0
    last_year_total: int = 0
    by_source: dict[str, int] = field(default_factory=dict)
    dimensions: dict[str, list[ValueRow]] = field(default_factory=dict)
    trend: list[TrendPoint] = field(default_factory=list)
    top_terms: list[TermRow] = field(default_factory=list)
    top_phrases: list[TermRow] = field(default_factory=list)
    emerging: list[Emerging] = field(default_factory=list)
    messages_available: bool = True

    @property
    def change_previous(self) -> float | None:
        return change(self.total, self.previous_total)

    @property
    def change_last_year(self) -> float | None:
        return change(self.total, self.last_year_total)

    @property
    def previous_label(self) -> str:
        return "上周" if self.period.grain == WEEK else "上月"

    @property
    def dimension_labels(self) -> dict[str, str]:
        return DIMENSIONS


# --- messages ---------------------------------------------------------------------------------

def _messages(agencies: list, start: dt.date, end: dt.date) -> list[dict] | None:
    """The message board's messages of ``agencies`` received in [start, end]; None while
    the message board offers none to analyse (its selector is not there)."""
    try:
        from gongkai.interaction.selectors import messages_for_analysis
    except ImportError:
        return None
    found = []
    for m in messages_for_analysis(agencies=agencies, start=start, end=end):
        received = m.get("received_on")
        if isinstance(received, dt.datetime):
            received = received.date()
        if isinstance(received, dt.date) and start <= received <= end:
            found.append({**m, "received_on": received})
    return found


@dataclass
class _MessageFigures:
    totals: Counter = field(default_factory=Counter)  # period start → n
    dimensions: Counter = field(default_factory=Counter)  # (period, dim, value) → n
    terms: Counter = field(default_factory=Counter)  # (period, term, phrase) → n
    texts: dict = field(default_factory=lambda: defaultdict(list))  # period → [text]


def _message_figures(messages: list[dict], grain: str, segmented: set[dt.date]) -> _MessageFigures:
    figures = _MessageFigures()
    for m in messages:
        start = start_of(grain, m["received_on"])
        figures.totals[start] += 1
        values = {"kind": m.get("kind_label") or m.get("kind") or "", "category": m.get("category") or "",
                  "subject": "", "region": m.get("region") or "", "department": m.get("department") or ""}
        for dimension, value in values.items():
            figures.dimensions[(start, dimension, str(value)[:100])] += 1
        if start in segmented:
            words, phrases = text.terms_and_phrases(m.get("text") or "")
            for word in words:
                figures.terms[(start, word, False)] += 1
            for phrase in phrases:
                figures.terms[(start, phrase, True)] += 1
            figures.texts[start].append(text.mask_personal_data(m.get("text") or ""))
    return figures


# --- the analysis -----------------------------------------------------------------------------

def analyse(*, agencies: Iterable, period: Period, sources: str = "all") -> Analysis:
    """The analysis of ``period`` for ``agencies`` (Agency objects; their complaints and
    messages summed)."""
    agencies = list(agencies)
    ids = [a.pk for a in agencies]
    grain = period.grain
    result = Analysis(period=period, sources=sources)
    use_complaints = sources in ("all", "complaints")
    use_messages = sources in ("all", "messages")

    trend = [period.back(n) for n in range(TREND_PERIODS - 1, -1, -1)]
    trailing = [period.back(n) for n in range(TRAILING_PERIODS, 0, -1)]
    compared = {"current": period, "previous": period.previous, "last_year": period.last_year}

    messages = _MessageFigures()
    if use_messages:
        first = min(p.last_year.start for p in trend)
        found = _messages(agencies, first, period.end)
        if found is None:
            result.messages_available = False
        else:
            segmented = {p.start for p in trailing} | {period.start, period.previous.start}
            messages = _message_figures(found, grain, segmented)

    # Totals and the trend (every complaint has one "kind" row, blank or not).
    wanted = {p.start for p in trend} | {p.last_year.start for p in trend} | {
        p.start for p in compared.values()}
    complaint_totals: Counter = Counter()
    if use_complaints:
        for row in (DimensionCount.objects.filter(agency_id__in=ids, grain=grain, dimension="kind",
                                                  period__in=sorted(wanted))
                    .values("period").annotate(n=Sum("count"))):
            complaint_totals[row["period"]] = row["n"]

    def total(start: dt.date) -> int:
        return complaint_totals[start] + messages.totals[start]

    result.total = total(period.start)
    result.previous_total = total(period.previous.start)
    result.last_year_total = total(period.last_year.start)
    result.by_source = {"complaints": complaint_totals[period.start],
                        "messages": messages.totals[period.start]}
    result.trend = [TrendPoint(p, total(p.start), total(p.last_year.start)) for p in trend]

    # Counts by dimension.
    values: dict[str, dict[str, dict[str, int]]] = {d: defaultdict(Counter) for d in DIMENSIONS}
    by_start = {p.start: name for name, p in compared.items()}
    if use_complaints:
        for row in (DimensionCount.objects.filter(agency_id__in=ids, grain=grain,
                                                  period__in=list(by_start))
                    .values("period", "dimension", "value").annotate(n=Sum("count"))):
            if row["dimension"] in values:
                values[row["dimension"]][row["value"]][by_start[row["period"]]] += row["n"]
    for (start, dimension, value), n in messages.dimensions.items():
        if start in by_start:
            values[dimension][value][by_start[start]] += n
    for dimension, rows in values.items():
        listed = sorted(
            (ValueRow(value or BLANK_LABEL, c["current"], c["previous"], c["last_year"])
             for value, c in rows.items() if c["current"] or c["previous"]),
            key=lambda r: (-r.current, -r.previous, r.label))
        if len(listed) > TOP_VALUES:
            rest = listed[TOP_VALUES - 1:]
            listed = listed[:TOP_VALUES - 1] + [ValueRow(
                "其他", sum(r.current for r in rest), sum(r.previous for r in rest),
                sum(r.last_year for r in rest))]
        # A dimension nobody filled in says nothing: left out.
        if any(r.label != BLANK_LABEL for r in listed):
            result.dimensions[dimension] = listed

    # Top terms and phrases.
    for phrase, target in ((False, result.top_terms), (True, result.top_phrases)):
        counts: Counter = Counter()
        if use_complaints:
            for row in (TermCount.objects.filter(agency_id__in=ids, grain=grain,
                                                 period=period.start, phrase=phrase)
                        .values("term").annotate(n=Sum("count")).order_by("-n", "term")
                        [:TOP_CANDIDATES]):
                counts[row["term"]] = row["n"]
        for (start, term, is_phrase), n in messages.terms.items():
            if start == period.start and is_phrase == phrase:
                counts[term] += n
        top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_TERMS]
        before = _term_counts(ids, grain, [period.previous.start], [t for t, _ in top], phrase,
                              use_complaints)
        for term, n in top:
            previous = before[(term, period.previous.start)] + messages.terms[
                (period.previous.start, term, phrase)]
            target.append(TermRow(term, n, previous))

    result.emerging = _emerging(ids, period, trailing, messages, use_complaints)
    return result


def _term_counts(ids: list[int], grain: str, starts: list[dt.date], terms: list[str],
                 phrase: bool, use_complaints: bool) -> Counter:
    """(term, period start) → the complaints' count."""
    counts: Counter = Counter()
    if not use_complaints or not terms:
        return counts
    for first in range(0, len(terms), 500):
        chunk = terms[first:first + 500]
        for row in (TermCount.objects.filter(agency_id__in=ids, grain=grain, period__in=starts,
                                             phrase=phrase, term__in=chunk)
                    .values("term", "period").annotate(n=Sum("count"))):
            counts[(row["term"], row["period"])] = row["n"]
    return counts


def _emerging(ids: list[int], period: Period, trailing: list[Period], messages: _MessageFigures,
              use_complaints: bool) -> list[Emerging]:
    """Every term and phrase of the period that :func:`is_emerging`: candidates are those
    with at least :data:`EMERGING_MIN_COUNT` mentions this period (one query on the
    period's aggregates), then their trailing counts (a second query)."""
    current: Counter = Counter()
    message_terms = {(t, p) for (s, t, p), _ in messages.terms.items() if s == period.start}
    if use_complaints:
        for row in (TermCount.objects.filter(agency_id__in=ids, grain=period.grain,
                                             period=period.start)
                    .values("term", "phrase").annotate(n=Sum("count"))
                    .filter(n__gte=EMERGING_MIN_COUNT)):
            current[(row["term"], row["phrase"])] = row["n"]
        # Terms of the messages that the complaints mention fewer than five times.
        for phrase in (False, True):
            terms = [t for t, p in message_terms if p == phrase and (t, p) not in current]
            for (term, _), n in _term_counts(ids, period.grain, [period.start], terms, phrase,
                                             use_complaints).items():
                current[(term, phrase)] = n
    for key in message_terms:
        current[key] += messages.terms[(period.start, *key)]
    candidates = [key for key, n in current.items() if n >= EMERGING_MIN_COUNT]
    starts = [p.start for p in trailing]
    before: Counter = Counter()
    for phrase in (False, True):
        terms = [t for t, p in candidates if p == phrase]
        for (term, start), n in _term_counts(ids, period.grain, starts, terms, phrase,
                                             use_complaints).items():
            before[(term, phrase, start)] = n
    found = []
    for term, phrase in candidates:
        history = [before[(term, phrase, s)] + messages.terms[(s, term, phrase)] for s in starts]
        emerging, mean, z = is_emerging(current[(term, phrase)], history)
        if emerging:
            found.append(Emerging(term, phrase, current[(term, phrase)], round(mean, 1), round(z, 1)))
    found.sort(key=lambda e: (-e.count, -e.z, e.term))
    # A phrase that only repeats an emerging term adds nothing: the term's line shows it.
    kept: list[Emerging] = []
    for e in found:
        if e.phrase and any(not k.phrase and k.term in e.term and k.count == e.count for k in kept):
            continue
        kept.append(e)
    kept = kept[:MAX_EMERGING]
    for e in kept:
        e.examples = examples(ids, period, e.term, messages.texts.get(period.start, []),
                              use_complaints)
    return kept


def examples(ids: list[int], period: Period, term: str, message_texts: list[str],
             use_complaints: bool) -> list[str]:
    """Up to :data:`EXAMPLES` summaries of the period mentioning ``term``, newest first:
    complaints through the (agency, week) or (agency, month) index, then messages."""
    found: list[str] = []
    if use_complaints:
        field_name = "week" if period.grain == WEEK else "month"
        found = list(Complaint.objects.filter(agency_id__in=ids, **{field_name: period.start},
                                              summary__contains=term)
                     .order_by("-received_on", "-id").values_list("summary", flat=True)[:EXAMPLES])
    for message in message_texts:
        if len(found) >= EXAMPLES:
            break
        if term in message:
            found.append(message)
    return [_shorten(s) for s in found]


def _shorten(summary: str, limit: int = 120) -> str:
    summary = " ".join(summary.split())
    return summary if len(summary) <= limit else summary[:limit] + "…"


__all__ = ["MONTH", "WEEK", "Analysis", "Period", "analyse", "is_emerging"]
