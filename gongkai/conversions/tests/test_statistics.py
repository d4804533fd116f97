"""A conversion counts in the publishing statistics once its item is published through
the normal review, and not while it is a draft."""

import pytest

from gongkai.conversions import selectors, services
from gongkai.publishing import selectors as publishing_selectors
from gongkai.publishing.services import publications as publishing

pytestmark = pytest.mark.django_db


def test_a_converted_item_counts_once_published(office, reviewer, leader, bureau, three_alike, column):
    [proposal] = selectors.proposals_for(bureau)
    publication = services.proposal_convert(actor=office, agency=bureau, key=proposal.key, column=column,
                                            title="2025年第一季度食品安全监督抽检不合格产品名单").publication

    def converted():
        return publishing_selectors.publication_statistics(agency=bureau, year=2025).converted.this_year

    assert converted() == 0
    publishing.publication_submit(actor=office, publication=publication)
    publishing.publication_review(actor=reviewer, publication=publication, involves_state_secrets=False,
                                  involves_privacy_or_trade_secrets=False,
                                  endangers_security_or_stability=False, conclusion="may_publish")
    publishing.publication_approve(actor=leader, publication=publication, opinion="同意")
    assert converted() == 0
    publishing.publication_publish(actor=office, publication=publication)
    assert converted() == 1
