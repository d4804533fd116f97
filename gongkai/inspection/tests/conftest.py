"""Fixtures of the inspection tests: the bureau's office, officer, reviewer and leader
publish through publishing's own services, on the day the test names."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile

from gongkai.core.tests.helpers import at
from gongkai.publishing.models import Column, ColumnKind
from gongkai.publishing.services import publications as svc

TODAY = dt.date(2025, 6, 16)  # a Monday
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def today():
    at(TODAY)
    return TODAY


@pytest.fixture
def people(office, officer, reviewer, leader):
    return {"office": office, "officer": officer, "reviewer": reviewer, "leader": leader}


@pytest.fixture
def publish(bureau, people, department):
    """``publish(column, title, body="", days_ago=0, image=False)``: an item published
    ``days_ago`` days before TODAY through the services; the clock is back on TODAY after."""

    def make(column, title, body="<p>正文</p>", days_ago=0, image=False):
        at(TODAY - dt.timedelta(days=days_ago))
        files = [ContentFile(PNG, name="图表.png")] if image else []
        item = svc.publication_create(
            actor=people["officer"], agency=bureau, department=department, title=title,
            written_on=TODAY - dt.timedelta(days=days_ago), disclosure_attribute="proactive",
            body=body, columns=[column], attachments=files)
        svc.publication_submit(actor=people["officer"], publication=item)
        if image:
            svc.publication_override_screening(actor=people["reviewer"], publication=item,
                                               reason="图片已人工核对")
        svc.publication_review(actor=people["reviewer"], publication=item, involves_state_secrets=False,
                               involves_privacy_or_trade_secrets=False,
                               endangers_security_or_stability=False, conclusion="may_publish")
        svc.publication_approve(actor=people["leader"], publication=item, opinion="同意")
        svc.publication_publish(actor=people["office"], publication=item)
        at(TODAY)
        return item

    return make


@pytest.fixture
def column(bureau):
    """``column(name, kind="dynamic", parent=None)``."""

    def make(name, kind=ColumnKind.DYNAMIC, parent=None):
        return Column.objects.create(agency=bureau, name=name, kind=kind, parent=parent)

    return make
