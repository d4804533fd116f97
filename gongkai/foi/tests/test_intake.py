"""The one online submission flow (``foi.intake``) the portal's form and the API both run:
validate with the intake form, submit, hand back the receipt."""

import pytest

from gongkai.core.errors import DomainError
from gongkai.foi import intake
from gongkai.foi.models import FoiEvent, FoiRequest
from gongkai.foi.tracking import check_secret
from gongkai.foi.workflow import Action, RequestStatus
from gongkai.portal.tests.data import natural_person

pytestmark = pytest.mark.django_db


def test_valid_input_is_submitted_and_the_receipt_carries_number_and_secret(bureau):
    submission = intake.submit_online(natural_person(bureau))
    receipt = submission.receipt
    request = FoiRequest.objects.get()
    assert receipt.request == request
    assert check_secret(receipt.secret, request.secret_hash)
    assert request.status == RequestStatus.AWAITING_CONFIRMATION and request.agency == bureau
    assert FoiEvent.objects.get(request=request).action == Action.SUBMIT
    assert submission.form.is_valid()


def test_invalid_input_comes_back_on_the_form_and_nothing_is_stored(bureau):
    submission = intake.submit_online(natural_person(bureau, phone="12", description=""))
    assert submission.receipt is None
    assert set(submission.form.errors) == {"phone", "description"}
    assert not FoiRequest.objects.exists()


def test_a_refusal_by_the_service_is_an_error_on_the_agency(bureau, monkeypatch):
    def refuse(**kwargs):
        raise DomainError("该机关不受理政府信息公开申请")

    monkeypatch.setattr(intake, "request_submit_online", refuse)
    submission = intake.submit_online(natural_person(bureau))
    assert submission.receipt is None
    assert submission.form.errors == {"agency": ["该机关不受理政府信息公开申请"]}
