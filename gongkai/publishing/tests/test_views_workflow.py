"""Proactive disclosure in the back office, over HTTP: an item drafted by an officer,
submitted, reviewed, approved and published into its columns; each step refused for the
wrong role (403) and for a foreign agency (404); leak screening as a gate (a resident ID
in the body or in a DOCX attachment blocks the review until it is masked or overridden
with a reason; a number with a wrong check digit does not); scheduling and the
release-due sweep; withdrawal with a reason; the catalogue; bad input refused in Chinese
with nothing changed."""

import datetime as dt
import html
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongkai.core.models import AuditEvent, Role
from gongkai.core.tests.factories import DepartmentFactory, UserFactory, member
from gongkai.core.tests.helpers import at
from gongkai.publishing.models import (
    ChannelRelease,
    Column,
    Publication,
    PublicationAttachment,
    PublicationEvent,
    PublicationRevision,
    PublicationStatus,
    ScreeningRun,
    SecrecyReview,
)
from gongkai.publishing.selectors.catalogue import published_in_column
from gongkai.publishing.services import publications as svc

pytestmark = pytest.mark.django_db
D = dt.date
S = PublicationStatus
VALID_ID = "11010519491231002X"
INVALID_CHECKSUM = "110105194912310021"
TITLE = "关于2025年第一季度食品安全监督抽检情况的通告"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --- helpers ---------------------------------------------------------------------------------


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def cell(response, testid: str) -> str:
    """The text inside the element marked ``data-testid=testid``."""
    match = re.search(
        rf'<(\w+)[^>]*data-testid="{testid}"[^>]*>(.*?)</\1>', response.content.decode(), re.S
    )
    assert match, f"no element {testid!r}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(2))).split())


def step(client, key, pk, **fields):
    """POST one step of the workflow, its fields under the step's form prefix."""
    data = {}
    for name, value in fields.items():
        data[f"{key}-{name}"] = value
    return client.post(reverse(f"staff:publishing-{key}", args=[pk]), data)


def detail(client, pk):
    return client.get(reverse("staff:publishing-detail", args=[pk]))


NO_RISK = {
    "involves_state_secrets": "no",
    "involves_privacy_or_trade_secrets": "no",
    "endangers_security_or_stability": "no",
}


def may_publish(client, pk, **extra):
    return step(client, "review", pk, **NO_RISK, conclusion="may_publish", **extra)


def docx_bytes(*paragraphs: str) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def draft_form(columns=(), **overrides) -> dict:
    data = {
        "title": TITLE,
        "issuing_agency": "测试市市场监督管理局",
        "doc_number": "测市监发〔2025〕3号",
        "written_on": "2025-03-03",
        "disclosure_attribute": "proactive",
        "validity": "valid",
        "body": "<p>2025年第一季度共抽检食品500批次，合格率98.6%。</p>",
        "keywords": "抽检 食品安全",
        "columns": [c.pk for c in columns],
    }
    data.update(overrides)
    return data


def create(client, columns=(), **overrides):
    return client.post(reverse("staff:publishing-create"), draft_form(columns, **overrides))


def draft_item(
    officer, bureau, department, columns, body="<p>2025年第一季度抽检结果。</p>"
) -> Publication:
    return svc.publication_create(
        actor=officer,
        agency=bureau,
        department=department,
        title=TITLE,
        written_on=D(2025, 3, 3),
        disclosure_attribute="proactive",
        body=body,
        columns=[columns["recalls"], columns["news"]],
    )


@pytest.fixture
def item(officer, bureau, department, columns):
    at(D(2025, 3, 5))
    return draft_item(officer, bureau, department, columns)


@pytest.fixture
def flagged(officer, bureau, department, columns):
    """Submitted with a resident ID in the body: screening holds it."""
    at(D(2025, 3, 5))
    publication = draft_item(
        officer, bureau, department, columns, body=f"<p>当事人身份证号{VALID_ID}。</p>"
    )
    svc.publication_submit(actor=officer, publication=publication)
    return publication


@pytest.fixture
def in_review(item, officer):
    svc.publication_submit(actor=officer, publication=item)
    return item


@pytest.fixture
def in_approval(in_review, reviewer):
    svc.publication_review(
        actor=reviewer,
        publication=in_review,
        involves_state_secrets=False,
        involves_privacy_or_trade_secrets=False,
        endangers_security_or_stability=False,
        conclusion="may_publish",
    )
    return in_review


@pytest.fixture
def approved(in_approval, leader):
    svc.publication_approve(actor=leader, publication=in_approval)
    return in_approval


@pytest.fixture
def published(approved, office):
    svc.publication_publish(actor=office, publication=approved)
    return approved


def status_of(publication) -> str:
    return Publication.objects.get(pk=publication.pk).status


# --- the whole walk ---------------------------------------------------------------------------


def test_an_item_goes_from_the_officers_draft_into_its_columns(
    client_for, officer, reviewer, leader, office, department, columns
):
    at(D(2025, 3, 5))
    client = client_for(officer)
    page = client.get(reverse("staff:publishing-create"))
    assert page.status_code == 200
    assert "　　产品召回信息" in text_of(page)  # the column tree, indented

    response = create(client, [columns["recalls"], columns["news"]])
    assert response.status_code == 302
    item = Publication.objects.get()
    assert item.department == department  # the officer's own, fixed
    assert item.status == S.DRAFT
    assert re.fullmatch(rf"{item.agency.code}/2025-00001", item.index_number)
    assert response.url == reverse("staff:publishing-detail", args=[item.pk])

    assert step(client, "submit", item.pk).status_code == 302
    page = detail(client, item.pk)
    assert cell(page, "status") == "保密审查中"
    assert "未发现疑点" in cell(page, "screening")

    client = client_for(reviewer)
    assert may_publish(client, item.pk, opinion="无涉密内容").status_code == 302
    assert cell(detail(client, item.pk), "status") == "领导审批中"

    client = client_for(leader)
    assert step(client, "approve", item.pk, opinion="同意").status_code == 302
    assert cell(detail(client, item.pk), "status") == "待发布"

    client = client_for(office)
    assert step(client, "publish", item.pk).status_code == 302
    page = detail(client, item.pk)
    assert cell(page, "status") == "已发布"
    assert cell(page, "published-version") == "第1版"
    assert "重点领域信息 › 产品召回信息" in cell(page, "columns")
    history = cell(page, "events")
    for words in ("起草", "提交保密审查", "保密审查通过", "领导审批同意", "发布"):
        assert words in history

    for column in (columns["recalls"], columns["news"]):
        assert list(published_in_column(column)) == [item]
    assert not published_in_column(columns["parent"]).exists()

    listing = client.get(reverse("staff:publishing-list"), {"status": "published"})
    assert cell(listing, "publication-row").startswith(item.index_number)
    assert "已发布" in cell(listing, "publication-row")


# --- the wrong role, the foreign agency ------------------------------------------------------

STEP_CASES = [
    # (the state the item is in, the step, its fields, who tries, the answer)
    *[("item", "submit", {}, actor, 403) for actor in ("reviewer", "leader", "supervisor")],
    ("item", "submit", {}, "other_office", 404),
    ("item", "submit", {}, "officer", 302),
    *[
        ("in_review", "review", {**NO_RISK, "conclusion": "may_publish"}, actor, 403)
        for actor in ("officer", "leader", "office", "supervisor", "platform_admin")
    ],
    ("in_review", "review", {**NO_RISK, "conclusion": "may_publish"}, "other_office", 404),
    ("in_review", "review", {**NO_RISK, "conclusion": "may_publish"}, "reviewer", 302),
    *[
        ("flagged", "redact", {"kinds": "resident_id"}, actor, 403)
        for actor in ("officer", "leader", "office", "supervisor")
    ],
    ("flagged", "redact", {"kinds": "resident_id"}, "other_office", 404),
    ("flagged", "redact", {"kinds": "resident_id"}, "reviewer", 302),
    *[
        ("flagged", "override", {"reason": "当事人同意公开"}, actor, 403)
        for actor in ("officer", "leader", "office")
    ],
    ("flagged", "override", {"reason": "当事人同意公开"}, "other_office", 404),
    ("flagged", "override", {"reason": "当事人同意公开"}, "reviewer", 302),
    *[
        ("in_approval", "approve", {"opinion": "同意"}, actor, 403)
        for actor in ("officer", "reviewer", "office", "supervisor")
    ],
    ("in_approval", "approve", {"opinion": "同意"}, "other_office", 404),
    ("in_approval", "approve", {"opinion": "同意"}, "leader", 302),
    *[
        ("approved", "publish", {}, actor, 403)
        for actor in ("officer", "reviewer", "leader", "supervisor")
    ],
    ("approved", "publish", {}, "other_office", 404),
    ("approved", "publish", {}, "office", 302),
    *[
        ("approved", "schedule", {"at": "2025-03-06T09:00"}, actor, 403)
        for actor in ("officer", "reviewer", "leader")
    ],
    ("approved", "schedule", {"at": "2025-03-06T09:00"}, "office", 302),
    *[
        ("published", "withdraw", {"reason": "内容有误"}, actor, 403)
        for actor in ("officer", "reviewer", "leader")
    ],
    ("published", "withdraw", {"reason": "内容有误"}, "other_office", 404),
    ("published", "withdraw", {"reason": "内容有误"}, "office", 302),
    *[
        ("in_approval", "return", {"reason": "请补充数据"}, actor, 403)
        for actor in ("officer", "supervisor")
    ],
    *[
        ("in_approval", "return", {"reason": "请补充数据"}, actor, 302)
        for actor in ("reviewer", "leader", "office")
    ],
    *[
        (
            "published",
            "release-record",
            {"channel": "wechat", "released_on": "2025-03-05"},
            actor,
            403,
        )
        for actor in ("officer", "reviewer", "leader")
    ],
    (
        "published",
        "release-record",
        {"channel": "wechat", "released_on": "2025-03-05"},
        "office",
        302,
    ),
]


@pytest.mark.parametrize(
    ("state", "key", "fields", "actor", "expected"),
    STEP_CASES,
    ids=[f"{c[1]}-{c[3]}-{c[4]}" for c in STEP_CASES],
)
def test_each_step_is_taken_only_by_its_role(
    request, client_for, state, key, fields, actor, expected
):
    publication = request.getfixturevalue(state)
    before = status_of(publication)
    events = PublicationEvent.objects.filter(publication=publication).count()
    response = step(client_for(request.getfixturevalue(actor)), key, publication.pk, **fields)
    assert response.status_code == expected
    if expected != 302:
        assert status_of(publication) == before
        assert PublicationEvent.objects.filter(publication=publication).count() == events


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("officer", 200),
        ("office", 200),
        ("reviewer", 200),
        ("leader", 200),
        ("supervisor", 200),
        ("platform_admin", 200),
        ("other_office", 404),
    ],
)
def test_the_items_page_is_seen_within_scope_only(request, client_for, item, actor, expected):
    client = client_for(request.getfixturevalue(actor))
    assert detail(client, item.pk).status_code == expected
    assert (item.index_number in text_of(client.get(reverse("staff:publishing-list")))) is (
        expected == 200
    )


def test_an_officer_does_not_see_another_departments_items(client_for, bureau, item, columns):
    other_department = DepartmentFactory(agency=bureau, name="价格监督检查科")
    colleague = member(UserFactory(username="colleague"), bureau, Role.OFFICER, other_department)
    client = client_for(colleague)
    assert detail(client, item.pk).status_code == 404
    assert step(client, "submit", item.pk).status_code == 404
    assert client.get(reverse("staff:publishing-edit", args=[item.pk])).status_code == 404


@pytest.mark.parametrize("actor", ["reviewer", "leader", "supervisor"])
def test_only_officers_and_the_office_draft(request, client_for, actor, columns):
    client = client_for(request.getfixturevalue(actor))
    assert client.get(reverse("staff:publishing-create")).status_code == 403
    assert create(client, [columns["news"]]).status_code == 403
    assert not Publication.objects.exists()


def test_the_office_chooses_the_department_an_officer_cannot(
    client_for, office, officer, bureau, department, columns
):
    at(D(2025, 3, 5))
    other_department = DepartmentFactory(agency=bureau, name="价格监督检查科")
    page = client_for(office).get(reverse("staff:publishing-create"))
    assert "价格监督检查科" in text_of(page)
    assert (
        create(client_for(office), [columns["news"]], department=other_department.pk).status_code
        == 302
    )
    assert Publication.objects.get().department == other_department

    officer_page = client_for(officer).get(reverse("staff:publishing-create"))
    assert 'name="department"' not in officer_page.content.decode()
    assert (
        create(client_for(officer), [columns["news"]], department=other_department.pk).status_code
        == 302
    )
    assert Publication.objects.latest("pk").department == department  # the posted value is ignored


# --- leak screening as a gate ---------------------------------------------------------------


def _submitted_with_id(client_for, officer, columns) -> Publication:
    at(D(2025, 3, 5))
    body = f"<p>当事人张三（公民身份号码{VALID_ID}）经营的超市销售过期食品。</p>"
    assert create(client_for(officer), [columns["news"]], body=body).status_code == 302
    item = Publication.objects.get()
    assert step(client_for(officer), "submit", item.pk).status_code == 302
    return item


@pytest.mark.parametrize("resolution", ["redact", "override"])
def test_a_resident_id_in_the_body_blocks_the_review_until_masked_or_overridden(
    client_for, officer, reviewer, columns, resolution
):
    item = _submitted_with_id(client_for, officer, columns)
    client = client_for(reviewer)

    response = may_publish(client, item.pk)
    assert response.status_code == 400
    assert "泄密筛查发现1处疑似个人信息" in cell(response, "action-error")
    assert status_of(item) == S.IN_REVIEW
    assert not SecrecyReview.objects.exists()
    findings = cell(response, "findings")
    assert "正文" in findings and "身份证号码" in findings
    assert VALID_ID not in findings  # excerpts are masked

    if resolution == "redact":
        assert step(client, "redact", item.pk, kinds="resident_id").status_code == 302
        body = Publication.objects.get(pk=item.pk).body
        assert VALID_ID not in body
        assert "110***********002X" in body
        assert "未发现疑点" in cell(detail(client, item.pk), "screening")
    else:
        refused = step(client, "override", item.pk, reason="")
        assert refused.status_code == 400
        assert "这个字段是必填项" in text_of(refused)
        assert step(client, "override", item.pk, reason="当事人同意公开").status_code == 302
        run = ScreeningRun.objects.filter(publication=item).latest("id")
        assert run.override_by == reviewer and run.override_reason == "当事人同意公开"
        page = detail(client, item.pk)
        assert cell(page, "override-reason") == "当事人同意公开"
        assert "当事人同意公开" in cell(page, "events")
        assert VALID_ID in Publication.objects.get(pk=item.pk).body  # published as it is

    assert may_publish(client, item.pk).status_code == 302
    assert status_of(item) == S.IN_APPROVAL


def test_the_drafter_masks_a_draft_before_submitting_it(
    client_for, officer, bureau, department, columns
):
    at(D(2025, 3, 5))
    publication = draft_item(
        officer, bureau, department, columns, body=f"<p>身份证号{VALID_ID}</p>"
    )
    client = client_for(officer)
    assert step(client, "screen", publication.pk).status_code == 302
    assert 'data-testid="panel-redact"' in detail(client, publication.pk).content.decode()
    assert step(client, "redact", publication.pk, kinds="resident_id").status_code == 302
    assert VALID_ID not in Publication.objects.get(pk=publication.pk).body
    assert step(client, "submit", publication.pk).status_code == 302
    assert ScreeningRun.objects.filter(publication=publication).latest("id").findings == []


def test_an_id_number_with_a_wrong_check_digit_does_not_block(
    client_for, officer, reviewer, columns
):
    at(D(2025, 3, 5))
    body = f"<p>样品编号{INVALID_CHECKSUM}。</p>"
    assert create(client_for(officer), [columns["news"]], body=body).status_code == 302
    item = Publication.objects.get()
    assert step(client_for(officer), "submit", item.pk).status_code == 302
    assert ScreeningRun.objects.get(publication=item).findings == []
    assert may_publish(client_for(reviewer), item.pk).status_code == 302
    assert status_of(item) == S.IN_APPROVAL


def test_a_resident_id_in_a_docx_attachment_blocks_too(client_for, officer, reviewer, columns):
    at(D(2025, 3, 5))
    upload = SimpleUploadedFile(
        "处罚决定书.docx", docx_bytes("行政处罚决定书", f"当事人身份证号：{VALID_ID}")
    )
    client = client_for(officer)
    response = client.post(
        reverse("staff:publishing-create"),
        {**draft_form([columns["news"]]), "attachments": [upload]},
    )
    assert response.status_code == 302
    item = Publication.objects.get()
    attachment = PublicationAttachment.objects.get(publication=item)
    assert (attachment.kind, attachment.original_name) == ("DOCX", "处罚决定书.docx")
    assert VALID_ID in attachment.text
    # the draft and its file were saved together: one save, one version
    assert PublicationRevision.objects.filter(publication=item).count() == 1
    assert step(client, "submit", item.pk).status_code == 302

    client = client_for(reviewer)
    response = may_publish(client, item.pk)
    assert response.status_code == 400
    assert "处罚决定书.docx" in cell(response, "findings")
    assert (
        'data-testid="panel-redact"' not in response.content.decode()
    )  # attachments are not masked here
    assert (
        step(
            client, "override", item.pk, reason="处罚决定书依法公示，身份证号已经当事人同意"
        ).status_code
        == 302
    )
    assert may_publish(client, item.pk).status_code == 302


def test_an_attachment_is_judged_by_its_content(client_for, officer, columns):
    at(D(2025, 3, 5))
    fake = SimpleUploadedFile("通告.pdf", "这其实是一个文本文件".encode())
    response = client_for(officer).post(
        reverse("staff:publishing-create"), {**draft_form([columns["news"]]), "attachments": [fake]}
    )
    assert response.status_code == 400
    assert "文件“通告.pdf”的内容不是允许的类型" in cell(response, "form-errors")
    assert not Publication.objects.exists()  # the item and its files, or nothing


def test_attachments_are_added_and_removed_on_a_draft_with_a_new_version_each(
    client_for, officer, reviewer, item
):
    client = client_for(officer)
    png = SimpleUploadedFile("现场照片.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    response = client.post(
        reverse("staff:publishing-edit", args=[item.pk]),
        {
            **draft_form(list(item.columns.all())),
            "title": item.title,
            "written_on": "2025-03-03",
            "body": item.body,
            "attachments": [png],
        },
    )
    assert response.status_code == 302
    attachment = PublicationAttachment.objects.get(publication=item)
    assert (attachment.kind, attachment.text) == ("PNG", "")
    page = client.get(reverse("staff:publishing-edit", args=[item.pk]))
    assert "现场照片.png" in cell(page, "attachments")
    download = client.get(reverse("staff:publishing-attachment", args=[attachment.pk]))
    assert download.status_code == 200

    assert (
        client_for(reviewer)
        .post(reverse("staff:publishing-attachment-remove", args=[attachment.pk]), {"reason": ""})
        .status_code
        == 403
    )
    revisions = PublicationRevision.objects.filter(publication=item).count()
    client = client_for(officer)
    response = client.post(
        reverse("staff:publishing-attachment-remove", args=[attachment.pk]), {"reason": "照片模糊"}
    )
    assert response.status_code == 302
    attachment.refresh_from_db()
    assert not attachment.is_active
    assert PublicationRevision.objects.filter(publication=item).count() == revisions + 1
    assert "删除附件：现场照片.png（照片模糊）" in cell(detail(client, item.pk), "events")


# --- scheduling, withdrawal, other channels ---------------------------------------------------


def test_a_scheduled_item_is_published_by_the_sweep_when_due(client_for, office, approved, capsys):
    client = client_for(office)
    refused = step(client, "schedule", approved.pk, at="2025-03-05T09:00")  # now is 10:00
    assert refused.status_code == 400
    assert "定时发布时间应晚于当前时间" in cell(refused, "action-error")

    assert step(client, "schedule", approved.pk, at="2025-03-06T09:00").status_code == 302
    assert status_of(approved) == S.SCHEDULED
    assert cell(detail(client, approved.pk), "scheduled-for") == "2025-03-06 09:00"

    at(D(2025, 3, 6), hour=8)
    call_command("publishing", "release-due")
    assert status_of(approved) == S.SCHEDULED

    at(D(2025, 3, 6), hour=9)
    call_command("publishing", "release-due", "--dry-run")
    assert "1 item(s) due, nothing published" in capsys.readouterr().out
    assert status_of(approved) == S.SCHEDULED

    call_command("publishing", "release-due")
    assert "release-due: 1 item(s) published" in capsys.readouterr().out
    item = Publication.objects.get(pk=approved.pk)
    assert (item.status, item.published_on, item.scheduled_for) == (
        S.PUBLISHED,
        D(2025, 3, 6),
        None,
    )
    call_command("publishing", "release-due")  # again: nothing twice
    assert "release-due: 0 item(s) published" in capsys.readouterr().out
    assert PublicationEvent.objects.filter(publication=item, action="release").count() == 1


def test_withdrawal_needs_a_reason_and_stays_in_the_history(client_for, office, officer, published):
    client = client_for(office)
    refused = step(client, "withdraw", published.pk, reason="  ")
    assert refused.status_code == 400
    assert status_of(published) == S.PUBLISHED

    assert (
        step(client, "withdraw", published.pk, reason="数据有误，更正后重新发布").status_code == 302
    )
    page = detail(client, published.pk)
    assert cell(page, "status") == "已撤回"
    assert cell(page, "withdrawal-reason") == "数据有误，更正后重新发布"
    assert "已发布 → 已撤回" in cell(page, "events")
    assert "数据有误，更正后重新发布" in cell(page, "events")

    # Reopened as a draft with the same index number; the change is shown against what was public.
    assert step(client, "revise", published.pk).status_code == 302
    response = client_for(officer).post(
        reverse("staff:publishing-edit", args=[published.pk]),
        {
            **draft_form(list(published.columns.all())),
            "title": published.title + "（更正）",
            "body": "<p>2025年第一季度抽检结果（更正）。</p>",
        },
    )
    assert response.status_code == 302
    page = detail(client, published.pk)
    comparison = cell(page, "comparison")
    assert "（更正）" in comparison
    assert "-2025年第一季度抽检结果。" in comparison
    assert Publication.objects.get(pk=published.pk).index_number == published.index_number


def test_a_non_draft_cannot_be_edited(client_for, officer, in_review):
    response = client_for(officer).get(reverse("staff:publishing-edit", args=[in_review.pk]))
    assert response.status_code == 400
    assert "不能执行“修改”" in cell(response, "action-error")


def test_other_channel_releases_are_recorded_for_published_items(
    client_for, office, published, approved
):
    client = client_for(office)
    response = step(
        client,
        "release-record",
        published.pk,
        channel="wechat",
        released_on="2025-03-05",
        reference="https://mp.weixin.qq.com/s/example",
    )
    assert response.status_code == 302
    release = ChannelRelease.objects.get()
    assert (release.channel, release.recorded_by) == ("wechat", office)
    assert "微信公众号" in cell(detail(client, published.pk), "releases")
    assert AuditEvent.objects.filter(action="publishing.channel_release").count() == 1

    future = step(client, "release-record", published.pk, channel="weibo", released_on="2025-03-09")
    assert future.status_code == 400
    assert "发布日期不能晚于今天" in cell(future, "action-error")
    assert ChannelRelease.objects.count() == 1


def test_a_release_cannot_be_recorded_before_publication(client_for, office, approved):
    response = step(
        client_for(office),
        "release-record",
        approved.pk,
        channel="wechat",
        released_on="2025-03-05",
    )
    assert response.status_code == 400
    assert "只有已发布的信息可以登记其他渠道发布" in cell(response, "action-error")
    assert not ChannelRelease.objects.exists()


# --- the catalogue ----------------------------------------------------------------------------


def test_the_office_installs_the_default_catalogue_into_an_empty_one(
    client_for, office, officer, other_office, bureau
):
    client = client_for(office)
    page = client.get(reverse("staff:publishing-catalogue"))
    assert "本机关尚未建立公开目录" in text_of(page)
    url = reverse("staff:publishing-catalogue-install", args=[bureau.pk])

    assert client_for(officer).post(url).status_code == 403
    assert client_for(other_office).post(url).status_code == 404
    assert not Column.objects.exists()

    response = client_for(office).post(url)
    assert response.status_code == 302
    assert Column.objects.filter(agency=bureau).count() > 20
    page = client.get(response.url)
    assert "通知公告" in cell(page, "columns")
    assert "　　规范性文件" in page.content.decode()  # a child column, indented

    again = client.post(url)
    assert again.status_code == 400
    assert "不能重复导入默认目录" in cell(again, "action-error")


def test_the_office_adds_renames_and_deactivates_columns(
    client_for, office, officer, bureau, columns
):
    client = client_for(office)
    create_url = reverse("staff:publishing-column-create", args=[bureau.pk])
    response = client.post(
        create_url,
        {
            "column-new-name": "食品抽检",
            "column-new-kind": "notice",
            "column-new-parent": columns["parent"].pk,
            "column-new-sort_order": "5",
        },
    )
    assert response.status_code == 302
    added = Column.objects.get(name="食品抽检")
    assert added.parent == columns["parent"]

    duplicate = client.post(
        create_url,
        {"column-new-name": "新闻动态", "column-new-kind": "dynamic", "column-new-sort_order": "0"},
    )
    assert duplicate.status_code == 400
    assert "同一上级栏目下已有同名栏目" in cell(duplicate, "action-error")

    update_url = reverse("staff:publishing-column-update", args=[added.pk])
    prefix = f"column-{added.pk}"
    assert (
        client_for(officer)
        .post(
            update_url,
            {f"{prefix}-name": "x", f"{prefix}-kind": "notice", f"{prefix}-sort_order": "0"},
        )
        .status_code
        == 403
    )
    client = client_for(office)
    response = client.post(
        update_url,
        {
            f"{prefix}-name": "食品安全抽检",
            f"{prefix}-kind": "dynamic",
            f"{prefix}-sort_order": "1",
        },
    )  # "is_active" unticked
    assert response.status_code == 302
    added.refresh_from_db()
    assert (added.name, added.kind, added.is_active) == ("食品安全抽检", "dynamic", False)

    clash = client.post(
        reverse("staff:publishing-column-update", args=[columns["recalls"].pk]),
        {
            f"column-{columns['recalls'].pk}-name": "食品安全抽检",
            f"column-{columns['recalls'].pk}-kind": "notice",
            f"column-{columns['recalls'].pk}-sort_order": "0",
            f"column-{columns['recalls'].pk}-is_active": "on",
        },
    )
    assert clash.status_code == 400
    assert Column.objects.get(pk=columns["recalls"].pk).name == "产品召回信息"

    # A deactivated column is no longer offered to new items.
    assert "食品安全抽检" not in text_of(client.get(reverse("staff:publishing-create")))


def test_the_catalogue_counts_published_items_per_column(client_for, office, published, columns):
    page = client_for(office).get(reverse("staff:publishing-catalogue"))
    rows = re.findall(r'<tr data-testid="column-row">(.*?)</tr>', page.content.decode(), re.S)
    assert len(rows) == 3
    news = next(r for r in rows if "新闻动态" in r)
    assert re.search(r'<td>1</td>\s*<td class="date">2025-03-05</td>', news)
    parent = next(r for r in rows if "重点领域信息" in r)  # nothing listed directly in it
    assert re.search(r'<td>0</td>\s*<td class="date">2025-03-05</td>', parent)  # updated through its child
    assert "空白栏目" not in parent


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "标题：这个字段是必填项。"),
        ({"written_on": "2025-13-40"}, "成文日期：输入一个有效的日期。"),
        ({"written_on": "2025-03-06"}, "成文日期不能晚于今天"),
        (
            {"disclosure_attribute": "on_request", "non_disclosure_reason": ""},
            "公开属性为依申请公开或不予公开的，应说明理由",
        ),
        ({"disclosure_attribute": "secret"}, "公开属性：选择一个有效的选项。"),
    ],
)
def test_bad_drafts_are_refused_in_chinese_and_nothing_is_saved(
    client_for, officer, columns, overrides, message
):
    at(D(2025, 3, 5))
    response = create(client_for(officer), [columns["news"]], **overrides)
    assert response.status_code == 400
    assert message in cell(response, "form-errors")
    assert not Publication.objects.exists()


def test_a_bad_edit_changes_nothing(client_for, officer, item):
    revisions = PublicationRevision.objects.filter(publication=item).count()
    response = client_for(officer).post(
        reverse("staff:publishing-edit", args=[item.pk]),
        {
            **draft_form(),
            "title": item.title,
            "columns": [],
            "disclosure_attribute": "not_disclosed",
        },
    )
    assert response.status_code == 400
    assert "应说明理由" in cell(response, "form-errors")
    assert PublicationRevision.objects.filter(publication=item).count() == revisions
    assert Publication.objects.get(pk=item.pk).disclosure_attribute == "proactive"


def test_a_review_that_is_not_may_publish_needs_an_opinion(client_for, reviewer, in_review):
    client = client_for(reviewer)
    missing = step(client, "review", in_review.pk, **NO_RISK)  # no conclusion
    assert missing.status_code == 400
    assert 'data-testid="panel-review" open' in missing.content.decode()
    refused = step(client, "review", in_review.pk, **NO_RISK, conclusion="may_not_publish")
    assert refused.status_code == 400
    assert "请填写审查意见" in cell(refused, "action-error")
    risky = step(
        client,
        "review",
        in_review.pk,
        **{**NO_RISK, "involves_state_secrets": "yes"},
        conclusion="may_publish",
    )
    assert risky.status_code == 400
    assert status_of(in_review) == S.IN_REVIEW
    assert (
        step(
            client,
            "review",
            in_review.pk,
            **NO_RISK,
            conclusion="may_not_publish",
            opinion="含有内部讨论内容",
        ).status_code
        == 302
    )
    assert status_of(in_review) == S.DRAFT


def test_submitting_without_a_column_is_refused(client_for, officer, columns):
    at(D(2025, 3, 5))
    assert create(client_for(officer), []).status_code == 302
    item = Publication.objects.get()
    response = step(client_for(officer), "submit", item.pk)
    assert response.status_code == 400
    assert "至少要选择一个栏目" in cell(response, "action-error")
    assert status_of(item) == S.DRAFT


# --- the list ------------------------------------------------------------------------------------


def test_the_list_flags_late_publication_and_filters(
    client_for, office, officer, bureau, department, columns, reviewer, leader
):
    at(D(2025, 4, 1))
    on_time = draft_item(
        officer, bureau, department, columns
    )  # written 03-03: 20 working days end 03-31
    late = draft_item(officer, bureau, department, columns)
    for publication in (on_time, late):
        svc.publication_submit(actor=officer, publication=publication)
        svc.publication_review(
            actor=reviewer,
            publication=publication,
            involves_state_secrets=False,
            involves_privacy_or_trade_secrets=False,
            endangers_security_or_stability=False,
            conclusion="may_publish",
        )
        svc.publication_approve(actor=leader, publication=publication)
    Publication.objects.filter(pk=on_time.pk).update(written_on=D(2025, 3, 4))  # limit 04-01
    svc.publication_publish(actor=office, publication=on_time)
    svc.publication_publish(actor=office, publication=late)

    client = client_for(office)
    page = client.get(reverse("staff:publishing-list"))
    rows = re.findall(r'<tr data-testid="publication-row">(.*?)</tr>', page.content.decode(), re.S)
    flagged = [r for r in rows if "逾期发布" in r]
    assert len(flagged) == 1 and late.index_number in flagged[0]

    assert "共2条" in text_of(client.get(reverse("staff:publishing-list"), {"year": "2025"}))
    assert "共0条" in text_of(client.get(reverse("staff:publishing-list"), {"year": "2024"}))
    assert "共0条" in text_of(client.get(reverse("staff:publishing-list"), {"status": "draft"}))
    assert "共2条" in text_of(
        client.get(reverse("staff:publishing-list"), {"column": columns["news"].pk})
    )
    assert "共0条" in text_of(
        client.get(reverse("staff:publishing-list"), {"column": columns["parent"].pk})
    )
    assert "共2条" in text_of(
        client.get(reverse("staff:publishing-list"), {"department": department.pk})
    )


def test_the_lists_query_count_does_not_grow_with_its_rows(
    client_for, office, officer, bureau, department, columns
):
    at(D(2025, 3, 5))
    draft_item(officer, bureau, department, columns)
    client = client_for(office)
    client.get(reverse("staff:publishing-list"))  # warm the calendar and the session
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("staff:publishing-list")).status_code == 200
    for _ in range(4):
        draft_item(officer, bureau, department, columns)
    with CaptureQueriesContext(connection) as five:
        assert client.get(reverse("staff:publishing-list")).status_code == 200
    assert len(five) == len(one)


def test_the_navigation_shows_proactive_disclosure_to_staff(client_for, officer):
    page = client_for(officer).get(reverse("staff:home"))
    assert f'href="{reverse("staff:publishing-list")}"' in page.content.decode()
    assert "主动公开" in text_of(page)
