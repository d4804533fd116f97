"""Every closed request lands in exactly one row of the annual report's table 三 (2021
format), and the reply form's choices are exactly the lawful ones (Art. 36)."""

import datetime as dt

import pytest

from gongkai.core.tests.helpers import at
from gongkai.foi.outcomes import (
    CLOSURE_OUTCOMES,
    REPLY_RULES,
    REPORT_ROW,
    ClosureReason,
    Outcome,
    ReplyType,
)
from gongkai.foi.selectors import report_row
from gongkai.foi.services import replies
from gongkai.foi.services import requests as svc
from gongkai.foi.workflow import OPEN_STATUSES, TRANSITIONS, Action, RequestStatus, allowed_actions

D = dt.date

# The outcome rows of table 三 as printed in the 2021 format (annual_report.md).
TABLE_3_OUTCOME_ROWS = [
    "三.一", "三.二",
    *(f"三.三.{i}" for i in range(1, 9)),
    *(f"三.四.{i}" for i in range(1, 4)),
    *(f"三.五.{i}" for i in range(1, 6)),
    *(f"三.六.{i}" for i in range(1, 4)),
]


def test_outcomes_and_report_rows_correspond_one_to_one():
    assert set(REPORT_ROW) == set(Outcome)
    assert sorted(REPORT_ROW.values()) == sorted(TABLE_3_OUTCOME_ROWS)
    assert len(set(REPORT_ROW.values())) == len(REPORT_ROW)


def test_every_outcome_is_reachable_by_a_reply_or_a_closure():
    reachable = {o for rule in REPLY_RULES.values() for o in rule.outcomes} | set(CLOSURE_OUTCOMES.values())
    assert reachable == set(Outcome)


def test_every_reply_type_has_a_rule_and_refusals_carry_remedies():
    assert set(REPLY_RULES) == set(ReplyType)
    assert not REPLY_RULES[ReplyType.DISCLOSED].refusal
    for withheld in REPLY_RULES[ReplyType.NOT_DISCLOSED].outcomes:
        assert withheld.name.startswith("WITHHELD_")
    assert REPLY_RULES[ReplyType.NOT_THIS_AGENCY].names_agency


def test_terminal_states_have_no_way_out_but_archiving():
    for status in (RequestStatus.CLOSED, RequestStatus.DELIVERED):
        assert allowed_actions(status) == [Action.ARCHIVE]
    assert allowed_actions(RequestStatus.ARCHIVED) == []
    assert allowed_actions(RequestStatus.VOIDED) == []
    for action, table in TRANSITIONS.items():
        for target in table.values():
            assert target is None or isinstance(target, RequestStatus), action
    assert {s for table in TRANSITIONS.values() for s in table} >= OPEN_STATUSES


REPLY_CASES = [(rt, outcome) for rt, rule in REPLY_RULES.items() for outcome in rule.outcomes]


@pytest.mark.django_db
@pytest.mark.parametrize("reply_type, outcome", REPLY_CASES, ids=[f"{r.value}-{o.value}" for r, o in REPLY_CASES])
def test_each_reply_lands_in_exactly_its_row(register, office, reply_type, outcome):
    request = register(D(2025, 3, 3))
    at(D(2025, 3, 10))
    replies.request_reply(
        actor=office, request=request, reply_type=reply_type, outcome=outcome,
        content="经审查，答复如下。", legal_basis="《中华人民共和国政府信息公开条例》第十四条",
        responsible_agency="青岚市卫生健康委员会", responsible_agency_contact="0999-12345678",
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.REPLIED
    assert request.closed_on == D(2025, 3, 10)
    assert report_row(request) == REPORT_ROW[outcome]
    assert request.reply.letter.name.endswith(".enc")  # encrypted, generated name (issue 15)
    if REPLY_RULES[reply_type].refusal:
        assert "行政复议" in request.reply.remedy and "行政诉讼" in request.reply.remedy


@pytest.mark.django_db
@pytest.mark.parametrize("reason", list(ClosureReason))
def test_each_closure_lands_in_exactly_its_row(register, office, reason):
    from decimal import Decimal  # noqa: F401  (fee amounts below)

    request = register(D(2025, 5, 6))
    if reason == ClosureReason.WITHDRAWN:
        svc.request_withdraw(actor=office, request=request, reason="申请人书面撤回")
    elif reason == ClosureReason.NO_CORRECTION:
        svc.request_ask_correction(actor=office, request=request, items=["年份"], correct_by=D(2025, 5, 9))
        at(D(2025, 5, 12))
        svc.request_close_no_correction(actor=office, request=request)
    else:
        svc.request_send_fee_notice(actor=office, request=request, scale="per_page", pages=40)
        at(D(2025, 6, 9))
        svc.request_close_fee_unpaid(actor=office, request=request)
    request.refresh_from_db()
    assert report_row(request) == REPORT_ROW[CLOSURE_OUTCOMES[reason]]


@pytest.mark.django_db
def test_a_reply_of_the_wrong_outcome_or_without_its_grounds_is_refused(register, office):
    from gongkai.core.errors import DomainError

    request = register(D(2025, 3, 3))
    at(D(2025, 3, 10))
    with pytest.raises(DomainError, match="办理结果只能是"):
        replies.request_reply(actor=office, request=request, reply_type=ReplyType.DISCLOSED,
                              outcome=Outcome.WITHHELD_STATE_SECRET, content="x")
    with pytest.raises(DomainError, match="法律依据"):
        replies.request_reply(actor=office, request=request, reply_type=ReplyType.NOT_DISCLOSED,
                              outcome=Outcome.WITHHELD_STATE_SECRET, content="不予公开")
    with pytest.raises(DomainError, match="负责公开的机关"):
        replies.request_reply(actor=office, request=request, reply_type=ReplyType.NOT_THIS_AGENCY,
                              outcome=Outcome.UNAVAILABLE_NOT_HELD, content="非本机关信息")
    with pytest.raises(DomainError, match="救济途径"):
        replies.request_reply(actor=office, request=request, reply_type=ReplyType.DOES_NOT_EXIST,
                              outcome=Outcome.UNAVAILABLE_NOT_HELD, content="经检索不存在", remedy=" ")
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_PROGRESS and not request.outcome


@pytest.mark.django_db
def test_the_default_remedy_names_the_review_body_and_the_court(register, office, bureau):
    from gongkai.foi.models import AgencyFoiSettings

    AgencyFoiSettings.objects.create(agency=bureau, review_body="测试市人民政府", court="测试市滨河区人民法院")
    request = register(D(2025, 3, 3))
    remedy = replies.default_remedy(request)
    assert "测试市人民政府" in remedy and "测试市滨河区人民法院" in remedy and "六十日" in remedy


# --- the outcome derived from the reply type ---------------------------------------------------

FIXED = [rt for rt, rule in REPLY_RULES.items() if len(rule.outcomes) == 1]


@pytest.mark.parametrize("reply_type", FIXED, ids=[rt.value for rt in FIXED])
def test_a_type_with_one_outcome_fixes_it(reply_type):
    assert replies.derive_outcome(reply_type, "") == REPLY_RULES[reply_type].outcomes[0]


def test_only_not_disclosed_leaves_the_outcome_to_choose_and_only_among_its_grounds():
    from gongkai.core.errors import DomainError
    from gongkai.foi.staff_forms import ReplyForm

    assert [rt for rt, rule in REPLY_RULES.items() if len(rule.outcomes) > 1] == [ReplyType.NOT_DISCLOSED]
    with pytest.raises(DomainError, match="请选择办理结果"):
        replies.derive_outcome(ReplyType.NOT_DISCLOSED, "")
    offered = [value for _, group in ReplyForm.base_fields["outcome"].choices[1:] for value, _ in group]
    assert offered == [o.value for o in REPLY_RULES[ReplyType.NOT_DISCLOSED].outcomes]


@pytest.mark.django_db
@pytest.mark.parametrize("reply_type", FIXED, ids=[rt.value for rt in FIXED])
def test_the_service_derives_the_outcome_when_it_is_omitted(register, office, reply_type):
    request = register(D(2025, 3, 3))
    at(D(2025, 3, 10))
    reply = replies.request_reply(
        actor=office, request=request, reply_type=reply_type, content="经审查，答复如下。",
        legal_basis="第三十七条", responsible_agency="青岚市卫生健康委员会")
    request.refresh_from_db()
    assert reply.outcome == request.outcome == REPLY_RULES[reply_type].outcomes[0]


@pytest.mark.django_db
def test_the_reply_form_derives_the_outcome_and_refuses_a_missing_ground():
    from gongkai.foi.staff_forms import ReplyForm

    form = ReplyForm(data={"reply_type": "does_not_exist", "content": "经检索不存在", "remedy": "可复议"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["outcome"] == Outcome.UNAVAILABLE_NOT_HELD
    form = ReplyForm(data={"reply_type": "not_disclosed", "content": "不予公开", "legal_basis": "第十四条",
                           "remedy": "可复议"})
    assert not form.is_valid() and "请选择办理结果" in str(form.errors)
    form = ReplyForm(data={"reply_type": "not_disclosed", "outcome": "withheld_third_party", "content": "不予公开",
                           "legal_basis": "第十五条", "remedy": "可复议"})
    assert form.is_valid(), form.errors
