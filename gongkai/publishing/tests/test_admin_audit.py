"""The platform admin's publishing pages write through the services: the settings and the
topic list change with an audit entry naming the administrator, the action and the values
before and after, and the services refuse what the admin form refuses."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from gongkai.core.errors import DomainError
from gongkai.core.models import AuditEvent
from gongkai.publishing.models import AgencyPublishingSettings, Topic
from gongkai.publishing.services import catalogue, settings

pytestmark = pytest.mark.django_db


def settings_form(**values):
    return {"approval_steps": 1, "interpretation_limit_days": 5, "mask_patterns": "{}", **values}


def test_settings_changed_in_the_admin_are_audited_with_before_and_after(client_for, platform_admin, bureau):
    current = settings.publishing_settings_save(actor=platform_admin, agency=bureau, approval_steps=1)
    url = reverse("admin:publishing_agencypublishingsettings_change", args=[current.pk])

    response = client_for(platform_admin).post(url, settings_form(
        approval_steps=3, mask_patterns='{"mobile": [3, 2]}'))

    assert response.status_code == 302
    current.refresh_from_db()
    assert current.approval_steps == 3 and current.mask_patterns == {"mobile": [3, 2]}
    event = AuditEvent.objects.filter(action="publishing.settings.save").latest("seq")
    assert event.actor == platform_admin and event.agency == bureau
    assert event.before == {"approval_steps": 1, "interpretation_limit_days": 5, "mask_patterns": {}}
    assert event.after == {"approval_steps": 3, "interpretation_limit_days": 5,
                           "mask_patterns": {"mobile": [3, 2]}}


def test_settings_added_in_the_admin_are_audited_as_new(client_for, platform_admin, bureau):
    response = client_for(platform_admin).post(
        reverse("admin:publishing_agencypublishingsettings_add"),
        settings_form(agency=bureau.pk, interpretation_limit_days=3))

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="publishing.settings.save")
    assert event.actor == platform_admin and event.before is None
    assert event.after == {"approval_steps": 1, "interpretation_limit_days": 3, "mask_patterns": {}}


def test_too_many_approval_steps_are_refused_by_the_form_and_the_service(client_for, platform_admin, bureau):
    response = client_for(platform_admin).post(
        reverse("admin:publishing_agencypublishingsettings_add"), settings_form(agency=bureau.pk, approval_steps=6))
    assert response.status_code == 200  # the form again, with its error
    with pytest.raises(DomainError, match="领导审批层级"):
        settings.publishing_settings_save(actor=platform_admin, agency=bureau, approval_steps=6)
    with pytest.raises(DomainError, match="脱敏"):
        settings.publishing_settings_save(actor=platform_admin, agency=bureau, mask_patterns={"passport": [1, 1]})
    assert not AgencyPublishingSettings.objects.exists()
    assert not AuditEvent.objects.filter(action="publishing.settings.save").exists()


def test_only_a_platform_administrator_changes_the_settings(office, bureau):
    with pytest.raises(PermissionDenied):
        settings.publishing_settings_save(actor=office, agency=bureau, approval_steps=2)
    assert not AgencyPublishingSettings.objects.exists()


def test_a_topic_added_in_the_admin_is_audited(client_for, platform_admin):
    response = client_for(platform_admin).post(
        reverse("admin:publishing_topic_add"), {"code": "99", "name": "数字政府", "sort_order": 30})

    assert response.status_code == 302
    topic = Topic.objects.get(code="99")
    event = AuditEvent.objects.get(action="publishing.topic.create")
    assert event.actor == platform_admin and event.object_id == str(topic.pk)
    assert event.after == {"code": "99", "name": "数字政府", "sort_order": 30}


def test_a_topic_renamed_in_the_admin_is_audited_with_before_and_after(client_for, platform_admin):
    topic = Topic.objects.order_by("sort_order").first()  # the topics list installed by migration
    old_name = topic.name

    response = client_for(platform_admin).post(
        reverse("admin:publishing_topic_change", args=[topic.pk]),
        {"code": topic.code, "name": "新的主题名称", "sort_order": topic.sort_order})

    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.name == "新的主题名称"
    event = AuditEvent.objects.get(action="publishing.topic.update")
    assert event.actor == platform_admin
    assert (event.before, event.after) == ({"name": old_name}, {"name": "新的主题名称"})


def test_topics_change_only_through_a_platform_administrator(office):
    topic = Topic.objects.first()
    with pytest.raises(PermissionDenied):
        catalogue.topic_update(actor=office, topic=topic, name="改名")
    with pytest.raises(PermissionDenied):
        catalogue.topic_create(actor=office, code="98", name="新主题")
    assert not AuditEvent.objects.filter(action__startswith="publishing.topic.").exists()


def test_a_duplicate_topic_code_is_refused(platform_admin):
    existing = Topic.objects.first()
    with pytest.raises(DomainError, match="已有代码"):
        catalogue.topic_create(actor=platform_admin, code=existing.code, name="重复")
