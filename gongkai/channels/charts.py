"""The charts of the figures page, described once: ``static/channels/charts.js`` draws
them with Chart.js (the library of the hot-spot analysis, vendored at
``static/vendor/chart.js-4.6.1``) from the page's ``json_script``; each has a data table
beside it built from the same spec, which is what a screen reader and a browser without
scripts get."""

from __future__ import annotations

from gongkai.channels.selectors import WEBSITE_LABELS, PlatformSeries, WebsiteFigures, WebsiteMonth
from gongkai.core.charts import BAR, LINE, Chart, Dataset

MONTH_LABELS = [f"{m}月" for m in range(1, 13)]


def _per_platform(id_: str, title: str, type_: str, series: list[PlatformSeries], attr: str,
                  description: str) -> Chart:
    return Chart(id=id_, title=title, type=type_, labels=MONTH_LABELS,
                 datasets=[Dataset(s.label, list(getattr(s, attr))) for s in series],
                 description=description, columns=[s.label for s in series])


def charts_for(*, year: int, series: list[PlatformSeries], website: WebsiteFigures) -> list[Chart]:
    charts = []
    if series:
        charts += [
            _per_platform("posts", f"{year}年各平台每月发布信息数", BAR, series, "posts",
                          "柱状图：各平台每月发布信息条数"),
            _per_platform("reads", f"{year}年各平台每月阅读量", BAR, series, "reads",
                          "柱状图：各平台每月阅读量"),
            _per_platform("followers", f"{year}年各平台月末关注用户数", LINE, series, "followers",
                          "折线图：各平台每月末的关注用户数（某账号当月未填报的，按其此前最近一个月计）"),
        ]
    names = WebsiteMonth.FIELDS
    charts.append(Chart(
        id="website", title=f"{year}年政府网站每月数据", type=LINE, labels=MONTH_LABELS,
        datasets=[Dataset(WEBSITE_LABELS[n], [getattr(m, n) for m in website.months]) for n in names],
        description="折线图：政府网站每月发布信息、收到申请和留言等数量",
        columns=[WEBSITE_LABELS[n] for n in names],
    ))
    return charts
