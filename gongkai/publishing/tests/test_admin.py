import pytest
from django.urls import reverse

from gongkai.core.models import AuditEvent
from gongkai.publishing.models import AgencyPublishingSettings

pytestmark = pytest.mark.django_db


def _post(client, bureau, patterns):
    return client.post(reverse("admin:publishing_agencypublishingsettings_add"), {
        "agency": bureau.pk, "approval_steps": 2, "interpretation_limit_days": 3,
        "mask_patterns": patterns,
    })


def test_platform_admin_sets_approval_steps_and_masking_patterns(client_for, platform_admin, bureau):
    response = _post(client_for(platform_admin), bureau, '{"resident_id": [6, 4]}')
    assert response.status_code == 302
    settings = AgencyPublishingSettings.objects.get(agency=bureau)
    assert settings.approval_steps == 2 and settings.mask_patterns == {"resident_id": [6, 4]}
    assert AuditEvent.objects.filter(action="publishing.settings.save").exists()


@pytest.mark.parametrize("patterns", ['{"passport": [1, 1]}', '{"resident_id": [-1, 4]}', '[1, 2]'])
def test_invalid_masking_patterns_are_refused(client_for, platform_admin, bureau, patterns):
    response = _post(client_for(platform_admin), bureau, patterns)
    assert response.status_code == 200  # the form again, with its error
    assert not AgencyPublishingSettings.objects.exists()


def test_agency_staff_cannot_reach_the_admin(client_for, office):
    response = client_for(office).get(reverse("admin:publishing_agencypublishingsettings_changelist"))
    assert response.status_code == 302  # to the sign-in page: not admin staff
