"""Shared setup of the channels tests: today is pinned; ``account(...)`` registers an
account of the bureau through the service, as the office."""

import datetime as dt

import pytest

from gongkai.channels import services
from gongkai.core.tests.helpers import at

TODAY = dt.date(2025, 6, 16)  # a Monday


@pytest.fixture(autouse=True)
def _today():
    at(TODAY)


@pytest.fixture
def account(bureau, office):
    """``account(platform="wechat", handle="gzh", last_post_on=..., agency=, actor=)``."""

    def make(platform="wechat", name=None, handle=None, *, agency=None, actor=None, **extra):
        agency, actor = agency or bureau, actor or office
        handle = handle or f"{platform}-{name or 'acc'}"
        return services.account_create(actor=actor, agency=agency, data=services.AccountData(
            platform=platform, name=name or f"测试{platform}", handle=handle, **extra))

    return make


def fig(account, posts, followers, reads, last_post_on=None):
    return services.FigureInput(account_id=account.pk, posts=posts, followers=followers, reads=reads,
                                last_post_on=last_post_on)
