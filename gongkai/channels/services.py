"""The office's writes: accounts, monthly figures (typed in the grid or imported), the
latest post date, and the agency's staleness interval. Each service checks the role,
validates, writes and appends the audit entry in the same transaction; a correction's
entry holds the old and new values. Bad input raises ``DomainError`` (or
``ImportRefused`` with the file's problems) and saves nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction

from gongkai.channels import importer, permissions, rules
from gongkai.channels.models import Account, AgencyChannelSettings, MonthlyFigure, Platform
from gongkai.core import audit, clock
from gongkai.core.errors import DomainError
from gongkai.core.models import Agency, Department

NOT_OFFICE = "只有本机关的政府信息公开工作机构可以管理政务新媒体账号和数据。"
FIGURE_FIELDS = ("posts", "followers", "reads")


def _require_office(actor, agency: Agency) -> None:
    if not permissions.can_manage(actor, agency):
        raise PermissionDenied(NOT_OFFICE)


# --- accounts --------------------------------------------------------------------------------

@dataclass(frozen=True)
class AccountData:
    platform: str
    name: str
    handle: str
    url: str = ""
    department: Department | None = None
    opened_on: dt.date | None = None
    is_active: bool = True
    has_interaction: bool = True
    last_post_on: dt.date | None = None


ACCOUNT_FIELDS = ("platform", "name", "handle", "url", "department", "opened_on", "is_active",
                  "has_interaction", "last_post_on")


def _summary(account: Account) -> dict:
    return {"platform": account.platform, "name": account.name, "handle": account.handle,
            "url": account.url, "department": account.department_id, "opened_on": account.opened_on,
            "is_active": account.is_active, "has_interaction": account.has_interaction,
            "last_post_on": account.last_post_on}


def _clean_account(agency: Agency, data: AccountData, *, exclude: int | None = None) -> AccountData:
    name, handle = " ".join((data.name or "").split()), (data.handle or "").strip()
    if data.platform not in Platform.values:
        raise DomainError("请选择平台")
    if not name:
        raise DomainError("请填写账号名称")
    if not handle:
        raise DomainError("请填写账号ID")
    if data.department is not None and data.department.agency_id != agency.pk:
        raise DomainError("请选择本机关的内设机构")
    today = clock.today()
    if data.opened_on and data.opened_on > today:
        raise DomainError("开设日期不能晚于今天")
    if data.last_post_on and data.last_post_on > today:
        raise DomainError("最近更新日期不能晚于今天")
    clash = Account.objects.filter(agency=agency, platform=data.platform, handle__iexact=handle)
    if exclude:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise DomainError(f"本机关已登记{Platform(data.platform).label}账号ID“{handle}”")
    return AccountData(platform=data.platform, name=name, handle=handle, url=(data.url or "").strip(),
                       department=data.department, opened_on=data.opened_on, is_active=data.is_active,
                       has_interaction=data.has_interaction, last_post_on=data.last_post_on)


@transaction.atomic
def account_create(*, actor, agency: Agency, data: AccountData) -> Account:
    """Register an account of the agency."""
    _require_office(actor, agency)
    data = _clean_account(agency, data)
    account = Account.objects.create(agency=agency, created_by=actor, created_at=clock.now(),
                                     **{name: getattr(data, name) for name in ACCOUNT_FIELDS})
    audit.record(actor=actor, action="channels.account_create", obj=account, agency=agency,
                 after=_summary(account))
    return account


@transaction.atomic
def account_update(*, actor, account: Account, data: AccountData, reason: str = "") -> Account:
    """Change an account's details (a closed account: ``is_active`` off; its figures stay)."""
    account = Account.objects.select_for_update().get(pk=account.pk)
    _require_office(actor, account.agency)
    data = _clean_account(account.agency, data, exclude=account.pk)
    before = _summary(account)
    for name in ACCOUNT_FIELDS:
        setattr(account, name, getattr(data, name))
    after = _summary(account)
    if after == before:
        return account
    account.save()
    changed = [k for k in after if after[k] != before[k]]
    audit.record(actor=actor, action="channels.account_update", obj=account, agency=account.agency,
                 reason=reason, before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    return account


# --- figures ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class FigureInput:
    """One account's line of the grid: all three figures, or none (nothing typed)."""

    account_id: int
    posts: int | None
    followers: int | None
    reads: int | None
    last_post_on: dt.date | None = None


@dataclass
class SaveResult:
    created: int = 0
    corrected: int = 0
    unchanged: int = 0
    latest_dates: int = 0  # accounts whose latest post date changed
    accounts: set[int] = field(default_factory=set)

    @property
    def changed(self) -> int:
        return self.created + self.corrected + self.latest_dates


def _check_month(month: dt.date) -> dt.date:
    month = rules.month_start(month)
    if month > clock.today().replace(day=1):
        raise DomainError(f"{month:%Y年%m月}尚未到来，不能录入数据")
    return month


def _put_figure(*, actor, account: Account, month: dt.date, values: dict[str, int], source: str,
                result: SaveResult) -> None:
    figure = MonthlyFigure.objects.select_for_update().filter(account=account, month=month).first()
    if figure is None:
        figure = MonthlyFigure.objects.create(account=account, month=month, entered_by=actor,
                                              entered_at=clock.now(), source=source, **values)
        audit.record(actor=actor, action="channels.figure_enter", obj=figure, agency=account.agency,
                     after={"account": account.pk, "month": f"{month:%Y-%m}", "source": source, **values})
        result.created += 1
        return
    before = {k: getattr(figure, k) for k in FIGURE_FIELDS}
    if before == values:
        result.unchanged += 1
        return
    for k, v in values.items():
        setattr(figure, k, v)
    figure.entered_by, figure.entered_at, figure.source = actor, clock.now(), source
    figure.save()
    changed = [k for k in FIGURE_FIELDS if before[k] != values[k]]
    audit.record(actor=actor, action="channels.figure_correct", obj=figure, agency=account.agency,
                 before={"account": account.pk, "month": f"{month:%Y-%m}", **{k: before[k] for k in changed}},
                 after={"account": account.pk, "month": f"{month:%Y-%m}", "source": source,
                        **{k: values[k] for k in changed}})
    result.corrected += 1


def _put_last_post(*, actor, account: Account, day: dt.date, result: SaveResult, source: str) -> None:
    if account.last_post_on == day:
        return
    before = account.last_post_on
    account.last_post_on = day
    account.save(update_fields=["last_post_on", "updated_at"])
    audit.record(actor=actor, action="channels.last_post", obj=account, agency=account.agency,
                 before={"last_post_on": before}, after={"last_post_on": day, "source": source})
    result.latest_dates += 1


@transaction.atomic
def figures_save(*, actor, agency: Agency, month: dt.date, rows: list[FigureInput]) -> SaveResult:
    """The grid of one month: each account's figures (a line left blank is skipped; a
    figure already entered can be corrected, not emptied) and its latest post date (set
    as typed). Any bad line refuses the whole grid."""
    _require_office(actor, agency)
    month = _check_month(month)
    accounts = Account.objects.select_for_update().in_bulk(
        [r.account_id for r in rows if r.account_id])
    existing = set(MonthlyFigure.objects.filter(account__agency=agency, month=month)
                   .values_list("account_id", flat=True))
    problems, work = [], []
    today = clock.today()
    for r in rows:
        account = accounts.get(r.account_id)
        if account is None or account.agency_id != agency.pk:
            raise DomainError("账号不存在或不属于本机关，请刷新页面后重试")
        values = {k: getattr(r, k) for k in FIGURE_FIELDS}
        typed = [v is not None for v in values.values()]
        if any(typed) and not all(typed):
            problems.append(f"{account}：发布信息数、月末关注用户数、阅读量须同时填写")
        elif not any(typed) and account.pk in existing:
            problems.append(f"{account}：已录入的数据只能更正，不能清空")
        elif any(v is not None and v < 0 for v in values.values()):
            problems.append(f"{account}：数值不能为负数")
        elif any(v is not None and v > rules.FIGURE_LIMITS[k] for k, v in values.items()):
            problems.append(f"{account}：数值过大，请核对")
        if r.last_post_on and r.last_post_on > today:
            problems.append(f"{account}：最近更新日期不能晚于今天")
        work.append((account, values if all(typed) else None, r.last_post_on))
    if problems:
        raise DomainError("；".join(problems))
    result = SaveResult()
    for account, values, last in work:
        if values is not None:
            _put_figure(actor=actor, account=account, month=month, values=values, source="typed",
                        result=result)
            result.accounts.add(account.pk)
        if last is not None:
            _put_last_post(actor=actor, account=account, day=last, result=result, source="typed")
    return result


class ImportRefused(DomainError):
    """The file had problems: nothing was saved. ``problems`` lists them by row."""

    def __init__(self, problems: list[importer.Problem], more: int = 0):
        self.problems = problems
        self.more = more
        super().__init__(f"文件中有{len(problems) + more}处问题，未导入任何数据。")


@transaction.atomic
def figures_import(*, actor, agency: Agency, data: bytes, filename: str = "") -> SaveResult:
    """The figures of a spreadsheet (``importer``), one row per account and month: new
    months are entered, different figures corrected, the same ones left. An account's
    latest post date moves to the file's latest for it when that is later. Any problem in
    the file saves nothing."""
    _require_office(actor, agency)
    try:
        checked = importer.check(data, agency=agency, today=clock.today())
    except importer.FileRefused as exc:
        raise ImportRefused([importer.Problem(None, exc.message)]) from None
    if checked.problems:
        raise ImportRefused(checked.problems, checked.more_problems)
    result = SaveResult()
    latest: dict[int, tuple[Account, dt.date]] = {}
    for row in checked.rows:
        _put_figure(actor=actor, account=row.account, month=row.month,
                    values={"posts": row.posts, "followers": row.followers, "reads": row.reads},
                    source="imported", result=result)
        result.accounts.add(row.account.pk)
        if row.last_post_on and (row.account.pk not in latest or row.last_post_on > latest[row.account.pk][1]):
            latest[row.account.pk] = (row.account, row.last_post_on)
    for account, day in latest.values():
        account = Account.objects.select_for_update().get(pk=account.pk)
        if account.last_post_on is None or day > account.last_post_on:
            _put_last_post(actor=actor, account=account, day=day, result=result, source="imported")
    audit.record(actor=actor, action="channels.import", agency=agency, object_type="channels.import",
                 object_id=str(agency.pk), object_repr=filename[:200] or "导入",
                 after={"rows": len(checked.rows), "created": result.created, "corrected": result.corrected,
                        "unchanged": result.unchanged, "latest_dates": result.latest_dates})
    return result


# --- the agency's interval -------------------------------------------------------------------

@transaction.atomic
def channel_settings_save(*, actor, agency: Agency, stale_after_days: int) -> AgencyChannelSettings:
    """Set after how many days without a post an account counts as not updated."""
    _require_office(actor, agency)
    days = int(stale_after_days)
    if not rules.NOT_UPDATED_LEAST_DAYS <= days <= rules.NOT_UPDATED_MOST_DAYS:
        raise DomainError(f"天数应在{rules.NOT_UPDATED_LEAST_DAYS}至{rules.NOT_UPDATED_MOST_DAYS}之间"
                          "（国办秘函〔2019〕19号：2周内须有更新，地方可以从严）")
    settings, _ = AgencyChannelSettings.objects.select_for_update().get_or_create(agency=agency)
    before = settings.stale_after_days
    settings.stale_after_days, settings.updated_by = days, actor
    settings.save()
    audit.record(actor=actor, action="channels.settings", obj=settings, agency=agency,
                 before={"stale_after_days": before}, after={"stale_after_days": days})
    return settings
