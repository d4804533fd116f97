"""Information processing fees (信息处理费): Art. 42 and the Fee measures.

Requests are free (Art. 42). Only where the quantity or frequency of requests clearly
exceeds a reasonable range may an agency charge, under the 《政府信息公开信息处理费管理办法》
(国办函〔2020〕109号), by ONE of two excess-progressive scales, never both for one request
(Art. 3 of the measures):

* per request (按件计收, Art. 4): by the request's rank among the applicant's requests in
  the calendar month — the rank-th request costs the price of the band the rank falls in;
* per page (按量计收, Art. 5): by the pages supplied, each page at the price of its band.

The bands live in ``data/fee_scales.toml`` (the law as data): a change of the measures is
an edit of that file. This module parses and checks it once, then only walks the bands.
No Django imports: the fee notice service passes in the rank or the page count.
"""

from __future__ import annotations

import datetime
import enum
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from gongkai.core.rules import rule

__all__ = [
    "FeeCalculation",
    "FeeLine",
    "FeeSchedule",
    "FeeScale",
    "FeeScheduleError",
    "FeeSource",
    "OpenEndedRule",
    "PriceBand",
    "ScaleRules",
    "calculate_fee",
    "load_fee_schedule",
    "parse_fee_schedule",
    "per_page_fee",
    "per_request_fee",
]

CENT = Decimal("0.01")


class FeeScale(enum.Enum):
    """The two scales of the measures; an agency applies one of them to a request."""

    PER_REQUEST = "per_request"  # 按件计收, Art. 4
    PER_PAGE = "per_page"  # 按量计收, Art. 5


class FeeScheduleError(ValueError):
    """``fee_scales.toml`` does not describe a complete, gap-free pair of scales."""


@dataclass(frozen=True)
class FeeSource:
    """The document the scales come from, cited on every fee notice."""

    title: str
    document_number: str
    issued_by: str
    issued_on: datetime.date
    enabling_provision: str


@dataclass(frozen=True)
class PriceBand:
    """Units ``first``..``last`` (inclusive; ``last`` None = no upper end) at one price."""

    first: int
    last: int | None
    unit_price: Decimal

    def count_within(self, quantity: int) -> int:
        """How many of the units 1..quantity fall in this band."""
        top = quantity if self.last is None else min(quantity, self.last)
        return max(0, top - self.first + 1)

    def range_text(self, unit: str) -> str:
        if self.last is None:
            return f"第{self.first}{unit}起"
        return f"第{self.first}—{self.last}{unit}"

    def price_text(self, unit: str) -> str:
        if not self.unit_price:
            return "不收费"
        return f"每{unit}{_yuan_short(self.unit_price)}元"

    def label(self, unit: str) -> str:
        return f"{self.range_text(unit)}，{self.price_text(unit)}"


@dataclass(frozen=True)
class OpenEndedRule:
    """Beyond the fixed bands: bands of ``band_width`` units from ``first`` on, each
    ``increment`` yuan per unit dearer than the band before (Art. 4 (三): 以10件为一档，
    每增加一档，收费标准提高100元/件)."""

    first: int
    band_width: int
    increment: Decimal


@dataclass(frozen=True)
class ScaleRules:
    """One scale as read from the data file."""

    scale: FeeScale
    method: str  # 按件计收 / 按量计收
    article: str  # article of the measures, e.g. 第四条
    unit: str  # 件 / 页
    bands: tuple[PriceBand, ...]
    open_ended: OpenEndedRule | None = None

    def band_for(self, n: int) -> PriceBand:
        """The band the n-th unit (1-based) falls in."""
        for band in self.bands:
            if band.last is None or n <= band.last:
                return band
        return self._generated_band(self._generated_index(n))

    def bands_through(self, quantity: int) -> Iterator[PriceBand]:
        """Every band holding at least one of the units 1..quantity, in order."""
        for band in self.bands:
            if band.first > quantity:
                return
            yield band
        if self.open_ended is not None and quantity >= self.open_ended.first:
            for index in range(self._generated_index(quantity) + 1):
                yield self._generated_band(index)

    def _generated_index(self, n: int) -> int:
        assert self.open_ended is not None  # guaranteed by the parser: no gap at the top
        return (n - self.open_ended.first) // self.open_ended.band_width

    def _generated_band(self, index: int) -> PriceBand:
        rule = self.open_ended
        assert rule is not None
        first = rule.first + index * rule.band_width
        return PriceBand(
            first=first,
            last=first + rule.band_width - 1,
            unit_price=self.bands[-1].unit_price + (index + 1) * rule.increment,
        )


@dataclass(frozen=True)
class FeeSchedule:
    """Both scales and their source, as loaded from ``fee_scales.toml``."""

    source: FeeSource
    per_request: ScaleRules
    per_page: ScaleRules

    def rules(self, scale: FeeScale) -> ScaleRules:
        return self.per_request if scale is FeeScale.PER_REQUEST else self.per_page

    def basis(self, scale: FeeScale) -> str:
        """The legal basis printed on the fee notice."""
        rules = self.rules(scale)
        return (
            f"《{self.source.title}》（{self.source.document_number}）{rules.article}、"
            f"{self.source.enabling_provision}，{rules.method}"
        )


@dataclass(frozen=True)
class FeeLine:
    """One band's share of a fee: ``quantity`` units at ``unit_price``."""

    band_label: str  # e.g. "第31—100页，每页10元"
    quantity: int
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class FeeCalculation:
    """The fee for one request under one scale, with what the fee notice must say."""

    scale: FeeScale
    quantity: int  # the request's rank in the month, or the page count
    lines: tuple[FeeLine, ...]
    total: Decimal
    basis: str
    explanation: tuple[str, ...]


# --- computation -----------------------------------------------------------------------


@rule
def per_request_fee(rank_in_month: int) -> FeeCalculation:
    """Fee for this request, being the applicant's ``rank_in_month``-th (1-based) request
    in the calendar month (Art. 4 of the measures). Earlier requests were charged (or not)
    at their own rank; this one costs the price of the band its rank falls in.

    依据：国办函〔2020〕109号第四条
    """
    _check_count("rank_in_month", rank_in_month, minimum=1)
    schedule = load_fee_schedule()
    rules = schedule.per_request
    band = rules.band_for(rank_in_month)
    amount = _money(band.unit_price)
    line = FeeLine(
        band_label=band.label(rules.unit),
        quantity=1,
        unit_price=_money(band.unit_price),
        amount=amount,
    )
    explanation = (
        f"该申请人本月第{rank_in_month}{rules.unit}申请，"
        f"适用{band.range_text(rules.unit)}档，{band.price_text(rules.unit)}",
        f"本{rules.unit}申请应缴信息处理费{amount}元"
        if amount
        else f"本{rules.unit}申请不收取信息处理费",
    )
    return FeeCalculation(
        scale=FeeScale.PER_REQUEST,
        quantity=rank_in_month,
        lines=(line,),
        total=amount,
        basis=schedule.basis(FeeScale.PER_REQUEST),
        explanation=explanation,
    )


@rule
def per_page_fee(pages: int) -> FeeCalculation:
    """Fee for supplying ``pages`` pages (paper, e-mail or copies of electronic data),
    each page at the price of its band (Art. 5 of the measures): 150 pages =
    30 free + 70×10 + 50×20 = 1700 yuan.

    依据：国办函〔2020〕109号第五条
    """
    _check_count("pages", pages, minimum=0)
    schedule = load_fee_schedule()
    rules = schedule.per_page
    lines = []
    explanation = [f"本次提供政府信息共{pages}{rules.unit}，按量计收，超额累进计算"]
    for band in rules.bands_through(pages):
        quantity = band.count_within(pages)
        unit_price = _money(band.unit_price)
        amount = _money(unit_price * quantity)
        lines.append(FeeLine(band.label(rules.unit), quantity, unit_price, amount))
        share = (
            f"{band.range_text(rules.unit)}共{quantity}{rules.unit}，{band.price_text(rules.unit)}"
        )
        explanation.append(f"{share}，计{amount}元" if band.unit_price else share)
    total = _money(sum((line.amount for line in lines), Decimal(0)))
    explanation.append(f"合计应缴信息处理费{total}元" if total else "不收取信息处理费")
    return FeeCalculation(
        scale=FeeScale.PER_PAGE,
        quantity=pages,
        lines=tuple(lines),
        total=total,
        basis=schedule.basis(FeeScale.PER_PAGE),
        explanation=tuple(explanation),
    )


@rule
def calculate_fee(
    *, scale: FeeScale, rank_in_month: int | None = None, pages: int | None = None
) -> FeeCalculation:
    """Fee under the chosen scale, given exactly the one input that scale uses. Passing
    both inputs is refused: the two scales are never combined for one request (Art. 3).

    依据：国办函〔2020〕109号第三条；条例第四十二条
    """
    if not isinstance(scale, FeeScale):
        raise ValueError(f"scale must be a FeeScale, got {scale!r}")
    if rank_in_month is not None and pages is not None:
        raise ValueError(
            "give rank_in_month or pages, not both: one request is charged by one scale only"
        )
    if scale is FeeScale.PER_REQUEST:
        if pages is not None:
            raise ValueError("the per-request scale takes rank_in_month, not pages")
        if rank_in_month is None:
            raise ValueError("the per-request scale needs rank_in_month")
        return per_request_fee(rank_in_month)
    if rank_in_month is not None:
        raise ValueError("the per-page scale takes pages, not rank_in_month")
    if pages is None:
        raise ValueError("the per-page scale needs pages")
    return per_page_fee(pages)


def _check_count(name: str, value: object, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT)


def _yuan_short(value: Decimal) -> str:
    """10 → "10", 12.5 → "12.50": prices in band labels read like the measures."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return str(_money(value))


# --- loading the data file -------------------------------------------------------------


@cache
def load_fee_schedule() -> FeeSchedule:
    """The scales from the packaged ``data/fee_scales.toml``, parsed and checked once."""
    text = (resources.files("gongkai.foi").joinpath("data").joinpath("fee_scales.toml")).read_text(
        encoding="utf-8"
    )
    return parse_fee_schedule(text)


def parse_fee_schedule(text: str) -> FeeSchedule:
    """Parse and check a fee-scales document (see the comments in ``fee_scales.toml``).

    Strict on purpose: an unknown key (a typo), a gap or overlap between bands, or a
    scale that stops short of covering every quantity raises :class:`FeeScheduleError`
    instead of silently charging the wrong fee.
    """
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise FeeScheduleError(f"fee scales: not valid TOML: {exc}") from exc
    _keys(data, "fee scales", required={"source", "per_request", "per_page"})
    src = data["source"]
    _keys(
        src,
        "[source]",
        required={"title", "document_number", "issued_by", "issued_on", "enabling_provision"},
    )
    for key in ("title", "document_number", "issued_by", "enabling_provision"):
        _text(src[key], f"[source].{key}")
    if not isinstance(src["issued_on"], datetime.date):
        raise FeeScheduleError("[source].issued_on must be a date")
    source = FeeSource(
        title=src["title"],
        document_number=src["document_number"],
        issued_by=src["issued_by"],
        issued_on=src["issued_on"],
        enabling_provision=src["enabling_provision"],
    )
    return FeeSchedule(
        source=source,
        per_request=_parse_scale(FeeScale.PER_REQUEST, data["per_request"]),
        per_page=_parse_scale(FeeScale.PER_PAGE, data["per_page"]),
    )


def _parse_scale(scale: FeeScale, table: Any) -> ScaleRules:
    where = f"[{scale.value}]"
    _keys(table, where, required={"method", "article", "unit", "bands"}, optional={"open_ended"})
    for key in ("method", "article", "unit"):
        _text(table[key], f"{where}.{key}")
    raw_bands = table["bands"]
    if not isinstance(raw_bands, list) or not raw_bands:
        raise FeeScheduleError(f"{where}.bands must be a non-empty array of tables")
    bands: list[PriceBand] = []
    expected_first = 1
    for i, raw in enumerate(raw_bands):
        at = f"{where}.bands[{i}]"
        _keys(raw, at, required={"from", "unit_price"}, optional={"to"})
        first = _int(raw["from"], f"{at}.from")
        last = _int(raw["to"], f"{at}.to") if "to" in raw else None
        if first != expected_first:
            raise FeeScheduleError(
                f"{at}.from is {first}, expected {expected_first} (bands must start at 1 "
                "and follow each other without gap or overlap)"
            )
        if last is None and i != len(raw_bands) - 1:
            raise FeeScheduleError(f"{at} has no 'to': only the last band may be open-ended")
        if last is not None and last < first:
            raise FeeScheduleError(f"{at}.to ({last}) is below its from ({first})")
        bands.append(PriceBand(first, last, _price(raw["unit_price"], f"{at}.unit_price")))
        expected_first = (last or first) + 1

    open_ended = None
    if "open_ended" in table:
        at = f"{where}.open_ended"
        raw = table["open_ended"]
        _keys(raw, at, required={"from", "band_width", "increment"})
        open_ended = OpenEndedRule(
            first=_int(raw["from"], f"{at}.from"),
            band_width=_int(raw["band_width"], f"{at}.band_width"),
            increment=_price(raw["increment"], f"{at}.increment"),
        )
        if bands[-1].last is None:
            raise FeeScheduleError(f"{at} given but the last band is already open-ended")
        if open_ended.first != expected_first:
            raise FeeScheduleError(f"{at}.from is {open_ended.first}, expected {expected_first}")
        if open_ended.band_width < 1:
            raise FeeScheduleError(f"{at}.band_width must be at least 1")
    elif bands[-1].last is not None:
        raise FeeScheduleError(
            f"{where} stops at {bands[-1].last}: leave out the last band's 'to' or add "
            "an open_ended rule, so that every quantity has a price"
        )
    return ScaleRules(
        scale=scale,
        method=table["method"],
        article=table["article"],
        unit=table["unit"],
        bands=tuple(bands),
        open_ended=open_ended,
    )


def _keys(table: Any, where: str, *, required: set[str], optional: set[str] | None = None) -> None:
    if not isinstance(table, Mapping):
        raise FeeScheduleError(f"{where} must be a table")
    missing = required - table.keys()
    unknown = table.keys() - required - (optional or set())
    problems = []
    if missing:
        problems.append(f"lacks {', '.join(sorted(missing))}")
    if unknown:
        problems.append(f"has unknown keys {', '.join(sorted(unknown))}")
    if problems:
        raise FeeScheduleError(f"{where} {' and '.join(problems)}")


def _text(value: Any, where: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise FeeScheduleError(f"{where} must be a non-empty string")


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise FeeScheduleError(f"{where} must be a positive integer, got {value!r}")
    return value


def _price(value: Any, where: str) -> Decimal:
    """Yuan as a TOML integer or decimal (read as Decimal, never float), ≥ 0, ≤ 2 places."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise FeeScheduleError(f"{where} must be a number of yuan, got {value!r}")
    price = Decimal(value)
    if not price.is_finite() or price < 0 or price != price.quantize(CENT):
        raise FeeScheduleError(f"{where} must be ≥ 0 yuan with at most 2 decimals, got {value}")
    return _money(price)
