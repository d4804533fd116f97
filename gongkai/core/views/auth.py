"""Sign-in, sign-out, password change and the second factor.

Two-factor sign-in keeps the session *anonymous* until the second step is done: the
password only leaves a pending sign-in in the session (the user's id, the backend, when,
and where to go next), and ``auth.login`` runs once the authenticator code or a
recovery code is accepted, or once a required enrolment is confirmed with a code. So no
half-signed-in session exists for any page, the admin or any later code to mistake for a
signed-in one; ``core.twofactor_middleware`` guards sessions that lose their
verification afterwards. A pending sign-in lasts GONGKAI_TWO_FACTOR_PENDING_MINUTES.
"""

from __future__ import annotations

import base64
import datetime as dt

import django_otp
import segno
from django import forms
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from gongkai.core import clock, permissions, twofactor
from gongkai.core.forms import SignInForm, client_ip
from gongkai.core.models import Agency, User
from gongkai.core.services import signin
from gongkai.core.services import twofactor as twofactor_services
from gongkai.core.views.base import safe_next, staff_required

PENDING_SESSION_KEY = "gongkai_2fa_pending"


LOCAL_PASSWORDS_OFF_MESSAGE = "本平台已关闭本地密码登录，请使用统一身份认证登录。"


def single_sign_on_options(next_url: str = "") -> list[dict]:
    """The identity platforms staff may sign in through (gongkai.identity), as links
    (a form could not go on to the platform: the CSP's ``form-action 'self'`` also
    covers a form's redirects). Read from the settings: core does not import identity."""
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    options = []
    staff = (getattr(settings, "GONGKAI_OIDC_PROVIDERS", None) or {}).get("staff")
    if staff:
        options.append({"label": staff["label"], "url": reverse("identity:staff-start") + query})
    if getattr(settings, "GONGKAI_CAS_SERVER_URL", ""):
        options.append({"label": settings.GONGKAI_CAS_LABEL,
                        "url": reverse("identity:cas-start") + query})
    return options


class SignInView(auth_views.LoginView):
    """The password form (unless GONGKAI_LOCAL_PASSWORDS is off, when a password is
    refused without being checked) and the identity platforms' buttons."""

    template_name = "staff/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["local_passwords"] = settings.GONGKAI_LOCAL_PASSWORDS
        context["sso_options"] = single_sign_on_options(self.get_redirect_url())
        return context

    def post(self, request, *args, **kwargs):
        if not settings.GONGKAI_LOCAL_PASSWORDS:
            messages.error(request, LOCAL_PASSWORDS_OFF_MESSAGE)
            return self.render_to_response(self.get_context_data(), status=403)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.get_user()
        if twofactor.second_step_needed(user):
            return _begin_second_step(self.request, user, self.get_redirect_url())
        response = super().form_valid(form)
        signin.signin_record_success(user=user, ip_address=client_ip(self.request))
        return response


class SignOutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "staff/password_change.html"
    success_url = reverse_lazy("staff:home")

    def dispatch(self, request, *args, **kwargs):
        if not settings.GONGKAI_LOCAL_PASSWORDS:
            raise PermissionDenied("本平台已关闭本地密码登录，密码由统一身份认证平台管理。")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        messages.success(self.request, "密码已修改。")
        return super().form_valid(form)


# --- the pending sign-in -------------------------------------------------------------------

def _begin_second_step(request, user, next_url: str):
    """The password was right: remember whom it was for, not yet signed in."""
    request.session.cycle_key()  # a new session id for the new state (no fixation)
    request.session[PENDING_SESSION_KEY] = {
        "user_id": user.pk,
        "backend": user.backend,
        "started": clock.now().isoformat(),
        "next": next_url or "",
    }
    if twofactor.has_confirmed_device(user):
        return redirect("staff:two-factor-verify")
    return redirect("staff:two-factor-enrol")


def _pending(request) -> dict | None:
    data = request.session.get(PENDING_SESSION_KEY)
    if not data:
        return None
    started = dt.datetime.fromisoformat(data["started"])
    limit = dt.timedelta(minutes=settings.GONGKAI_TWO_FACTOR_PENDING_MINUTES)
    if not started <= clock.now() <= started + limit:
        request.session.pop(PENDING_SESSION_KEY, None)
        return None
    return data


def _subject(request):
    """Whose second factor this is: the signed-in user (a session that owes it), or the
    pending sign-in's user; ``(user, pending)`` or ``(None, None)``."""
    if request.user.is_authenticated:
        return request.user, None
    data = _pending(request)
    if data is None:
        return None, None
    user = User.objects.filter(pk=data["user_id"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING_SESSION_KEY, None)
        return None, None
    return user, data


def _expired(request):
    messages.error(request, "登录已超时或尚未输入密码，请重新登录。")
    return redirect("staff:sign-in")


def _next_url(request, pending) -> str:
    candidate = (pending or {}).get("next") or request.POST.get("next") or request.GET.get("next") or ""
    return safe_next(request, candidate, reverse(settings.LOGIN_REDIRECT_URL))


def _establish(request, user, pending, device) -> str:
    """Sign the user in (if still pending) and mark the session verified by ``device``;
    the sign-in's success clears the failures. Returns where to go next."""
    next_url = _next_url(request, pending)
    if pending is not None:
        request.session.pop(PENDING_SESSION_KEY, None)
        auth.login(request, user, backend=pending["backend"])
    django_otp.login(request, device)
    signin.signin_record_success(user=user, ip_address=client_ip(request))
    return next_url


ADDRESS_REFUSED_MESSAGE = "您所在的网络地址验证失败次数过多，请稍后再试；如需帮助，请联系平台管理员。"


def _locked_message(check) -> str:
    until = timezone.localtime(check.locked_until).strftime("%H:%M") if check.locked_until else ""
    return f"该账户因连续验证失败已被锁定，请于{until}后再试，或联系平台管理员解锁。"


def _refused(request, pending, message: str):
    """The second step is refused (the account is locked, or the client address has
    failed too often): the pending sign-in ends (the session too, if any)."""
    request.session.pop(PENDING_SESSION_KEY, None)
    if pending is None:
        auth.logout(request)
    messages.error(request, message)
    return redirect("staff:sign-in")


class CodeForm(forms.Form):
    code = forms.CharField(
        label="动态验证码或恢复码", max_length=20, strip=True,
        error_messages={"required": "请输入身份验证器应用显示的6位动态验证码，或一个恢复码。"},
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label="动态验证码", max_length=10, strip=True,
        error_messages={"required": "请输入身份验证器应用显示的6位动态验证码。"},
    )

    def clean_code(self):
        code = self.cleaned_data["code"].replace(" ", "")
        if not twofactor.looks_like_totp(code):
            raise ValidationError("动态验证码为6位数字。")
        return code


def _wrong_code_message(check) -> str:
    if check.outcome == twofactor_services.THROTTLED:
        return "尝试过于频繁，请稍等几秒后再输入。"
    return (f"验证码不正确或已使用过。连续失败{settings.GONGKAI_SIGNIN_MAX_FAILURES}次后账户将被锁定。")


# --- the second step: a code --------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    user, pending = _subject(request)
    if user is None:
        return _expired(request) if not request.user.is_authenticated else redirect("staff:home")
    if pending is None:
        state = twofactor.session_state(request.user, request.session)
        if state in (twofactor.VERIFIED, twofactor.NOT_NEEDED):
            return redirect(_next_url(request, None))
    if not twofactor.has_confirmed_device(user):
        return redirect("staff:two-factor-enrol")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        try:
            with signin.address_attempt(request, username=user.username, ip_address=ip) as place:
                check = twofactor_services.verify(user=user, code=form.cleaned_data["code"],
                                                  ip_address=ip)
                place.failed = check.failure
        except signin.AddressThrottled:
            return _refused(request, pending, ADDRESS_REFUSED_MESSAGE)
        if check.ok:
            next_url = _establish(request, user, pending, check.device)
            if check.method == "recovery":
                left = check.recovery_codes_left
                messages.warning(request, f"已使用一个恢复码，还剩{left}个。"
                                 + ("恢复码即将用完，请重新生成。" if left <= 3 else ""))
            return redirect(next_url)
        if check.outcome == twofactor_services.LOCKED:
            return _refused(request, pending, _locked_message(check))
        form.add_error("code", _wrong_code_message(check))
        status = 200
    return render(request, "staff/two_factor_verify.html", {
        "form": form, "subject": user, "pending": pending is not None,
        "next": request.GET.get("next", ""),
    }, status=status)


# --- enrolment ---------------------------------------------------------------------------

def _qr_svg(device) -> str:
    return segno.make(device.config_url, error="m").svg_inline(
        scale=4, border=4, title="两步验证二维码：请用身份验证器应用扫描", svgclass="totp-qr")


def _secret_text(device) -> str:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


@require_http_methods(["GET", "POST"])
def two_factor_enrol(request):
    user, pending = _subject(request)
    if user is None:
        return _expired(request)
    if pending is not None and twofactor.has_confirmed_device(user):
        # Replacing a device needs a session verified by the old one.
        return redirect("staff:two-factor-verify")
    if pending is None and twofactor.session_state(user, request.session) == twofactor.NEEDS_CODE:
        return redirect(reverse("staff:two-factor-verify") + "?" + request.GET.urlencode())
    if pending is None and not permissions.is_staff_user(user):
        raise PermissionDenied("您没有后台岗位，请联系平台管理员。")
    device = twofactor_services.enrolment_start(user=user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        try:
            with signin.address_attempt(request, username=user.username, ip_address=ip) as place:
                check, codes = twofactor_services.enrolment_confirm(
                    user=user, code=form.cleaned_data["code"], ip_address=ip)
                place.failed = check.failure
        except signin.AddressThrottled:
            return _refused(request, pending, ADDRESS_REFUSED_MESSAGE)
        if check.ok:
            next_url = _establish(request, user, pending, check.device)
            return render(request, "staff/two_factor_recovery_codes.html", {
                "codes": codes, "next_url": next_url, "enrolled": True})
        if check.outcome == twofactor_services.LOCKED:
            return _refused(request, pending, _locked_message(check))
        form.add_error("code", _wrong_code_message(check))
    return render(request, "staff/two_factor_enrol.html", {
        "form": form, "subject": user, "pending": pending is not None,
        "required_because": twofactor.required_because(user),
        "qr_svg": _qr_svg(device), "secret": _secret_text(device),
        "issuer": settings.OTP_TOTP_ISSUER,
    })


# --- the user's own page -------------------------------------------------------------------

@staff_required
def two_factor_settings(request):
    user = request.user
    totp = twofactor.has_confirmed_device(user)
    return render(request, "staff/two_factor_settings.html", {
        "enabled": totp,
        "required_because": twofactor.required_because(user),
        "codes_left": twofactor.recovery_codes_left(user) if totp else 0,
        "verified": twofactor.session_state(user, request.session) == twofactor.VERIFIED,
    })


@staff_required
@require_POST
def two_factor_recovery_codes(request):
    """New recovery codes, shown once on this response (never stored in the clear)."""
    if twofactor.session_state(request.user, request.session) != twofactor.VERIFIED:
        messages.error(request, "请先完成两步验证，再重新生成恢复码。")
        return redirect("staff:two-factor")
    try:
        codes = twofactor_services.recovery_codes_regenerate(user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("staff:two-factor")
    return render(request, "staff/two_factor_recovery_codes.html", {
        "codes": codes, "next_url": reverse("staff:two-factor"), "enrolled": False})


# --- administration ------------------------------------------------------------------------

class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="理由", max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写理由。"},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def two_factor_reset(request, user_id: int):
    """A platform administrator removes a user's authenticator and recovery codes."""
    if not permissions.is_platform_admin(request.user):
        raise PermissionDenied("只有平台管理员可以重置两步验证。")
    target = get_object_or_404(User, pk=user_id)
    form = ReasonForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            twofactor_services.two_factor_reset(actor=request.user, user=target,
                                                reason=form.cleaned_data["reason"])
            messages.success(request, f"已重置{target}的两步验证；其下次登录时需重新绑定身份验证器应用。")
            return redirect("staff:two-factor-reset", user_id=target.pk)
        status = 400
    return render(request, "staff/two_factor_reset.html", {
        "form": form, "target": target,
        "enabled": twofactor.has_confirmed_device(target),
        "codes_left": twofactor.recovery_codes_left(target),
        "required_because": twofactor.required_because(target),
    }, status=status)


class PolicyForm(ReasonForm):
    require_two_factor = forms.BooleanField(label="要求本机关全体工作人员启用两步验证", required=False)
    field_order = ["require_two_factor", "reason"]


@staff_required
@require_http_methods(["GET", "POST"])
def agency_two_factor_policy(request, pk: int):
    agency = get_object_or_404(Agency, pk=pk)
    if not twofactor_services.may_set_agency_policy(request.user, agency):
        raise PermissionDenied("只有本机关公开办或平台管理员可以设置两步验证要求。")
    form = PolicyForm(request.POST or None, initial={"require_two_factor": agency.require_two_factor})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            twofactor_services.agency_two_factor_policy_set(
                actor=request.user, agency=agency, required=form.cleaned_data["require_two_factor"],
                reason=form.cleaned_data["reason"])
            messages.success(request, "两步验证要求已保存。")
            return redirect("staff:agency-two-factor", pk=agency.pk)
        status = 400
    return render(request, "staff/two_factor_agency.html", {
        "form": form, "agency": agency, "roles": sorted(r.label for r in twofactor.REQUIRED_ROLES),
    }, status=status)
