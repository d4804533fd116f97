"""The back office's request pages, over HTTP: a request walked through every step by the
office (and the leader for the extension), the refusals (wrong role 403, foreign request
404, bad input 400 with the Chinese message and nothing changed), personal data masked
and revealed only with an audit entry, and the dashboard's query count."""

import datetime as dt
import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from gongkai.core.models import AuditEvent
from gongkai.core.tests.helpers import at
from gongkai.foi.models import Appeal, Consultation, ExtensionRequest, FoiEvent, FoiRequest
from gongkai.foi.services import requests as svc
from gongkai.foi.tests.conftest import VALID_ID, applicant
from gongkai.foi.views import staff as staff_views
from gongkai.foi.workflow import RequestStatus

pytestmark = pytest.mark.django_db
D = dt.date
MASKED_ID = "110***********002X"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def cell(response, testid: str) -> str:
    """The text inside the element marked ``data-testid=testid``."""
    match = re.search(rf'<(\w+)[^>]*data-testid="{testid}"[^>]*>(.*?)</\1>',
                      response.content.decode(), re.S)
    assert match, f"no element {testid!r}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(2))).split())


def act(client, key, pk, prefix=None, **fields):
    prefix = prefix or key
    data = {f"{prefix}-{name}": value for name, value in fields.items()}
    return client.post(reverse(f"staff:foi-{key}", args=[pk]), data)


def detail(client, pk):
    return client.get(reverse("staff:foi-detail", args=[pk]))


def events_of(foi) -> int:
    return FoiEvent.objects.filter(request=foi).count()


INTAKE = {
    "channel": "in_person", "applicant_type": "natural_person", "name": "张三",
    "id_type": "resident_id", "id_number": VALID_ID, "phone": "13800138000",
    "email": "zhangsan@example.invalid", "address": "云泽省青岚市滨河区长安路18号",
    "description": "2024年度食品安全监督抽检结果", "form": "electronic", "delivery": "email",
}


# --- the whole walk ------------------------------------------------------------------------

def test_a_request_walked_through_every_step_in_the_back_office(
        client_for, office, leader, department, django_capture_on_commit_callbacks):
    at(D(2025, 3, 3))
    client = client_for(office)
    response = client.post(reverse("staff:foi-register"), {**INTAKE, "received_on": "2025-03-03"})
    assert response.status_code == 200
    foi = FoiRequest.objects.get()
    assert cell(response, "tracking-number") == foi.tracking_number
    secret = cell(response, "secret")
    assert len(secret) == 10
    assert secret not in text_of(detail(client, foi.pk))  # shown once, at registration
    page = detail(client, foi.pk)
    assert cell(page, "status") == "办理中"
    assert "2025-03-31，剩余20个工作日" in cell(page, "due")

    assert act(client, "assign", foi.pk, department=department.pk).status_code == 302
    page = detail(client, foi.pk)
    assert "已分办至食品安全科" in text_of(page)
    assert "承办科室：食品安全科" in cell(page, "events")

    at(D(2025, 3, 4))
    response = act(client, "correction-request", foi.pk, items="请明确年份\n请明确抽检品种",
                   correct_by="2025-03-14")
    assert response.status_code == 302
    page = detail(client, foi.pk)
    assert cell(page, "status") == "待补正"
    assert "等待补正" in cell(page, "due")

    at(D(2025, 3, 6))
    assert act(client, "correction-received", foi.pk, note="申请人当面补正").status_code == 302
    page = detail(client, foi.pk)
    assert cell(page, "status") == "办理中"
    assert "2025-04-03" in cell(page, "due")  # a fresh 20 working days from 03-06

    at(D(2025, 3, 10))
    assert act(client, "consultation-start", foi.pk, party_kind="third_party",
               party_name="某食品有限公司").status_code == 302
    page = detail(client, foi.pk)
    assert cell(page, "status") == "征求意见中"
    assert "中止计算中" in cell(page, "due")
    consultation = Consultation.objects.get()

    at(D(2025, 3, 14))
    response = act(client, "consultation-end", consultation.pk,
                   prefix=f"consultation-end-{consultation.pk}", opinion="agree")
    assert response.status_code == 302
    page = detail(client, foi.pk)
    assert cell(page, "status") == "办理中"
    # 03-11..03-14 not counted; Qingming (04-04) skipped.
    assert "2025-04-10" in cell(page, "due")

    at(D(2025, 3, 17))
    assert act(client, "extension-request", foi.pk, days=10, reason="需调取多个年度档案").status_code == 302
    ext = ExtensionRequest.objects.get()
    client = client_for(leader)
    assert "panel-extension-decide" in detail(client, foi.pk).content.decode()
    assert act(client, "extension-decide", ext.pk, prefix=f"extension-decide-{ext.pk}",
               decision="approve").status_code == 302
    client = client_for(office)
    assert "2025-04-24" in cell(detail(client, foi.pk), "due")

    at(D(2025, 3, 18))
    response = act(client, "fee-notice", foi.pk, scale="per_page", pages=40)
    assert response.status_code == 302
    page = detail(client, foi.pk)
    assert cell(page, "status") == "待缴费"
    assert "100.00" in text_of(page)

    at(D(2025, 3, 20))
    assert act(client, "fee-paid", foi.pk, paid_on="2025-03-20", amount="100.00").status_code == 302
    page = detail(client, foi.pk)
    assert cell(page, "status") == "办理中"
    # 03-19 and 03-20 not counted; Sunday 04-27 is a make-up working day.
    assert "2025-04-27" in cell(page, "due")
    steps = cell(page, "deadline-steps")
    assert "2025-04-04" in steps and "2025-04-27" in steps  # holidays and make-up days explained

    at(D(2025, 3, 24))
    response = act(client, "reply", foi.pk, reply_type="disclosed", outcome="disclosed",
                   content="现将2024年度食品安全监督抽检结果提供给您。")
    assert response.status_code == 302
    page = detail(client, foi.pk)
    assert cell(page, "status") == "已答复"
    assert "按期办结" in cell(page, "due")
    # The reply letter is downloaded through the audited letter route (the old
    # unaudited one is gone).
    reply_letter = foi.letters.get(kind="reply")
    docx_url = reverse("staff:foi-letter-file", args=[foi.pk, reply_letter.pk, "docx"])
    assert f'href="{docx_url}"' in page.content.decode()
    letter = client.get(docx_url)
    assert letter.status_code == 200
    assert b"".join(letter.streaming_content)[:2] == b"PK"  # a DOCX
    assert AuditEvent.objects.filter(action="foi.letter.download", object_id=str(reply_letter.pk)).exists()
    with pytest.raises(NoReverseMatch):
        reverse("staff:foi-letter", args=[foi.pk])

    at(D(2025, 3, 25))
    with django_capture_on_commit_callbacks(execute=True):  # the mail goes after the commit
        assert act(client, "deliver", foi.pk, method="email", delivered_on="2025-03-25").status_code == 302
    at(D(2025, 3, 26))
    assert act(client, "archive", foi.pk).status_code == 302
    foi.refresh_from_db()
    assert foi.status == RequestStatus.ARCHIVED
    assert foi.outcome == "disclosed"
    page = detail(client, foi.pk)
    # Only an appeal can still be recorded against an archived request.
    assert re.findall(r'data-testid="panel-([a-z-]+)"', page.content.decode()) == ["appeal-record"]
    assert [e.action for e in FoiEvent.objects.filter(request=foi)] == [
        "register", "assign", "request_correction", "correction_received", "start_consultation",
        "end_consultation", "request_extension", "extend", "send_fee_notice", "record_payment", "reply", "deliver",
        "archive",
    ]


# --- refusals: the wrong role, a foreign request ---------------------------------------------

@pytest.fixture
def assigned(register, office, department):
    """A request in progress, assigned to the officer's department (so the officer may
    read it and a refusal is about the role, not visibility)."""
    foi = register(D(2025, 3, 3))
    svc.request_assign(actor=office, request=foi, department=department)
    return foi


ACTION_INPUT = {
    "assign": {"reason": "x"},
    "correction-request": {"items": "请明确年份", "correct_by": "2025-03-14"},
    "correction-received": {},
    "close-no-correction": {},
    "consultation-start": {"party_kind": "third_party", "party_name": "某公司"},
    "fee-notice": {"scale": "per_page", "pages": 40},
    "fee-paid": {"paid_on": "2025-03-03", "amount": "100"},
    "close-fee-unpaid": {},
    "reply": {"reply_type": "disclosed", "outcome": "disclosed", "content": "提供"},
    "deliver": {"method": "email", "delivered_on": "2025-03-03"},
    "archive": {},
    "withdraw": {"reason": "电话撤回"},
    "void": {"reason": "重复提交"},
    "confirm": {},
    "appeal-record": {"kind": "administrative_review", "filed_on": "2025-03-03", "body": "市政府"},
}


@pytest.mark.parametrize("persona", ["officer", "reviewer", "leader", "supervisor", "platform_admin"])
@pytest.mark.parametrize("key", sorted(ACTION_INPUT))
def test_only_the_office_may_act_on_a_request(request, client_for, assigned, persona, key):
    client = client_for(request.getfixturevalue(persona))
    before = events_of(assigned)
    response = act(client, key, assigned.pk, **ACTION_INPUT[key])
    assert response.status_code == 403
    assert events_of(assigned) == before


@pytest.mark.parametrize("key", sorted(ACTION_INPUT))
def test_another_agencys_office_gets_404_for_every_action(client_for, assigned, other_office, key):
    client = client_for(other_office)
    before = events_of(assigned)
    assert act(client, key, assigned.pk, **ACTION_INPUT[key]).status_code == 404
    assert detail(client, assigned.pk).status_code == 404
    assert events_of(assigned) == before


@pytest.mark.parametrize("persona, status", [("leader", 302), ("office", 403), ("officer", 403),
                                             ("supervisor", 403), ("other_office", 404)])
def test_only_the_leader_approves_an_extension(request, client_for, assigned, office, persona, status):
    ext = svc.extension_request(actor=office, request=assigned, days=5, reason="情况复杂")
    client = client_for(request.getfixturevalue(persona))
    response = act(client, "extension-decide", ext.pk, prefix=f"extension-decide-{ext.pk}", decision="approve")
    assert response.status_code == status
    assert FoiEvent.objects.filter(request=assigned, action="extend").exists() == (status == 302)


def test_a_leader_cannot_extend_without_a_request(client_for, leader, assigned):
    page = detail(client_for(leader), assigned.pk).content.decode()
    assert "panel-extend" not in page and "panel-extension" not in page
    with pytest.raises(NoReverseMatch):
        reverse("staff:foi-extend", args=[assigned.pk])


def test_a_consultation_or_appeal_of_another_agency_is_404(client_for, assigned, office, other_office):
    consultation = svc.request_start_consultation(actor=office, request=assigned,
                                                  party_kind="third_party", party_name="某公司")
    from gongkai.foi.services.appeals import appeal_record

    appeal = appeal_record(actor=office, request=assigned, kind="administrative_review",
                           filed_on=D(2025, 3, 3), body="市政府")
    client = client_for(other_office)
    end = client.post(reverse("staff:foi-consultation-end", args=[consultation.pk]),
                      {f"consultation-end-{consultation.pk}-opinion": "agree"})
    decide = client.post(reverse("staff:foi-appeal-decide", args=[appeal.pk]),
                         {f"appeal-decide-{appeal.pk}-outcome": "upheld",
                          f"appeal-decide-{appeal.pk}-decided_on": "2025-03-03"})
    assert (end.status_code, decide.status_code) == (404, 404)
    consultation.refresh_from_db()
    assert consultation.ended_on is None
    assert Appeal.objects.get().outcome == "pending"


def test_actions_accept_only_post(client_for, office, assigned):
    client = client_for(office)
    assert client.get(reverse("staff:foi-assign", args=[assigned.pk])).status_code == 405


def test_registration_is_for_the_office_only(client_for, leader):
    at(D(2025, 3, 3))
    response = client_for(leader).post(reverse("staff:foi-register"),
                                       {**INTAKE, "received_on": "2025-03-03"})
    assert response.status_code == 403
    assert not FoiRequest.objects.exists()


# --- bad input: Chinese errors, nothing changed ----------------------------------------------

@pytest.mark.parametrize("key, fields, message", [
    ("assign", {}, "这个字段是必填项"),
    ("extension-request", {"days": 25, "reason": "复杂"}, "确保该值小于或等于20"),
    ("correction-request", {"items": "请明确年份", "correct_by": "2025-03-03"}, "补正期限应晚于告知日期"),
    ("reply", {"reply_type": "not_disclosed", "outcome": "withheld_state_secret", "content": "不予公开"},
     "必须说明理由并列明法律依据"),
    ("reply", {"reply_type": "disclosed", "outcome": "withheld_state_secret", "content": "x"},
     "办理结果只能是"),
    ("deliver", {"method": "email", "delivered_on": "2025-03-03"}, "不能执行“送达”"),
    ("fee-notice", {"scale": "per_request"}, "为0元"),
    ("fee-notice", {"scale": "per_page"}, "按量计收请填写页数"),
    ("withdraw", {"reason": ""}, "这个字段是必填项"),
])
def test_bad_input_is_refused_in_chinese_and_changes_nothing(
        client_for, office, leader, assigned, key, fields, message):
    client = client_for(office)
    before = events_of(assigned)
    response = act(client, key, assigned.pk, **fields)
    assert response.status_code == 400
    assert message in text_of(response)
    assert events_of(assigned) == before
    assigned.refresh_from_db()
    assert assigned.status == RequestStatus.IN_PROGRESS


def test_a_refused_step_shows_the_service_message_next_to_the_form(client_for, office, assigned):
    at(D(2025, 3, 4))
    response = act(client_for(office), "close-no-correction", assigned.pk)
    assert response.status_code == 400
    assert "不能执行“逾期不补正终止”" in cell(response, "action-error")


def test_registration_with_a_future_receipt_date_is_refused(client_for, office):
    at(D(2025, 3, 3))
    response = client_for(office).post(reverse("staff:foi-register"),
                                       {**INTAKE, "received_on": "2025-03-04"})
    assert response.status_code == 400
    assert "收到申请日期不能晚于今天" in text_of(response)
    assert not FoiRequest.objects.exists()


def test_registration_refuses_an_invalid_id_number(client_for, office):
    at(D(2025, 3, 3))
    response = client_for(office).post(reverse("staff:foi-register"),
                                       {**INTAKE, "id_number": "110105194912310021",
                                        "received_on": "2025-03-03"})
    assert response.status_code == 400
    assert not FoiRequest.objects.exists()


def test_the_reply_form_offers_exactly_the_lawful_types_and_outcomes(client_for, office, assigned):
    from gongkai.foi.outcomes import Outcome, ReplyType
    from gongkai.foi.services.replies import default_remedy

    page = text_of(detail(client_for(office), assigned.pk))
    reply_form = page[page.index('id="action-reply"'):]
    reply_form = reply_form[:reply_form.index("</details>")]
    offered_types = re.findall(r'<option value="([a-z_]+)"', reply_form[:reply_form.index('name="reply-outcome"')])
    assert offered_types == [rt.value for rt in ReplyType]
    outcome_select = reply_form[reply_form.index('name="reply-outcome"'):]
    outcome_select = outcome_select[:outcome_select.index("</select>")]
    # Only the outcomes a clerk chooses: the grounds of 不予公开; every other type fixes its row.
    assert re.findall(r'<option value="([a-z_]+)"', outcome_select) == [
        o.value for o in Outcome if o.name.startswith("WITHHELD_")]
    assert '<optgroup label="不予公开">' in outcome_select
    assert "办理结果：予以公开（由答复类型确定）" in reply_form
    assert "办理结果：无法提供：本机关不掌握相关政府信息（由答复类型确定）" in reply_form
    preview = reverse("staff:foi-letter-preview", args=[assigned.pk])
    assert f'data-letter-preview="{preview}"' in reply_form and "data-letter-preview-target" in reply_form
    assert 'enctype="multipart/form-data"' in reply_form
    assert default_remedy(assigned) in reply_form  # remedy prefilled
    assert "须说明理由和法律依据" in reply_form


def test_an_unconfirmed_online_request_is_confirmed_in_the_back_office(client_for, office, submit):
    foi, _ = submit(D(2025, 3, 3))
    at(D(2025, 3, 4))
    client = client_for(office)
    assert "尚未开始计算" in cell(detail(client, foi.pk), "due")
    assert act(client, "confirm", foi.pk).status_code == 302
    foi.refresh_from_db()
    assert (foi.status, foi.received_on) == (RequestStatus.IN_PROGRESS, D(2025, 3, 4))


def test_an_appeal_is_recorded_and_decided(client_for, office, assigned):
    at(D(2025, 3, 10))
    client = client_for(office)
    assert act(client, "appeal-record", assigned.pk, kind="administrative_review",
               filed_on="2025-03-10", body="测试市人民政府", case_number="复议〔2025〕1号").status_code == 302
    appeal = Appeal.objects.get()
    prefix = f"appeal-decide-{appeal.pk}"
    assert act(client, "appeal-decide", appeal.pk, prefix=prefix, outcome="upheld",
               decided_on="2025-03-09").status_code == 400  # before filing
    assert act(client, "appeal-decide", appeal.pk, prefix=prefix, outcome="upheld",
               decided_on="2025-03-10").status_code == 302
    appeal.refresh_from_db()
    assert appeal.outcome == "upheld"


# --- personal data --------------------------------------------------------------------------

@pytest.mark.parametrize("persona", ["office", "leader", "officer", "reviewer", "supervisor",
                                     "platform_admin"])
def test_applicant_details_are_masked_for_everyone(request, client_for, assigned, persona):
    page = detail(client_for(request.getfixturevalue(persona)), assigned.pk)
    assert page.status_code == 200
    applicant_table = cell(page, "applicant")
    assert MASKED_ID in applicant_table
    assert VALID_ID not in text_of(page)
    assert "13800138000" not in text_of(page)
    assert "长安路18号" not in text_of(page)
    assert ("显示完整信息" in text_of(page)) == (persona == "office")


def test_the_office_reveals_personal_data_once_with_an_audit_entry(client_for, office, assigned):
    client = client_for(office)
    response = client.post(reverse("staff:foi-reveal", args=[assigned.pk]),
                           {"reveal-reason": "电话联系申请人核实"})
    assert response.status_code == 200
    shown = cell(response, "applicant")
    assert VALID_ID in shown and "13800138000" in shown and "长安路18号" in shown
    entry = AuditEvent.objects.get(action="foi.personal_data.view")
    assert (entry.actor, entry.object_id, entry.reason) == (office, str(assigned.pk), "电话联系申请人核实")
    assert VALID_ID not in str(entry.after)
    assert VALID_ID not in text_of(detail(client, assigned.pk))  # masked again afterwards


def test_revealing_needs_a_reason(client_for, office, assigned):
    response = client_for(office).post(reverse("staff:foi-reveal", args=[assigned.pk]), {})
    assert response.status_code == 400
    assert VALID_ID not in text_of(response)
    assert not AuditEvent.objects.filter(action="foi.personal_data.view").exists()


@pytest.mark.parametrize("persona, status", [("leader", 403), ("officer", 403), ("reviewer", 403),
                                             ("supervisor", 403), ("platform_admin", 403),
                                             ("other_office", 404)])
def test_only_the_office_may_reveal_personal_data(request, client_for, assigned, persona, status):
    response = client_for(request.getfixturevalue(persona)).post(
        reverse("staff:foi-reveal", args=[assigned.pk]), {"reveal-reason": "好奇"})
    assert response.status_code == status
    assert VALID_ID not in text_of(response)
    assert not AuditEvent.objects.filter(action="foi.personal_data.view").exists()


@pytest.fixture
def with_attachment(bureau, office):
    at(D(2025, 3, 3))
    upload = SimpleUploadedFile("身份证.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    foi, _ = svc.request_register(actor=office, agency=bureau, data=applicant(), channel="in_person",
                                  received_on=D(2025, 3, 3), attachments=[upload])
    return foi


@pytest.mark.parametrize("persona, status", [("office", 200), ("leader", 403), ("supervisor", 403),
                                             ("other_office", 404)])
def test_attachments_are_for_the_office_only(request, client_for, with_attachment, persona, status):
    attachment = with_attachment.attachments.get()
    response = client_for(request.getfixturevalue(persona)).get(
        reverse("staff:foi-attachment", args=[with_attachment.pk, attachment.pk]))
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        entry = AuditEvent.objects.get(action="foi.personal_data.view")
        assert entry.after == {"what": f"attachment:{attachment.pk}"}


def test_registration_with_an_attachment(client_for, office):
    at(D(2025, 3, 3))
    upload = SimpleUploadedFile("授权书.pdf", b"%PDF-1.4\n%x\n", content_type="application/pdf")
    response = client_for(office).post(reverse("staff:foi-register"),
                                       {**INTAKE, "received_on": "2025-03-03", "attachments": upload})
    assert response.status_code == 200
    assert FoiRequest.objects.get().attachments.get().original_name == "授权书.pdf"


# --- detail extras ----------------------------------------------------------------------------

def test_similar_earlier_requests_and_the_monthly_count_are_shown(client_for, office, register):
    register(D(2025, 3, 3), description="2024年度食品安全监督抽检结果")
    later = register(D(2025, 3, 5), description="2024年度食品安全监督抽检结果")
    register(D(2025, 3, 6), id_number="110105194912310046", description="其他内容完全不同")
    page = detail(client_for(office), later.pk)
    assert cell(page, "month-count") == "2"
    assert "可能属于重复申请" in text_of(page)


# --- dashboard and list ------------------------------------------------------------------------

def test_dashboard_lists_open_requests_by_due_date_with_flags(client_for, office, register):
    overdue = register(D(2025, 1, 24))  # due 2025-02-27
    soon = register(D(2025, 2, 5))  # due 2025-03-04 (Saturday 02-08 is a make-up day)
    fresh = register(D(2025, 3, 3))
    at(D(2025, 3, 3))
    page = client_for(office).get(reverse("staff:foi-dashboard"))
    assert page.status_code == 200
    content = text_of(page)
    positions = [content.index(r.tracking_number) for r in (overdue, soon, fresh)]
    assert positions == sorted(positions)
    assert "已逾期2个工作日" in content and "逾期</strong>" in content
    assert "3个工作日内到期" in content
    assert "本年新收申请 3 件" in content
    assert "依申请公开</a>" in content  # the navigation entry


def test_dashboard_shows_provisional_due_dates(client_for, office, register):
    register(D(2026, 12, 15))  # the period runs into 2027, whose schedule is not known
    at(D(2026, 12, 16))
    assert "暂定</span>" in text_of(client_for(office).get(reverse("staff:foi-dashboard")))


def test_dashboard_counts_this_years_outcomes_as_the_report_does(client_for, office, register):
    foi = register(D(2025, 3, 3))
    svc.request_withdraw(actor=office, request=foi, reason="电话撤回")
    page = text_of(client_for(office).get(reverse("staff:foi-dashboard")))
    assert "三.六.3" in page and "其他处理：其他" in page


def test_dashboard_query_count_does_not_grow_with_requests(
        client_for, office, register, department, django_assert_max_num_queries):
    for day in (3, 4):
        foi = register(D(2025, 3, day))
        svc.request_assign(actor=office, request=foi, department=department)
    client = client_for(office)
    at(D(2025, 3, 5))
    with django_assert_max_num_queries(20):
        client.get(reverse("staff:foi-dashboard"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("staff:foi-dashboard"))
    for day in range(5, 15):
        foi = register(D(2025, 3, day))
        svc.request_assign(actor=office, request=foi, department=department)
        svc.request_start_consultation(actor=office, request=foi, party_kind="other_agency",
                                       party_name="某局")
    at(D(2025, 3, 17))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("staff:foi-dashboard")).status_code == 200


def test_list_filters_by_status_department_and_due(client_for, office, register, department):
    overdue = register(D(2025, 1, 24))
    svc.request_assign(actor=office, request=overdue, department=department)
    fresh = register(D(2025, 3, 3))
    at(D(2025, 3, 3))
    client = client_for(office)
    url = reverse("staff:foi-list")
    both = text_of(client.get(url))
    assert overdue.tracking_number in both and fresh.tracking_number in both
    only_overdue = text_of(client.get(url, {"due": "overdue"}))
    assert overdue.tracking_number in only_overdue and fresh.tracking_number not in only_overdue
    by_department = text_of(client.get(url, {"department": department.pk}))
    assert overdue.tracking_number in by_department and fresh.tracking_number not in by_department
    svc.request_withdraw(actor=office, request=fresh, reason="撤回")
    closed = text_of(client.get(url, {"status": "closed"}))
    assert fresh.tracking_number in closed and overdue.tracking_number not in closed


def test_list_is_paginated(client_for, office, register, monkeypatch):
    monkeypatch.setattr(staff_views, "PAGE_SIZE", 2)
    for day in (3, 4, 5):
        register(D(2025, 3, day))
    client = client_for(office)
    first = text_of(client.get(reverse("staff:foi-list")))
    assert "第1页，共2页" in first
    second = client.get(reverse("staff:foi-list"), {"page": 2})
    assert len(re.findall('data-testid="request-row"', second.content.decode())) == 1


def test_supervisor_sees_the_subtree_and_the_officer_only_their_department(
        client_for, register, office, officer, supervisor, other_agency, department):
    mine = register(D(2025, 3, 3))
    svc.request_assign(actor=office, request=mine, department=department)
    unassigned = register(D(2025, 3, 3))
    from gongkai.core.models import Role
    from gongkai.core.tests.factories import UserFactory, member

    far_office = member(UserFactory(username="far"), other_agency, Role.OFFICE)
    at(D(2025, 3, 3))
    far, _ = svc.request_register(actor=far_office, agency=other_agency, data=applicant(),
                                  channel="in_person", received_on=D(2025, 3, 3))
    url = reverse("staff:foi-list")
    seen = text_of(client_for(supervisor).get(url))
    assert all(r.tracking_number in seen for r in (mine, unassigned, far))
    seen = text_of(client_for(officer).get(url))
    assert mine.tracking_number in seen
    assert unassigned.tracking_number not in seen and far.tracking_number not in seen


def test_list_query_count_does_not_grow_with_requests(client_for, office, register,
                                                      django_assert_max_num_queries):
    register(D(2025, 3, 3))
    client = client_for(office)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("staff:foi-list")).status_code == 200
    for day in range(4, 14):
        register(D(2025, 3, day))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("staff:foi-list"), {"due": "attention"}).status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("staff:foi-list")).status_code == 200


@pytest.mark.parametrize("persona, status", [("supervisor", 200), ("platform_admin", 200),
                                             ("other_office", 404)])
def test_a_supervisor_opens_the_dashboard_of_an_agency_in_scope(
        request, client_for, register, bureau, persona, status):
    foi = register(D(2025, 3, 3))
    response = client_for(request.getfixturevalue(persona)).get(
        reverse("staff:foi-dashboard"), {"agency": bureau.pk})
    assert response.status_code == status
    assert (foi.tracking_number in text_of(response)) == (status == 200)


# --- lists that tell the truth ---------------------------------------------------------------

def test_unconfirmed_online_requests_come_first_with_their_submission_time_and_age(
        client_for, office, register, submit):
    registered = register(D(2025, 3, 3))
    online, _ = submit(D(2025, 2, 28))
    at(D(2025, 3, 3), hour=15)
    client = client_for(office)
    for url in (reverse("staff:foi-list"), reverse("staff:foi-dashboard")):
        page = client.get(url)
        content = text_of(page)
        assert content.index(online.tracking_number) < content.index(registered.tracking_number), url
        assert cell(page, "submitted") == "提交于2025-02-28 10:00"
        assert cell(page, "age") == "已提交3天"


def test_finished_requests_show_no_countdown(client_for, office, register):
    closed = register(D(2025, 3, 3))
    svc.request_withdraw(actor=office, request=closed, reason="电话撤回")
    replied = register(D(2025, 3, 3))
    from gongkai.foi.services.replies import request_reply

    request_reply(actor=office, request=replied, reply_type="disclosed", content="提供")
    open_one = register(D(2025, 3, 3))
    at(D(2025, 3, 10))
    page = client_for(office).get(reverse("staff:foi-list"))
    rows = re.findall(r'<tr data-testid="request-row".*?</tr>', page.content.decode(), re.S)
    by_number = {r.tracking_number: next(row for row in rows if r.tracking_number in row)
                 for r in (closed, replied, open_one)}
    for finished in (closed, replied):
        row = html.unescape(by_number[finished.tracking_number])
        assert "剩余" not in row and "已于2025-03-03办结" in row
    assert "剩余15个工作日" in html.unescape(by_number[open_one.tracking_number])


def test_a_supervisors_overview_counts_its_whole_subtree(client_for, register, supervisor, bureau, tree):
    overdue = register(D(2025, 1, 24))  # due 2025-02-27
    register(D(2025, 3, 3))
    at(D(2025, 3, 3))
    client = client_for(supervisor)
    page = client.get(reverse("staff:foi-dashboard"))
    content = text_of(page)
    assert "已逾期（1）" in content
    assert "暂无办理中的申请" not in content
    assert overdue.tracking_number in content
    line = cell(page, "agency-line")
    assert line.split() == [bureau.name, "2", "0", "1", "0"]
    overdue_link = f'?due=overdue&amp;agency={bureau.pk}'
    assert overdue_link in page.content.decode()
    listed = text_of(client.get(reverse("staff:foi-list"), {"due": "overdue", "agency": bureau.pk}))
    assert overdue.tracking_number in listed
    # The city's own dashboard chosen explicitly counts the same subtree.
    again = text_of(client.get(reverse("staff:foi-dashboard"), {"agency": tree["city"].pk}))
    assert "已逾期（1）" in again


def test_the_same_applicant_count_counts_by_receipt_and_links_to_the_list(client_for, office, register):
    # Entered in March for requests received in February: counted in February, by receipt
    # (counting them by the time of entry gave 0).
    first = register(D(2025, 2, 10), description="2024年度食品安全监督抽检结果")
    register(D(2025, 2, 21), id_number="110105194912310046", description="其他申请人")
    at(D(2025, 3, 5))

    def enter(received_on, description):
        return svc.request_register(actor=office, agency=first.agency, data=applicant(description=description),
                                    channel="post_signed", received_on=received_on)[0]

    second = enter(D(2025, 2, 20), "2024年度药品抽检结果")
    third = enter(D(2025, 3, 5), "三月的申请")
    client = client_for(office)
    page = detail(client, second.pk)
    assert cell(page, "month-count") == "2"  # February: first and second
    assert cell(page, "window-count") == "2"
    assert cell(page, "total-count") == "3"
    assert "2025年2月" in cell(page, "applicant-counts")
    assert cell(detail(client, third.pk), "month-count") == "1"
    listed = text_of(client.get(reverse("staff:foi-list"), {"same_applicant": second.pk}))
    assert all(r.tracking_number in listed for r in (first, second, third))
    assert "共3件" in listed


@pytest.mark.parametrize("steps, offered", [
    ([], {"extension-request"}),
    (["draft", "check", "sign_off"], {"extension-request", "draft-reply", "draft-correction",
                                      "draft-consultation", "draft-fee"}),
])
def test_an_officer_has_actions_on_a_request_assigned_to_their_department(
        client_for, officer, assigned, bureau, steps, offered):
    from gongkai.foi.models import AgencyFoiSettings

    AgencyFoiSettings.objects.update_or_create(agency=bureau, defaults={"signoff_steps": steps})
    page = detail(client_for(officer), assigned.pk).content.decode()
    assert set(re.findall(r'data-testid="panel-([a-z-]+)"', page)) == offered


def test_the_reply_derives_the_outcome_and_takes_the_disclosed_files(client_for, office, assigned):
    import hashlib

    from gongkai.foi.models import DisclosedFile

    pdf = b"%PDF-1.4\n%test\n"
    client = client_for(office)
    response = client.post(reverse("staff:foi-reply", args=[assigned.pk]), {
        "reply-reply_type": "disclosed", "reply-content": "现将所需信息提供给您。",
        "reply-files": [SimpleUploadedFile("a.pdf", pdf), SimpleUploadedFile("b.pdf", pdf + b"2")],
        "reply-file_names": "2024年抽检结果汇总表",
    })
    assert response.status_code == 302
    assigned.refresh_from_db()
    assert assigned.outcome == "disclosed"
    files = list(DisclosedFile.objects.filter(request=assigned))
    assert [f.display_name for f in files] == ["2024年抽检结果汇总表", "b.pdf"]
    assert files[0].sha256 == hashlib.sha256(pdf).hexdigest()


def test_a_disclosed_file_is_judged_by_its_content(client_for, office, assigned):
    response = client_for(office).post(reverse("staff:foi-reply", args=[assigned.pk]), {
        "reply-reply_type": "disclosed", "reply-content": "提供",
        "reply-files": [SimpleUploadedFile("a.pdf", b"MZ not a pdf")],
    })
    assert response.status_code == 400
    assert "不是允许的类型" in text_of(response)
    assigned.refresh_from_db()
    assert assigned.status == RequestStatus.IN_PROGRESS


def test_not_disclosed_needs_its_ground_chosen(client_for, office, assigned):
    response = client_for(office).post(reverse("staff:foi-reply", args=[assigned.pk]), {
        "reply-reply_type": "not_disclosed", "reply-content": "不予公开", "reply-legal_basis": "第十四条",
    })
    assert response.status_code == 400
    assert "请选择办理结果" in text_of(response)
