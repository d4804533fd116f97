"""The public site's browsing and search forms (query strings). The online request
form and the status look-up are request forms: they live in ``foi.forms``, used by the
portal's pages and the API alike."""

from __future__ import annotations

from django import forms

from gongkai.core import selectors as core_selectors
from gongkai.portal import selectors
from gongkai.publishing.models.publication import Validity

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
            self.agency_obj = core_selectors.agencies_public().filter(code=code).first()
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
