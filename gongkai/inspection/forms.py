"""Forms of the inspection area: the public's 「我为政府网站找错」 form (with the message
board's self-hosted CAPTCHA and its rate limit), and the office's steps."""

from __future__ import annotations

from django import forms

from gongkai.core.ratelimit import Rule
from gongkai.foi import forms as foi_forms
from gongkai.inspection import services
from gongkai.inspection.workflow import SiteErrorStatus
from gongkai.interaction.forms import FORM_EXPIRED, FORM_TOKEN_PATTERN, OneTimeCaptchaMixin

# The request form's limits, counted apart: an error report uses none of a writer's
# messages or an applicant's requests.
SUBMIT_RATE = Rule("inspection.site_error", limit=foi_forms.SUBMIT_RATE.limit,
                   window_seconds=foi_forms.SUBMIT_RATE.window_seconds)


class SiteErrorForm(OneTimeCaptchaMixin, forms.Form):
    page_url = forms.CharField(
        label="出错页面地址", max_length=services.PAGE_URL_MAX,
        help_text="请复制出错页面浏览器地址栏中的地址。",
        error_messages={"required": "请填写出错页面的地址。"},
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "url", "spellcheck": "false"}))
    description = forms.CharField(
        label="错误描述", max_length=services.DESCRIPTION_MAX,
        help_text="如错别字、链接打不开、附件无法下载、信息过时等。",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "请描述发现的错误。"})
    contact = forms.CharField(
        label="联系方式（选填）", max_length=services.CONTACT_MAX, required=False,
        help_text="电话或电子邮箱，便于我们向您核实；不会公开。",
        widget=forms.TextInput(attrs={"autocomplete": "email"}))
    form_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    captcha_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    captcha = forms.CharField(
        label="验证码", max_length=10, required=False,
        help_text="请输入图片中的5位数字；看不清可换一张，或点击“收听验证码”。",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric",
                                      "spellcheck": "false"}))

    @property
    def token(self) -> str:
        """The one-time token of a submitted form ("" when missing or malformed)."""
        token = (self.data.get("form_token") or "") if self.is_bound else ""
        return token if FORM_TOKEN_PATTERN.match(token) else ""

    def clean(self):
        data = super().clean()
        if not self.token:
            self.add_error(None, FORM_EXPIRED)
        return data

    def clean_description(self):
        text = self.cleaned_data["description"].strip()
        if len(text) < 5:
            raise forms.ValidationError("请具体描述发现的错误（至少5个字）。")
        return text


class ReplyForm(forms.Form):
    reply = forms.CharField(label="处理结果", max_length=services.REPLY_MAX,
                            widget=forms.Textarea(attrs={"rows": 4}),
                            error_messages={"required": "请填写处理结果。"})


class CloseForm(forms.Form):
    reason = forms.CharField(label="关闭理由", max_length=services.REPLY_MAX,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "请填写关闭理由。"})


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return "\u3000" * obj.depth + obj.name


class AgencyFilterForm(forms.Form):
    agency = AgencyChoiceField(label="机关", queryset=None, required=False, empty_label="请选择")

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies


class ReportFilterForm(AgencyFilterForm):
    status = forms.ChoiceField(label="状态", required=False,
                               choices=[("", "全部"), *SiteErrorStatus.choices])


class MonthForm(forms.Form):
    month = forms.RegexField(label="月份", regex=r"^\d{4}-(0[1-9]|1[0-2])$",
                             error_messages={"invalid": "月份格式应为YYYY-MM。",
                                             "required": "请选择月份。"})

    def clean_month(self):
        # "0000-01" or "9999-12" match the pattern but have no month before or after them
        # that the calendar can hold (the report reads up to the next month's first day).
        month = self.cleaned_data["month"]
        if not 1900 <= int(month[:4]) <= 9000:
            raise forms.ValidationError("月份超出范围。")
        return month
