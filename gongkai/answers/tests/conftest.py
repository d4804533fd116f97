import pytest

from gongkai.answers import services
from gongkai.portal.tests.conftest import publisher  # noqa: F401 - a fixture


class Faqs:
    """Takes FAQs through the real workflow: drafted by the officer, approved by the leader."""

    def __init__(self, *, officer, leader):
        self.officer, self.leader = officer, leader

    def draft(self, question, answer, *, actor=None, agency=None, **fields):
        actor = actor or self.officer
        agency = agency or actor.memberships.first().agency
        return services.faq_create(actor=actor, agency=agency, question=question, answer=answer,
                                   **fields)

    def publish(self, question, answer, *, actor=None, approver=None, **fields):
        faq = self.draft(question, answer, actor=actor, **fields)
        faq = services.faq_submit(actor=actor or self.officer, faq=faq)
        return services.faq_approve(actor=approver or self.leader, faq=faq)


@pytest.fixture
def faqs(officer, leader):
    return Faqs(officer=officer, leader=leader)
