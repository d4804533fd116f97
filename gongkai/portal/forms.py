"""Public forms: the online request (Art. 29) and the status look-up. The API validates
with the same forms, so the portal and the API refuse the same input with the same
Chinese messages."""

from __future__ import annotations

from django import forms

from gongkai.core.ratelimit import Rule
from gongkai.foi.forms import RequestIntakeForm
from gongkai.portal import selectors

# One allowance per client, shared by the portal and the API.
SUBMIT_RATE = Rule("foi.submit", limit=20, window_seconds=3600)
# Against guessing a request's secret (10 characters of 31: guessing is hopeless, but a
# lookup costs a hash and a query, and nobody honest looks up 30 times an hour).
STATUS_RATE = Rule("foi.status", limit=30, window_seconds=3600)

LOOKUP_FAILED = "申请编号或查询码不正确。"


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = selectors.agencies_accepting_requests()
        for name, token in self.AUTOCOMPLETE.items():
            self.fields[name].widget.attrs["autocomplete"] = token
        # Two or four choices: radio buttons, each group its own fieldset and legend.
        for name in ("form", "delivery"):
            field = self.fields[name]
            field.widget = forms.RadioSelect(choices=field.choices)


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
