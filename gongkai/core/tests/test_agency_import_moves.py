"""Moving a county under another city by import (issue 21): its records stay, the
supervisors' scopes follow ``Agency.path``, and the search index's agency filter is
brought in line by a task scheduled in the move's transaction."""

import pytest
from django.http import Http404

from gongkai.core.models import AgencyLevel, AuditEvent, Role
from gongkai.core.services.agencies import agency_import, agency_update
from gongkai.core.tests.factories import DepartmentFactory, UserFactory, make_agency, member
from gongkai.foi import permissions as foi_permissions
from gongkai.foi.services import requests as foi
from gongkai.foi.tests.conftest import applicant
from gongkai.oversight import selectors as oversight
from gongkai.portal.search import SearchQuery, search_publications
from gongkai.portal.tests.conftest import Publisher
from gongkai.publishing.models import Column
from gongkai.publishing.services import catalogue
from gongkai.tasks.models import OutboxTask


@pytest.fixture
def world(tree, platform_admin, supervisor):
    """The fixture tree plus a second city with its own supervisor; an item published and
    a request received by the county's market bureau (``other``)."""
    city2 = make_agency(parent=tree["province"], name="第二市人民政府")
    supervisor2 = member(UserFactory(username="supervisor2"), city2, Role.SUPERVISOR)
    other = tree["other"]
    people = {role: member(UserFactory(username=f"county_{role}"), other, role)
              for role in (Role.OFFICE, Role.REVIEWER, Role.LEADER)}
    department = DepartmentFactory(agency=other, name="县市场科")
    officer = member(UserFactory(username="county_officer"), other, Role.OFFICER, department)
    publisher = Publisher(agency=other, office=people[Role.OFFICE], officer=officer,
                          reviewer=people[Role.REVIEWER], leader=people[Role.LEADER], department=department)
    catalogue.catalogue_install_default(actor=people[Role.OFFICE], agency=other)
    item = publisher.publish("县级食品抽检结果公告", columns=[Column.objects.filter(agency=other).first()])
    request, _ = foi.request_submit_online(agency=other, data=applicant())
    return {"city": tree["city"], "city2": city2, "county": tree["county"], "other": other,
            "old": supervisor, "new": supervisor2, "item": item, "request": request}


def move_file(county, city2) -> bytes:
    header = "机关代码,机关名称,上级机关代码,层级\r\n"
    return f"{header}{county.code},{county.name},{city2.code},县级\r\n".encode()


def titles_under(agency) -> list[str]:
    results = search_publications(SearchQuery(text="抽检", agency_id=agency.pk, per_page=50))
    return [hit.publication.title for hit in results.hits]


def test_a_moved_county_keeps_its_records_and_follows_the_new_citys_supervisor(
        world, platform_admin, django_capture_on_commit_callbacks):
    assert titles_under(world["city"]) == ["县级食品抽检结果公告"]
    with django_capture_on_commit_callbacks(execute=True):
        plan = agency_import(actor=platform_admin, data=move_file(world["county"], world["city2"]),
                             file_name="move.csv")
    assert plan.counts()["move"] == 1
    other = world["other"]
    other.refresh_from_db()
    assert other.path.startswith(world["city2"].path)
    # The records stay where they were: the same request and item, the same agency.
    world["request"].refresh_from_db()
    assert world["request"].agency_id == other.pk
    # The supervisors' views follow the path.
    assert foi_permissions.can_view_request(world["new"], world["request"])
    assert not foi_permissions.can_view_request(world["old"], world["request"])
    assert oversight.agency_for_drilldown(world["new"], other.pk) == other
    with pytest.raises(Http404):
        oversight.agency_for_drilldown(world["old"], other.pk)
    # The search filter: the new city finds the county's item, the old city no longer does.
    assert titles_under(world["city2"]) == ["县级食品抽检结果公告"]
    assert titles_under(world["city"]) == []
    assert titles_under(world["county"]) == ["县级食品抽检结果公告"]
    event = AuditEvent.objects.filter(action="agency.update", object_id=str(world["county"].pk)).get()
    assert event.before == {"parent_id": world["city"].pk} and "move.csv" in event.reason


def test_the_reindex_is_a_task_written_in_the_moves_transaction(world, platform_admin):
    agency_update(actor=platform_admin, agency=world["county"], parent=world["city2"])
    task = OutboxTask.objects.get(name="search.reindex_subtree")
    assert task.args == {"agency": world["county"].pk}
    # Not run before the commit: the index still has the old ancestors.
    assert titles_under(world["city"]) == ["县级食品抽检结果公告"]


def test_a_change_without_a_move_schedules_no_reindex(world, platform_admin):
    agency_update(actor=platform_admin, agency=world["county"], phone="0571-1")
    assert not OutboxTask.objects.filter(name="search.reindex_subtree").exists()


def test_moving_back_reindexes_again(world, platform_admin, django_capture_on_commit_callbacks):
    for parent in (world["city2"], world["city"]):
        with django_capture_on_commit_callbacks(execute=True):
            agency_update(actor=platform_admin, agency=world["county"], parent=parent)
    assert titles_under(world["city"]) == ["县级食品抽检结果公告"]
    assert titles_under(world["city2"]) == []
    assert world["county"].level == AgencyLevel.COUNTY
