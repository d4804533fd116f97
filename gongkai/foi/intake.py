"""The online request, once for every way in (the portal's form and the API): validate
with the intake form, submit through the service, hand back the receipt the applicant is
shown once. The ways in differ only in how they read the input and answer."""

from __future__ import annotations

from dataclasses import dataclass

from gongkai.core.errors import DomainError
from gongkai.foi.forms import OnlineRequestForm
from gongkai.foi.models import FoiRequest
from gongkai.foi.services.requests import request_submit_online


@dataclass(frozen=True)
class Receipt:
    """What the applicant keeps: the tracking number and the secret to look the request
    up with (shown once: it is stored only hashed)."""

    request: FoiRequest
    secret: str


@dataclass(frozen=True)
class Submission:
    """The bound form (with its errors when refused) and, when accepted, the receipt."""

    form: OnlineRequestForm
    receipt: Receipt | None = None


def submit_online(data, files=None) -> Submission:
    """Validate ``data`` (and ``files``) with the intake form and submit the request. A
    refusal by the service (e.g. an agency that no longer accepts requests) is an error
    on the agency field, where the applicant chose it."""
    form = OnlineRequestForm(data, files)
    if form.is_valid():
        try:
            request, secret = request_submit_online(
                agency=form.cleaned_data["agency"], data=form.applicant_data(),
                attachments=form.cleaned_data["attachments"],
            )
        except DomainError as exc:
            form.add_error("agency", exc.message)
        else:
            return Submission(form, Receipt(request, secret))
    return Submission(form)
