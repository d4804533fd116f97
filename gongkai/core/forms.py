from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

from gongkai.core.clientaddress import client_address
from gongkai.core.selectors import AuditFilter
from gongkai.core.services import signin


def client_ip(request) -> str | None:
    """The client's address for records and the audit trail (``core.clientaddress``)."""
    return client_address(request)


class SignInForm(AuthenticationForm):
    """Sign-in with lock-out and a per-address throttle. Each attempt is counted before
    its password is checked (``services.signin``), so a locked account or an address
    that has failed too often is refused without checking it, and parallel attempts
    cannot check more passwords than the limit allows."""

    error_messages = {
        "invalid_login": "用户名或密码不正确。连续失败%(limit)d次后账户将被锁定。",
        "inactive": "该账户已停用，请联系平台管理员。",
        "locked": "该账户因连续登录失败已被锁定，请于%(until)s后再试，或联系平台管理员解锁。",
        "address_throttled": (
            "您所在的网络地址登录失败次数过多，请%(minutes)d分钟后再试；"
            "如需帮助，请联系平台管理员。"
        ),
    }

    def clean(self):
        from django.conf import settings

        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return self.cleaned_data
        ip = client_ip(self.request)
        locked_until = None
        try:
            with signin.address_attempt(self.request, username=username, ip_address=ip) as place:
                attempt = signin.signin_begin(username=username, ip_address=ip)
                if isinstance(attempt, signin.Refused):
                    locked_until = attempt.until  # no password was checked
                else:
                    self.user_cache = authenticate(self.request, username=username,
                                                   password=password)
                    if self.user_cache is None:
                        place.failed = True
                        locked_until = signin.signin_failed(attempt)
                    else:
                        signin.signin_password_accepted(attempt)
        except signin.AddressThrottled as throttled:
            raise forms.ValidationError(
                self.error_messages["address_throttled"], code="address_throttled",
                params={"minutes": throttled.minutes},
            ) from None
        if locked_until:
            raise self._locked_error(locked_until)
        if self.user_cache is None:
            raise forms.ValidationError(
                self.error_messages["invalid_login"], code="invalid_login",
                params={"limit": settings.GONGKAI_SIGNIN_MAX_FAILURES},
            )
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    def _locked_error(self, until: dt.datetime) -> forms.ValidationError:
        local = timezone.localtime(until)
        return forms.ValidationError(
            self.error_messages["locked"], code="locked",
            params={"until": local.strftime("%H:%M")},
        )


class AuditFilterForm(forms.Form):
    agency = forms.TypedChoiceField(label="机关", required=False, coerce=int, empty_value=None)
    action = forms.CharField(label="操作", required=False, max_length=100)
    actor = forms.CharField(label="操作人", required=False, max_length=100)
    object_type = forms.CharField(label="对象类型", required=False, max_length=100)
    object_id = forms.CharField(label="对象编号", required=False, max_length=64)
    date_from = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", "全部")] + [(a.pk, a.name) for a in agencies]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("起始日期不能晚于截止日期。")
        return data

    def to_filter(self) -> AuditFilter:
        d = self.cleaned_data if self.is_valid() else {}
        return AuditFilter(
            agency_id=d.get("agency"), action=d.get("action", ""), actor=d.get("actor", ""),
            object_type=d.get("object_type", ""), object_id=d.get("object_id", ""),
            date_from=d.get("date_from"), date_to=d.get("date_to"),
        )


class CalendarOverrideForm(forms.Form):
    day = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    is_working = forms.TypedChoiceField(
        label="类型", choices=[("1", "班（工作日）"), ("0", "休（休息日）")],
        coerce=lambda v: v == "1",
    )
    source = forms.CharField(label="依据", max_length=200, help_text="如：国办发明电〔2026〕7号")
    note = forms.CharField(label="备注", max_length=200, required=False)


class CalendarRemoveForm(forms.Form):
    day = forms.DateField(label="日期")
    reason = forms.CharField(label="理由", max_length=500, required=False)


class ScheduleUploadForm(forms.Form):
    MAX_BYTES = 64 * 1024

    file = forms.FileField(label="节假日安排文件", help_text="每行一个日期，后接“休”或“班”，如：2027-01-01 休")
    source = forms.CharField(label="依据", max_length=200, help_text="国务院办公厅通知文号")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("文件过大：节假日安排文件不应超过64KB。")
        return upload
