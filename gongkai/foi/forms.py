"""Forms for requests. The intake form is shared by the public form, the API and staff
registration, so all three refuse the same input with the same Chinese messages. The
public online request (the intake form plus the agency it goes to), the applicant's
status look-up and their rate limits are here too: the portal's pages and the API both
use them, and neither is below the other."""

from __future__ import annotations

import re
import secrets

from django import forms
from django.core.exceptions import ValidationError

from gongkai.core import identifiers
from gongkai.core.masking import mask_id_number
from gongkai.core.ratelimit import Rule
from gongkai.core.selectors import agencies_accepting_requests
from gongkai.core.uploads import validate_upload
from gongkai.core.widgets import MultipleFileField
from gongkai.foi.models import ApplicantType, Delivery, IdDocumentType, InformationForm
from gongkai.foi.services.requests import ApplicantData

_LANDLINE = re.compile(r"^(0\d{2,3}[- ]?)?\d{7,8}([- ]?\d{1,6})?$")
_PERSONAL_DOCUMENTS = {IdDocumentType.RESIDENT_ID, IdDocumentType.PASSPORT,
                       IdDocumentType.HK_MACAO_PERMIT, IdDocumentType.TAIWAN_PERMIT,
                       IdDocumentType.OTHER}
ATTACHMENT_KINDS = {"PDF", "JPEG", "PNG"}
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5

# One allowance per client, shared by the portal and the API.
SUBMIT_RATE = Rule("foi.submit", limit=20, window_seconds=3600)
# Against guessing a request's secret (10 characters of 31: guessing is hopeless, but a
# lookup costs a hash and a query, and nobody honest looks up 30 times an hour).
STATUS_RATE = Rule("foi.status", limit=30, window_seconds=3600)

LOOKUP_FAILED = "申请编号或查询码不正确。"




class RequestIntakeForm(forms.Form):
    """What Art. 29 asks of an applicant, validated."""

    applicant_type = forms.ChoiceField(label="申请人类型", choices=ApplicantType.choices)
    name = forms.CharField(label="姓名/名称", max_length=200)
    contact_person = forms.CharField(label="联系人（法人或其他组织填写）", max_length=100, required=False)
    id_type = forms.ChoiceField(label="证件类型", choices=IdDocumentType.choices)
    id_number = forms.CharField(label="证件号码", max_length=40)
    phone = forms.CharField(label="联系电话", max_length=40)
    email = forms.EmailField(label="电子邮箱", required=False)
    address = forms.CharField(label="通信地址", max_length=300, required=False)
    postal_code = forms.RegexField(label="邮政编码", regex=r"^\d{6}$", required=False,
                                   error_messages={"invalid": "邮政编码应为6位数字。"})
    description = forms.CharField(label="所需政府信息的名称、文号或者便于查询的其他特征性描述",
                                  widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    purpose = forms.CharField(label="用途（选填）", widget=forms.Textarea(attrs={"rows": 2}),
                              required=False, max_length=1000)
    form = forms.ChoiceField(label="获取信息的载体形式", choices=InformationForm.choices,
                             initial=InformationForm.ELECTRONIC)
    delivery = forms.ChoiceField(label="获取信息的方式", choices=Delivery.choices)
    attachments = MultipleFileField(label="附件（选填，如身份证明扫描件；PDF、JPG、PNG，每个不超过10MB）",
                                    required=False)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError("请填写申请人姓名或名称。")
        return name

    def clean_description(self):
        text = self.cleaned_data["description"].strip()
        if len(text) < 4:
            raise ValidationError("请具体描述所需的政府信息（名称、文号或其他特征）。")
        return text

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if not (identifiers.is_plausible_mobile(phone) or _LANDLINE.match(phone)):
            raise ValidationError("请填写有效的手机号码或固定电话。")
        return phone

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        if len(files) > MAX_ATTACHMENTS:
            raise ValidationError(f"附件最多{MAX_ATTACHMENTS}个。")
        for upload in files:
            upload.gongkai_kind = validate_upload(upload, allowed=ATTACHMENT_KINDS,
                                                  max_bytes=ATTACHMENT_MAX_BYTES)
        return files

    def clean(self):
        data = super().clean()
        applicant_type, id_type = data.get("applicant_type"), data.get("id_type")
        number = identifiers.normalise_id_number(data.get("id_number", ""))
        if not applicant_type or not id_type or not number:
            return data
        natural = applicant_type == ApplicantType.NATURAL_PERSON
        if natural and id_type not in _PERSONAL_DOCUMENTS:
            self.add_error("id_type", "自然人请使用居民身份证等个人身份证件。")
        if not natural and id_type not in (IdDocumentType.USCC, IdDocumentType.OTHER):
            self.add_error("id_type", "法人或其他组织请填写统一社会信用代码。")
        if not natural and not data.get("contact_person", "").strip():
            self.add_error("contact_person", "法人或其他组织请填写联系人。")
        try:
            if id_type == IdDocumentType.RESIDENT_ID:
                identifiers.validate_resident_id(number)
            elif id_type == IdDocumentType.USCC:
                identifiers.validate_uscc(number)
        except ValidationError as exc:
            self.add_error("id_number", exc)
        data["id_number"] = number
        if data.get("delivery") == Delivery.EMAIL and not data.get("email"):
            self.add_error("email", "选择电子邮件方式获取信息的，请填写电子邮箱。")
        if data.get("delivery") == Delivery.POST and not data.get("address", "").strip():
            self.add_error("address", "选择邮寄方式获取信息的，请填写通信地址。")
        return data

    def applicant_data(self) -> ApplicantData:
        d = self.cleaned_data
        return ApplicantData(
            applicant_type=d["applicant_type"], name=d["name"], id_type=d["id_type"],
            id_number=d["id_number"], phone=d["phone"], description=d["description"],
            delivery=d["delivery"], form=d["form"], contact_person=d.get("contact_person", ""),
            address=d.get("address", ""), postal_code=d.get("postal_code", ""),
            email=d.get("email", ""), purpose=d.get("purpose", ""),
        )


# --- the public online request and the status look-up (portal and API) -------------------


class AgencyChoiceField(forms.ModelChoiceField):
    """An agency chosen by its code; options indented by their depth in the tree."""

    def label_from_instance(self, obj):
        return "\u3000" * obj.depth + obj.name


class OnlineRequestForm(RequestIntakeForm):
    """The intake form plus the agency the request is made to."""

    agency = AgencyChoiceField(
        label="受理机关", queryset=None, to_field_name="code", empty_label="请选择受理机关",
        error_messages={
            "required": "请选择受理申请的行政机关。",
            "invalid_choice": "该机关不存在或不受理政府信息公开申请。",
        },
    )

    field_order = ["agency"]

    AUTOCOMPLETE = {"name": "name", "phone": "tel", "email": "email",
                    "address": "street-address", "postal_code": "postal-code"}

    def __init__(self, *args, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies_accepting_requests()
        self.account = account
        # A signed-in applicant's identity comes from the account's verified claims, never
        # from the submitted data (disabled fields: Django keeps their initial value).
        if self.verified_identity:
            verified = {"applicant_type": ApplicantType.NATURAL_PERSON, "name": account.name,
                        "contact_person": "", "id_number": account.id_number,
                        "id_type": account.id_type or IdDocumentType.RESIDENT_ID}
            for name, value in verified.items():
                self.fields[name].disabled = True
                self.initial[name] = value
        if account is not None and not self.is_bound:
            for name in ("phone", "email"):
                if getattr(account, name):
                    self.initial.setdefault(name, getattr(account, name))
        for name, token in self.AUTOCOMPLETE.items():
            self.fields[name].widget.attrs["autocomplete"] = token
        # Two or four choices: radio buttons, each group its own fieldset and legend.
        for name in ("form", "delivery"):
            field = self.fields[name]
            field.widget = forms.RadioSelect(choices=field.choices)

    @property
    def verified_identity(self) -> dict | None:
        """The signed-in applicant's verified name and masked ID number, for the form."""
        if self.account is None or not (self.account.name and self.account.id_number):
            return None
        return {"name": self.account.name, "id_number": mask_id_number(self.account.id_number)}


# The public form's one-time token: made when the form is shown, it keys the first
# submission (gongkai.core.idempotency, scope "web"), so a double click or the back
# button and "submit" again gives the first receipt instead of a second request.
FORM_TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
FORM_EXPIRED = "表单已失效，请检查填写的内容后重新提交。"


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


class PortalRequestForm(OnlineRequestForm):
    """The portal's request form: the online request plus its one-time token."""

    form_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("form_token", new_form_token())

    def clean(self):
        data = super().clean()
        if not self.has_valid_token():
            self.add_error(None, FORM_EXPIRED)
        return data

    def has_valid_token(self) -> bool:
        return bool(FORM_TOKEN_PATTERN.match(self.data.get("form_token", "") or ""))

    def renew_token(self) -> None:
        """Give a refused form a fresh token when the one it came with was unusable."""
        if self.is_bound and not self.has_valid_token():
            self.data = self.data.copy()
            self.data["form_token"] = new_form_token()


class StatusLookupForm(forms.Form):
    """An applicant's tracking number and secret (查询码)."""

    tracking_number = forms.CharField(
        label="申请编号", max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": "请填写申请编号。"},
    )
    secret = forms.CharField(
        label="查询码", max_length=64, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                      "autocapitalize": "characters"}),
        error_messages={"required": "请填写查询码。"},
    )
