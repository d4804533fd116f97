"""The website inspection's indicators as data (``data/indicators.toml``), named as
《政府网站与政务新媒体检查指标》(国办秘函〔2019〕19号) names them: which are single-veto
items (单项否决), which deduct points (扣分) and how many, and the thresholds. No Django."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "indicators.toml"

VETO, DEDUCTION, WARNING = "veto", "deduction", "warning"
KIND_LABELS = {VETO: "单项否决", DEDUCTION: "扣分", WARNING: "提示"}


@dataclass(frozen=True)
class Indicator:
    """One indicator: its key (used in code and stored findings), its name as 19号 has
    it, its kind and its figures (thresholds, points) as the file gives them."""

    key: str
    kind: str
    name: str
    group: str = ""
    figures: dict = field(default_factory=dict)

    def number(self, name: str) -> int:
        return int(self.figures[name])

    def points(self, name: str = "points") -> Decimal:
        return Decimal(str(self.figures[name]))


@dataclass(frozen=True)
class GuideElement:
    """A key element of a service guide (办事指南) and the labels that show it is there."""

    key: str
    label: str
    labels: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class Rules:
    indicators: dict[str, Indicator]
    pass_score: int
    max_requests: int
    seconds_now: int
    guide_columns: tuple[str, ...]
    guide_elements: tuple[GuideElement, ...]

    def __getitem__(self, key: str) -> Indicator:
        return self.indicators[key]


def parse(data: dict) -> Rules:
    indicators = {}
    for kind in (VETO, DEDUCTION, WARNING):
        for key, spec in data.get(kind, {}).items():
            spec = dict(spec)
            name = spec.pop("name")
            group = spec.pop("group", "")
            if key in indicators:
                raise ValueError(f"indicator {key} is defined twice")
            indicators[key] = Indicator(key=key, kind=kind, name=name, group=group, figures=spec)
    guides = data.get("service_guides", {})
    elements = tuple(
        GuideElement(key=e["key"], label=e["label"], labels=tuple(e["labels"]),
                     required=bool(e.get("required", True)))
        for e in guides.get("element", []))
    return Rules(
        indicators=indicators,
        pass_score=int(data["verdict"]["pass_score"]),
        max_requests=int(data["crawl"]["max_requests"]),
        seconds_now=int(data["crawl"]["seconds_now"]),
        guide_columns=tuple(guides.get("columns", ())),
        guide_elements=elements,
    )


@functools.cache
def rules() -> Rules:
    """The indicators of ``data/indicators.toml`` (read once)."""
    return parse(tomllib.loads(DATA.read_text("utf-8")))
