"""Demo data for 政务新媒体 in the fictional city bureau: a WeChat official account, a Weibo
account and a Douyin account, with the twelve months before this one typed in the grid
through the services (so the audit trail has them). The Douyin account last posted 20 days
ago, so it is flagged as not updated on the office's list and desk and on the supervising
office's desk; it has no interaction function either. Dates are relative to today."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from gongkai.channels import services
from gongkai.channels.models import Account, Platform
from gongkai.core import clock
from gongkai.core.models import Agency, User

# (platform, name, handle, days since the latest post, interaction, base posts, base followers, base reads)
ACCOUNTS = (
    (Platform.WECHAT, "青岚市场监管", "qinglan_scjg", 2, True, 40, 18_000, 52_000),
    (Platform.WEIBO, "青岚市场监管发布", "qinglanscjg", 5, True, 65, 9_500, 31_000),
    (Platform.DOUYIN, "青岚市场监管", "qinglan-scjg-dy", 20, False, 6, 3_200, 24_000),
)


def _months_before(today: dt.date, n: int) -> list[dt.date]:
    months, month = [], today.replace(day=1)
    for _ in range(n):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        months.append(month)
    return list(reversed(months))


@transaction.atomic
def load_demo_channels() -> int:
    """Load the demo once (when the bureau has no account yet); returns how many monthly
    figures it added."""
    bureau = Agency.objects.filter(name="青岚市市场监督管理局").first()
    if bureau is None or Account.objects.filter(agency=bureau).exists():
        return 0
    office = User.objects.get(username="office")
    today = clock.today()
    department = bureau.departments.filter(is_active=True).order_by("sort_order", "pk").first()
    accounts = []
    for platform, name, handle, days, interaction, *base in ACCOUNTS:
        account = services.account_create(actor=office, agency=bureau, data=services.AccountData(
            platform=platform, name=name, handle=handle, department=department,
            opened_on=today.replace(year=today.year - 3, day=1), has_interaction=interaction,
            last_post_on=today - dt.timedelta(days=days)))
        accounts.append((account, base))
    added = 0
    for i, month in enumerate(_months_before(today, 12)):
        rows = [services.FigureInput(
            account_id=account.pk, posts=posts + (i * 7) % 11, followers=followers + i * followers // 40,
            reads=reads + (i * 3_100) % 9_000)
            for account, (posts, followers, reads) in accounts]
        added += services.figures_save(actor=office, agency=bureau, month=month, rows=rows).created
    return added
