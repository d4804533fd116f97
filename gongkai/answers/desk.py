"""FAQs on the back office's desk (``core.desk``; registered from ``AnswersConfig.ready``):
submitted FAQs wait for the office or a leader of their agency — not for the one who
submitted them. The link lists exactly those."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from gongkai.answers import selectors
from gongkai.core.desk import Queue
from gongkai.core.models import Membership, Role

AREA = "常见问题"


def queues(membership: Membership) -> list[Queue]:
    if membership.role not in (Role.OFFICE, Role.LEADER):
        return []
    count = selectors.awaiting_review_count(user=membership.user, agency_id=membership.agency_id)
    url = reverse("staff:faq-list") + "?" + urlencode({"review": "1", "agency": membership.agency_id})
    return [Queue(key="answers.to_review", area=AREA, label="常见问题待审核", count=count, url=url,
                  hint="审核通过后在网站上公开，智能问答据此作答")]
