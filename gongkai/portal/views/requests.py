"""The request form (Art. 29) and the applicant's status look-up."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from gongkai.foi import selectors as foi_selectors
from gongkai.foi.forms import (
    LOOKUP_FAILED,
    STATUS_RATE,
    SUBMIT_RATE,
    OnlineRequestForm,
    StatusLookupForm,
)
from gongkai.foi.intake import submit_online


def _too_many(request, what: str):
    return render(request, "portal/rate_limited.html", {"what": what}, status=429)


@never_cache
@require_http_methods(["GET", "POST"])
def apply(request):
    """The online request form (Art. 29). The result page shows the secret once: it is
    rendered in answer to the POST, never stored in clear, and not cached."""
    if request.method == "POST":
        if not SUBMIT_RATE.allows(request):
            return _too_many(request, "提交申请")
        submission = submit_online(request.POST, request.FILES)
        if submission.receipt:
            return render(request, "portal/apply_done.html", {
                "foi_request": submission.receipt.request, "secret": submission.receipt.secret,
            })
        return render(request, "portal/apply.html", {"form": submission.form}, status=400)
    form = OnlineRequestForm()
    code = request.GET.get("agency", "")
    if code and form.fields["agency"].queryset.filter(code=code).exists():
        form.initial["agency"] = code
    return render(request, "portal/apply.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def status(request):
    """The applicant's status look-up: number and secret, sent by POST so the secret
    stays out of addresses, logs and browser history. An unknown number and a wrong
    secret get the same answer."""
    if request.method != "POST":
        initial = {"tracking_number": request.GET.get("tracking_number", "")[:32]}
        return render(request, "portal/status.html", {"form": StatusLookupForm(initial=initial)})
    if not STATUS_RATE.allows(request):
        return _too_many(request, "查询申请进度")
    form = StatusLookupForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/status.html", {"form": form}, status=400)
    foi_request = foi_selectors.request_get_public(
        tracking_number=form.cleaned_data["tracking_number"], secret=form.cleaned_data["secret"])
    if foi_request is None:
        return render(request, "portal/status.html",
                      {"form": form, "not_found": LOOKUP_FAILED}, status=404)
    return render(request, "portal/status.html", {
        "form": StatusLookupForm(initial={"tracking_number": foi_request.tracking_number}),
        "foi_request": foi_request,
        "public": foi_selectors.request_public_status(foi_request),
    })
