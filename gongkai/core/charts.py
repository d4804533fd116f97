"""A chart as the back office's pages describe it once: Chart.js draws it from the page's
``json_script`` (the library vendored at ``static/vendor/chart.js-4.6.1``), and the data
table beside it is built from the same spec (``rows``), which is also what a screen
reader and a browser without scripts get. Used by the hot-spot analysis and the
new-media figures."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

LINE, BAR, SHARE = "line", "bar", "doughnut"


@dataclass
class Dataset:
    label: str
    data: list[int | None]  # None: no figure (a gap in a line, "—" in the table)


@dataclass
class Chart:
    id: str
    title: str
    type: str  # LINE, BAR or SHARE
    labels: list[str]
    datasets: list[Dataset]
    horizontal: bool = False
    description: str = ""
    columns: list[str] = field(default_factory=list)  # the table's headers after the label

    @property
    def rows(self) -> list[tuple[str, list[int | None]]]:
        return [(label, [d.data[i] for d in self.datasets]) for i, label in enumerate(self.labels)]

    @property
    def empty(self) -> bool:
        return not any(v for d in self.datasets for v in d.data)

    def as_json(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "columns"}
