"""The publishing back office: one save makes one version, attachments have names readers
understand, and the page offers a step only when it makes sense."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongkai.core.models import Role
from gongkai.core.tests.factories import UserFactory, member
from gongkai.core.tests.helpers import at
from gongkai.publishing.models import (
    AgencyPublishingSettings,
    Publication,
    PublicationRevision,
    default_display_name,
)
from gongkai.publishing.services import publications as svc
from gongkai.publishing.tests.test_views_workflow import (
    NO_RISK,
    create,
    detail,
    docx_bytes,
    draft_form,
    item,  # noqa: F401  (fixture)
    step,
)
from gongkai.publishing.views.steps import panels, step_context

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def png(name="2025年第一季度抽检现场照片.png"):
    return SimpleUploadedFile(name, PNG)


def revisions(publication) -> int:
    return PublicationRevision.objects.filter(publication=publication).count()


# --- one save, one version ----------------------------------------------------------------------


def test_creating_a_draft_with_its_files_makes_one_version(client_for, officer, columns):
    at(dt.date(2025, 3, 5))
    response = create(client_for(officer), [columns["news"]], attachments=[png(), png("二.png")])
    assert response.status_code == 302
    publication = Publication.objects.get()
    assert revisions(publication) == 1
    assert publication.attachments.count() == 2
    page = detail(client_for(officer), publication.pk).content.decode()
    assert "第1版" in page and "第2版" not in page


def test_editing_with_a_new_file_makes_one_version_and_no_change_makes_none(
        client_for, officer, item):  # noqa: F811
    client = client_for(officer)
    url = reverse("staff:publishing-edit", args=[item.pk])
    form = {**draft_form(list(item.columns.all())), "title": item.title, "body": item.body,
            "doc_number": item.doc_number, "keywords": item.keywords,
            "issuing_agency": item.issuing_agency}
    response = client.post(url, {**form, "title": "新标题", "attachments": [png()]})
    assert response.status_code == 302
    assert revisions(item) == 2  # created; edited with its file
    response = client.post(url, {**form, "title": "新标题"}, follow=True)
    assert revisions(item) == 2 and "没有修改" in response.content.decode()


def test_the_service_alone_makes_one_version_per_save(officer, item):  # noqa: F811
    svc.publication_update(actor=officer, publication=item, title="改", attachments=[png()])
    assert revisions(item) == 2
    svc.publication_update(actor=officer, publication=item, title="改")
    assert revisions(item) == 2


# --- display names ----------------------------------------------------------------------------


@pytest.mark.parametrize("name, shown", [
    ("2025年部门预算.pdf", "2025年部门预算"),
    ("附件1：抽检结果.XLSX", "附件1：抽检结果"),
    ("无扩展名", "无扩展名"),
    (".pdf", ".pdf"),
    ("v1.2 说明.docx", "v1.2 说明"),
])
def test_the_default_display_name_drops_the_extension(name, shown):
    assert default_display_name(name) == shown


def test_an_attachment_is_shown_and_renamed_by_its_display_name(client_for, officer, item):  # noqa: F811
    svc.publication_update(actor=officer, publication=item, attachments=[png()])
    attachment = item.attachments.get()
    assert attachment.display_name == "2025年第一季度抽检现场照片"
    client = client_for(officer)
    page = detail(client, item.pk).content.decode()
    assert ">2025年第一季度抽检现场照片</a>（PNG" in page

    versions = revisions(item)
    response = client.post(reverse("staff:publishing-attachment-rename", args=[attachment.pk]),
                           {"display_name": "  抽检现场  照片 "})
    assert response.status_code == 302
    attachment.refresh_from_db()
    assert attachment.display_name == "抽检现场 照片" and attachment.original_name.endswith(".png")
    assert revisions(item) == versions  # which files the version carries is unchanged
    assert item.events.last().reason == "附件更名：2025年第一季度抽检现场照片 → 抽检现场 照片"
    edit = client.get(reverse("staff:publishing-edit", args=[item.pk])).content.decode()
    assert 'value="抽检现场 照片"' in edit

    response = client.post(reverse("staff:publishing-attachment-rename", args=[attachment.pk]),
                           {"display_name": " "})
    assert response.status_code == 400 and "附件名称未保存" in response.content.decode()


def test_the_public_page_shows_the_display_name(client, client_for, officer, reviewer, leader,
                                                 office, item):  # noqa: F811
    # a DOCX: its text is screened (an image would need the reviewer's override first)
    upload = SimpleUploadedFile("抽检现场照片.docx", docx_bytes("抽检结果说明"))
    svc.publication_update(actor=officer, publication=item, attachments=[upload])
    svc.publication_rename_attachment(actor=officer, attachment=item.attachments.get(),
                                      display_name="抽检现场照片")
    svc.publication_submit(actor=officer, publication=item)
    assert step(client_for(reviewer), "review", item.pk, **NO_RISK,
                conclusion="may_publish").status_code == 302
    item.refresh_from_db()
    svc.publication_approve(actor=leader, publication=item)
    item.refresh_from_db()
    svc.publication_publish(actor=office, publication=item)
    page = client.get(reverse("portal:publication-detail", args=[item.pk])).content.decode()
    assert "抽检现场照片</a>" in page and "抽检现场照片.docx</a>" not in page


# --- steps offered only when they make sense ---------------------------------------------------


def offered(user, publication) -> list[str]:
    return [p.step.key for p in panels(user, step_context(publication), {})]


def test_rescreening_is_offered_only_after_a_screening(client_for, officer, item):  # noqa: F811
    assert "screen" not in offered(officer, item)
    page = detail(client_for(officer), item.pk).content.decode()
    assert "重新进行泄密筛查" not in page
    svc.publication_screen(actor=officer, publication=item)
    assert "screen" in offered(officer, item)
    assert "重新进行泄密筛查" in detail(client_for(officer), item.pk).content.decode()
    svc.publication_update(actor=officer, publication=item, title="改过的标题")  # a new version
    assert "screen" not in offered(officer, item)


def test_a_leader_is_not_offered_to_approve_a_version_twice(officer, reviewer, leader, bureau,
                                                            item):  # noqa: F811
    AgencyPublishingSettings.objects.update_or_create(agency=bureau, defaults={"approval_steps": 2})
    second = member(UserFactory(username="leader2"), bureau, Role.LEADER)
    svc.publication_submit(actor=officer, publication=item)
    svc.publication_review(actor=reviewer, publication=item, conclusion="may_publish",
                           involves_state_secrets=False, involves_privacy_or_trade_secrets=False,
                           endangers_security_or_stability=False)
    item.refresh_from_db()
    assert "approve" in offered(leader, item)
    svc.publication_approve(actor=leader, publication=item)
    item.refresh_from_db()
    assert item.status == "in_approval"
    assert "approve" not in offered(leader, item)
    assert "approve" in offered(second, item)
