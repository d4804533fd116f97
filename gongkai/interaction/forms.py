"""Forms of the message board: the public form (shared with the API, so both refuse the
same input with the same Chinese messages), the writer's look-up and rating, and the
office's steps."""

from __future__ import annotations

import re
import secrets

from django import forms
from django.core.exceptions import ValidationError

from gongkai.core import identifiers
from gongkai.core.ratelimit import Rule
from gongkai.core.selectors import agencies_public
from gongkai.foi import forms as foi_forms
from gongkai.interaction import captcha, rules
from gongkai.interaction.services import MessageData
from gongkai.interaction.workflow import Kind, Rating

# The request form's limits (issue 16), counted apart from requests so that a writer's
# messages do not use up an applicant's requests; one allowance shared by portal and API.
SUBMIT_RATE = Rule("interaction.submit", limit=foi_forms.SUBMIT_RATE.limit,
                   window_seconds=foi_forms.SUBMIT_RATE.window_seconds)
STATUS_RATE = Rule("interaction.status", limit=foi_forms.STATUS_RATE.limit,
                   window_seconds=foi_forms.STATUS_RATE.window_seconds)
LOOKUP_FAILED = "留言编号或查询码不正确。"
SUBJECT_MAX = 100
CONTENT_MAX = 3000

_LANDLINE = re.compile(r"^(0\d{2,3}[- ]?)?\d{7,8}([- ]?\d{1,6})?$")


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return "\u3000" * obj.depth + obj.name


class MessageForm(forms.Form):
    """A message as the writer sends it (portal and API)."""

    agency = AgencyChoiceField(
        label="留言对象（机关）", queryset=None, to_field_name="code", empty_label="请选择机关",
        error_messages={"required": "请选择留言的机关。",
                        "invalid_choice": "该机关不存在或不接收留言。"},
    )
    kind = forms.ChoiceField(label="留言类型", choices=Kind.choices,
                             error_messages={"required": "请选择留言类型。",
                                             "invalid_choice": "留言类型不正确。"})
    subject = forms.CharField(label="标题", max_length=SUBJECT_MAX,
                              error_messages={"required": "请填写标题。"})
    content = forms.CharField(label="留言内容", max_length=CONTENT_MAX,
                              widget=forms.Textarea(attrs={"rows": 8}),
                              error_messages={"required": "请填写留言内容。"})
    name = forms.CharField(label="姓名（选填）", max_length=50, required=False)
    phone = forms.CharField(label="联系电话（选填）", max_length=40, required=False)
    email = forms.EmailField(label="电子邮箱（选填）", required=False,
                             error_messages={"invalid": "请填写有效的电子邮箱。"})
    publish_consent = forms.BooleanField(
        label="同意在网站公开本留言及答复（公开时隐去姓名、联系方式等个人信息）", required=False)

    AUTOCOMPLETE = {"name": "name", "phone": "tel", "email": "email"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies_public()
        for name, token in self.AUTOCOMPLETE.items():
            self.fields[name].widget.attrs["autocomplete"] = token

    def clean_subject(self):
        subject = self.cleaned_data["subject"].strip()
        if len(subject) < 2:
            raise ValidationError("标题至少2个字。")
        return subject

    def clean_content(self):
        content = self.cleaned_data["content"].strip()
        if len(content) < 5:
            raise ValidationError("请具体写明留言内容（至少5个字）。")
        return content

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and not (identifiers.is_plausible_mobile(phone) or _LANDLINE.match(phone)):
            raise ValidationError("请填写有效的手机号码或固定电话。")
        return phone

    def message_data(self) -> MessageData:
        d = self.cleaned_data
        return MessageData(kind=d["kind"], subject=d["subject"], content=d["content"],
                           name=d.get("name", "").strip(), phone=d.get("phone", ""),
                           email=d.get("email", ""), publish_consent=bool(d.get("publish_consent")))


FORM_TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
FORM_EXPIRED = "表单已失效，请检查填写的内容后重新提交。"


class OneTimeCaptchaMixin:
    """What a public form with a one-time token (``form_token``) and the CAPTCHA
    (``captcha_token``, ``captcha``) does: a fresh token on a new form, the answer checked
    and used up before the submission's transaction, and a fresh challenge when the form
    goes back to the writer. The message board's form and the website error form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("form_token", secrets.token_urlsafe(24))

    def check_captcha(self) -> bool:
        """Check (and use up) the CAPTCHA outside any transaction, so that a wrong answer
        cannot be rolled back into a second try; the error goes next to the field."""
        answer = (self.data.get("captcha") or "").strip()
        if not answer:
            error = "请输入验证码。"
        elif captcha.check(self.data.get("captcha_token", ""), answer):
            return True
        else:
            error = captcha.WRONG
        self.is_valid()  # every other mistake is listed too
        self.add_error("captcha", error)
        return False

    def with_new_challenge(self):
        """The form as it goes back to the writer: a fresh CAPTCHA (the old one is used
        up), the answer field empty, and a fresh token if the old one was unusable."""
        token = captcha.new_challenge()
        if self.is_bound:
            data = self.data.copy()
            data["captcha_token"], data["captcha"] = token, ""
            if not FORM_TOKEN_PATTERN.match(data.get("form_token", "") or ""):
                data["form_token"] = secrets.token_urlsafe(24)
            self.data = data
        else:
            self.initial["captcha_token"] = token
        return self


class PortalMessageForm(OneTimeCaptchaMixin, MessageForm):
    """The portal's form: the message plus its one-time token and the CAPTCHA (checked by
    ``check_captcha`` before the submission's transaction)."""

    form_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    captcha_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    captcha = forms.CharField(
        label="验证码", max_length=10, required=False,
        help_text="请输入图片中的5位数字；看不清可换一张，或点击“收听验证码”。",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric",
                                      "spellcheck": "false"}),
    )

    def clean(self):
        data = super().clean()
        if not FORM_TOKEN_PATTERN.match(self.data.get("form_token", "") or ""):
            self.add_error(None, FORM_EXPIRED)
        return data


class LookupForm(forms.Form):
    tracking_number = forms.CharField(
        label="留言编号", max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": "请填写留言编号。"})
    secret = forms.CharField(
        label="查询码", max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                      "autocapitalize": "characters"}),
        error_messages={"required": "请填写查询码。"})


class RatingForm(forms.Form):
    rating = forms.ChoiceField(label="您对答复的评价", choices=Rating.choices, widget=forms.RadioSelect,
                               error_messages={"required": "请选择评价。"})
    comment = forms.CharField(label="意见和建议（选填）", max_length=1000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class PublicSearchForm(forms.Form):
    q = forms.CharField(label="关键词", max_length=50, required=False)
    kind = forms.ChoiceField(label="留言类型", choices=[("", "全部"), *Kind.choices], required=False)


# --- staff -------------------------------------------------------------------------------------------


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class AssignForm(forms.Form):
    department = DepartmentChoiceField(label="承办科室", queryset=None, empty_label="请选择",
                                        error_messages={"required": "请选择承办科室。"})
    category = forms.CharField(label="事项分类（选填）", max_length=50, required=False)
    reason = forms.CharField(label="办理要求（选填）", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments


class TransferForm(forms.Form):
    to_agency = AgencyChoiceField(label="转办机关", queryset=None, empty_label="请选择",
                                  error_messages={"required": "请选择转办机关。"})
    reason = forms.CharField(label="转办理由", widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "请填写转办理由。"})

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_agency"].queryset = agencies


class ReplyForm(forms.Form):
    text = forms.CharField(label="答复内容", widget=forms.Textarea(attrs={"rows": 8}), max_length=5000,
                           error_messages={"required": "请填写答复内容。"})


class CheckForm(forms.Form):
    decision = forms.ChoiceField(label="审核结果", widget=forms.RadioSelect,
                                 choices=[("release", "审核通过，答复留言人"), ("return", "退回修改")],
                                 error_messages={"required": "请选择审核结果。"})
    note = forms.CharField(label="审核意见（退回时必填）", required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionRequestForm(forms.Form):
    days = forms.IntegerField(label="延长工作日数", min_value=1, max_value=rules.MAX_EXTENSION_WORKING_DAYS,
                              error_messages={"required": "请填写延长的工作日数。"})
    reason = forms.CharField(label="延期理由", widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "请填写延期理由。"})


class ExtensionDecideForm(forms.Form):
    decision = forms.ChoiceField(label="审批意见", widget=forms.RadioSelect,
                                 choices=[("approve", "同意延期"), ("refuse", "不同意延期")],
                                 error_messages={"required": "请选择审批意见。"})
    note = forms.CharField(label="说明（不同意时必填）", required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class PublishForm(forms.Form):
    public_subject = forms.CharField(label="公开标题", max_length=200)
    public_content = forms.CharField(label="公开的留言内容", widget=forms.Textarea(attrs={"rows": 6}))
    public_reply = forms.CharField(label="公开的答复内容", widget=forms.Textarea(attrs={"rows": 6}))
    words_checked = forms.BooleanField(label="已逐项核对提示的词语，确认可以公开", required=False)
    reason = forms.CharField(label="说明（选填）", required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "请填写理由。"})


class SettingsForm(forms.Form):
    reply_working_days = forms.IntegerField(
        label="留言答复期限（工作日）", min_value=1, max_value=rules.MAX_REPLY_WORKING_DAYS,
        error_messages={"required": "请填写答复期限。",
                        "min_value": f"答复期限应为1至{rules.MAX_REPLY_WORKING_DAYS}个工作日。",
                        "max_value": f"答复期限应为1至{rules.MAX_REPLY_WORKING_DAYS}个工作日。"})


class StatisticsForm(forms.Form):
    start = forms.DateField(label="收到日期自", required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise ValidationError("开始日期不能晚于结束日期。")
        return data
