"""ReportEvent's from_state/to_state became from_status/to_status (the vocabulary of every
workflow event) by renaming the columns: a report's history survives the migration, and
survives it backwards."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from gongkai.core.tests.factories import make_agency
from gongkai.reports.models import AnnualReport, ReportEvent

BEFORE = [("reports", "0002_version_files_and_figure_reverts")]


@pytest.mark.django_db(transaction=True)
def test_the_rename_keeps_every_events_statuses():
    report = AnnualReport.objects.create(agency=make_agency(), year=2024, format_id="2021")
    ReportEvent.objects.create(report=report, action="start", from_status="", to_status="draft")
    ReportEvent.objects.create(report=report, action="submit", from_status="draft",
                               to_status="submitted", reason="已核对")
    history = [("start", "", "draft"), ("submit", "draft", "submitted")]

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("reports", "ReportEvent")
    assert list(old.objects.order_by("id").values_list("action", "from_state", "to_state")) == history

    executor = MigrationExecutor(connection)  # the graph as it is now, applied up to BEFORE
    executor.migrate(executor.loader.graph.leaf_nodes())
    rows = ReportEvent.objects.order_by("id").values_list("action", "from_status", "to_status")
    assert list(rows) == history
    assert ReportEvent.objects.get(action="submit").reason == "已核对"
