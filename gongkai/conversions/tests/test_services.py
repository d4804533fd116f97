"""Converting a proposal creates a draft item through publishing's service (origin 依申请转
主动, the disclosed files copied as its attachments, linked to the requests, audited) that
then goes through the normal review; dismissing needs a reason. A refused step saves
nothing."""

import pytest
from django.core.exceptions import PermissionDenied

from gongkai.conversions import selectors, services
from gongkai.conversions.models import Conversion, ConversionEvent, Dismissal
from gongkai.conversions.tests.conftest import SAMPLING
from gongkai.core.errors import DomainError, InvalidTransition
from gongkai.core.models import AuditEvent
from gongkai.publishing.models import Column, ColumnKind, Publication, PublicationStatus
from gongkai.publishing.models.publication import PublicationOrigin
from gongkai.publishing.services import publications as publishing

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(bureau, three_alike):
    [cluster] = selectors.proposals_for(bureau)
    return cluster


def convert(actor, bureau, proposal, column, **extra):
    return services.proposal_convert(actor=actor, agency=bureau, key=proposal.key, column=column,
                                     title=extra.pop("title", "2025年第一季度食品安全监督抽检不合格产品名单"),
                                     **extra)


def test_converting_creates_a_draft_through_publishing_linked_to_the_requests(
        office, bureau, proposal, column, three_alike):
    conversion = convert(office, bureau, proposal, column)
    publication = conversion.publication
    assert publication.status == PublicationStatus.DRAFT  # not published: it goes through review
    assert publication.origin == PublicationOrigin.CONVERTED_FROM_REQUESTS
    assert publication.disclosure_attribute == "proactive"
    assert list(publication.columns.all()) == [column]
    assert publication.revisions.count() == 1  # a version, as publishing keeps for every draft
    [attachment] = publication.attachments.all()  # three copies of one file: attached once
    assert attachment.file.read() == SAMPLING  # decrypted from the request's storage
    assert attachment.original_name == "抽检不合格产品名单.pdf"
    assert "氨基酸态氮" in attachment.text  # its text is there for leak screening
    assert sorted(conversion.requests.values_list("pk", flat=True)) == sorted(r.pk for r in three_alike)
    assert conversion.applicants == 3
    event = ConversionEvent.objects.get(conversion=conversion)
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "convert", "proposed", "converted", office)
    actions = list(AuditEvent.objects.filter(agency=bureau).values_list("action", flat=True))
    assert "publishing.create" in actions and "conversions.convert" in actions
    entry = AuditEvent.objects.get(action="conversions.convert")
    assert entry.after["publication"] == publication.index_number
    assert entry.after["requests"] == [r.tracking_number for r in three_alike]
    assert "申请人" not in str(entry.after)  # no applicant's name in the trail


def test_the_draft_goes_through_the_normal_review(office, reviewer, bureau, proposal, column):
    publication = convert(office, bureau, proposal, column).publication
    publishing.publication_submit(actor=office, publication=publication)
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.IN_REVIEW
    assert publication.screenings.count() == 1  # leak screening ran, as for any draft


def test_the_files_may_be_left_out(office, bureau, proposal, column):
    publication = convert(office, bureau, proposal, column, include_files=False).publication
    assert publication.attachments.count() == 0


def test_a_converted_proposal_is_not_proposed_again(office, bureau, proposal, column):
    convert(office, bureau, proposal, column)
    assert selectors.proposals_for(bureau) == []
    [cluster] = selectors.agency_clusters(bureau)
    assert selectors.proposal_for(bureau, cluster.key).status == "converted"
    with pytest.raises(InvalidTransition, match="已转为主动公开"):
        convert(office, bureau, proposal, column)
    assert Publication.objects.count() == 1


@pytest.mark.parametrize("actor", ["officer", "reviewer", "leader", "supervisor", "other_office"])
def test_only_the_agencys_office_converts(request, bureau, proposal, column, actor):
    with pytest.raises(PermissionDenied):
        convert(request.getfixturevalue(actor), bureau, proposal, column)
    assert not Conversion.objects.exists() and not Publication.objects.exists()


def test_refusals_save_nothing(office, bureau, other_agency, proposal, column):
    foreign = Column.objects.create(agency=other_agency, name="其他机关栏目", kind=ColumnKind.NOTICE)
    with pytest.raises(DomainError, match="本机关公开目录"):
        convert(office, bureau, proposal, foreign)
    with pytest.raises(DomainError, match="请填写标题"):
        convert(office, bureau, proposal, column, title="  ")
    with pytest.raises(DomainError, match="已变化"):
        services.proposal_convert(actor=office, agency=bureau, key=f"{bureau.pk}-{'0' * 20}",
                                  column=column, title="标题")
    assert not Publication.objects.exists() and not Conversion.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="conversions.").exists()


def test_dismissing_needs_a_reason_and_is_recorded(office, bureau, proposal, three_alike):
    with pytest.raises(DomainError, match="理由"):
        services.proposal_dismiss(actor=office, agency=bureau, key=proposal.key, reason=" ")
    assert not Dismissal.objects.exists()
    dismissal = services.proposal_dismiss(actor=office, agency=bureau, key=proposal.key,
                                          reason="名单已随季度通告主动公开。")
    assert dismissal.requests.count() == 3 and dismissal.dismissed_by == office
    event = ConversionEvent.objects.get(dismissal=dismissal)
    assert (event.to_status, event.reason) == ("dismissed", "名单已随季度通告主动公开。")
    entry = AuditEvent.objects.get(action="conversions.dismiss")
    assert entry.reason == "名单已随季度通告主动公开。"


def test_the_threshold_is_set_by_the_office_and_audited(office, officer, bureau, three_alike):
    with pytest.raises(DomainError, match="多个申请人"):
        services.conversion_settings_save(actor=office, agency=bureau, min_applicants=1)
    with pytest.raises(PermissionDenied):
        services.conversion_settings_save(actor=officer, agency=bureau, min_applicants=4)
    services.conversion_settings_save(actor=office, agency=bureau, min_applicants=4)
    assert selectors.proposals_for(bureau) == []  # three applicants no longer reach it
    entry = AuditEvent.objects.get(action="conversions.settings")
    assert (entry.before, entry.after) == ({"min_applicants": 3}, {"min_applicants": 4})


def test_a_new_request_for_converted_information_cannot_make_a_second_item(
        client_for, office, bureau, proposal, column, disclose):
    """While the first item is in review, a fourth applicant is sent the same file: the
    cluster is proposed again, but converting it again would publish the information
    twice (and count it twice in 其中：依申请转主动公开); the office dismisses the newcomer."""
    first = convert(office, bureau, proposal, column)
    disclose(4, "请公开2025年第一季度食品抽检不合格产品名单", files=[("抽检不合格产品名单", SAMPLING)])
    [again] = selectors.proposals_for(bureau)
    assert again.applicants == 4
    with pytest.raises(DomainError, match="不能重复转化"):
        convert(office, bureau, again, column)
    assert Publication.objects.count() == 1 and Conversion.objects.count() == 1
    page = client_for(office).get(f"/staff/conversions/proposals/{again.key}/")
    assert 'data-testid="convert-form"' not in page.content.decode()
    assert first.publication.index_number in page.content.decode()
    services.proposal_dismiss(actor=office, agency=bureau, key=again.key, reason="已转为主动公开")
    assert selectors.proposals_for(bureau) == []


def test_after_the_item_is_withdrawn_the_information_may_be_converted_again(
        office, bureau, proposal, column, disclose):
    first = convert(office, bureau, proposal, column)
    Publication.objects.filter(pk=first.publication.pk).update(status=PublicationStatus.WITHDRAWN)
    disclose(4, "请公开2025年第一季度食品抽检不合格产品名单", files=[("抽检不合格产品名单", SAMPLING)])
    [again] = selectors.proposals_for(bureau)
    convert(office, bureau, again, column)
    assert Conversion.objects.count() == 2
