"""Proactive disclosure at the service level: index numbers, the review workflow, leak
screening as a gate, scheduling, withdrawal (条例 Art. 17, 19–26)."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections
from django.utils import timezone

from gongkai.core import clock
from gongkai.core.errors import DomainError, InvalidTransition
from gongkai.core.models import AuditEvent
from gongkai.core.tests.helpers import at
from gongkai.publishing.models import (
    AgencyPublishingSettings,
    Publication,
    PublicationStatus,
)
from gongkai.publishing.services import publications as svc

D = dt.date
VALID_ID = "11010519491231002X"
INVALID_CHECKSUM = "110105194912310021"


def draft(actor, agency, columns, body="<p>2025年第一季度食品安全监督抽检结果。</p>", **extra):
    return svc.publication_create(
        actor=actor,
        agency=agency,
        title="关于2025年第一季度食品安全监督抽检情况的通告",
        written_on=clock.today(),
        disclosure_attribute="proactive",
        body=body,
        columns=[columns["recalls"], columns["news"]],
        **extra,
    )


def review(reviewer, publication, conclusion="may_publish", opinion=""):
    return svc.publication_review(
        actor=reviewer,
        publication=publication,
        involves_state_secrets=False,
        involves_privacy_or_trade_secrets=False,
        endangers_security_or_stability=False,
        conclusion=conclusion,
        opinion=opinion,
    )


@pytest.fixture
def ready(bureau, officer, reviewer, leader, columns, department):
    """An item drafted by the officer, reviewed and approved: ready to publish."""
    at(D(2025, 4, 7))
    item = draft(officer, bureau, columns, department=department)
    svc.publication_submit(actor=officer, publication=item)
    review(reviewer, item)
    svc.publication_approve(actor=leader, publication=item, opinion="同意发布")
    item.refresh_from_db()
    return item


@pytest.mark.django_db
class TestWorkflow:
    def test_officer_drafts_reviewer_reviews_leader_approves_office_publishes(
        self, ready, office, columns
    ):
        assert ready.status == PublicationStatus.APPROVED
        svc.publication_publish(actor=office, publication=ready)
        ready.refresh_from_db()
        assert ready.status == PublicationStatus.PUBLISHED
        assert ready.published_on == D(2025, 4, 7)
        assert ready.published_revision.number == 1
        for column in (columns["recalls"], columns["news"]):
            assert list(Publication.objects.filter(columns=column, status="published")) == [ready]
        actions = list(ready.events.values_list("action", flat=True))
        assert actions == ["create", "screen", "submit", "review_pass", "approve", "publish"]
        assert AuditEvent.objects.filter(
            action="publishing.publish", object_id=str(ready.pk)
        ).exists()

    @pytest.mark.parametrize(
        "persona", ["officer", "leader", "office", "supervisor", "other_office"]
    )
    def test_only_a_reviewer_reviews(self, request, bureau, officer, columns, department, persona):
        item = draft(officer, bureau, columns, department=department)
        svc.publication_submit(actor=officer, publication=item)
        with pytest.raises(PermissionDenied):
            review(request.getfixturevalue(persona), item)

    @pytest.mark.parametrize(
        "persona", ["officer", "reviewer", "office", "supervisor", "other_office"]
    )
    def test_only_a_leader_approves(
        self, request, bureau, officer, reviewer, columns, department, persona
    ):
        item = draft(officer, bureau, columns, department=department)
        svc.publication_submit(actor=officer, publication=item)
        review(reviewer, item)
        with pytest.raises(PermissionDenied):
            svc.publication_approve(actor=request.getfixturevalue(persona), publication=item)

    @pytest.mark.parametrize(
        "persona", ["officer", "reviewer", "leader", "supervisor", "other_office"]
    )
    def test_only_the_office_publishes(self, request, ready, persona):
        with pytest.raises(PermissionDenied):
            svc.publication_publish(actor=request.getfixturevalue(persona), publication=ready)

    def test_an_officer_drafts_only_for_their_own_department(self, bureau, officer, columns):
        from gongkai.core.tests.factories import DepartmentFactory

        with pytest.raises(PermissionDenied):
            draft(
                officer,
                bureau,
                columns,
                department=DepartmentFactory(agency=bureau, name="质量监督科"),
            )

    def test_publishing_before_approval_is_an_invalid_transition(self, bureau, office, columns):
        item = draft(office, bureau, columns)
        with pytest.raises(InvalidTransition):
            svc.publication_publish(actor=office, publication=item)

    def test_two_approval_steps_need_two_leaders(
        self, bureau, officer, reviewer, leader, office, columns, department
    ):
        from gongkai.core.models import Membership, Role
        from gongkai.core.tests.factories import UserFactory

        AgencyPublishingSettings.objects.create(agency=bureau, approval_steps=2)
        second = UserFactory(username="deputy")
        Membership.objects.create(user=second, agency=bureau, role=Role.LEADER)
        item = draft(officer, bureau, columns, department=department)
        svc.publication_submit(actor=officer, publication=item)
        review(reviewer, item)
        svc.publication_approve(actor=leader, publication=item)
        with pytest.raises(DomainError, match="重复审批"):
            svc.publication_approve(actor=leader, publication=item)
        item.refresh_from_db()
        assert item.status == PublicationStatus.IN_APPROVAL
        svc.publication_approve(actor=second, publication=item)
        item.refresh_from_db()
        assert item.status == PublicationStatus.APPROVED

    def test_a_review_that_says_not_publishable_returns_the_item_with_the_opinion(
        self, bureau, officer, reviewer, columns, department
    ):
        item = draft(officer, bureau, columns, department=department)
        svc.publication_submit(actor=officer, publication=item)
        with pytest.raises(DomainError):
            review(reviewer, item, conclusion="may_not_publish")  # an opinion is required
        review(reviewer, item, conclusion="may_not_publish", opinion="涉及内部管理事项")
        item.refresh_from_db()
        assert item.status == PublicationStatus.DRAFT
        assert item.reviews.get().opinion == "涉及内部管理事项"

    def test_ticking_a_risk_forbids_may_publish(
        self, bureau, officer, reviewer, columns, department
    ):
        item = draft(officer, bureau, columns, department=department)
        svc.publication_submit(actor=officer, publication=item)
        with pytest.raises(DomainError, match="三安全一稳定"):
            svc.publication_review(
                actor=reviewer,
                publication=item,
                involves_state_secrets=True,
                involves_privacy_or_trade_secrets=False,
                endangers_security_or_stability=False,
                conclusion="may_publish",
            )

    def test_not_proactive_items_need_a_reason_and_are_never_published(
        self, bureau, office, reviewer, leader
    ):
        with pytest.raises(DomainError, match="理由"):
            svc.publication_create(
                actor=office,
                agency=bureau,
                title="内部通知",
                written_on=clock.today(),
                disclosure_attribute="not_disclosed",
            )
        item = svc.publication_create(
            actor=office,
            agency=bureau,
            title="内部通知",
            written_on=clock.today(),
            disclosure_attribute="on_request",
            non_disclosure_reason="涉及第三方",
        )
        svc.publication_submit(actor=office, publication=item)
        review(reviewer, item)
        svc.publication_approve(actor=leader, publication=item)
        with pytest.raises(DomainError, match="主动公开"):
            svc.publication_publish(actor=office, publication=item)

    def test_schedule_then_release_when_due(self, ready, office):
        at(D(2025, 4, 7), hour=9)
        svc.publication_schedule(
            actor=office, publication=ready, at=timezone.make_aware(dt.datetime(2025, 4, 8, 9))
        )
        assert svc.publications_release_due() == []
        at(D(2025, 4, 8), hour=10)
        released = svc.publications_release_due()
        assert [p.pk for p in released] == [ready.pk]
        ready.refresh_from_db()
        assert ready.status == PublicationStatus.PUBLISHED and ready.published_on == D(2025, 4, 8)
        assert svc.publications_release_due() == []  # idempotent

    def test_withdrawal_needs_a_reason_and_stays_in_history(self, ready, office):
        svc.publication_publish(actor=office, publication=ready)
        with pytest.raises(DomainError):
            svc.publication_withdraw(actor=office, publication=ready, reason=" ")
        svc.publication_withdraw(actor=office, publication=ready, reason="文件已被修订，撤回旧版")
        ready.refresh_from_db()
        assert ready.status == PublicationStatus.WITHDRAWN
        assert ready.withdrawal_reason == "文件已被修订，撤回旧版"
        svc.publication_revise(actor=office, publication=ready)
        ready.refresh_from_db()
        assert ready.status == PublicationStatus.DRAFT

    def test_visibility_listeners_run_inside_the_transaction(self, ready, office):
        seen = []

        def listener(publication, visible):
            seen.append((publication.pk, visible, connection.in_atomic_block))

        svc.visibility_listeners.append(listener)
        try:
            svc.publication_publish(actor=office, publication=ready)
            svc.publication_withdraw(actor=office, publication=ready, reason="测试撤回")
        finally:
            svc.visibility_listeners.remove(listener)
        assert seen == [(ready.pk, True, True), (ready.pk, False, True)]

    def test_every_save_is_a_new_revision_and_the_public_keeps_the_published_one(
        self, bureau, office, reviewer, leader, columns
    ):
        item = draft(office, bureau, columns)
        svc.publication_update(actor=office, publication=item, title="修改后的标题")
        assert list(item.revisions.values_list("number", "title")) == [
            (1, "关于2025年第一季度食品安全监督抽检情况的通告"),
            (2, "修改后的标题"),
        ]

    def test_bodies_are_sanitised_on_save(self, bureau, office, columns):
        item = draft(
            office, bureau, columns, body='<p onclick="x()">正文<script>alert(1)</script></p>'
        )
        assert item.body == "<p>正文</p>"


@pytest.mark.django_db
class TestLeakScreening:
    def test_a_body_with_a_valid_id_number_cannot_be_published_without_a_decision(
        self, bureau, officer, reviewer, leader, office, columns, department
    ):
        item = draft(
            officer,
            bureau,
            columns,
            department=department,
            body=f"<p>当事人张某，身份证号{VALID_ID}，经营地址……</p>",
        )
        svc.publication_submit(actor=officer, publication=item)
        run = svc.latest_screening(item)
        assert [f["kind"] for f in run.findings] == ["resident_id"]
        assert VALID_ID not in str(run.findings)  # excerpts are masked
        with pytest.raises(DomainError, match="泄密筛查"):
            review(reviewer, item)
        svc.publication_redact(actor=reviewer, publication=item, kinds={"resident_id"})
        item.refresh_from_db()
        assert VALID_ID not in item.body and "110" in item.body
        review(reviewer, item)
        svc.publication_approve(actor=leader, publication=item)
        svc.publication_publish(actor=office, publication=item)
        item.refresh_from_db()
        assert VALID_ID not in item.published_revision.body

    def test_an_override_needs_a_reviewer_and_a_reason_on_record(
        self, bureau, officer, reviewer, office, columns, department
    ):
        item = draft(officer, bureau, columns, department=department, body=f"<p>{VALID_ID}</p>")
        svc.publication_submit(actor=officer, publication=item)
        with pytest.raises(PermissionDenied):
            svc.publication_override_screening(actor=office, publication=item, reason="x")
        with pytest.raises(DomainError):
            svc.publication_override_screening(actor=reviewer, publication=item, reason="  ")
        svc.publication_override_screening(
            actor=reviewer, publication=item, reason="系测试用虚构号码，经核实可公开"
        )
        review(reviewer, item)
        entry = AuditEvent.objects.get(action="publishing.override_screening")
        assert entry.actor == reviewer and "经核实" in entry.reason

    def test_an_invalid_checksum_number_does_not_block(
        self, bureau, officer, reviewer, columns, department
    ):
        item = draft(
            officer, bureau, columns, department=department, body=f"<p>编号{INVALID_CHECKSUM}</p>"
        )
        svc.publication_submit(actor=officer, publication=item)
        assert svc.latest_screening(item).findings == []
        review(reviewer, item)

    def test_a_secrecy_marking_blocks(self, bureau, officer, reviewer, columns, department):
        item = draft(
            officer,
            bureau,
            columns,
            department=department,
            body="<p>内部资料 注意保密</p><p>正文</p>",
        )
        svc.publication_submit(actor=officer, publication=item)
        assert {f["kind"] for f in svc.latest_screening(item).findings} == {"secrecy_marking"}
        with pytest.raises(DomainError):
            review(reviewer, item)


@pytest.mark.django_db
def test_index_numbers_follow_the_agency_code_and_year(bureau, office, columns):
    at(D(2025, 4, 7))
    first, second = draft(office, bureau, columns), draft(office, bureau, columns)
    assert first.index_number == f"{bureau.code}/2025-00001"
    assert second.index_number == f"{bureau.code}/2025-00002"
    at(D(2026, 1, 5))
    assert draft(office, bureau, columns).index_number == f"{bureau.code}/2026-00001"


CONCURRENT_ITEMS = 10_000
WRITERS = 8


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel writers need PostgreSQL")
def test_index_numbers_of_10000_concurrent_publications_are_unique_and_gap_free(tree, office):
    """Eight writers create 10,000 items in one agency at once; the numbers come out
    unique and gap-free (the per-year series is taken under a row lock)."""
    bureau = tree["bureau"]
    at(D(2025, 4, 7))
    errors, start = [], threading.Barrier(WRITERS)

    def write(n):
        try:
            start.wait()
            for i in range(CONCURRENT_ITEMS // WRITERS):
                svc.publication_create(
                    actor=office,
                    agency=bureau,
                    title=f"并发测试{n}-{i}",
                    written_on=D(2025, 4, 7),
                    disclosure_attribute="proactive",
                )
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(
        int(n.rsplit("-", 1)[1])
        for n in Publication.objects.filter(agency=bureau).values_list("index_number", flat=True)
    )
    assert numbers == list(range(1, CONCURRENT_ITEMS + 1))


@pytest.mark.django_db
def test_an_image_attachment_needs_a_reviewers_decision(bureau, officer, reviewer, columns, department):
    """An image cannot be screened automatically, so it is a finding until a reviewer
    looks at it and records the decision."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    item = draft(officer, bureau, columns, department=department)
    png = SimpleUploadedFile("现场照片.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")
    svc.publication_add_attachment(actor=officer, publication=item, upload=png)
    svc.publication_submit(actor=officer, publication=item)
    assert [f["kind"] for f in svc.latest_screening(item).findings] == ["unscreened_image"]
    with pytest.raises(DomainError, match="泄密筛查"):
        review(reviewer, item)
    svc.publication_override_screening(actor=reviewer, publication=item, reason="已人工查看照片，无个人信息")
    review(reviewer, item)
