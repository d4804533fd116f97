"""Files disclosed with a reply that goes through sign-off (签发). Regression: where an
agency signs its letters off, the reply is drafted (``draft-reply``) instead of given
directly, and the draft form had no file field, so such an agency could not disclose a
file with any reply. The drafter now attaches the files; they travel with the draft
through check and sign-off and become the request's disclosed files when it is issued."""

import datetime as dt
import hashlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.datastructures import MultiValueDict

from gongkai.core.encrypted_storage import encrypt_bytes
from gongkai.core.errors import DomainError
from gongkai.core.models import AuditEvent
from gongkai.core.tests.helpers import at
from gongkai.foi import delivery
from gongkai.foi.models import AgencyFoiSettings, DisclosedFile, FoiEvent, LetterDraft, Reply
from gongkai.foi.models.signoff import DraftState
from gongkai.foi.services import requests as svc
from gongkai.foi.services import signoff
from gongkai.foi.workflow import RequestStatus

pytestmark = pytest.mark.django_db
D = dt.date
PDF = b"%PDF-1.4\n% 2024 sampling results\n"
FILE_FIELD = "draft-reply-files"


@pytest.fixture
def assigned(register, office, department, bureau):
    AgencyFoiSettings.objects.update_or_create(
        agency=bureau, defaults={"signoff_steps": ["draft", "check", "sign_off"]})
    foi = register(D(2025, 3, 3))
    svc.request_assign(actor=office, request=foi, department=department)
    at(D(2025, 3, 10))
    return foi


def post_draft(client, foi, *files, **fields):
    data = {"draft-reply-reply_type": "disclosed", "draft-reply-content": "现将抽检结果提供给您。",
            "draft-reply-intent": "submit", **{f"draft-reply-{k}": v for k, v in fields.items()}}
    if files:
        data[FILE_FIELD] = list(files)
    return client.post(reverse("staff:foi-draft-reply", args=[foi.pk]), data)


def upload(content=PDF, name="抽检结果.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_the_officers_file_goes_through_check_and_sign_off_and_is_disclosed_with_the_reply(
        client_for, assigned, officer, office, leader, django_capture_on_commit_callbacks):
    response = post_draft(client_for(officer), assigned, upload(),
                          file_names="2024年第四季度抽检结果汇总表.pdf")
    assert response.status_code == 302
    draft = LetterDraft.objects.get(request=assigned)
    assert draft.state == DraftState.AWAITING_CHECK
    [entry] = signoff.draft_files(draft)
    assert entry["name"] == "2024年第四季度抽检结果汇总表.pdf"
    assert entry["sha256"] == hashlib.sha256(PDF).hexdigest() and entry["size"] == len(PDF)
    assert default_storage.exists(entry["path"])
    # Not disclosed before the reply, not even to the request's records.
    assert not DisclosedFile.objects.exists()
    # The office and the leader see what they sign off.
    page = client_for(office).get(reverse("staff:foi-detail", args=[assigned.pk])).content.decode()
    assert "2024年第四季度抽检结果汇总表.pdf" in page

    draft = signoff.draft_check(actor=office, draft=draft, passed=True)
    with django_capture_on_commit_callbacks(execute=True):
        signoff.draft_sign_off(actor=leader, draft=draft, passed=True)

    assigned.refresh_from_db()
    assert assigned.status == RequestStatus.REPLIED
    [disclosed] = DisclosedFile.objects.filter(request=assigned)
    assert disclosed.display_name == "2024年第四季度抽检结果汇总表.pdf"
    assert disclosed.sha256 == entry["sha256"] and disclosed.added_by == leader
    with disclosed.file.open("rb") as stored:
        assert stored.read() == PDF
    assert not default_storage.exists(entry["path"])  # the draft's copy is gone
    reply_event = FoiEvent.objects.get(request=assigned, action="reply")
    assert reply_event.data["disclosed_files"] == 1
    audit = AuditEvent.objects.get(action="foi.reply", object_id=str(assigned.pk))
    assert audit.after["disclosed_files"] == [entry["sha256"]]
    assert [f.name for f in delivery.applicant_documents(assigned).disclosed] == [
        "2024年第四季度抽检结果汇总表.pdf"]


def test_a_returned_draft_keeps_its_files_until_the_drafter_removes_one(
        client_for, assigned, officer, office, django_capture_on_commit_callbacks):
    client = client_for(officer)
    post_draft(client, assigned, upload(name="a.pdf"), upload(PDF + b"b", name="b.pdf"))
    draft = LetterDraft.objects.get(request=assigned)
    signoff.draft_check(actor=office, draft=draft, passed=False, note="b.pdf含个人信息，请删去")

    # Rewritten without new uploads: both files are still attached.
    post_draft(client, assigned, intent="save")
    draft.refresh_from_db()
    a, b = signoff.draft_files(draft)
    assert (a["name"], b["name"]) == ("a.pdf", "b.pdf")
    page = client.get(reverse("staff:foi-detail", args=[assigned.pk])).content.decode()
    assert 'name="draft-reply-remove_files"' in page and f'value="{b["path"]}"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = post_draft(client, assigned, remove_files=[b["path"]])
    assert response.status_code == 302
    draft.refresh_from_db()
    assert [e["name"] for e in signoff.draft_files(draft)] == ["a.pdf"]
    assert draft.state == DraftState.AWAITING_CHECK
    assert not default_storage.exists(b["path"]) and default_storage.exists(a["path"])


def test_a_cancelled_drafts_files_are_removed(client_for, assigned, officer,
                                              django_capture_on_commit_callbacks):
    post_draft(client_for(officer), assigned, upload(), intent="save")
    draft = LetterDraft.objects.get(request=assigned)
    [entry] = signoff.draft_files(draft)
    with django_capture_on_commit_callbacks(execute=True):
        signoff.draft_cancel(actor=officer, draft=draft, reason="申请人已撤回")
    assert not default_storage.exists(entry["path"])
    assert not DisclosedFile.objects.exists()


def test_a_file_changed_after_it_was_attached_is_not_issued(client_for, assigned, officer, office,
                                                            leader):
    post_draft(client_for(officer), assigned, upload())
    draft = signoff.draft_check(actor=office, draft=LetterDraft.objects.get(request=assigned), passed=True)
    [entry] = signoff.draft_files(draft)
    default_storage.delete(entry["path"])
    default_storage.save(entry["path"], ContentFile(encrypt_bytes(PDF + b"tampered")))
    with pytest.raises(DomainError, match="被改动"):
        signoff.draft_sign_off(actor=leader, draft=draft, passed=True)
    assert not Reply.objects.exists() and not DisclosedFile.objects.exists()
    draft.refresh_from_db()
    assert draft.state == DraftState.AWAITING_SIGNOFF


def test_a_file_is_judged_by_its_content_and_only_a_reply_takes_files(client_for, assigned, officer,
                                                                      office):
    response = post_draft(client_for(officer), assigned, upload(b"MZ not a pdf", name="x.pdf"))
    assert response.status_code == 400
    assert "不是允许的类型" in response.content.decode()
    assert not LetterDraft.objects.exists()
    with pytest.raises(DomainError, match="不附公开的政府信息文件"):
        signoff.draft_save(actor=office, request=assigned, kind="correction",
                           fields={"items": ["请明确年份"], "correct_by": "2025-03-20"},
                           files=[(upload(), "")])


def test_a_file_lost_from_storage_is_not_issued(client_for, assigned, officer, office, leader):
    post_draft(client_for(officer), assigned, upload())
    draft = signoff.draft_check(actor=office, draft=LetterDraft.objects.get(request=assigned), passed=True)
    default_storage.delete(signoff.draft_files(draft)[0]["path"])
    with pytest.raises(DomainError, match="已不存在"):
        signoff.draft_sign_off(actor=leader, draft=draft, passed=True)
    assert not Reply.objects.exists()


# --- the office and the leader open the files before they sign -------------------------------------

def draft_file_url(draft, entry) -> str:
    return reverse("staff:foi-draft-file", args=[draft.pk, entry["sha256"]])


def test_the_office_checking_and_the_leader_signing_download_each_file_audited(
        client_for, assigned, officer, office, leader):
    post_draft(client_for(officer), assigned, upload(), file_names="2024年第四季度抽检结果汇总表.pdf")
    draft = LetterDraft.objects.get(request=assigned)
    [entry] = signoff.draft_files(draft)
    url = draft_file_url(draft, entry)

    # The draft's summary on the request's page links the file.
    page = client_for(office).get(reverse("staff:foi-detail", args=[assigned.pk])).content.decode()
    assert f'href="{url}"' in page

    def download(user):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert "filename*=utf-8''2024%E5%B9%B4" in disposition  # RFC 5987, the display name

    download(office)  # checking it
    signoff.draft_check(actor=office, draft=draft, passed=True)
    download(leader)  # signing it off
    entries = AuditEvent.objects.filter(action="foi.draft_file.download",
                                        object_id=str(assigned.pk)).order_by("seq")
    assert [(e.actor, e.after["sha256"], e.after["draft_id"]) for e in entries] == [
        (office, entry["sha256"], draft.pk), (leader, entry["sha256"], draft.pk)]
    assert entries[0].after["name"] == "2024年第四季度抽检结果汇总表.pdf"


def test_another_agencys_member_gets_404_and_nothing_is_audited(client_for, assigned, officer, other_office):
    post_draft(client_for(officer), assigned, upload())
    draft = LetterDraft.objects.get(request=assigned)
    [entry] = signoff.draft_files(draft)
    assert client_for(other_office).get(draft_file_url(draft, entry)).status_code == 404
    assert not AuditEvent.objects.filter(action="foi.draft_file.download").exists()


def test_no_file_is_served_from_an_issued_or_cancelled_draft_nor_a_changed_one(
        client_for, assigned, officer, office, leader, django_capture_on_commit_callbacks):
    client = client_for(officer)
    post_draft(client, assigned, upload())
    draft = signoff.draft_check(actor=office, draft=LetterDraft.objects.get(request=assigned), passed=True)
    [entry] = signoff.draft_files(draft)
    url = draft_file_url(draft, entry)
    assert client_for(leader).get(reverse("staff:foi-draft-file", args=[draft.pk, "0" * 64])).status_code == 404

    # Changed in storage after it was attached: refused, not served.
    default_storage.delete(entry["path"])
    default_storage.save(entry["path"], ContentFile(encrypt_bytes(PDF + b"tampered")))
    changed = client_for(leader).get(url)
    assert changed.status_code == 409 and "被改动" in changed.content.decode()
    default_storage.delete(entry["path"])
    default_storage.save(entry["path"], ContentFile(encrypt_bytes(PDF)))

    with django_capture_on_commit_callbacks(execute=True):
        signoff.draft_sign_off(actor=leader, draft=draft, passed=True)
    # Issued: the file is now the request's disclosed file, not the draft's.
    assert client_for(office).get(url).status_code == 404
    page = client_for(office).get(reverse("staff:foi-detail", args=[assigned.pk])).content.decode()
    assert url not in page and "抽检结果.pdf" in page
    assert not AuditEvent.objects.filter(action="foi.draft_file.download").exists()


def test_a_cancelled_drafts_file_is_not_served(client_for, assigned, officer, office):
    post_draft(client_for(officer), assigned, upload(), intent="save")
    draft = LetterDraft.objects.get(request=assigned)
    [entry] = signoff.draft_files(draft)
    signoff.draft_cancel(actor=officer, draft=draft, reason="申请人已撤回")
    assert client_for(office).get(draft_file_url(draft, entry)).status_code == 404


# --- the form --------------------------------------------------------------------------------------

def test_the_draft_reply_form_keeps_its_files(assigned):
    """The drafted reply's form is the one in ``staff_forms`` and carries the uploads with
    their names to ``draft_save`` (the old ``DraftReplyForm`` dropped them)."""
    from gongkai.foi import staff_forms
    from gongkai.foi.views import staff as staff_views

    form = staff_views.build_form(staff_views.ACTIONS["draft-reply"], assigned, data={
        "draft-reply-reply_type": "disclosed", "draft-reply-content": "提供", "draft-reply-intent": "save",
        "draft-reply-file_names": "汇总表.pdf"}, files=MultiValueDict({FILE_FIELD: [upload()]}))
    assert isinstance(form, staff_forms.DraftReplyWithFilesForm)
    assert form.is_valid(), form.errors
    [(stored, name)] = form.cleaned_data["disclosed_files"]
    assert name == "汇总表.pdf" and stored.name == "抽检结果.pdf"
    assert not hasattr(staff_forms, "DraftReplyForm")
    too_many = staff_views.build_form(staff_views.ACTIONS["draft-reply"], assigned, data={
        "draft-reply-reply_type": "disclosed", "draft-reply-content": "提供", "draft-reply-intent": "save",
        "draft-reply-file_names": "一.pdf\n二.pdf"}, files=MultiValueDict({FILE_FIELD: [upload()]}))
    assert not too_many.is_valid() and "显示名称的行数多于所选文件" in str(too_many.errors)


def test_a_file_replaced_by_one_that_does_not_decrypt_is_refused_as_changed(
        client_for, assigned, officer, office, leader):
    # Someone with access to the storage puts a plaintext file (or garbage) in its place:
    # refused as changed, never a server error.
    post_draft(client_for(officer), assigned, upload())
    draft = signoff.draft_check(actor=office, draft=LetterDraft.objects.get(request=assigned), passed=True)
    [entry] = signoff.draft_files(draft)
    default_storage.delete(entry["path"])
    default_storage.save(entry["path"], ContentFile(PDF))
    response = client_for(leader).get(draft_file_url(draft, entry))
    assert response.status_code == 409 and "被改动" in response.content.decode()
    with pytest.raises(DomainError, match="被改动"):
        signoff.draft_sign_off(actor=leader, draft=draft, passed=True)
