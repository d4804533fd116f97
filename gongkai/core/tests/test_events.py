"""The one abstract event model: the requests', the items' and the reports' histories share
its fields and its labels, in one vocabulary (from_status, to_status, action)."""

import datetime as dt

import pytest
from django.utils import timezone

from gongkai.core import clock
from gongkai.core.models import WorkflowEvent
from gongkai.foi.models import FoiEvent
from gongkai.foi.workflow import Action as FoiAction
from gongkai.foi.workflow import RequestStatus
from gongkai.publishing.models import PublicationEvent, PublicationStatus
from gongkai.publishing.workflow import Action as PublishingAction
from gongkai.reports.models import ReportEvent, ReportState
from gongkai.reports.workflow import Action as ReportAction

EVENTS = [FoiEvent, PublicationEvent, ReportEvent]
SHARED = {"action", "from_status", "to_status", "at", "actor", "reason", "data"}


def _fields(model) -> dict:
    return {f.name: f for f in model._meta.get_fields() if f.concrete}


@pytest.mark.parametrize("model", EVENTS, ids=lambda m: m.__name__)
def test_each_event_model_is_a_workflow_event_with_the_shared_fields(model):
    assert issubclass(model, WorkflowEvent) and not model._meta.abstract
    fields = _fields(model)
    assert set(fields) >= SHARED
    assert "from_state" not in fields and "to_state" not in fields
    for name in SHARED:
        shared = WorkflowEvent._meta.get_field(name)
        assert fields[name].deconstruct()[1:] == shared.deconstruct()[1:], name
    assert model._meta.ordering == ["id"]


def test_each_event_model_adds_only_what_its_object_needs():
    assert set(_fields(FoiEvent)) - SHARED == {"id", "request", "on", "actor_label"}
    assert set(_fields(PublicationEvent)) - SHARED == {"id", "publication"}
    assert set(_fields(ReportEvent)) - SHARED == {"id", "report"}


def test_an_event_is_recorded_at_the_domain_clocks_time_unless_given():
    moment = timezone.make_aware(dt.datetime(2025, 3, 4, 9, 30))
    clock.freeze(moment)
    try:
        assert PublicationEvent(action="edit", to_status="draft").at == moment
    finally:
        clock.freeze(None)


@pytest.mark.parametrize("event, labels", [
    (FoiEvent(action=FoiAction.REPLY, from_status=RequestStatus.IN_PROGRESS,
              to_status=RequestStatus.REPLIED), ("答复", "办理中", "已答复")),
    (PublicationEvent(action=PublishingAction.PUBLISH, from_status=PublicationStatus.APPROVED,
                      to_status=PublicationStatus.PUBLISHED), ("发布", "待发布", "已发布")),
    (ReportEvent(action=ReportAction.SIGN_OFF, from_status=ReportState.SUBMITTED,
                 to_status=ReportState.SIGNED_OFF), ("领导签发", "已提交待签发", "已签发待发布")),
], ids=["foi", "publishing", "reports"])
def test_labels_come_from_the_apps_choices(event, labels):
    assert (event.action_label, event.from_status_label, event.to_status_label) == labels
    assert event.changed_status


def test_an_event_in_place_or_outside_the_table_reads_plainly():
    created = PublicationEvent(action="import", from_status="", to_status=PublicationStatus.PUBLISHED)
    assert created.action_label == "import"  # an action outside the table: its value
    assert created.from_status_label == "" and not created.changed_status
    noted = FoiEvent(action=FoiAction.ASSIGN, from_status=RequestStatus.IN_PROGRESS,
                     to_status=RequestStatus.IN_PROGRESS)
    assert noted.action_label == "分办" and not noted.changed_status


def test_an_event_names_its_kind_and_what_was_done():
    assert str(PublicationEvent(pk=3, action=PublishingAction.PUBLISH)) == "发布记录 3：发布"
    assert str(FoiEvent(pk=5, action=FoiAction.CONFIRM_RECEIPT)) == "办理记录 5：确认收到"
