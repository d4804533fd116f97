"""The platform administrator sees failed tasks with their errors and retries them."""

import pytest
from django.urls import reverse

from gongkai.tasks import outbox
from gongkai.tasks.models import OutboxState, OutboxTask
from gongkai.tasks.tests.conftest import done

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def failed_task(settings):
    row = outbox.enqueue("test.count", args={"key": "admin"}, key="count:admin")
    OutboxTask.objects.filter(pk=row.pk).update(state=OutboxState.FAILED, attempts=3,
                                                last_error="SMTPServerDisconnected: 连接断开")
    done.clear()
    return row


def test_failed_tasks_are_listed_with_their_error(client_for, platform_admin, failed_task):
    client = client_for(platform_admin)
    page = client.get(reverse("admin:tasks_outboxtask_changelist") + "?state__exact=failed")
    assert page.status_code == 200
    text = page.content.decode()
    assert "test.count" in text and "SMTPServerDisconnected: 连接断开" in text


def test_retry_action_runs_the_task_again(client_for, platform_admin, failed_task):
    client = client_for(platform_admin)
    response = client.post(reverse("admin:tasks_outboxtask_changelist"), {
        "action": "retry", "_selected_action": [failed_task.pk]})
    assert response.status_code == 302
    failed_task.refresh_from_db()
    assert failed_task.state == OutboxState.DONE and failed_task.attempts == 1
    assert done == {"admin": 1}


def test_staff_of_an_agency_cannot_see_the_tasks(client_for, office, failed_task):
    page = client_for(office).get(reverse("admin:tasks_outboxtask_changelist"))
    assert page.status_code in (302, 403, 404)
    assert "SMTPServerDisconnected" not in page.content.decode()
