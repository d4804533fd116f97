"""Every edit of a draft is on record: a change to any editable field, whichever it is,
makes a new version and an EDIT event (with its audit row) naming the fields; a save
that changes nothing makes neither (条例 Art. 17: who changed what, when)."""

import datetime as dt

import pytest

from gongkai.core.models import AuditEvent
from gongkai.core.tests.factories import DepartmentFactory
from gongkai.core.tests.helpers import at
from gongkai.publishing.models import (
    Publication,
    PublicationEvent,
    PublicationRevision,
    Topic,
    Validity,
)
from gongkai.publishing.services import publications as svc
from gongkai.publishing.services.drafting import EDITABLE_FIELDS
from gongkai.publishing.workflow import Action

pytestmark = pytest.mark.django_db

# A new value for each editable field (a callable where the value needs the database).
NEW_VALUES = {
    "title": "关于2025年第二季度食品安全监督抽检情况的通告",
    "issuing_agency": "测试市市场监督管理局食品安全抽检监测处",
    "department": lambda item: DepartmentFactory(agency=item.agency, name="法规科"),
    "doc_number": "测市监发〔2025〕4号",
    "written_on": dt.date(2025, 3, 4),
    "topic": lambda item: Topic.objects.create(code="T99", name="市场监管"),
    "disclosure_attribute": "proactive",
    "non_disclosure_reason": "涉及第三方商业秘密，经征求意见不同意公开",
    "validity": Validity.EXPIRED,
    "body": "<p>2025年第二季度共抽检食品600批次。</p>",
    "keywords": "抽检 第二季度",
}


@pytest.fixture
def item(officer, bureau, department, columns):
    """A draft 依申请公开 with its reason, so that each field may change on its own."""
    at(dt.date(2025, 3, 5))
    return svc.publication_create(
        actor=officer, agency=bureau, department=department,
        title="关于2025年第一季度食品安全监督抽检情况的通告", written_on=dt.date(2025, 3, 3),
        disclosure_attribute="on_request", non_disclosure_reason="涉及个人隐私",
        body="<p>2025年第一季度抽检结果。</p>", keywords="抽检", columns=[columns["news"]],
    )


def test_every_editable_field_has_a_value_here():
    assert set(NEW_VALUES) == set(EDITABLE_FIELDS)


@pytest.mark.parametrize("field", EDITABLE_FIELDS)
def test_changing_any_one_editable_field_makes_a_version_and_an_event(officer, item, field):
    value = NEW_VALUES[field]
    value = value(item) if callable(value) else value
    assert getattr(item, field) != value
    versions = PublicationRevision.objects.filter(publication=item).count()
    events = PublicationEvent.objects.filter(publication=item, action=Action.EDIT).count()
    audit = AuditEvent.objects.filter(action="publishing.edit", object_id=str(item.pk))
    audited = audit.count()

    svc.publication_update(actor=officer, publication=item, **{field: value})

    stored = Publication.objects.get(pk=item.pk)
    assert getattr(stored, field) == value
    assert PublicationRevision.objects.filter(publication=item).count() == versions + 1
    event = PublicationEvent.objects.filter(publication=item, action=Action.EDIT).last()
    assert PublicationEvent.objects.filter(publication=item, action=Action.EDIT).count() == events + 1
    assert event.actor == officer and event.data["fields"] == [field]
    assert audit.count() == audited + 1


def test_saving_the_same_values_again_makes_no_version(officer, item):
    svc.publication_update(actor=officer, publication=item,
                           non_disclosure_reason="涉及第三方商业秘密")
    versions = PublicationRevision.objects.filter(publication=item).count()
    same = {f: getattr(Publication.objects.get(pk=item.pk), f) for f in EDITABLE_FIELDS}
    svc.publication_update(actor=officer, publication=item, **same)
    assert PublicationRevision.objects.filter(publication=item).count() == versions


def test_a_version_keeps_the_reason_for_not_disclosing(officer, item):
    svc.publication_update(actor=officer, publication=item,
                           non_disclosure_reason="涉及第三方商业秘密")
    latest = PublicationRevision.objects.filter(publication=item).order_by("-number").first()
    assert latest.metadata["non_disclosure_reason"] == "涉及第三方商业秘密"
