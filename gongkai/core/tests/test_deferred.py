"""core.deferred: core's port to the task queue above it. Without an executor a job runs in
this process after the commit; with the tasks app's (installed at start-up) it is an
outbox row that a worker runs by the job's name."""

import pytest

from gongkai.core import deferred
from gongkai.core.models import Agency, AgencyImport, AgencyImportState
from gongkai.core.services import agencies as services
from gongkai.core.tests.test_agency_import import CITY_A, PROVINCE, csv_file
from gongkai.tasks import registry
from gongkai.tasks.models import OutboxState, OutboxTask


@pytest.fixture
def no_executor():
    """Core on its own: no task queue installed."""
    previous = deferred.install(None)
    yield
    deferred.install(previous)


def confirmed(actor, data=None) -> AgencyImport:
    upload = services.agency_import_stage(actor=actor, data=data or csv_file(PROVINCE, CITY_A),
                                          file_name="a.csv")
    return services.agency_import_confirm(actor=actor, upload=upload)


def test_core_jobs_are_known_by_name():
    assert deferred.jobs()["core.agency_import"].func is services.agency_import_run


def test_an_unknown_job_is_refused_at_once(db):
    with pytest.raises(LookupError, match="core.nothing"):
        deferred.later("core.nothing", args={}, key="k")


def test_without_an_executor_a_job_runs_here_after_the_commit(
        platform_admin, no_executor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as pending:
        upload = confirmed(platform_admin)
    assert len(pending) == 1 and not Agency.objects.exists()  # nothing before the commit
    assert not OutboxTask.objects.exists()  # no queue involved
    pending[0]()  # the commit
    upload.refresh_from_db()
    assert upload.state == AgencyImportState.DONE and Agency.objects.count() == 2


def test_with_the_task_queue_a_job_is_an_outbox_row_a_worker_runs(
        platform_admin, django_capture_on_commit_callbacks):
    assert registry.get("core.agency_import") is services.agency_import_run  # a worker knows it
    with django_capture_on_commit_callbacks(execute=False) as pending:
        upload = confirmed(platform_admin)
    row = OutboxTask.objects.get()
    assert row.name == "core.agency_import" and row.args == {"import_id": upload.pk}
    assert row.key == f"core.agency_import:{upload.pk}" and not Agency.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        for callback in pending:  # the commit: the row is pushed (local mode: run here)
            callback()
    row.refresh_from_db()
    upload.refresh_from_db()
    assert row.state == OutboxState.DONE
    assert upload.state == AgencyImportState.DONE and Agency.objects.count() == 2
