"""The public pages of the message board: the form (with its self-hosted CAPTCHA), the
receipt, the writer's look-up and rating, and the published replies.

Submitting is Post/Redirect/Get with a one-time form token (``core.idempotency``), as for
requests: a resubmitted form gets the first receipt. The CAPTCHA is checked and used up
before the submission's transaction. The look-up takes number and secret by POST only
(never in an address); a successful look-up puts a short-lived signed grant for that
message in the session, which the rating form needs — the secret is typed once."""

from __future__ import annotations

from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongkai.core import idempotency
from gongkai.core import selectors as core_selectors
from gongkai.core.errors import DomainError
from gongkai.core.views.public_forms import no_store as _no_store
from gongkai.core.views.public_forms import remember_in_session
from gongkai.core.views.public_forms import see_other as _see_other
from gongkai.identity.public import public_account_of
from gongkai.interaction import captcha, intake, selectors, services
from gongkai.interaction.forms import (
    FORM_TOKEN_PATTERN,
    LOOKUP_FAILED,
    STATUS_RATE,
    SUBMIT_RATE,
    LookupForm,
    PortalMessageForm,
    PublicSearchForm,
    RatingForm,
)
from gongkai.interaction.models import Message

SESSION_RECEIPTS = "gongkai.interaction.receipts"  # {tracking number: idempotency record id}
SESSION_GRANTS = "gongkai.interaction.grants"  # {tracking number: signed message id}
MAX_IN_SESSION = 10
GRANT_SALT = "gongkai.interaction.status"
GRANT_MAX_AGE = 2 * 60 * 60
LOOKUP_FIRST = "请先凭留言编号和查询码查询，再评价（查询后2小时内有效）。"
PAGE_SIZE = 20


def _too_many(request, what: str):
    return render(request, "portal/rate_limited.html", {"what": what}, status=429)


def _remember(request, key: str, number: str, value) -> None:
    remember_in_session(request, key, number, value, keep=MAX_IN_SESSION)


# --- the form -------------------------------------------------------------------------------------------


def _form_page(request, form: PortalMessageForm, *, status: int = 200):
    form.with_new_challenge()
    return _no_store(render(request, "interaction/portal/write.html", {
        "form": form, "captcha_token": form["captcha_token"].value(),
    }, status=status))


@never_cache
@require_http_methods(["GET", "POST"])
def message_write(request):
    """The message form (留言 / 局长信箱)."""
    if request.method != "POST":
        form = PortalMessageForm()
        account = public_account_of(request)
        if account is not None:  # this page is never cached: the person's own details
            form.initial.update({k: getattr(account, k) for k in ("name", "phone", "email")})
        code = request.GET.get("agency", "")
        if code and form.fields["agency"].queryset.filter(code=code).exists():
            form.initial["agency"] = code
        return _form_page(request, form)
    if "new_captcha" in request.POST:  # 换一张: the same form with another picture
        return _form_page(request, PortalMessageForm(initial=request.POST.dict()))
    if not SUBMIT_RATE.allows(request):
        return _too_many(request, "提交留言")
    token = request.POST.get("form_token", "")
    form = PortalMessageForm(request.POST)
    if not FORM_TOKEN_PATTERN.match(token):
        form.is_valid()
        return _form_page(request, form, status=400)
    # A resubmitted form (double click, back button) gets its first receipt, without a
    # second CAPTCHA: the first one was used up by the first submission.
    if idempotency.find(intake.SCOPE_WEB, token) is None and not form.check_captcha():
        return _form_page(request, form, status=400)
    result = intake.submit_once(request.POST, scope=intake.SCOPE_WEB, key=token,
                                form_class=PortalMessageForm, check_body=False,
                                account=public_account_of(request))
    if not result.accepted:
        return _form_page(request, PortalMessageForm(request.POST) if result.form is None
                          else result.form, status=400)
    number = result.body["tracking_number"]
    _remember(request, SESSION_RECEIPTS, number, result.record.pk)
    return _see_other(reverse("portal:message-receipt", args=[number]))


@never_cache
@require_GET
def message_receipt(request, tracking_number: str):
    kept = intake.kept_receipt(record_pk=request.session.get(SESSION_RECEIPTS, {}).get(tracking_number),
                               tracking_number=tracking_number)
    if kept is None:
        raise Http404("回执只在提交留言的浏览器中显示")
    message, secret = kept
    deadline = selectors.message_deadline(message)
    return _no_store(render(request, "interaction/portal/receipt.html", {
        "message": message, "secret": secret, "deadline": deadline}))


def _challenge_digits(token: str) -> str:
    digits = captcha.digits_for(token)
    if digits is None:
        raise Http404("验证码已过期，请换一张")
    return digits


@never_cache
@require_GET
def captcha_image(request, token: str):
    response = HttpResponse(captcha.image_png(_challenge_digits(token)), content_type="image/png")
    return _no_store(response)


@never_cache
@require_GET
def captcha_audio(request, token: str):
    response = HttpResponse(captcha.audio_wav(_challenge_digits(token)), content_type="audio/wav")
    return _no_store(response)


# --- the writer's look-up and rating ----------------------------------------------------------------------


def _grant(request, message: Message) -> None:
    _remember(request, SESSION_GRANTS, message.tracking_number,
              signing.dumps(message.pk, salt=GRANT_SALT))


def _granted(request, tracking_number: str) -> Message | None:
    token = request.session.get(SESSION_GRANTS, {}).get(tracking_number)
    if not token:
        return None
    try:
        pk = signing.loads(token, salt=GRANT_SALT, max_age=GRANT_MAX_AGE)
    except signing.BadSignature:
        return None
    return Message.objects.select_related("agency").filter(pk=pk, tracking_number=tracking_number).first()


def _status_page(request, message: Message, *, rating_form=None, status: int = 200, done: str = ""):
    return _no_store(render(request, "interaction/portal/status.html", {
        "form": LookupForm(initial={"tracking_number": message.tracking_number}),
        "public": selectors.message_public_status(message),
        "rating_form": rating_form or RatingForm(), "done": done,
    }, status=status))


@never_cache
@require_http_methods(["GET", "POST"])
def message_status(request):
    """Number and secret, by POST; an unknown number and a wrong secret get the same answer."""
    if request.method != "POST":
        initial = {"tracking_number": request.GET.get("tracking_number", "")[:32]}
        return render(request, "interaction/portal/status.html", {"form": LookupForm(initial=initial)})
    if not STATUS_RATE.allows(request):
        return _too_many(request, "查询留言办理情况")
    form = LookupForm(request.POST)
    if not form.is_valid():
        return render(request, "interaction/portal/status.html", {"form": form}, status=400)
    message = selectors.message_get_public(tracking_number=form.cleaned_data["tracking_number"],
                                           secret=form.cleaned_data["secret"])
    if message is None:
        return render(request, "interaction/portal/status.html",
                      {"form": form, "not_found": LOOKUP_FAILED}, status=404)
    _grant(request, message)
    return _status_page(request, message)


@never_cache
@require_GET
def message_status_mine(request, tracking_number: str):
    """The status page for the signed-in account that wrote the message, without the
    secret (and its rating form, as after a look-up); anyone else gets the look-up form."""
    message = selectors.message_get_for_account(account=public_account_of(request),
                                                tracking_number=tracking_number)
    if message is None:
        form = LookupForm(initial={"tracking_number": tracking_number[:32]})
        return _no_store(render(request, "interaction/portal/status.html",
                                {"form": form, "not_found": LOOKUP_FAILED}, status=404))
    _grant(request, message)
    return _status_page(request, message)


@never_cache
@require_POST
def message_rate(request, tracking_number: str):
    message = _granted(request, tracking_number)
    if message is None:
        form = LookupForm(initial={"tracking_number": tracking_number[:32]})
        return render(request, "interaction/portal/status.html",
                      {"form": form, "not_found": LOOKUP_FIRST}, status=403)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            message = services.message_rate(message=message, rating=form.cleaned_data["rating"],
                                            comment=form.cleaned_data["comment"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return _status_page(request, message, done="感谢您的评价。")
    return _status_page(request, message, rating_form=form, status=400)


# --- published replies -------------------------------------------------------------------------------------


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _public_list(request, *, agency=None):
    form = PublicSearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.public_reply_search(agency=agency, q=data.get("q", ""), kind=data.get("kind", ""))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "interaction/portal/list.html", {
        "agency": agency, "form": form, "page": page, "query": _query_without_page(request),
        "agencies": core_selectors.agencies_public() if agency is None else None,
    })


@require_GET
def public_index(request):
    """Published messages and replies of every agency, with search."""
    return _public_list(request)


@require_GET
def public_list(request, code: str):
    return _public_list(request, agency=core_selectors.agency_get_public(code=code))


@require_GET
def public_detail(request, code: str, pk: int):
    message = selectors.public_message_get(code=code, pk=pk)
    return render(request, "interaction/portal/detail.html", {"message": message, "agency": message.agency})
