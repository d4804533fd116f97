"""Requests walked through every path of the statutory lifecycle against the real
calendar, asserting the due dates (条例 Art. 30–33, 36, 42)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from gongkai.core.errors import DomainError, InvalidTransition
from gongkai.core.models import AuditEvent
from gongkai.core.tests.helpers import at
from gongkai.foi.deadlines import DeadlineState
from gongkai.foi.models import FoiEvent, FoiRequest
from gongkai.foi.outcomes import Outcome
from gongkai.foi.selectors import report_row, request_deadline, request_get_public
from gongkai.foi.services import requests as svc
from gongkai.foi.tests.conftest import VALID_ID
from gongkai.foi.workflow import RequestStatus

pytestmark = pytest.mark.django_db
D = dt.date


# --- receipt (Art. 31) and the 20-working-day limit (Art. 33) --------------------------

def test_online_request_waits_for_confirmation_and_the_clock_starts_on_confirmation(submit, office):
    request, secret = submit(D(2025, 1, 22))
    assert request.status == RequestStatus.AWAITING_CONFIRMATION
    assert request_deadline(request).state is DeadlineState.NOT_STARTED
    at(D(2025, 1, 24))
    svc.request_confirm_receipt(actor=office, request=request)
    request.refresh_from_db()
    assert request.received_on == D(2025, 1, 24)
    # Spring Festival 2025-01-28..02-04 skipped; Sunday 2025-01-26 make-up day counted.
    assert request_deadline(request).due_on == D(2025, 2, 27)
    assert request_get_public(tracking_number=request.tracking_number, secret=secret) == request


@pytest.mark.parametrize(
    "received_on, due_on",
    [
        (D(2024, 9, 27), D(2024, 10, 30)),  # before National Day; Sun 09-29 and Sat 10-12 make-up days
        (D(2024, 9, 30), D(2024, 11, 1)),   # the last working day before National Day
        (D(2025, 1, 24), D(2025, 2, 27)),   # before the 2025 Spring Festival
        (D(2025, 1, 27), D(2025, 3, 3)),    # the Monday of Spring Festival eve
        (D(2025, 4, 1), D(2025, 4, 29)),    # Qingming 04-04 skipped, Sun 04-27 make-up day
    ],
)
def test_due_date_is_the_20th_working_day_after_receipt(register, received_on, due_on):
    request = register(received_on)
    deadline = request_deadline(request, as_of=received_on)
    assert deadline.due_on == due_on
    assert deadline.days_left == 20


def test_due_soon_and_overdue_are_computed_not_stored(register):
    request = register(D(2025, 1, 24))
    assert request_deadline(request, as_of=D(2025, 2, 24)).due_soon  # 3 working days left
    assert not request_deadline(request, as_of=D(2025, 2, 20)).due_soon
    late = request_deadline(request, as_of=D(2025, 2, 28))
    assert late.overdue and late.days_left == -1


def test_confirmation_date_cannot_be_in_the_future_or_before_submission(submit, office):
    request, _ = submit(D(2025, 1, 22))
    with pytest.raises(DomainError):
        svc.request_confirm_receipt(actor=office, request=request, received_on=D(2025, 1, 23))
    with pytest.raises(DomainError):
        svc.request_confirm_receipt(actor=office, request=request, received_on=D(2025, 1, 21))


# --- correction (Art. 30) ---------------------------------------------------------------

def test_correction_stops_the_clock_and_the_corrected_request_restarts_it(register, office):
    request = register(D(2025, 3, 3))
    at(D(2025, 3, 5))
    svc.request_ask_correction(actor=office, request=request, items=["请明确所需信息的年份"],
                               correct_by=D(2025, 3, 19))
    assert request_deadline(request).state is DeadlineState.STOPPED_FOR_CORRECTION
    at(D(2025, 3, 20))
    svc.request_receive_correction(actor=office, request=request)
    # A fresh 20 working days from 03-20; Qingming 2025-04-04 skipped.
    assert request_deadline(request).due_on == D(2025, 4, 18)


def test_correction_request_after_seven_working_days_is_refused(register, office):
    request = register(D(2025, 3, 3))
    at(D(2025, 3, 13))  # the 7th working day was 03-12
    with pytest.raises(DomainError, match="7个工作日"):
        svc.request_ask_correction(actor=office, request=request, items=["x"], correct_by=D(2025, 3, 30))


def test_correction_must_list_items_and_be_asked_once(register, office):
    request = register(D(2025, 3, 3))
    at(D(2025, 3, 4))
    with pytest.raises(DomainError):
        svc.request_ask_correction(actor=office, request=request, items=["  "], correct_by=D(2025, 3, 20))
    svc.request_ask_correction(actor=office, request=request, items=["年份"], correct_by=D(2025, 3, 20))
    svc.request_receive_correction(actor=office, request=request)
    with pytest.raises(DomainError, match="一次性"):
        svc.request_ask_correction(actor=office, request=request, items=["又一项"], correct_by=D(2025, 3, 25))


def test_no_correction_within_the_period_closes_as_other_no_correction(register, office):
    request = register(D(2025, 3, 3))
    at(D(2025, 3, 4))
    svc.request_ask_correction(actor=office, request=request, items=["年份"], correct_by=D(2025, 3, 14))
    with pytest.raises(DomainError, match="尚未届满"):
        svc.request_close_no_correction(actor=office, request=request)
    at(D(2025, 3, 17))
    svc.request_close_no_correction(actor=office, request=request)
    request.refresh_from_db()
    assert request.status == RequestStatus.CLOSED
    assert request.outcome == Outcome.OTHER_NO_CORRECTION
    assert report_row(request) == "三.六.1"


# --- consultation (Art. 32) ------------------------------------------------------------

def test_third_party_consultation_pauses_the_clock(register, office):
    request = register(D(2025, 4, 1))
    at(D(2025, 4, 3))
    consultation = svc.request_start_consultation(
        actor=office, request=request, party_kind="third_party", party_name="某食品有限公司")
    assert consultation.answer_due_on == D(2025, 4, 25)  # 15 working days, Qingming skipped
    at(D(2025, 4, 10))
    paused = request_deadline(request)
    assert paused.state is DeadlineState.PAUSED
    assert paused.days_left == 18  # 04-02 and 04-03 used
    at(D(2025, 4, 18))
    svc.request_end_consultation(actor=office, consultation=consultation, opinion="object")
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_PROGRESS
    # Ten working days (04-07..04-18) not counted: 04-29 becomes 05-16 (May Day skipped).
    assert request_deadline(request).due_on == D(2025, 5, 16)


def test_request_stays_consulting_until_the_last_consultation_ends(register, office):
    request = register(D(2025, 4, 1))
    at(D(2025, 4, 2))
    first = svc.request_start_consultation(actor=office, request=request, party_kind="third_party",
                                           party_name="甲公司")
    second = svc.request_start_consultation(actor=office, request=request, party_kind="other_agency",
                                            party_name="青岚市卫生健康委员会")
    at(D(2025, 4, 8))
    svc.request_end_consultation(actor=office, consultation=first)
    request.refresh_from_db()
    assert request.status == RequestStatus.CONSULTING
    svc.request_end_consultation(actor=office, consultation=second)
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_PROGRESS


# --- extension (Art. 33(2)) --------------------------------------------------------------
# Always asked for and approved by a leader (``extension_request`` / ``extension_approve``);
# there is no service that extends without a request.

def extend(office, leader, request, *, days: int, reason: str):
    ext = svc.extension_request(actor=office, request=request, days=days, reason=reason)
    return svc.extension_approve(actor=leader, extension=ext)


def test_there_is_no_public_service_that_extends_without_a_request():
    assert not hasattr(svc, "request_extend")


def test_extension_before_the_original_deadline_adds_twenty_working_days(register, office, leader):
    request = register(D(2025, 1, 24))
    at(D(2025, 2, 27))  # the original due date itself
    extend(office, leader, request, days=20, reason="需检索多个年度的档案")
    deadline = request_deadline(request)
    assert deadline.original_due_on == D(2025, 2, 27)
    assert deadline.due_on == D(2025, 3, 27)
    assert deadline.extension_days == 20


def test_extension_after_the_original_deadline_is_refused(register, office, leader):
    request = register(D(2025, 1, 24))
    at(D(2025, 2, 27))
    ext = svc.extension_request(actor=office, request=request, days=10, reason="来不及")
    at(D(2025, 2, 28))
    with pytest.raises(DomainError, match="原答复期限届满前"):
        svc.extension_approve(actor=leader, extension=ext)
    svc.extension_refuse(actor=leader, extension=ext, note="已过原答复期限")
    with pytest.raises(DomainError, match="原答复期限届满前"):  # nor may one be asked for now
        svc.extension_request(actor=office, request=request, days=10, reason="来不及")
    assert not FoiEvent.objects.filter(request=request, action="extend").exists()


def test_extensions_never_exceed_twenty_working_days_in_total(register, office, leader):
    request = register(D(2025, 1, 24))
    at(D(2025, 2, 10))
    extend(office, leader, request, days=15, reason="第一次")
    with pytest.raises(DomainError, match="最长不得超过20个工作日"):
        svc.extension_request(actor=office, request=request, days=6, reason="第二次")
    extend(office, leader, request, days=5, reason="第二次")
    assert request_deadline(request).extension_days == 20


@pytest.mark.parametrize("persona", ["office", "officer", "reviewer", "supervisor", "other_office"])
def test_only_a_leader_approves_an_extension(request, register, office, persona):
    req = register(D(2025, 1, 24))
    actor = request.getfixturevalue(persona)
    at(D(2025, 2, 10))
    ext = svc.extension_request(actor=office, request=req, days=10, reason="x")
    with pytest.raises(PermissionDenied):
        svc.extension_approve(actor=actor, extension=ext)
    assert not FoiEvent.objects.filter(request=req, action="extend").exists()


# --- fees (Art. 42) ----------------------------------------------------------------------

def _eleven_requests_this_month(register):
    requests = [register(D(2025, 5, 6)) for _ in range(11)]
    return requests[-1]


def test_fee_notice_for_the_eleventh_request_pauses_the_clock_until_payment(register, office):
    request = _eleven_requests_this_month(register)
    before = request_deadline(request, as_of=D(2025, 5, 6)).due_on
    at(D(2025, 5, 8))
    notice = svc.request_send_fee_notice(actor=office, request=request, scale="per_request")
    assert notice.amount == Decimal("100.00")
    assert notice.pay_by == D(2025, 6, 6)  # 20 working days; Dragon Boat 2025-06-02 skipped
    assert request_deadline(request).state is DeadlineState.PAUSED
    at(D(2025, 5, 15))
    svc.request_record_payment(actor=office, request=request, paid_on=D(2025, 5, 15), amount=Decimal("100"))
    after = request_deadline(request)
    assert after.state is DeadlineState.RUNNING
    assert after.due_on > before  # five working days 05-09..05-15 not counted
    assert after.due_on == D(2025, 6, 11)


def test_no_fee_for_the_first_ten_requests_of_a_month(register, office):
    request = register(D(2025, 5, 6))
    with pytest.raises(DomainError, match="0元"):
        svc.request_send_fee_notice(actor=office, request=request, scale="per_request")


def test_unpaid_fee_after_the_period_closes_as_other_fee_unpaid(register, office):
    request = _eleven_requests_this_month(register)
    at(D(2025, 5, 8))
    svc.request_send_fee_notice(actor=office, request=request, scale="per_page", pages=150)
    with pytest.raises(DomainError):
        svc.request_close_fee_unpaid(actor=office, request=request)
    at(D(2025, 6, 9))
    svc.request_close_fee_unpaid(actor=office, request=request)
    request.refresh_from_db()
    assert request.outcome == Outcome.OTHER_FEE_UNPAID
    assert report_row(request) == "三.六.2"


def test_payment_of_the_wrong_amount_is_refused(register, office):
    request = _eleven_requests_this_month(register)
    at(D(2025, 5, 8))
    svc.request_send_fee_notice(actor=office, request=request, scale="per_request")
    with pytest.raises(DomainError):
        svc.request_record_payment(actor=office, request=request, paid_on=D(2025, 5, 8), amount=Decimal("90"))


# --- endings and invalid steps ------------------------------------------------------------

def test_withdrawal_after_receipt_is_counted_as_other(register, office):
    request = register(D(2025, 3, 3))
    at(D(2025, 3, 10))
    svc.request_withdraw(actor=office, request=request, reason="申请人电话撤回")
    request.refresh_from_db()
    assert request.status == RequestStatus.CLOSED
    assert report_row(request) == "三.六.3"


def test_withdrawal_dated_before_the_request_arrived_is_refused(register, office):
    request = register(D(2025, 3, 3))
    at(D(2025, 3, 10))
    with pytest.raises(DomainError, match="不能早于收到申请日期"):
        svc.request_withdraw(actor=office, request=request, reason="申请人电话撤回", on=D(2025, 3, 2))
    request.refresh_from_db()
    assert request.status != RequestStatus.CLOSED and request.closed_on is None


def test_withdrawal_before_confirmation_is_never_counted(submit, office):
    request, _ = submit(D(2025, 3, 3))
    svc.request_withdraw(actor=office, request=request, reason="申请人网上撤回")
    request.refresh_from_db()
    assert request.status == RequestStatus.CLOSED
    assert report_row(request) is None


def test_voiding_needs_a_reason_and_only_applies_before_confirmation(submit, office):
    request, _ = submit(D(2025, 3, 3))
    with pytest.raises(DomainError):
        svc.request_void(actor=office, request=request, reason=" ")
    svc.request_void(actor=office, request=request, reason="重复提交")
    request.refresh_from_db()
    assert request.status == RequestStatus.VOIDED and report_row(request) is None
    with pytest.raises(InvalidTransition):
        svc.request_confirm_receipt(actor=office, request=request)


@pytest.mark.parametrize("step", ["deliver", "archive", "record_payment", "receive_correction"])
def test_invalid_transitions_are_refused_with_a_clear_message(register, office, step):
    request = register(D(2025, 3, 3))
    calls = {
        "deliver": lambda: svc.request_deliver(actor=office, request=request, delivered_on=D(2025, 3, 3), method="post"),
        "archive": lambda: svc.request_archive(actor=office, request=request),
        "record_payment": lambda: svc.request_record_payment(actor=office, request=request, paid_on=D(2025, 3, 3), amount=Decimal(1)),
        "receive_correction": lambda: svc.request_receive_correction(actor=office, request=request),
    }
    with pytest.raises(InvalidTransition) as excinfo:
        calls[step]()
    assert "办理中" in excinfo.value.message
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_PROGRESS


def test_assignment_only_to_a_department_of_the_same_agency(register, office, department, other_agency):
    from gongkai.core.tests.factories import DepartmentFactory

    request = register(D(2025, 3, 3))
    with pytest.raises(DomainError):
        svc.request_assign(actor=office, request=request, department=DepartmentFactory(agency=other_agency))
    svc.request_assign(actor=office, request=request, department=department)
    request.refresh_from_db()
    assert request.department == department


@pytest.mark.parametrize("persona", ["officer", "reviewer", "leader", "supervisor", "other_office"])
def test_only_the_agencys_office_handles_requests(request, register, persona):
    req = register(D(2025, 3, 3))
    with pytest.raises(PermissionDenied):
        svc.request_withdraw(actor=request.getfixturevalue(persona), request=req, reason="x")


# --- records: audit, personal data, identity -------------------------------------------

def test_every_step_is_an_event_and_an_audit_entry_with_actor_and_reason(register, office, leader):
    request = register(D(2025, 1, 24))
    at(D(2025, 2, 10))
    extend(office, leader, request, days=5, reason="需要会商")
    actions = list(FoiEvent.objects.filter(request=request).values_list("action", "actor__username"))
    assert actions == [("register", "office"), ("request_extension", "office"), ("extend", "leader")]
    entry = AuditEvent.objects.get(action="foi.extend", object_id=str(request.pk))
    assert entry.actor == leader and entry.reason == "需要会商"
    assert entry.before == {"status": "in_progress"}


def test_personal_data_is_encrypted_at_rest_and_absent_from_the_audit_trail(register):
    request = register(D(2025, 3, 3))
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, address FROM foi_foirequest WHERE id = %s", [request.pk])
        raw = " ".join(cursor.fetchone())
    assert VALID_ID not in raw and "13800138000" not in raw and "长安路" not in raw
    assert FoiRequest.objects.get(pk=request.pk).id_number == VALID_ID
    logged = " ".join(str(e.after) + str(e.before) for e in AuditEvent.objects.all())
    assert VALID_ID not in logged and "13800138000" not in logged


def test_the_same_applicant_is_recognised_without_storing_the_number_in_clear(register):
    first = register(D(2025, 3, 3))
    second = register(D(2025, 3, 4), id_number=VALID_ID.lower())
    other = register(D(2025, 3, 4), id_number="440524200001010013")
    assert first.applicant_key == second.applicant_key != other.applicant_key
    assert VALID_ID not in first.applicant_key


def test_a_wrong_secret_is_the_same_as_an_unknown_number(submit):
    request, secret = submit(D(2025, 3, 3))
    assert request_get_public(tracking_number=request.tracking_number, secret=secret.lower()) == request
    assert request_get_public(tracking_number=request.tracking_number, secret="WRONGWRONG") is None
    assert request_get_public(tracking_number="2025-9999-00001", secret=secret) is None


def test_tracking_numbers_are_sequential_per_agency_and_year(register, bureau):
    numbers = [register(D(2025, 3, 3)).tracking_number for _ in range(3)]
    assert numbers == [f"2025-{bureau.pk:04d}-{n:05d}" for n in (1, 2, 3)]
