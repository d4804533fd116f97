"""The request form (Art. 29), its receipt, and the applicant's status look-up with the
letters and disclosed files.

Submitting is Post/Redirect/Get: the POST answers 303 to the receipt page, so reloading
the receipt shows it again and files nothing. The form carries a one-time token (made
on GET) that keys the submission (``core.idempotency``, scope "web"): a resubmitted form
gets the first receipt. The secret is never stored in clear: the session (server-side)
keeps only the id of the submission's record, whose answer is stored encrypted.

Downloads after a look-up: a successful look-up puts a short-lived signed grant for that
request in the session (2 hours), and the download links carry only the tracking number
and a file reference. We chose this over POST forms carrying number and secret: the
secret is then typed once, is not repeated in every page's HTML, and links can be opened
or saved like any other; a grant is bound to one request, one browser and two hours.
"""

from __future__ import annotations

from django.core import signing
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from gongkai.core import idempotency
from gongkai.core.views.public_forms import no_store as _no_store
from gongkai.core.views.public_forms import remember_in_session
from gongkai.core.views.public_forms import see_other as _see_other
from gongkai.foi import delivery
from gongkai.foi import selectors as foi_selectors
from gongkai.foi.forms import (
    FORM_TOKEN_PATTERN,
    LOOKUP_FAILED,
    STATUS_RATE,
    SUBMIT_RATE,
    PortalRequestForm,
    StatusLookupForm,
)
from gongkai.foi.intake import kept_receipt, status_url, submit_online_once
from gongkai.foi.models import FoiRequest
from gongkai.identity.public import public_account_of
from gongkai.portal.receipt import ReceiptFontMissing, render_receipt_pdf

SESSION_RECEIPTS = "gongkai.foi.receipts"  # {tracking number: idempotency record id}
SESSION_GRANTS = "gongkai.foi.status_grants"  # {tracking number: signed request id}
MAX_RECEIPTS_IN_SESSION = 10
GRANT_SALT = "gongkai.portal.status.download"
GRANT_MAX_AGE = 2 * 60 * 60
LOOKUP_FIRST = "请先凭申请编号和查询码查询，再下载文件（查询后2小时内有效）。"


def _too_many(request, what: str):
    return render(request, "portal/rate_limited.html", {"what": what}, status=429)


# --- the form and its receipt ---------------------------------------------------------------


def _remember_receipt(request, tracking_number: str, record_pk: int) -> None:
    remember_in_session(request, SESSION_RECEIPTS, tracking_number, record_pk, keep=MAX_RECEIPTS_IN_SESSION)


@never_cache
@require_http_methods(["GET", "POST"])
def apply(request):
    """The online request form (Art. 29)."""
    if request.method == "POST":
        return _apply_post(request)
    form = PortalRequestForm(account=public_account_of(request))
    code = request.GET.get("agency", "")
    if code and form.fields["agency"].queryset.filter(code=code).exists():
        form.initial["agency"] = code
    return render(request, "portal/apply.html", {"form": form})


def _apply_post(request):
    if not SUBMIT_RATE.allows(request):
        return _too_many(request, "提交申请")
    token = request.POST.get("form_token", "")
    if not FORM_TOKEN_PATTERN.match(token):
        form = PortalRequestForm(request.POST, request.FILES, account=public_account_of(request))
        form.is_valid()  # every other mistake is listed too, with the expired form
        form.renew_token()
        return render(request, "portal/apply.html", {"form": form}, status=400)
    # The first receipt for this token, whatever was changed since (check_body=False).
    result = submit_online_once(request.POST, request.FILES, scope=idempotency.SCOPE_WEB,
                                key=token, form_class=PortalRequestForm, check_body=False,
                                account=public_account_of(request))
    if not result.accepted:
        return render(request, "portal/apply.html", {"form": result.form}, status=400)
    number = result.body["tracking_number"]
    _remember_receipt(request, number, result.record.pk)
    url = reverse("portal:apply-receipt", args=[number])
    if result.replayed:
        url += "?again=1"
    return _see_other(url)


def _kept(request, tracking_number: str):
    kept = kept_receipt(record_pk=request.session.get(SESSION_RECEIPTS, {}).get(tracking_number),
                        tracking_number=tracking_number)
    if kept is None:
        raise Http404("回执只在提交申请的浏览器中显示")
    return kept


@never_cache
@require_GET
def apply_receipt(request, tracking_number: str):
    """The receipt, for the browser that submitted: number, secret (while the submission's
    record is kept) and what happens next. Reloading it changes nothing."""
    foi_request, secret = _kept(request, tracking_number)
    return _no_store(render(request, "portal/apply_done.html", {
        "foi_request": foi_request, "secret": secret, "again": request.GET.get("again") == "1",
        "status_url": status_url(),
    }))


@never_cache
@require_GET
def apply_receipt_pdf(request, tracking_number: str):
    """The receipt as PDF; with ``include_code=1`` the secret too (same session only)."""
    foi_request, secret = _kept(request, tracking_number)
    with_secret = request.GET.get("include_code") == "1" and secret
    try:
        pdf = render_receipt_pdf(foi_request=foi_request, status_url=status_url(),
                                 secret=secret if with_secret else None)
    except ReceiptFontMissing:
        return _no_store(render(request, "portal/receipt_unavailable.html", status=503))
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"申请回执-{foi_request.tracking_number}.pdf"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return _no_store(response)


# --- status look-up and downloads ---------------------------------------------------------------


def _grant(request, foi_request: FoiRequest) -> None:
    remember_in_session(request, SESSION_GRANTS, foi_request.tracking_number,
                        signing.dumps(foi_request.pk, salt=GRANT_SALT), keep=MAX_RECEIPTS_IN_SESSION)


def _granted(request, tracking_number: str) -> FoiRequest | None:
    token = request.session.get(SESSION_GRANTS, {}).get(tracking_number)
    if not token:
        return None
    try:
        pk = signing.loads(token, salt=GRANT_SALT, max_age=GRANT_MAX_AGE)
    except signing.BadSignature:
        return None
    return FoiRequest.objects.select_related("agency").filter(pk=pk, tracking_number=tracking_number).first()


def _status_page(request, foi_request: FoiRequest, *, form=None):
    public = foi_selectors.request_public_status(foi_request)

    def url(item):
        return reverse("portal:status-file", args=[foi_request.tracking_number, item.ref])

    return render(request, "portal/status.html", {
        "form": form or StatusLookupForm(initial={"tracking_number": foi_request.tracking_number}),
        "foi_request": foi_request, "public": public,
        "letters": [(entry.letter, [(f, url(f)) for f in entry.files])
                    for entry in public.documents.letters],
        "disclosed": [(f, url(f)) for f in public.documents.disclosed],
    })


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
    _grant(request, foi_request)
    return _no_store(_status_page(request, foi_request))


@never_cache
@require_GET
def my_request_status(request, tracking_number: str):
    """The status page of a request for the account that submitted it, without the
    secret; anyone else (signed in or not) gets the look-up form, as for a wrong secret.
    Its downloads are granted to this browser as after a look-up."""
    foi_request = foi_selectors.request_get_for_account(
        account=public_account_of(request), tracking_number=tracking_number)
    if foi_request is None:
        form = StatusLookupForm(initial={"tracking_number": tracking_number[:32]})
        return _no_store(render(request, "portal/status.html",
                                {"form": form, "not_found": LOOKUP_FAILED}, status=404))
    _grant(request, foi_request)
    return _no_store(_status_page(request, foi_request))


def _file_response(item: delivery.ApplicantFile):
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, ValueError, OSError):
        raise Http404("文件不存在") from None
    response = FileResponse(handle, as_attachment=True, filename=item.name,
                            content_type=item.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return _no_store(response)


@never_cache
@require_GET
def status_file(request, tracking_number: str, ref: str):
    """A letter or disclosed file, for the browser that looked the request up within the
    last 2 hours; audited and counted."""
    foi_request = _granted(request, tracking_number)
    if foi_request is None:
        form = StatusLookupForm(initial={"tracking_number": tracking_number[:32]})
        return render(request, "portal/status.html", {"form": form, "not_found": LOOKUP_FIRST},
                      status=403)
    item = delivery.applicant_documents(foi_request).get(ref)
    if item is None:
        raise Http404("文件不存在")
    response = _file_response(item)
    delivery.record_applicant_download(foi_request, item, via="status")
    return response


# --- the delivery link (e-mailed, valid 30 days) ----------------------------------------------------


@never_cache
@require_GET
def delivery_page(request, token: str):
    link = delivery.delivery_link_open(token)
    if link is None:
        return render(request, "portal/delivery.html", {"expired": True}, status=404)
    return _no_store(render(request, "portal/delivery.html", {
        "foi_request": link.request, "documents": delivery.applicant_documents(link.request),
        "token": token, "expires_on": link.expires_on,
    }))


@never_cache
@require_GET
def delivery_file(request, token: str, ref: str):
    foi_request = delivery.delivery_request(token)
    if foi_request is None:
        return render(request, "portal/delivery.html", {"expired": True}, status=404)
    item = delivery.applicant_documents(foi_request).get(ref)
    if item is None:
        raise Http404("文件不存在")
    response = _file_response(item)
    delivery.record_applicant_download(foi_request, item, via="link")
    return response
