"""Reads of accounts and figures for the pages, the desk, the website inspection and the
annual report. An agency or account outside the user's scope is the same Http404 as a
missing one. Staleness is computed from ``Account.last_post_on`` and the day asked about
(``rules.is_stale``); the website's own figures are counted from the records of
publishing, foi, interaction and consultations (aggregate queries, a few per year)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractMonth
from django.http import Http404

from gongkai.channels import permissions, rules
from gongkai.channels.models import Account, AgencyChannelSettings, MonthlyFigure, Platform
from gongkai.core.models import Agency

# How the annual report names each platform's accounts.
PLATFORM_PHRASES = {
    Platform.WECHAT: "政务微信公众号",
    Platform.WEIBO: "政务微博",
    Platform.TOUTIAO: "今日头条政务号",
    Platform.DOUYIN: "政务抖音号",
    Platform.OTHER: "其他政务新媒体",
}


# --- scope ----------------------------------------------------------------------------------

def agency_get_for_user(*, user, pk: int) -> Agency:
    agency = permissions.agencies_readable_by(user).filter(pk=pk).first()
    if agency is None:
        raise Http404("机关不存在")
    return agency


def account_get_for_user(*, user, pk: int) -> Account:
    account = (Account.objects.select_related("agency", "department")
               .filter(pk=pk, agency__in=permissions.agencies_readable_by(user)).first())
    if account is None:
        raise Http404("账号不存在")
    return account


def accounts_of(agency: Agency) -> QuerySet[Account]:
    return Account.objects.filter(agency=agency).select_related("department").order_by(
        "-is_active", "platform", "name", "pk")


# --- staleness --------------------------------------------------------------------------------

def stale_after_days(agency: Agency) -> int:
    """The agency's interval (``rules.not_updated_days``)."""
    configured = AgencyChannelSettings.objects.filter(agency=agency).values_list(
        "stale_after_days", flat=True).first()
    return rules.not_updated_days(configured)


@dataclass(frozen=True)
class StaleAccount:
    """An account not updated within the interval: its latest post (None: none known)
    and the days since (None likewise)."""

    account: Account
    last_post_on: dt.date | None
    days: int | None


def _stale_q(today: dt.date, days: int) -> Q:
    return Q(last_post_on__isnull=True) | Q(last_post_on__lt=rules.stale_cutoff(today, days))


def stale_accounts(*, agency: Agency, today: dt.date, days: int | None = None) -> list[StaleAccount]:
    """The agency's accounts in operation with no post in the interval before ``today``
    (国办秘函〔2019〕19号: 2 weeks, or the agency's stricter setting; ``days`` overrides it,
    e.g. the inspection's own indicator), longest silent first (never updated first of
    all)."""
    days = stale_after_days(agency) if days is None else days
    accounts = Account.objects.filter(agency=agency, is_active=True).filter(_stale_q(today, days))
    rows = [StaleAccount(a, a.last_post_on, rules.days_since(a.last_post_on, today)) for a in accounts]
    return sorted(rows, key=lambda r: (r.days is not None, -(r.days or 0), r.account.name))


def accounts_without_interaction(*, agency: Agency) -> list[Account]:
    """The agency's accounts in operation without an interaction function (the inspection
    fails them)."""
    return list(Account.objects.filter(agency=agency, is_active=True, has_interaction=False)
                .order_by("platform", "name", "pk"))


@dataclass(frozen=True)
class SubtreeLine:
    agency: Agency
    stale: int


def stale_accounts_under(agency: Agency, today: dt.date) -> list[StaleAccount]:
    """The stale accounts in operation of every agency of the subtree (``agency``
    included), each judged by its own agency's interval; by agency, then longest silent
    first. Two queries whatever the size (the candidates, the intervals)."""
    least = rules.stale_cutoff(today, rules.NOT_UPDATED_LEAST_DAYS)
    candidates = list(
        Account.objects.filter(agency__path__startswith=agency.path, is_active=True)
        .filter(Q(last_post_on__isnull=True) | Q(last_post_on__lt=least))
        .select_related("agency"))
    if not candidates:
        return []
    configured = dict(AgencyChannelSettings.objects.filter(agency_id__in={a.agency_id for a in candidates})
                      .values_list("agency_id", "stale_after_days"))
    rows = [StaleAccount(a, a.last_post_on, rules.days_since(a.last_post_on, today)) for a in candidates
            if rules.is_stale(a.last_post_on, today=today,
                              days=rules.not_updated_days(configured.get(a.agency_id)))]
    return sorted(rows, key=lambda r: (r.account.agency.path, r.days is not None, -(r.days or 0),
                                       r.account.name))


def stale_counts_under(agency: Agency, today: dt.date) -> list[SubtreeLine]:
    """Per agency of the subtree, its stale accounts in operation (``stale_accounts_under``),
    worst first; agencies with none left out."""
    counts: dict[int, SubtreeLine] = {}
    for row in stale_accounts_under(agency, today):
        a = row.account.agency
        counts[a.pk] = SubtreeLine(a, counts[a.pk].stale + 1 if a.pk in counts else 1)
    return sorted(counts.values(), key=lambda line: (-line.stale, line.agency.path))


@dataclass(frozen=True)
class AccountRow:
    """An account as the list shows it, with its flags."""

    account: Account
    stale: bool
    days: int | None
    latest: MonthlyFigure | None

    @property
    def no_interaction(self) -> bool:
        return self.account.is_active and not self.account.has_interaction

    @property
    def flagged(self) -> bool:
        return self.account.is_active and (self.stale or not self.account.has_interaction)


def account_rows(agency: Agency, today: dt.date) -> list[AccountRow]:
    """Every account of the agency with its flags and latest month's figures (two queries
    and the interval's)."""
    days = stale_after_days(agency)
    accounts = list(accounts_of(agency))
    latest: dict[int, MonthlyFigure] = {}
    for figure in MonthlyFigure.objects.filter(account__agency=agency).order_by("account_id", "month"):
        latest[figure.account_id] = figure
    return [AccountRow(a, a.is_active and rules.is_stale(a.last_post_on, today=today, days=days),
                       rules.days_since(a.last_post_on, today), latest.get(a.pk))
            for a in accounts]


# --- the monthly grid -------------------------------------------------------------------------

def grid_accounts(agency: Agency, month: dt.date) -> list[tuple[Account, MonthlyFigure | None]]:
    """The accounts to type figures for in ``month`` (those in operation, and any with
    figures that month), each with its figure of the month if any."""
    figures = {f.account_id: f for f in MonthlyFigure.objects.filter(account__agency=agency, month=month)}
    accounts = [a for a in accounts_of(agency) if a.is_active or a.pk in figures]
    return [(a, figures.get(a.pk)) for a in accounts]


def account_figures(account: Account) -> list[MonthlyFigure]:
    return list(account.figures.order_by("-month")[:36])


# --- the website's own figures ----------------------------------------------------------------

@dataclass
class WebsiteMonth:
    month: dt.date
    published: int = 0  # items published (publishing)
    requests: int = 0  # requests for information received (foi)
    messages_received: int = 0  # messages received (interaction)
    messages_answered: int = 0  # messages replied to (interaction)
    consultations: int = 0  # consultations on drafts opened (consultations)

    FIELDS = ("published", "requests", "messages_received", "messages_answered", "consultations")


@dataclass
class WebsiteFigures:
    year: int
    months: list[WebsiteMonth]

    @property
    def total(self) -> WebsiteMonth:
        total = WebsiteMonth(dt.date(self.year, 1, 1))
        for m in self.months:
            for name in WebsiteMonth.FIELDS:
                setattr(total, name, getattr(total, name) + getattr(m, name))
        return total


WEBSITE_LABELS = {
    "published": "发布信息",
    "requests": "收到政府信息公开申请",
    "messages_received": "收到留言",
    "messages_answered": "答复留言",
    "consultations": "发布意见征集",
}


def _by_month(qs, date_field: str) -> dict[int, int]:
    return dict(qs.annotate(m=ExtractMonth(date_field)).values("m").annotate(n=Count("id"))
                .values_list("m", "n"))


def website_figures(*, agency: Agency, year: int) -> WebsiteFigures:
    """The agency's website figures for each month of ``year``, counted from the records
    (five aggregate queries): items published (publishing: published, by their
    publication date), requests received (foi: received, voided ones aside, as the annual
    report counts them), messages received and answered (interaction: by the dates
    received and replied), consultations opened (consultations: published, by the first
    day of their comment period)."""
    from gongkai.consultations.models import Consultation
    from gongkai.consultations.selectors import PUBLIC_STATUSES
    from gongkai.foi.models import FoiRequest
    from gongkai.foi.workflow import RequestStatus
    from gongkai.interaction.models import Message
    from gongkai.publishing.models import Publication, PublicationStatus

    counts = {
        "published": _by_month(Publication.objects.filter(
            agency=agency, status=PublicationStatus.PUBLISHED, published_on__year=year), "published_on"),
        "requests": _by_month(FoiRequest.objects.filter(
            agency=agency, received_on__year=year).exclude(status=RequestStatus.VOIDED), "received_on"),
        "messages_received": _by_month(Message.objects.filter(agency=agency, received_on__year=year),
                                       "received_on"),
        "messages_answered": _by_month(Message.objects.filter(agency=agency, replied_on__year=year),
                                       "replied_on"),
        "consultations": _by_month(Consultation.objects.filter(
            agency=agency, status__in=PUBLIC_STATUSES, opens_on__year=year), "opens_on"),
    }
    months = []
    for month in rules.months_of(year):
        row = WebsiteMonth(month)
        for name, by_month in counts.items():
            setattr(row, name, by_month.get(month.month, 0))
        months.append(row)
    return WebsiteFigures(year, months)


# --- the accounts' figures over a year --------------------------------------------------------

@dataclass
class PlatformTotals:
    platform: str
    label: str
    accounts: int = 0  # accounts with figures in the year
    posts: int = 0
    reads: int = 0
    followers: int = 0  # at the year's end: each account's latest month of the year

    @property
    def phrase(self) -> str:
        return PLATFORM_PHRASES[Platform(self.platform)]


@dataclass
class ChannelTotals:
    """The year's totals for the annual report's channel paragraph (政务新媒体)."""

    agency: Agency
    year: int
    platforms: list[PlatformTotals] = field(default_factory=list)  # those with figures, in Platform order
    website: WebsiteMonth | None = None  # the website's own figures, the year's total

    @property
    def accounts(self) -> int:
        return sum(p.accounts for p in self.platforms)

    @property
    def posts(self) -> int:
        return sum(p.posts for p in self.platforms)

    @property
    def reads(self) -> int:
        return sum(p.reads for p in self.platforms)

    @property
    def followers(self) -> int:
        return sum(p.followers for p in self.platforms)

    def _platform_parts(self) -> list[str]:
        return [f"{p.phrase}{f'{p.accounts}个' if p.accounts > 1 else ''}发布信息{p.posts}条，"
                f"阅读量{rules.wan(p.reads)}次，年末关注用户{rules.wan(p.followers)}人"
                for p in self.platforms]

    @property
    def sentence(self) -> str:
        """「全年通过政府网站发布信息1234条；政务微信公众号发布信息560条，阅读量12.3万次，
        年末关注用户4.5万人；……。」 — "" when there is nothing to say."""
        parts = []
        if self.website is not None and self.website.published:
            parts.append(f"全年通过政府网站发布信息{self.website.published}条")
        parts += self._platform_parts()
        return "；".join(parts) + "。" if parts else ""

    @property
    def accounts_sentence(self) -> str:
        """The new-media accounts alone (「政务微信公众号发布信息560条，……。」), for the annual
        report, whose overview has already stated the items published on the website."""
        parts = self._platform_parts()
        return "全年" + "；".join(parts) + "。" if parts else ""


def _year_figures(agency: Agency, year: int) -> list[MonthlyFigure]:
    return list(MonthlyFigure.objects.filter(account__agency=agency, month__year=year)
                .select_related("account").order_by("account_id", "month"))


def annual_totals(*, agency: Agency, year: int) -> ChannelTotals:
    """Per platform, the accounts with figures in ``year``, their posts and reads summed
    over the months, and their followers at the year's end (each account's latest month
    of the year); with the website's own figures for the year."""
    by_platform: dict[str, PlatformTotals] = {}
    latest_followers: dict[int, tuple[str, int]] = {}
    for f in _year_figures(agency, year):
        platform = f.account.platform
        totals = by_platform.setdefault(platform, PlatformTotals(platform, Platform(platform).label))
        totals.posts += f.posts
        totals.reads += f.reads
        latest_followers[f.account_id] = (platform, f.followers)  # ordered by month: the last wins
    for platform, followers in latest_followers.values():
        by_platform[platform].accounts += 1
        by_platform[platform].followers += followers
    platforms = [by_platform[p] for p in Platform.values if p in by_platform]
    return ChannelTotals(agency=agency, year=year, platforms=platforms,
                         website=website_figures(agency=agency, year=year).total)


@dataclass
class PlatformSeries:
    """A platform's monthly sums over a year (posts, reads, month-end followers)."""

    platform: str
    label: str
    posts: list[int]
    reads: list[int]
    # None: no account of the platform has that month's figure. Otherwise each account's
    # latest month-end count up to that month (an account whose month is missing keeps
    # its last known count), so the year's last point is the year-end total of
    # ``annual_totals`` and a month one account skipped shows no false dip.
    followers: list[int | None]


def monthly_series(*, agency: Agency, year: int) -> list[PlatformSeries]:
    """For the charts: each platform with figures in ``year``, month by month."""
    series: dict[str, PlatformSeries] = {}
    by_month: dict[str, list[dict[int, int]]] = {}
    for f in _year_figures(agency, year):
        platform = f.account.platform
        s = series.setdefault(platform, PlatformSeries(platform, Platform(platform).label,
                                                       [0] * 12, [0] * 12, [None] * 12))
        i = f.month.month - 1
        s.posts[i] += f.posts
        s.reads[i] += f.reads
        by_month.setdefault(platform, [{} for _ in range(12)])[i][f.account_id] = f.followers
    for platform, months in by_month.items():
        known: dict[int, int] = {}
        for i, month in enumerate(months):
            if month:
                known.update(month)
                series[platform].followers[i] = sum(known.values())
    return [series[p] for p in Platform.values if p in series]


def years_with_figures(agency: Agency) -> list[int]:
    return sorted({d.year for d in MonthlyFigure.objects.filter(account__agency=agency)
                   .dates("month", "year")}, reverse=True)
