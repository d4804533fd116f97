"""What an inspector would find on an agency's portal section today, indicator by
indicator (《政府网站与政务新媒体检查指标》, 国办秘函〔2019〕19号), and the score.

The checks are a registry: each is one function ``(ctx) -> list[Finding]`` decorated with
``@check``; ``inspect(agency)`` runs them all in order. To add one (e.g. the new-media
accounts not updated in 2 weeks, from ``gongkai.channels``), write the function below and
decorate it; its indicator goes in ``data/indicators.toml``.

Staleness of columns is publishing's (``publishing.selectors.freshness.column_freshness``),
the three-month mark of a message is interaction's (``interaction.rules.inspection_veto_on``);
this module only counts them against the thresholds of the data file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.urls import reverse

from gongkai.channels import selectors as channel_selectors
from gongkai.core import clock
from gongkai.core.models import Agency
from gongkai.inspection import crawl as crawling
from gongkai.inspection import fetchers, guides
from gongkai.inspection.indicators import DEDUCTION, VETO, WARNING, Rules, rules
from gongkai.interaction import rules as message_rules
from gongkai.interaction.models import Message
from gongkai.interaction.workflow import ANSWERED_STATUSES, OPEN_STATUSES
from gongkai.publishing.models import ColumnKind
from gongkai.publishing.selectors.freshness import FreshnessReport, column_freshness

NOT_CHECKED = "未检查"


@dataclass(frozen=True)
class Finding:
    """One thing found: under which indicator, of which kind, what (``detail``, in
    Chinese), the points it costs (deductions), and where (``url``, ``page``)."""

    indicator: str  # the key in data/indicators.toml
    name: str
    kind: str
    detail: str
    points: Decimal = Decimal(0)
    url: str = ""
    page: str = ""

    def as_dict(self) -> dict:
        d = {"key": self.indicator, "indicator": self.name, "detail": self.detail}
        if self.kind == DEDUCTION:
            d["points"] = float(self.points)
        if self.url:
            d["url"] = self.url
        if self.page:
            d["page"] = self.page
        return d


@dataclass
class Context:
    """What the checks read, each part computed once and only if a check asks for it."""

    agency: Agency
    today: dt.date
    rules: Rules
    fetcher: object | None = None
    time_budget: float | None = None  # seconds for the crawl (the office's 立即检查)

    @cached_property
    def freshness(self) -> FreshnessReport:
        return column_freshness(agency=self.agency, today=self.today)

    @cached_property
    def crawl(self) -> crawling.CrawlResult:
        return crawling.crawl_agency(self.agency, fetcher=self.fetcher,
                                     max_requests=self.rules.max_requests, time_budget=self.time_budget)

    def finding(self, key: str, detail: str, points=Decimal(0), **where) -> Finding:
        indicator = self.rules[key]
        return Finding(indicator=key, name=indicator.name, kind=indicator.kind, detail=detail,
                       points=Decimal(points), **where)


Check = Callable[[Context], list[Finding]]
CHECKS: list[tuple[str, Check]] = []


def check(fn: Check) -> Check:
    """Register a check (in the order of this module); registering a name again replaces it."""
    CHECKS[:] = [(name, f) for name, f in CHECKS if name != fn.__name__]
    CHECKS.append((fn.__name__, fn))
    return fn


@dataclass
class Result:
    """The day's findings for one agency, and the score out of 100."""

    agency: Agency
    checked_on: dt.date
    findings: list[Finding] = field(default_factory=list)
    external: list[crawling.External] = field(default_factory=list)
    pages: int = 0
    requests: int = 0

    def of_kind(self, kind: str) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]

    @property
    def veto(self) -> list[Finding]:
        return self.of_kind(VETO)

    @property
    def deductions(self) -> list[Finding]:
        return self.of_kind(DEDUCTION)

    @property
    def warnings(self) -> list[Finding]:
        return self.of_kind(WARNING)

    @property
    def points_off(self) -> Decimal:
        return sum((f.points for f in self.deductions), Decimal(0))

    @property
    def score(self) -> Decimal:
        return max(Decimal(0), Decimal(100) - self.points_off).quantize(Decimal("0.1"))

    @property
    def passed(self) -> bool:
        """No single-veto item, and at least the pass score (below 60 fails)."""
        return not self.veto and self.score >= rules().pass_score

    def as_json(self) -> dict:
        """The line ``gongkai site-check --json`` prints for the agency."""
        return {
            "agency": self.agency.code,
            "score": float(self.score),
            "veto": [{"indicator": f.name, "detail": f.detail} for f in self.veto],
            "deductions": [{"indicator": f.name, "points": float(f.points), "detail": f.detail}
                           for f in self.deductions],
            "warnings": [{"indicator": f.name, "detail": f.detail} for f in self.warnings],
        }


def inspect(agency: Agency, *, today: dt.date | None = None, fetcher=None,
            use_configured_fetcher: bool = True, time_budget: float | None = None) -> Result:
    """Run every registered check for ``agency`` as of ``today``. External links are
    fetched only through ``fetcher`` or, by default, the one the settings configure
    (``fetchers.configured_fetcher``: none unless an operator names one). ``time_budget``
    bounds the crawl in seconds (the office's 立即检查 runs inside a web request)."""
    if fetcher is None and use_configured_fetcher:
        fetcher = fetchers.configured_fetcher()
    ctx = Context(agency=agency, today=today or clock.today(), rules=rules(), fetcher=fetcher,
                  time_budget=time_budget)
    result = Result(agency=agency, checked_on=ctx.today)
    for _, fn in CHECKS:
        result.findings.extend(fn(ctx))
    if "crawl" in ctx.__dict__:
        result.external = list(ctx.crawl.external)
        result.pages = len(ctx.crawl.pages)
        result.requests = ctx.crawl.requests
    return result


def _names(rows) -> str:
    return "、".join(f"“{r.name}”" for r in rows)


def _capped(ctx: Context, key: str, items) -> list[Finding]:
    """One deduction per item, each with its points until the indicator's cap is spent."""
    cap = ctx.rules[key].points("max_points")
    spent, found = Decimal(0), []
    for detail, points, where in items:
        points = max(Decimal(0), min(points, cap - spent))
        spent += points
        if points == 0:
            detail += "（本项已达扣分上限）"
        found.append(ctx.finding(key, detail, points, **where))
    return found


# --- the checks, in the order of the report --------------------------------------------------


@check
def home_page(ctx: Context) -> list[Finding]:
    """首页不更新: nothing published on the agency's section in the 2 weeks before."""
    days = ctx.rules["home_page_not_updated"].number("days")
    last = ctx.freshness.site_last_published_on
    if last is None:
        return [ctx.finding("home_page_not_updated", "本机关首页从未发布信息")]
    if (ctx.today - last).days > days:
        return [ctx.finding("home_page_not_updated",
                            f"首页最近一次更新为{last:%Y-%m-%d}，已{(ctx.today - last).days}天未更新"
                            f"（超过{days}天即单项否决）")]
    return []


@check
def columns(ctx: Context) -> list[Finding]:
    """栏目不更新: stale 动态/要闻 and top-level 通知公告/政策文件 columns, long-overdue
    columns, blank columns; below each threshold, every such column as a warning."""
    spec = ctx.rules["columns_not_updated"]
    rows = ctx.freshness.columns
    stale = [r for r in rows if r.stale]
    counted = [r for r in stale if r.column.kind == ColumnKind.DYNAMIC
               or (r.column.kind == ColumnKind.NOTICE and r.column.parent_id is None)]
    long_overdue = [r for r in stale if r.days_since is not None
                    and r.days_since > spec.number("long_overdue_days")]
    blank = [r for r in rows if r.blank]
    found = []
    stale_veto = len(counted) >= spec.number("stale_columns")
    long_veto = len(long_overdue) >= spec.number("long_overdue_columns")
    blank_veto = len(blank) >= spec.number("blank_columns")
    if stale_veto:
        found.append(ctx.finding("columns_not_updated",
                                 f"{len(counted)}个动态/要闻类或通知公告/政策文件类栏目未按期更新"
                                 f"（{spec.number('stale_columns')}个及以上即单项否决）：{_names(counted)}"))
    if long_veto:
        found.append(ctx.finding("columns_not_updated",
                                 f"{len(long_overdue)}个栏目超过{spec.number('long_overdue_days')}天未更新"
                                 f"（{spec.number('long_overdue_columns')}个及以上即单项否决）："
                                 f"{_names(long_overdue)}"))
    if blank_veto:
        found.append(ctx.finding("columns_not_updated",
                                 f"{len(blank)}个空白栏目（{spec.number('blank_columns')}个及以上即单项否决）："
                                 f"{_names(blank)}"))
    if not (stale_veto or long_veto):
        for r in stale:
            found.append(ctx.finding(
                "column_stale",
                f"栏目“{r.name}”（{r.kind_label}）最近更新{r.last_published_on:%Y-%m-%d}，"
                f"已{r.days_since}天未更新（应在{r.limit_days}天内更新）"))
    if not blank_veto:
        for r in blank:
            found.append(ctx.finding("column_blank", f"栏目“{r.name}”为空白栏目（没有任何信息）"))
    return found


def _late_messages(agency: Agency, today: dt.date, lookback_days: int) -> list[tuple[Message, dt.date]]:
    """Valid messages whose three-month mark (``interaction.rules.inspection_veto_on``)
    fell within the year before ``today`` and that were not answered by then."""
    earliest = today - dt.timedelta(days=lookback_days)
    # The mark is three months after receipt: receipts older than lookback + 3 months
    # cannot have it in the window.
    candidates = Message.objects.filter(
        agency=agency, status__in=[*OPEN_STATUSES, *ANSWERED_STATUSES],
        received_on__gte=earliest - dt.timedelta(days=124), received_on__lte=today,
    ).only("pk", "tracking_number", "received_on", "replied_on", "status").order_by("received_on", "pk")
    late = []
    for m in candidates:
        mark = message_rules.inspection_veto_on(m.received_on)
        if not (earliest < mark <= today):
            continue
        answered = m.status in ANSWERED_STATUSES and m.replied_on is not None
        if not answered or m.replied_on >= mark:
            late.append((m, mark))
    return late


@check
def interaction(ctx: Context) -> list[Finding]:
    """互动回应差: a valid question unanswered for more than 3 months in the year before."""
    spec = ctx.rules["poor_interaction"]
    late = _late_messages(ctx.agency, ctx.today, spec.number("lookback_days"))
    found = []
    for m, _mark in late:
        state = (f"于{m.replied_on:%Y-%m-%d}才答复" if m.status in ANSWERED_STATUSES and m.replied_on
                 else "至今未答复")
        found.append(ctx.finding(
            "poor_interaction",
            f"留言{m.tracking_number}（{m.received_on:%Y-%m-%d}收到）{state}，"
            f"超过{spec.number('months')}个月未回应"))
    return found


@check
def service_guides(ctx: Context) -> list[Finding]:
    """服务不实用: a published service guide missing a required key element."""
    checks = guides.check_guides(ctx.agency, ctx.rules)
    if not checks:
        return []
    scheme, host = crawling.base_url()
    found = []
    for g in checks:
        url = f"{scheme}://{host}{reverse('portal:publication-detail', args=[g.publication.pk])}"
        if g.missing_required:
            found.append(ctx.finding(
                "service_guide_incomplete",
                f"办事指南“{g.publication.title}”缺少要素：{'、'.join(e.label for e in g.missing_required)}",
                url=url))
        if g.missing_optional:
            found.append(ctx.finding(
                "service_guide_element",
                f"办事指南“{g.publication.title}”未写明：{'、'.join(e.label for e in g.missing_optional)}",
                url=url))
    return found


@check
def links(ctx: Context) -> list[Finding]:
    """链接可用性 and 附件可用性: links on the section's pages that do not open."""
    spec = ctx.rules["broken_links"]
    crawl = ctx.crawl
    found = _capped(ctx, "broken_links", [
        (f"{'首页' if b.on_home_page else '页面'}上的链接{('“' + b.label + '”') if b.label else ''}"
         f"无法打开（HTTP {b.status}）：{b.url}，所在页面：{b.page}",
         spec.points("points_home_page" if b.on_home_page else "points_other_page"),
         {"url": b.url, "page": b.page})
        for b in crawl.broken_links])
    found += _capped(ctx, "missing_attachments", [
        (f"附件{('“' + b.label + '”') if b.label else ''}的文件缺失，无法下载（HTTP {b.status}）："
         f"{b.url}，所在页面：{b.page}",
         ctx.rules["missing_attachments"].points("points_each"), {"url": b.url, "page": b.page})
        for b in crawl.missing_attachments])
    found += _capped(ctx, "broken_external_links", [
        (f"外部链接无法访问（{('HTTP ' + str(e.status)) if e.status else '无响应'}）：{e.url}，所在页面：{e.page}",
         ctx.rules["broken_external_links"].points("points_each"), {"url": e.url, "page": e.page})
        for e in crawl.external if e.state == "无法访问"])
    if crawl.timed_out:
        found.append(ctx.finding("crawl_truncated",
                                 f"立即检查限时{ctx.time_budget:g}秒，已检查{len(crawl.pages)}个页面，"
                                 f"其余页面和链接本次未检查（每日自查检查全部页面）"))
    elif crawl.truncated:
        found.append(ctx.finding("crawl_truncated",
                                 f"页面和链接超过{ctx.rules.max_requests}个，超出部分本次未检查"))
    return found


@check
def search(ctx: Context) -> list[Finding]:
    """搜索功能: a site search on the agency's home page that answers."""
    crawl = ctx.crawl
    spec = ctx.rules["no_search"]
    if crawl.home_status is None:  # not reached before the crawl's limit: not judged
        return []
    if crawl.home_status != 200:
        return [ctx.finding("no_search", f"机关首页无法打开（HTTP {crawl.home_status}），无法使用站内搜索",
                            spec.points(), url=crawl.home_url)]
    if not crawl.has_search_form:
        return [ctx.finding("no_search", "机关首页未提供站内搜索", spec.points(), url=crawl.home_url)]
    if crawl.search_status != 200:
        return [ctx.finding("no_search", f"站内搜索无法使用（HTTP {crawl.search_status}）", spec.points(),
                            url=crawl.home_url)]
    return []


@check
def error_report_entry(ctx: Context) -> list[Finding]:
    """「我为政府网站找错」: a link to the public error-report form on the home page."""
    crawl = ctx.crawl
    if crawl.home_status is None or (crawl.home_status == 200 and crawl.has_error_report_entry):
        return []
    return [ctx.finding("no_error_report_entry", "机关首页未提供“我为政府网站找错”入口",
                        ctx.rules["no_error_report_entry"].points(), url=crawl.home_url)]


def _silence(last: dt.date | None, days: int | None) -> str:
    if last is None:
        return "从未更新"
    return f"最近一次更新于{last.year}年{last.month}月{last.day}日，已{days}天未更新"


@check
def new_media(ctx: Context) -> list[Finding]:
    """政务新媒体: an account in operation silent for more than the indicator's days, or
    without an interaction function, fails the site."""
    days = ctx.rules["new_media_not_updated"].number("days")
    findings = [
        ctx.finding("new_media_not_updated", f"{s.account}{_silence(s.last_post_on, s.days)}")
        for s in channel_selectors.stale_accounts(agency=ctx.agency, today=ctx.today, days=days)
    ]
    findings += [
        ctx.finding("new_media_no_interaction", f"{a}未开通留言、评论等互动功能")
        for a in channel_selectors.accounts_without_interaction(agency=ctx.agency)
    ]
    return findings
