"""The list of inspection matters (一单): drafts, publication, immutability, the public
pages, and who may do what."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from gongkai.core.errors import DomainError, InvalidTransition
from gongkai.core.models import AuditEvent
from gongkai.random_inspections.models import InspectionMatter, MatterList, MatterListStatus
from gongkai.random_inspections.selectors.matters import current_matter_list, published_matters
from gongkai.random_inspections.services import matters as services

MATTER = {"name": "食品销售者经营条件检查", "basis": "《中华人民共和国食品安全法》第一百一十条",
          "target_kind": "食品销售企业", "methods": ["on_site", "documents"], "department_name": "食品安全科",
          "frequency": "每年一次", "ratio_percent": "5", "category": "重点检查事项"}


def draft_with_matter(office, bureau, title="2026年版", **overrides):
    matter_list = services.matterlist_create(actor=office, agency=bureau, title=title)
    services.matter_add(actor=office, matter_list=matter_list, **(MATTER | overrides))
    return matter_list


def publish(office, matter_list):
    return services.matterlist_publish(actor=office, matter_list=matter_list, reason="局务会审定")


def test_publishing_makes_the_current_list_and_links_the_previous(today, bureau, office, department):
    first = publish(office, draft_with_matter(office, bureau, "2025年版"))
    assert current_matter_list(bureau) == first and first.previous is None
    second = services.matterlist_create(actor=office, agency=bureau, title="2026年版", copy_current=True)
    assert second.matters.get().department == department
    second = publish(office, second)
    assert current_matter_list(bureau) == second and second.previous == first
    assert list(published_matters(bureau)) == list(second.matters.all())
    assert AuditEvent.objects.filter(action="random_inspections.matterlist_publish").count() == 2


def test_a_published_list_cannot_be_changed_or_deleted(today, bureau, office):
    matter_list = publish(office, draft_with_matter(office, bureau))
    matter = matter_list.matters.get()
    with pytest.raises(InvalidTransition):
        services.matter_add(actor=office, matter_list=matter_list, **MATTER)
    with pytest.raises(InvalidTransition):
        services.matter_update(actor=office, matter=matter, **(MATTER | {"name": "改名"}))
    with pytest.raises(InvalidTransition):
        services.matter_remove(actor=office, matter=matter)
    with pytest.raises(InvalidTransition):
        services.matterlist_delete(actor=office, matter_list=matter_list)
    matter.refresh_from_db()
    assert matter.name == MATTER["name"] and MatterList.objects.filter(pk=matter_list.pk).exists()


def test_an_empty_draft_cannot_be_published(today, bureau, office):
    matter_list = services.matterlist_create(actor=office, agency=bureau, title="空白")
    with pytest.raises(DomainError):
        publish(office, matter_list)
    matter_list.refresh_from_db()
    assert matter_list.status == MatterListStatus.DRAFT


@pytest.mark.parametrize("change, message", [
    ({"methods": []}, "检查方式"), ({"basis": " "}, "检查依据"), ({"ratio_percent": "120"}, "抽查比例"),
    ({"name": ""}, "抽查事项名称"),
])
def test_a_matter_without_its_required_parts_is_refused(today, bureau, office, change, message):
    matter_list = services.matterlist_create(actor=office, agency=bureau, title="2026年版")
    with pytest.raises(DomainError) as exc:
        services.matter_add(actor=office, matter_list=matter_list, **(MATTER | change))
    assert message in exc.value.message
    assert not InspectionMatter.objects.exists()


def test_a_draft_can_be_edited_and_deleted(today, bureau, office):
    matter_list = draft_with_matter(office, bureau)
    matter = matter_list.matters.get()
    services.matter_update(actor=office, matter=matter, **(MATTER | {"name": "广告发布检查"}))
    assert InspectionMatter.objects.get(pk=matter.pk).name == "广告发布检查"
    services.matterlist_delete(actor=office, matter_list=matter_list, reason="重复")
    assert not MatterList.objects.exists()


@pytest.mark.parametrize("persona", ["officer", "supervisor", "other_office"])
def test_only_the_agencys_office_changes_the_list(today, bureau, office, request, persona):
    matter_list = draft_with_matter(office, bureau)
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.matter_add(actor=user, matter_list=matter_list, **MATTER)
    with pytest.raises(PermissionDenied):
        services.matterlist_publish(actor=user, matter_list=matter_list)
    assert matter_list.matters.count() == 1


# --- pages ------------------------------------------------------------------------------------

def test_office_creates_adds_and_publishes_through_the_pages(today, bureau, office, client_for):
    client = client_for(office)
    response = client.post(reverse("staff:ri-matterlist-new"), {"agency": bureau.pk, "title": "2026年版"})
    matter_list = MatterList.objects.get()
    assert response.status_code == 302
    response = client.post(reverse("staff:ri-matter-new", args=[matter_list.pk]), MATTER)
    assert response.status_code == 302 and matter_list.matters.count() == 1
    response = client.post(reverse("staff:ri-matterlist-publish", args=[matter_list.pk]),
                           {"publish-reason": "局务会审定", "publish-adopted_by": "津市监发〔2026〕1号"})
    assert response.status_code == 302
    matter_list.refresh_from_db()
    assert matter_list.status == MatterListStatus.PUBLISHED and matter_list.adopted_by == "津市监发〔2026〕1号"
    page = client.get(reverse("staff:ri-matterlist", args=[matter_list.pk])).content.decode()
    assert "食品销售者经营条件检查" in page and "publish-form" not in page


@pytest.mark.parametrize("persona, status", [("office", 200), ("officer", 200), ("supervisor", 200),
                                             ("other_office", 404)])
def test_who_reads_a_version(today, bureau, office, client_for, request, persona, status):
    matter_list = draft_with_matter(office, bureau)
    client = client_for(request.getfixturevalue(persona))
    response = client.get(reverse("staff:ri-matterlist", args=[matter_list.pk]))
    assert response.status_code == status
    if status == 200:
        can_edit = persona == "office"
        assert ("publish-form" in response.content.decode()) is can_edit


@pytest.mark.parametrize("persona", ["officer", "supervisor"])
def test_readers_cannot_post_changes(today, bureau, office, client_for, request, persona):
    matter_list = draft_with_matter(office, bureau)
    client = client_for(request.getfixturevalue(persona))
    response = client.post(reverse("staff:ri-matter-new", args=[matter_list.pk]), MATTER)
    assert response.status_code == 403
    response = client.post(reverse("staff:ri-matterlist-publish", args=[matter_list.pk]),
                           {"publish-reason": "x"})
    assert response.status_code == 403
    assert matter_list.matters.count() == 1 and MatterList.objects.get().is_draft


def test_supervisor_chooses_the_agency(today, bureau, office, supervisor, client_for):
    draft_with_matter(office, bureau)
    page = client_for(supervisor).get(reverse("staff:ri-matters"), {"agency": bureau.pk}).content.decode()
    assert "2026年版" in page and "create-form" not in page


def test_public_page_shows_only_published_versions(today, bureau, office, client,
                                                  django_capture_on_commit_callbacks):
    url = reverse("portal:ri-matters", args=[bureau.code])
    draft_with_matter(office, bureau, "草稿版", name="草稿中的事项")
    assert "草稿中的事项" not in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # publishing drops the cached pages
        first = publish(office, draft_with_matter(office, bureau, "2025年版", name="旧事项"))
        second = publish(office, draft_with_matter(office, bureau, "2026年版", name="新事项"))
    page = client.get(url).content.decode()
    assert "新事项" in page and "旧事项" not in page and "草稿中的事项" not in page
    assert "食品安全法" in page and "实地核查、书面检查" in page and "5%" in page
    old = client.get(reverse("portal:ri-matters-version", args=[bureau.code, first.pk])).content.decode()
    assert "旧事项" in old and "历史版本" in old
    draft = MatterList.objects.get(title="草稿版")
    assert client.get(reverse("portal:ri-matters-version", args=[bureau.code, draft.pk])).status_code == 404
    assert second.pk != first.pk


def test_public_page_without_a_list(today, bureau, client):
    response = client.get(reverse("portal:ri-matters", args=[bureau.code]))
    assert response.status_code == 200 and "尚未" in response.content.decode()
