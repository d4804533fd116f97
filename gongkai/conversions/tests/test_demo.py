"""The demo: on top of the fictional province with foi's and publishing's demo data, one
proposal waits on the office's desk and one conversion waits for the secrecy review."""

import pytest

from gongkai.conversions import selectors
from gongkai.conversions.demo import load_demo_conversions
from gongkai.conversions.models import Conversion
from gongkai.core.demo import load_demo
from gongkai.core.models import Agency
from gongkai.foi.demo import load_demo_requests
from gongkai.publishing.demo import load_demo_publications
from gongkai.publishing.models import PublicationStatus

pytestmark = pytest.mark.django_db


def test_the_demo_shows_a_proposal_and_a_conversion_in_review():
    load_demo()
    load_demo_requests()
    load_demo_publications()
    assert load_demo_conversions() == 6
    bureau = Agency.objects.get(name="青岚市市场监督管理局")
    [proposal] = selectors.proposals_for(bureau)
    assert proposal.applicants == 3 and len(proposal.common_files) == 1
    conversion = Conversion.objects.get()
    assert conversion.publication.status == PublicationStatus.IN_REVIEW
    assert conversion.publication.origin == "converted_from_requests"
    assert conversion.publication.attachments.count() == 1
    assert conversion.publication.screenings.get().findings == []  # nothing held by leak screening
    assert load_demo_conversions() == 0  # a second run adds nothing
