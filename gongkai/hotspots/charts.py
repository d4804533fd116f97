"""The charts of an analysis, described once: the staff page draws them with Chart.js
(``static/hotspots/charts.js`` reads these specs from ``json_script``), the weekly brief
renders them to PNG with matplotlib (``brief``). Each chart has a data table beside it
on the page, built from the same spec (``rows``), which is also what a screen reader and
a browser without scripts get.
"""

from __future__ import annotations

from gongkai.core.charts import BAR, LINE, SHARE, Chart, Dataset
from gongkai.hotspots.analysis import Analysis
from gongkai.hotspots.columns import DIMENSIONS


def charts_for(analysis: Analysis) -> list[Chart]:
    a = analysis
    previous, period_word = a.previous_label, ("周" if a.period.grain == "W" else "月")
    charts = [Chart(
        id="trend", title=f"近{len(a.trend)}{period_word}数量走势", type=LINE,
        labels=[p.period.short_label for p in a.trend],
        datasets=[Dataset("本期", [p.current for p in a.trend]),
                  Dataset("上年同期", [p.last_year for p in a.trend])],
        description="折线图：每期件数，与上年同期对比",
        columns=["本期", "上年同期"],
    )]
    if a.sources == "all":
        charts.append(Chart(
            id="sources", title="来源构成", type=SHARE, labels=["12315投诉举报", "留言"],
            datasets=[Dataset("件数", [a.by_source.get("complaints", 0),
                                     a.by_source.get("messages", 0)])],
            description="环形图：各来源所占比例", columns=["件数"],
        ))
    for dimension, rows in a.dimensions.items():
        label = DIMENSIONS[dimension]
        if dimension == "kind":
            charts.append(Chart(
                id="kind", title=f"按{label}占比", type=SHARE, labels=[r.label for r in rows],
                datasets=[Dataset("本期", [r.current for r in rows])],
                description=f"环形图：各{label}所占比例", columns=["本期"],
            ))
            continue
        charts.append(Chart(
            id=dimension, title=f"按{label}", type=BAR, labels=[r.label for r in rows],
            datasets=[Dataset("本期", [r.current for r in rows]),
                      Dataset(previous, [r.previous for r in rows]),
                      Dataset("上年同期", [r.last_year for r in rows])],
            horizontal=dimension in ("category", "subject", "department"),
            description=f"条形图：各{label}件数，与{previous}和上年同期对比",
            columns=["本期", previous, "上年同期"],
        ))
    if a.top_terms:
        charts.append(Chart(
            id="terms", title="高频词", type=BAR, labels=[t.term for t in a.top_terms],
            datasets=[Dataset("本期", [t.count for t in a.top_terms]),
                      Dataset(previous, [t.previous for t in a.top_terms])],
            horizontal=True, description=f"条形图：提及各词的件数，与{previous}对比",
            columns=["本期", previous],
        ))
    return charts
