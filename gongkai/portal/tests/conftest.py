import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from gongkai.core import clock
from gongkai.core.tests.helpers import at
from gongkai.publishing.models import Column, Topic
from gongkai.publishing.services import catalogue
from gongkai.publishing.services import publications as svc


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the (process-wide) cache; each test starts at zero."""
    cache.clear()
    yield
    cache.clear()


def tiny_png() -> bytes:
    """A real 1×1 PNG (the upload service judges a file by its content)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    raw = b"\x00\xff\xff\xff"
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


class Publisher:
    """Takes items through the real workflow (draft → review → approval → publish), so
    what the portal shows is what the services produce."""

    def __init__(self, *, agency, office, officer, reviewer, leader, department):
        self.agency, self.office, self.officer = agency, office, officer
        self.reviewer, self.leader, self.department = reviewer, leader, department

    def draft(self, title, *, columns=(), body="<p>正文。</p>", attachments=(), **fields):
        fields.setdefault("written_on", clock.today())
        item = svc.publication_create(
            actor=self.officer, agency=self.agency, department=self.department, title=title,
            disclosure_attribute="proactive", body=body, columns=list(columns), **fields)
        for name, data in attachments:
            svc.publication_add_attachment(
                actor=self.officer, publication=item, upload=SimpleUploadedFile(name, data))
        return item

    def publish(self, title, *, on: dt.date | None = None, **kwargs):
        if on is not None:
            at(on)
        item = self.draft(title, **kwargs)
        svc.publication_submit(actor=self.officer, publication=item)
        run = svc.latest_screening(item)
        if run is not None and run.findings:  # an image cannot be read: a person checked it
            svc.publication_override_screening(
                actor=self.reviewer, publication=item, reason="图片已人工核对，无敏感信息")
        svc.publication_review(
            actor=self.reviewer, publication=item, involves_state_secrets=False,
            involves_privacy_or_trade_secrets=False, endangers_security_or_stability=False,
            conclusion="may_publish")
        svc.publication_approve(actor=self.leader, publication=item, opinion="同意")
        item = svc.publication_publish(actor=self.office, publication=item)
        item.refresh_from_db()
        return item

    def withdraw(self, item, reason="内容有误"):
        return svc.publication_withdraw(actor=self.office, publication=item, reason=reason)


@pytest.fixture
def publisher(bureau, office, officer, reviewer, leader, department):
    return Publisher(agency=bureau, office=office, officer=officer, reviewer=reviewer,
                     leader=leader, department=department)


def build_site(publisher, *, media_root=None):
    """The bureau's default catalogue with a few published items, one with an attachment,
    one withdrawn, one draft; returns the objects tests refer to by name."""
    bureau = publisher.agency
    catalogue.catalogue_install_default(actor=publisher.office, agency=bureau)
    col = {c.name: c for c in Column.objects.filter(agency=bureau)}
    # The topics come with a data migration; a transactional test's flush removes them.
    food, _ = Topic.objects.get_or_create(
        code="08", defaults={"name": "市场监管、安全生产监管", "sort_order": 8})
    other, _ = Topic.objects.get_or_create(code="01", defaults={"name": "综合政务", "sort_order": 1})
    site = {"columns": col, "food": food, "other_topic": other}
    site["sampling"] = publisher.publish(
        "关于2025年第四季度食品安全监督抽检情况的通告", on=dt.date(2025, 12, 10),
        columns=[col["抽检计划及结果发布"]], topic=food, doc_number="青市监通〔2025〕9号",
        body="<p>本局组织开展食品安全监督抽检，共抽检食品样品1,268批次。</p>")
    site["recall"] = publisher.publish(
        "某品牌儿童电动自行车召回信息", on=dt.date(2026, 3, 2),
        columns=[col["产品召回信息"]], topic=food, validity="expired",
        body="<p>召回部分批次儿童电动自行车。</p>",
        attachments=[("召回 公告 图片.png", tiny_png())])
    site["news"] = publisher.publish(
        "青岚市市场监管局开展守护消费专项行动", on=dt.date(2026, 3, 5),
        columns=[col["新闻动态"], col["消费市场监管"]], topic=other,
        body='<p>近日开展专项行动。</p><script>alert(1)</script>')
    site["withdrawn"] = publisher.publish(
        "已撤回的抽检通告", on=dt.date(2026, 3, 6), columns=[col["抽检计划及结果发布"]], topic=food)
    publisher.withdraw(site["withdrawn"])
    site["draft"] = publisher.draft("尚未发布的草稿", columns=[col["通知公告"]])
    clock.freeze(None)
    return site


@pytest.fixture
def site(publisher, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_site(publisher)


@pytest.fixture
def png():
    return io.BytesIO(tiny_png())


@pytest.fixture
def uncached(settings):
    """Pages rendered afresh on every request: tests that change rows behind the
    services' back, or count a page's queries, must not be answered from the page cache."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
