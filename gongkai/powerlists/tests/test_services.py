"""The services of the power list: drafts, items, imports and publishing, each audited in
the same transaction; a published version never changes; the office only."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from gongkai.core.errors import DomainError, InvalidTransition
from gongkai.core.models import AuditEvent
from gongkai.powerlists import selectors, services
from gongkai.powerlists.models import ListVersion, PowerItem, VersionStatus
from gongkai.powerlists.spreadsheet import ImportRefused
from gongkai.powerlists.tests.conftest import FIRST, item
from gongkai.powerlists.tests.helpers import row, xlsx

pytestmark = pytest.mark.django_db


def actions():
    return list(AuditEvent.objects.filter(action__startswith="powerlists.").order_by("seq")
                .values_list("action", flat=True))


def test_publishing_makes_the_version_current_and_keeps_the_previous(published, bureau):
    first, second = published
    assert selectors.current_version(bureau) == second
    first.refresh_from_db()
    assert first.status == VersionStatus.PUBLISHED  # kept, in the change log
    assert second.previous == first
    assert (second.added_count, second.removed_count, second.changed_count) == (1, 1, 2)
    assert [v.pk for v in selectors.published_versions(bureau)] == [second.pk, first.pk]


def test_the_first_publication_counts_every_item_as_added(office, bureau):
    from gongkai.powerlists.tests.conftest import make_version
    version = make_version(office, bureau, FIRST, publish=True)
    assert (version.added_count, version.removed_count, version.changed_count, version.previous) == (4, 0, 0, None)


def test_publishing_is_audited_with_its_reason_and_counts(published):
    _, second = published
    event = AuditEvent.objects.get(action="powerlists.version_publish", object_id=str(second.pk))
    assert event.reason == "经局务会审定"
    assert event.after["added"] == 1 and event.after["removed"] == 1 and event.after["changed"] == 2
    assert event.after["adopted_by"] == "青政发〔2025〕3号"


def test_every_change_is_audited(office, draft):
    [first, *_] = selectors.items_of(draft)
    services.item_update(actor=office, item=first, **item("食品经营许可（含仅销售预包装食品备案）"))
    services.item_remove(actor=office, item=first, reason="并入其他事项")
    services.version_update(actor=office, version=draft, title="2026年版", effective_on=dt.date(2026, 1, 1),
                            adopted_by="青政发〔2026〕1号")
    assert actions() == ["powerlists.version_create"] + ["powerlists.item_add"] * 4 + [
        "powerlists.item_update", "powerlists.item_remove", "powerlists.version_update"]
    removal = AuditEvent.objects.get(action="powerlists.item_remove")
    assert removal.reason == "并入其他事项" and removal.before["name"] == "食品经营许可（含仅销售预包装食品备案）"


def test_a_published_version_cannot_be_edited(office, published):
    first, _ = published
    [one, *_] = selectors.items_of(first)
    with pytest.raises(InvalidTransition):
        services.item_update(actor=office, item=one, **item("改名"))
    with pytest.raises(InvalidTransition):
        services.item_add(actor=office, version=first, **item("新增"))
    with pytest.raises(InvalidTransition):
        services.item_remove(actor=office, item=one)
    with pytest.raises(InvalidTransition):
        services.version_publish(actor=office, version=first, effective_on=dt.date(2025, 1, 1))
    with pytest.raises(InvalidTransition):
        services.version_delete(actor=office, version=first)
    assert PowerItem.objects.get(pk=one.pk).name == one.name


def test_an_empty_draft_cannot_be_published(office, bureau):
    version = services.version_create(actor=office, agency=bureau, title="空")
    with pytest.raises(DomainError, match="没有任何事项"):
        services.version_publish(actor=office, version=version, effective_on=dt.date(2025, 1, 1))
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT


def test_a_draft_copies_the_current_list(office, bureau, published):
    _, second = published
    draft = services.version_create(actor=office, agency=bureau, title="2026年版", copy_from=second)
    assert [i.name for i in selectors.items_of(draft)] == [i.name for i in selectors.items_of(second)]
    assert selectors.compare(second, draft).counts == {"added": 0, "removed": 0, "changed": 0}


def test_a_draft_cannot_copy_another_agencys_list(office, bureau, other_office, other_agency):
    from gongkai.powerlists.tests.conftest import make_version
    foreign = make_version(other_office, other_agency, FIRST, publish=True)
    with pytest.raises(DomainError):
        services.version_create(actor=office, agency=bureau, title="x", copy_from=foreign)


@pytest.mark.parametrize(("fields", "message"), [
    ({"name": " "}, "事项名称"),
    ({"basis": ""}, "设定依据"),
    ({"kind": "tax"}, "权力类型"),
    ({"level": "中央"}, "行使层级"),
])
def test_an_item_is_validated(office, draft, fields, message):
    with pytest.raises(DomainError, match=message):
        services.item_add(actor=office, version=draft, **{**item("某事项"), **fields})
    assert draft.items.count() == 4


def test_codes_are_unique_within_a_version(office, draft):
    services.item_add(actor=office, version=draft, **item("甲", code="A1"))
    with pytest.raises(DomainError, match="A1"):
        services.item_add(actor=office, version=draft, **item("乙", code="A1"))


def test_an_item_naming_a_department_is_linked_to_it(office, draft, department):
    new = services.item_add(actor=office, version=draft, **item("某事项", department_name=department.name))
    assert new.department == department


def test_the_level_is_stored_in_canonical_form(office, draft):
    new = services.item_add(actor=office, version=draft, **item("某事项", level="县、市"))
    assert new.level == "市级、县级"


def test_an_import_creates_a_draft_with_the_items(office, bureau):
    version = services.version_import(actor=office, agency=bureau, title="2026年版", file_name="清单.xlsx",
                                      data=xlsx([row(1), row(2, kind="行政检查", name="食品安全监督检查")]))
    assert version.status == VersionStatus.DRAFT and version.source == "导入自“清单.xlsx”"
    assert [(i.kind, i.name) for i in selectors.items_of(version)] == [
        ("licensing", "食品经营许可"), ("inspection", "食品安全监督检查")]
    event = AuditEvent.objects.get(action="powerlists.version_import")
    assert event.after["items"] == 2


def test_a_bad_import_saves_nothing(office, bureau):
    with pytest.raises(ImportRefused):
        services.version_import(actor=office, agency=bureau, title="2026年版",
                                data=xlsx([row(1), row(2, kind="公共服务")]))
    assert not ListVersion.objects.exists() and not PowerItem.objects.exists()
    assert actions() == []


def test_discarding_a_draft_is_audited(office, draft):
    services.version_delete(actor=office, version=draft, reason="重复")
    assert not ListVersion.objects.filter(pk=draft.pk).exists()
    event = AuditEvent.objects.get(action="powerlists.version_delete")
    assert event.reason == "重复" and event.before["items"] == 4


@pytest.mark.parametrize("actor", ["officer", "reviewer", "leader", "supervisor", "other_office", "platform_admin"])
def test_only_the_office_changes_the_list(request, bureau, draft, actor):
    user = request.getfixturevalue(actor)
    [one, *_] = selectors.items_of(draft)
    with pytest.raises(PermissionDenied):
        services.version_create(actor=user, agency=bureau, title="x")
    with pytest.raises(PermissionDenied):
        services.item_add(actor=user, version=draft, **item("x"))
    with pytest.raises(PermissionDenied):
        services.item_update(actor=user, item=one, **item("x"))
    with pytest.raises(PermissionDenied):
        services.version_publish(actor=user, version=draft, effective_on=dt.date(2025, 1, 1))
    with pytest.raises(PermissionDenied):
        services.version_import(actor=user, agency=bureau, title="x", data=xlsx([row(1)]))
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT and draft.items.count() == 4
