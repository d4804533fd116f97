"""The public 「我为政府网站找错」 form of an agency (国办秘函〔2019〕19号 asks every site for
the entry), and its receipt.

The CAPTCHA is the message board's (``interaction.captcha``, drawn by its image and audio
URLs), checked and used up before the submission's transaction; submissions are rate
limited per client (``forms.SUBMIT_RATE``). Post/Redirect/Get with a one-time form token
(``core.idempotency``, as the message board): a resubmitted form gets its first receipt.
The receipt shows the number only in the browser that submitted it (the session keeps the
last few)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from gongkai.core import idempotency
from gongkai.core import selectors as core_selectors
from gongkai.core.errors import DomainError
from gongkai.core.views.public_forms import no_store as _no_store
from gongkai.core.views.public_forms import remember_in_session, see_other
from gongkai.inspection import selectors, services
from gongkai.inspection.forms import SUBMIT_RATE, SiteErrorForm

SCOPE_WEB = "web-site-errors"
SESSION_RECEIPTS = "gongkai.inspection.receipts"
MAX_IN_SESSION = 10


def _form_page(request, agency, form: SiteErrorForm, *, status: int = 200, error: str = ""):
    form.with_new_challenge()
    token = form["captcha_token"].value()
    return _no_store(render(request, "inspection/portal/site_error_form.html", {
        "agency": agency, "form": form, "captcha_token": token, "error": error,
    }, status=status))


@never_cache
@require_http_methods(["GET", "POST"])
def site_error_new(request, code: str):
    agency = core_selectors.agency_get_public(code=code)
    if request.method != "POST":
        form = SiteErrorForm(initial={"page_url": request.GET.get("page", "")[:services.PAGE_URL_MAX]})
        return _form_page(request, agency, form)
    if "new_captcha" in request.POST:
        return _form_page(request, agency, SiteErrorForm(initial=request.POST.dict()))
    if not SUBMIT_RATE.allows(request):
        return render(request, "portal/rate_limited.html", {"what": "提交网站纠错"}, status=429)
    form = SiteErrorForm(request.POST)
    token = form.token
    if not token:
        form.is_valid()
        return _form_page(request, agency, form, status=400)
    # A resubmitted form (double click, back button) gets its first receipt, without a
    # second CAPTCHA: the first one was used up by the first submission.
    kept = idempotency.find(SCOPE_WEB, token)
    if kept is None:
        if not form.check_captcha() or not form.is_valid():
            return _form_page(request, agency, form, status=400)

        def produce() -> idempotency.Result:
            try:
                report = services.site_error_submit(
                    agency=agency, page_url=form.cleaned_data["page_url"],
                    description=form.cleaned_data["description"], contact=form.cleaned_data["contact"])
            except DomainError as exc:
                return idempotency.Result(400, {}, extra={"error": exc.message})
            return idempotency.Result(201, {"tracking_number": report.tracking_number},
                                      reference=report.tracking_number)

        answer = idempotency.once(SCOPE_WEB, token, agency.code, produce, check_body=False)
        if not 200 <= answer.status < 300:
            return _form_page(request, agency, form, status=400, error=answer.extra.get("error", ""))
        number = answer.body["tracking_number"]
    else:
        number = idempotency.stored_body(kept)["tracking_number"]
    remember_in_session(request, SESSION_RECEIPTS, number, True, keep=MAX_IN_SESSION)
    return see_other(reverse("portal:site-error-receipt", args=[agency.code, number]))


@never_cache
@require_GET
def site_error_receipt(request, code: str, tracking_number: str):
    agency = core_selectors.agency_get_public(code=code)
    if tracking_number not in request.session.get(SESSION_RECEIPTS, []):
        raise Http404("回执只在提交纠错的浏览器中显示")
    report = selectors.report_for_receipt(agency=agency, tracking_number=tracking_number)
    if report is None:
        raise Http404("纠错不存在")
    return _no_store(render(request, "inspection/portal/site_error_receipt.html",
                            {"agency": agency, "report": report}))
