import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase

from gongkai.core.errors import DomainError, InvalidTransition
from gongkai.core.models import AuditEvent
from gongkai.core.tests.helpers import at
from gongkai.decisions import services
from gongkai.decisions.models import (
    AgencyDecisionSettings,
    Decision,
    DecisionStatus,
    ImportBatch,
    StagedImport,
    StagedImportState,
)
from gongkai.decisions.selectors import fine_limits_for
from gongkai.decisions.tests.conftest import PERSON_ID, csv_bytes, penalty_row, person_row

D = dt.date


def last_audit() -> AuditEvent:
    return AuditEvent.objects.order_by("-seq").first()


# --- publish -------------------------------------------------------------------------------

def test_office_publishes_a_pending_decision_from_today(office, make_decision):
    decision = make_decision(status=DecisionStatus.PENDING, published_on=None,
                             decision_date=D(2025, 1, 24))
    at(D(2025, 2, 11))  # due 2025-02-10 (7 working days across Spring Festival)

    decision = services.decision_publish(actor=office, decision=decision)

    assert decision.status == DecisionStatus.PUBLISHED and decision.published_on == D(2025, 2, 11)
    event = last_audit()
    assert event.action == "decisions.publish"
    assert event.before == {"status": "pending"}
    assert event.after == {"status": "published", "published_on": "2025-02-11", "late": True}


def test_publishing_twice_is_an_invalid_transition(office, make_decision):
    decision = make_decision()
    with pytest.raises(InvalidTransition, match="已公示的决定不能公示"):
        services.decision_publish(actor=office, decision=decision)


@pytest.mark.parametrize("actor", ["leader", "other_office", "platform_admin", "supervisor"])
def test_only_the_office_publishes(request, make_decision, actor):
    decision = make_decision(status=DecisionStatus.PENDING, published_on=None)
    with pytest.raises(PermissionDenied):
        services.decision_publish(actor=request.getfixturevalue(actor), decision=decision)


def test_batch_publish_publishes_only_the_pending_ones(office, bureau, make_decision):
    batch = ImportBatch.objects.create(agency=bureau, file_name="a.csv", file_sha256="0" * 64,
                                       file_format="CSV", row_count=3, held=True,
                                       imported_at=dt.datetime(2025, 3, 5, tzinfo=dt.UTC))
    pending = [make_decision(batch=batch, status=DecisionStatus.PENDING, published_on=None)
               for _ in range(2)]
    warning = make_decision(batch=batch, status=DecisionStatus.NOT_PUBLISHED, published_on=None,
                            penalty_types=1, fine_amount=None)
    at(D(2025, 3, 10))

    assert services.batch_publish(actor=office, batch=batch) == 2

    for decision in pending:
        decision.refresh_from_db()
        assert decision.status == DecisionStatus.PUBLISHED and decision.published_on == D(2025, 3, 10)
    warning.refresh_from_db()
    assert warning.status == DecisionStatus.NOT_PUBLISHED
    assert last_audit().after == {"published": 2, "published_on": "2025-03-10"}
    with pytest.raises(DomainError, match="没有待公示"):
        services.batch_publish(actor=office, batch=batch)


# --- withdraw --------------------------------------------------------------------------------

def test_withdrawal_records_change_date_reason_and_lateness(office, make_decision):
    decision = make_decision(decision_date=D(2024, 9, 2), published_on=D(2024, 9, 4))
    at(D(2024, 10, 9))  # changed 27 Sep: due 8 Oct (29 Sep worked, 1–7 Oct off)

    decision = services.decision_withdraw(actor=office, decision=decision, changed_on=D(2024, 9, 27),
                                          reason="该行政处罚决定已被复议机关撤销")

    assert decision.status == DecisionStatus.WITHDRAWN
    assert (decision.changed_on, decision.withdrawn_on) == (D(2024, 9, 27), D(2024, 10, 9))
    event = last_audit()
    assert event.action == "decisions.withdraw" and event.reason == "该行政处罚决定已被复议机关撤销"
    assert event.after["late"] is True


def test_withdrawal_drops_the_cached_public_pages_when_it_commits(office, make_decision,
                                                                   django_capture_on_commit_callbacks):
    from gongkai.portal import caching

    decision = make_decision(decision_date=D(2024, 9, 2), published_on=D(2024, 9, 4))
    at(D(2024, 10, 8))
    before = caching.current_generation()
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_withdraw(actor=office, decision=decision, changed_on=D(2024, 9, 27),
                                   reason="决定已变更")
    assert caching.current_generation() != before


def test_withdrawal_on_the_third_working_day_is_on_time(office, make_decision):
    decision = make_decision(decision_date=D(2024, 9, 2), published_on=D(2024, 9, 4))
    at(D(2024, 10, 8))
    services.decision_withdraw(actor=office, decision=decision, changed_on=D(2024, 9, 27),
                               reason="决定已变更")
    assert last_audit().after["late"] is False


@pytest.mark.parametrize(("changed_on", "reason", "message"), [
    (D(2025, 3, 10), "  ", "请填写撤回理由"),
    (D(2025, 3, 11), "撤销", "不能晚于今天"),
    (D(2025, 3, 2), "撤销", "不能早于决定日期"),
])
def test_withdrawal_needs_a_reason_and_a_plausible_date(office, make_decision, changed_on, reason,
                                                        message):
    decision = make_decision()
    at(D(2025, 3, 10))
    with pytest.raises(DomainError, match=message):
        services.decision_withdraw(actor=office, decision=decision, changed_on=changed_on,
                                   reason=reason)
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.PUBLISHED


def test_a_pending_decision_can_be_withdrawn_a_warning_only_one_cannot(office, make_decision):
    at(D(2025, 3, 10))
    pending = make_decision(status=DecisionStatus.PENDING, published_on=None)
    services.decision_withdraw(actor=office, decision=pending, changed_on=D(2025, 3, 7), reason="撤销")
    warning = make_decision(status=DecisionStatus.NOT_PUBLISHED, published_on=None, penalty_types=1,
                            fine_amount=None)
    with pytest.raises(InvalidTransition, match="不予公示的决定不能撤回"):
        services.decision_withdraw(actor=office, decision=warning, changed_on=D(2025, 3, 7),
                                   reason="撤销")


def test_other_agency_office_cannot_withdraw(other_office, make_decision):
    with pytest.raises(PermissionDenied):
        services.decision_withdraw(actor=other_office, decision=make_decision(),
                                   changed_on=D(2025, 3, 5), reason="撤销")


# --- the staged file between dry run and confirmation --------------------------------------------

def upload(rows, name="export.csv"):
    return SimpleUploadedFile(name, csv_bytes(rows), content_type="text/csv")


def test_staged_file_is_kept_encrypted_and_imported_on_confirmation(office, bureau):
    at(D(2025, 3, 10))
    result = services.staged_import_create(actor=office, agency=bureau, upload=upload([person_row()]),
                                           held=False)
    assert result.report.ok and result.staged is not None and not Decision.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM decisions_stagedimport")
        (stored,) = cursor.fetchone()
    assert PERSON_ID not in stored and "张三丰" not in stored

    staged = services.staged_import_get(actor=office, pk=result.staged.pk)
    with TestCase.captureOnCommitCallbacks(execute=False) as queued:
        services.staged_import_confirm(actor=office, staged=staged)
    # Confirmed: nothing imported in the request, a task queued for a worker.
    staged.refresh_from_db()
    assert staged.state == StagedImportState.QUEUED and not Decision.objects.exists()
    with TestCase.captureOnCommitCallbacks(execute=True):
        for callback in queued:  # the commit: the worker imports (local mode)
            callback()

    staged.refresh_from_db()
    assert Decision.objects.get().party_id_number == PERSON_ID
    assert staged.state == StagedImportState.DONE and staged.content == ""  # the file is gone
    assert staged.outcome == {"rows": 1, "to_publish": 1, "to_hold": 0, "not_published": 0,
                              "problem_total": 0, "problems": []}
    with pytest.raises(InvalidTransition):  # confirming again imports nothing twice
        services.staged_import_confirm(actor=office, staged=staged)


def test_the_worker_running_an_import_twice_imports_it_once(office, bureau):
    at(D(2025, 3, 10))
    staged = services.staged_import_create(actor=office, agency=bureau,
                                           upload=upload([penalty_row()]), held=False).staged
    with TestCase.captureOnCommitCallbacks(execute=False):  # the worker is not run here
        services.staged_import_confirm(actor=office, staged=staged)
    services.staged_import_run(staged_id=staged.pk)
    services.staged_import_run(staged_id=staged.pk)  # a redelivery
    assert Decision.objects.count() == 1
    staged.refresh_from_db()
    assert staged.state == StagedImportState.DONE


def test_an_uploader_who_lost_the_role_before_the_worker_ran_imports_nothing(office, bureau):
    at(D(2025, 3, 10))
    staged = services.staged_import_create(actor=office, agency=bureau,
                                           upload=upload([penalty_row()]), held=False).staged
    with TestCase.captureOnCommitCallbacks(execute=False):
        services.staged_import_confirm(actor=office, staged=staged)
    office.memberships.update(is_active=False)
    services.staged_import_run(staged_id=staged.pk)
    staged.refresh_from_db()
    assert staged.state == StagedImportState.REFUSED and not Decision.objects.exists()
    assert "政府信息公开工作人员" in staged.outcome["problems"][0] and staged.content == ""


def test_a_file_with_problems_is_not_staged(office, bureau):
    at(D(2025, 3, 10))
    result = services.staged_import_create(actor=office, agency=bureau,
                                           upload=upload([penalty_row(date="")]), held=False)
    assert not result.report.ok and result.staged is None and not StagedImport.objects.exists()


def test_staged_file_is_only_for_its_uploader_and_only_for_a_day(office, bureau, other_office):
    at(D(2025, 3, 10))
    staged = services.staged_import_create(actor=office, agency=bureau,
                                           upload=upload([penalty_row()]), held=False).staged
    assert services.staged_import_get(actor=other_office, pk=staged.pk) is None
    at(D(2025, 3, 11), hour=11)
    assert services.staged_import_get(actor=office, pk=staged.pk) is None


def test_a_new_upload_replaces_the_previous_one(office, bureau):
    at(D(2025, 3, 10))
    first = services.staged_import_create(actor=office, agency=bureau,
                                          upload=upload([penalty_row()]), held=False).staged
    second = services.staged_import_create(actor=office, agency=bureau,
                                           upload=upload([person_row()]), held=True).staged
    assert list(StagedImport.objects.values_list("pk", flat=True)) == [second.pk]
    assert first.pk != second.pk and second.held


def test_confirmation_checks_again_and_saves_nothing_when_a_number_was_taken(office, bureau,
                                                                             make_decision):
    at(D(2025, 3, 10))
    staged = services.staged_import_create(
        actor=office, agency=bureau, upload=upload([penalty_row(), person_row()]), held=False).staged
    make_decision(number="青市监罚〔2025〕2号")  # another import got there first

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.staged_import_confirm(actor=office, staged=staged)

    staged.refresh_from_db()
    assert staged.state == StagedImportState.REFUSED and staged.content == ""
    assert "已在本机关的公示记录中" in staged.outcome["problems"][0]
    assert Decision.objects.count() == 1


# --- small-fine limits ---------------------------------------------------------------------------

def test_limits_are_inherited_from_the_nearest_ancestor_each_figure_separately(platform_admin, tree):
    bureau = tree["bureau"]
    assert fine_limits_for(bureau).person == Decimal("10000")  # platform default
    services.decision_settings_save(actor=platform_admin, agency=tree["province"],
                                    small_fine_limit_person=Decimal("3000"),
                                    small_fine_limit_organisation=Decimal("30000"),
                                    source="某省市场监管行政处罚信息公示实施办法")
    services.decision_settings_save(actor=platform_admin, agency=tree["city"],
                                    small_fine_limit_person=None,
                                    small_fine_limit_organisation=Decimal("50000"))
    limits = fine_limits_for(bureau)
    assert (limits.person, limits.organisation) == (Decimal("3000"), Decimal("50000"))
    assert fine_limits_for(tree["county"]).organisation == Decimal("50000")
    assert last_audit().action == "decisions.settings.save"


def test_only_platform_administrators_set_the_limits(office, bureau):
    with pytest.raises(PermissionDenied):
        services.decision_settings_save(actor=office, agency=bureau, small_fine_limit_person=None,
                                        small_fine_limit_organisation=None)
    assert not AgencyDecisionSettings.objects.exists()
