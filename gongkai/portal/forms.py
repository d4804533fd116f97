"""Public forms: the online request (Art. 29) and the status look-up. The API validates
with the same forms, so the portal and the API refuse the same input with the same
Chinese messages."""

from __future__ import annotations

from django import forms

from gongkai.core.ratelimit import Rule
from gongkai.foi.forms import RequestIntakeForm
from gongkai.portal import selectors
from gongkai.publishing.models.publication import Validity

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


# --- browsing and search -----------------------------------------------------------------

YEAR_ERROR = "年份应为1990至2100之间的四位数字。"
PAGE_ERROR = "页码应为正整数。"


def _year_field() -> forms.IntegerField:
    return forms.IntegerField(
        label="发布年份", required=False, min_value=1990, max_value=2100,
        error_messages={"invalid": YEAR_ERROR, "min_value": YEAR_ERROR, "max_value": YEAR_ERROR},
    )


def _page_field() -> forms.IntegerField:
    return forms.IntegerField(
        required=False, min_value=1,
        error_messages={"invalid": PAGE_ERROR, "min_value": PAGE_ERROR},
    )


class TopicChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ColumnFilterForm(forms.Form):
    """The column page's filters (all optional, read from the query string). A value
    that does not parse is reported in Chinese and ignored; the listing still shows."""

    year = _year_field()
    topic = TopicChoiceField(
        label="主题分类", required=False, queryset=None, empty_label="全部主题",
        error_messages={"invalid_choice": "没有该主题分类。"},
    )
    validity = forms.ChoiceField(
        label="有效性", required=False,
        error_messages={"invalid_choice": "有效性只能是有效、失效或废止。"},
    )
    page = _page_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = selectors.topics_all()
        self.fields["validity"].choices = [("", "全部")] + list(Validity.choices)

    def value(self, name):
        """The cleaned value of a field, or None if it was missing or wrong."""
        self.is_valid()
        return self.cleaned_data.get(name) if name not in self.errors else None


class SearchForm(forms.Form):
    """The search page's query string: the words, filters and order."""

    q = forms.CharField(label="搜索关键词", required=False, max_length=100, strip=True,
                        error_messages={"max_length": "关键词不能超过100个字。"})
    agency = forms.CharField(label="发布机关", required=False, max_length=18)
    column = forms.IntegerField(label="栏目", required=False, min_value=1,
                                error_messages={"invalid": "栏目参数无效。",
                                                "min_value": "栏目参数无效。"})
    topic = TopicChoiceField(
        label="主题分类", required=False, queryset=None, empty_label="全部主题",
        error_messages={"invalid_choice": "没有该主题分类。"},
    )
    year = _year_field()
    order = forms.ChoiceField(label="排序", required=False,
                              choices=[("relevance", "按相关度"), ("date", "按发布日期")],
                              error_messages={"invalid_choice": "排序方式只能是相关度或发布日期。"})
    page = _page_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = selectors.topics_all()
        self.agency_obj = None
        self.column_obj = None

    def clean_agency(self):
        code = self.cleaned_data.get("agency", "")
        if code:
            self.agency_obj = selectors.agencies_for_portal().filter(code=code).first()
            if self.agency_obj is None:
                raise forms.ValidationError("没有该发布机关。")
        return code

    def clean_column(self):
        pk = self.cleaned_data.get("column")
        if pk:
            self.column_obj = selectors.public_columns().select_related("agency").filter(pk=pk).first()
            if self.column_obj is None:
                raise forms.ValidationError("没有该栏目。")
        return pk

    def value(self, name):
        self.is_valid()
        return self.cleaned_data.get(name) if name not in self.errors else None
