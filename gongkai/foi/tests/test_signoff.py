"""Sign-off (签发) of replies and notices: each agency configuration (none, check only,
sign-off only, drafting only, all three), returns, who may take which step, and the
events and audit entries each step leaves."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from gongkai.core.errors import DomainError
from gongkai.core.models import AuditEvent, Role
from gongkai.core.tests.factories import DepartmentFactory, UserFactory, member
from gongkai.core.tests.helpers import at
from gongkai.foi.models import AgencyFoiSettings, FoiEvent, LetterDraft, Reply
from gongkai.foi.models.signoff import DraftState
from gongkai.foi.services import requests as svc
from gongkai.foi.services import signoff
from gongkai.foi.workflow import RequestStatus

pytestmark = pytest.mark.django_db
D = dt.date
REPLY = {"reply_type": "disclosed", "content": "现将2024年度食品安全监督抽检结果提供给您。"}


def steps(agency, *names):
    AgencyFoiSettings.objects.update_or_create(agency=agency, defaults={"signoff_steps": list(names)})


@pytest.fixture
def assigned(register, office, department):
    foi = register(D(2025, 3, 3))
    svc.request_assign(actor=office, request=foi, department=department)
    at(D(2025, 3, 10))
    return foi


def actions(foi) -> list[tuple[str, str]]:
    return [(e.action, e.actor.username if e.actor else "") for e in FoiEvent.objects.filter(request=foi)]


def draft_reply(actor, foi, **fields):
    return signoff.draft_save(actor=actor, request=foi, kind="reply", fields={**REPLY, **fields})


# --- configurations --------------------------------------------------------------------------

def test_without_steps_the_office_issues_directly_and_nobody_drafts(bureau, assigned, office, officer):
    steps(bureau)
    for user in (office, officer):
        with pytest.raises(PermissionDenied):
            draft_reply(user, assigned)
    assert not LetterDraft.objects.exists()


def test_all_three_steps_officer_drafts_office_checks_leader_signs(bureau, assigned, office, officer, leader):
    steps(bureau, "draft", "check", "sign_off")
    draft = draft_reply(officer, assigned)
    assert draft.state == DraftState.DRAFTING
    draft = signoff.draft_submit(actor=officer, draft=draft)
    assert draft.state == DraftState.AWAITING_CHECK
    draft = signoff.draft_check(actor=office, draft=draft, passed=True)
    assert draft.state == DraftState.AWAITING_SIGNOFF
    assert not Reply.objects.exists()
    draft = signoff.draft_sign_off(actor=leader, draft=draft, passed=True, note="同意")
    assert draft.state == DraftState.ISSUED
    assert (draft.drafted_by, draft.checked_by, draft.signed_by) == (officer, office, leader)

    assigned.refresh_from_db()
    assert assigned.status == RequestStatus.REPLIED
    reply = Reply.objects.get(request=assigned)
    assert reply.created_by == leader  # issued in the signing leader's name
    assert reply.outcome == "disclosed"  # derived from the reply type
    assert actions(assigned)[-4:] == [
        ("submit_draft", "officer"), ("check_draft", "office"), ("sign_off", "leader"), ("reply", "leader")]
    audited = list(AuditEvent.objects.filter(object_id=str(assigned.pk)).values_list("action", flat=True))
    for action in ("foi.draft_save", "foi.submit_draft", "foi.check_draft", "foi.sign_off", "foi.reply"):
        assert action in audited


def test_check_only_the_office_issues_after_its_check(bureau, assigned, office):
    steps(bureau, "check")
    draft = signoff.draft_submit(actor=office, draft=draft_reply(office, assigned))
    assert draft.state == DraftState.AWAITING_CHECK
    draft = signoff.draft_check(actor=office, draft=draft, passed=True)
    assert draft.state == DraftState.ISSUED
    assert Reply.objects.get(request=assigned).created_by == office
    assert [a for a, _ in actions(assigned)][-3:] == ["submit_draft", "check_draft", "reply"]


def test_sign_off_only_goes_from_the_office_to_the_leader(bureau, assigned, office, leader):
    steps(bureau, "sign_off")
    draft = signoff.draft_submit(actor=office, draft=draft_reply(office, assigned))
    assert draft.state == DraftState.AWAITING_SIGNOFF
    signoff.draft_sign_off(actor=leader, draft=draft, passed=True)
    assert Reply.objects.get(request=assigned).created_by == leader
    assert "check_draft" not in [a for a, _ in actions(assigned)]


def test_drafting_only_an_officers_draft_still_goes_out_through_the_office(bureau, assigned, office, officer):
    steps(bureau, "draft")
    draft = signoff.draft_submit(actor=officer, draft=draft_reply(officer, assigned))
    assert draft.state == DraftState.AWAITING_CHECK  # an officer never issues letters
    signoff.draft_check(actor=office, draft=draft, passed=True)
    assert Reply.objects.get(request=assigned).created_by == office


def test_drafting_only_the_office_issues_its_own_draft_at_once(bureau, assigned, office):
    steps(bureau, "draft")
    draft = signoff.draft_submit(actor=office, draft=draft_reply(office, assigned))
    assert draft.state == DraftState.ISSUED
    assert [a for a, _ in actions(assigned)][-2:] == ["submit_draft", "reply"]


def test_a_correction_notice_is_signed_off_and_issued_by_the_leader(bureau, register, office, leader):
    steps(bureau, "check", "sign_off")
    foi = register(D(2025, 3, 3))
    at(D(2025, 3, 5))
    draft = signoff.draft_save(actor=office, request=foi, kind="correction",
                               fields={"items": ["请明确年份"], "correct_by": "2025-03-20"})
    draft = signoff.draft_check(actor=office, draft=signoff.draft_submit(actor=office, draft=draft), passed=True)
    signoff.draft_sign_off(actor=leader, draft=draft, passed=True)
    foi.refresh_from_db()
    assert foi.status == RequestStatus.AWAITING_CORRECTION
    event = FoiEvent.objects.filter(request=foi, action="request_correction").get()
    assert event.actor == leader and event.data["items"] == ["请明确年份"]


def test_what_the_law_refuses_at_issue_leaves_the_draft_awaiting_sign_off(bureau, register, office, leader):
    steps(bureau, "sign_off")
    foi = register(D(2025, 3, 3))
    at(D(2025, 3, 4))
    draft = signoff.draft_save(actor=office, request=foi, kind="correction",
                               fields={"items": ["请明确年份"], "correct_by": "2025-03-28"})
    draft = signoff.draft_submit(actor=office, draft=draft)
    at(D(2025, 3, 24))  # past the 7 working days for a correction notice (Art. 30)
    with pytest.raises(DomainError, match="第三十条"):
        signoff.draft_sign_off(actor=leader, draft=draft, passed=True)
    draft.refresh_from_db()
    assert draft.state == DraftState.AWAITING_SIGNOFF and draft.signed_by is None
    assert not FoiEvent.objects.filter(request=foi, action="sign_off").exists()


# --- returns ---------------------------------------------------------------------------------

def test_a_returned_draft_goes_back_to_the_drafter_with_the_reason(bureau, assigned, office, officer, leader):
    steps(bureau, "draft", "check", "sign_off")
    draft = signoff.draft_submit(actor=officer, draft=draft_reply(officer, assigned))
    draft = signoff.draft_check(actor=office, draft=draft, passed=True)
    with pytest.raises(DomainError, match="说明理由"):
        signoff.draft_sign_off(actor=leader, draft=draft, passed=False, note=" ")
    draft = signoff.draft_sign_off(actor=leader, draft=draft, passed=False, note="请补充抽检批次")
    assert draft.state == DraftState.RETURNED and draft.note == "请补充抽检批次"
    event = FoiEvent.objects.filter(request=assigned, action="return_draft").get()
    assert event.actor == leader and event.reason == "请补充抽检批次"

    draft = draft_reply(officer, assigned, content="现将2024年度各批次抽检结果提供给您。")
    assert draft.state == DraftState.RETURNED  # rewritten in place, one draft per letter
    draft = signoff.draft_submit(actor=officer, draft=draft)
    assert draft.state == DraftState.AWAITING_CHECK and draft.note == ""
    assert LetterDraft.objects.count() == 1


def test_the_office_returns_at_check(bureau, assigned, office, officer):
    steps(bureau, "draft", "check")
    draft = signoff.draft_submit(actor=officer, draft=draft_reply(officer, assigned))
    draft = signoff.draft_check(actor=office, draft=draft, passed=False, note="法律依据不全")
    assert draft.state == DraftState.RETURNED
    assert not Reply.objects.exists()


def test_a_draft_on_its_way_cannot_be_rewritten(bureau, assigned, office):
    steps(bureau, "check")
    signoff.draft_submit(actor=office, draft=draft_reply(office, assigned))
    with pytest.raises(DomainError, match="待办公室核稿"):
        draft_reply(office, assigned)


def test_a_draft_that_breaks_the_reply_rules_is_refused_on_submit(bureau, assigned, office):
    steps(bureau, "check")
    draft = draft_reply(office, assigned, reply_type="not_disclosed", outcome="withheld_state_secret")
    with pytest.raises(DomainError, match="法律依据"):
        signoff.draft_submit(actor=office, draft=draft)
    draft = draft_reply(office, assigned, reply_type="not_disclosed", outcome="")
    with pytest.raises(DomainError, match="请选择办理结果"):
        signoff.draft_submit(actor=office, draft=draft)


def test_cancelling_a_draft_is_recorded(bureau, assigned, office, officer):
    steps(bureau, "draft", "check")
    draft = draft_reply(officer, assigned)
    signoff.draft_cancel(actor=officer, draft=draft, reason="改为电话补正")
    draft.refresh_from_db()
    assert draft.state == DraftState.CANCELLED
    assert FoiEvent.objects.filter(request=assigned, action="cancel_draft").exists()


# --- who may ---------------------------------------------------------------------------------

def test_an_officer_drafts_only_for_their_own_department(bureau, assigned, office):
    steps(bureau, "draft", "check", "sign_off")
    stranger = member(UserFactory(username="stranger"), bureau, Role.OFFICER,
                      DepartmentFactory(agency=bureau, name="质量监督科"))
    with pytest.raises(PermissionDenied):
        draft_reply(stranger, assigned)


def test_officers_do_not_draft_where_drafting_is_not_a_step(bureau, assigned, officer, office):
    steps(bureau, "check", "sign_off")
    with pytest.raises(PermissionDenied):
        draft_reply(officer, assigned)
    assert draft_reply(office, assigned).state == DraftState.DRAFTING  # the office may draft


@pytest.mark.parametrize("persona", ["officer", "leader", "reviewer", "supervisor"])
def test_only_the_office_checks(request, bureau, assigned, office, persona):
    steps(bureau, "check", "sign_off")
    draft = signoff.draft_submit(actor=office, draft=draft_reply(office, assigned))
    with pytest.raises(PermissionDenied):
        signoff.draft_check(actor=request.getfixturevalue(persona), draft=draft, passed=True)
    draft.refresh_from_db()
    assert draft.state == DraftState.AWAITING_CHECK


@pytest.mark.parametrize("persona", ["office", "officer", "reviewer", "supervisor"])
def test_only_the_leader_signs_off(request, bureau, assigned, office, persona):
    steps(bureau, "sign_off")
    draft = signoff.draft_submit(actor=office, draft=draft_reply(office, assigned))
    with pytest.raises(PermissionDenied):
        signoff.draft_sign_off(actor=request.getfixturevalue(persona), draft=draft, passed=True)
    assert not Reply.objects.exists()


def test_a_leader_signs_but_cannot_take_office_steps_directly(bureau, assigned, leader):
    # The leader's authority to issue covers the letter they sign, not the office's work.
    with pytest.raises(PermissionDenied):
        svc.request_ask_correction(actor=leader, request=assigned, items=["x"], correct_by=D(2025, 3, 20))


# --- the pages -------------------------------------------------------------------------------

def _post(client, name, pk, prefix, **fields):
    return client.post(reverse(f"staff:foi-{name}", args=[pk]),
                       {f"{prefix}-{k}": v for k, v in fields.items()})


def _panels(response) -> set[str]:
    import re

    return set(re.findall(r'data-testid="panel-([a-z0-9-]+)"', response.content.decode()))


def test_the_walk_through_the_pages(client_for, bureau, assigned, office, officer, leader):
    steps(bureau, "draft", "check", "sign_off")
    client = client_for(officer)
    page = client.get(reverse("staff:foi-detail", args=[assigned.pk]))
    assert {"draft-reply", "draft-correction", "draft-consultation", "draft-fee",
            "extension-request"} <= _panels(page)
    assert "reply" not in _panels(page)
    response = _post(client, "draft-reply", assigned.pk, "draft-reply", intent="submit", **REPLY)
    assert response.status_code == 302
    draft = LetterDraft.objects.get()
    assert draft.state == DraftState.AWAITING_CHECK and draft.fields["outcome"] == "disclosed"

    client = client_for(office)
    page = client.get(reverse("staff:foi-detail", args=[assigned.pk]))
    assert f'id="action-draft-check-{draft.pk}"' in page.content.decode()
    assert "reply" not in _panels(page)  # no way round the sign-off
    assert "办理结果：予以公开（由答复类型确定）" in page.content.decode()
    assert _post(client, "reply", assigned.pk, "reply", **REPLY).status_code == 403
    assert _post(client, "draft-check", draft.pk, f"draft-check-{draft.pk}", decision="pass").status_code == 302

    client = client_for(leader)
    page = client.get(reverse("staff:foi-detail", args=[assigned.pk]))
    assert f'id="action-draft-sign-off-{draft.pk}"' in page.content.decode()
    dashboard = client.get(reverse("staff:foi-dashboard")).content.decode()
    assert "待签发：答复告知书" in dashboard
    response = _post(client, "draft-sign-off", draft.pk, f"draft-sign-off-{draft.pk}", decision="pass")
    assert response.status_code == 302
    assigned.refresh_from_db()
    assert assigned.status == RequestStatus.REPLIED


def test_a_return_without_a_reason_is_refused_on_the_page(client_for, bureau, assigned, office):
    steps(bureau, "check")
    draft = signoff.draft_submit(actor=office, draft=draft_reply(office, assigned))
    response = _post(client_for(office), "draft-check", draft.pk, f"draft-check-{draft.pk}", decision="return")
    assert response.status_code == 400
    assert "退回修改请说明理由" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == DraftState.AWAITING_CHECK


def test_the_demo_bureau_signs_off_in_three_steps(db, settings, tmp_path):
    from gongkai.core.demo import load_demo
    from gongkai.foi.demo import load_demo_requests
    from gongkai.foi.models import ExtensionRequest, ExtensionState
    from gongkai.foi.models.signoff import signoff_steps_for

    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo()
    load_demo_requests()
    draft = LetterDraft.objects.get()
    assert [s.value for s in signoff_steps_for(draft.request.agency)] == ["draft", "check", "sign_off"]
    assert draft.state == DraftState.AWAITING_SIGNOFF
    assert {e.state for e in ExtensionRequest.objects.all()} == {ExtensionState.APPROVED, ExtensionState.REQUESTED}
