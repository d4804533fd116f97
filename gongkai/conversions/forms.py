"""The forms of the proposals' page: convert (column, title, written date, whether to
attach the disclosed files), dismiss (the reason), the agency's threshold, and the agency
filter of a supervising office."""

from __future__ import annotations

from django import forms

from gongkai.conversions import rules
from gongkai.core import clock
from gongkai.publishing.forms import column_tree, indented
from gongkai.publishing.models import Column


class ConvertForm(forms.Form):
    column = forms.TypedChoiceField(label="发布栏目", coerce=int,
                                    error_messages={"required": "请选择发布栏目。"})
    title = forms.CharField(label="标题", max_length=300,
                            error_messages={"required": "请填写标题。"})
    written_on = forms.DateField(label="成文日期", widget=forms.DateInput(attrs={"type": "date"}),
                                 error_messages={"required": "请填写成文日期。", "invalid": "成文日期格式不正确。"})
    include_files = forms.BooleanField(label="附上已公开的文件", required=False, initial=True)

    def __init__(self, *args, columns: list[Column], **kwargs):
        super().__init__(*args, **kwargs)
        self._columns = {c.pk: c for c in columns}
        self.fields["column"].choices = [("", "请选择")] + [
            (c.pk, indented(c.name, depth)) for c, depth in column_tree(columns)]

    def clean_column(self):
        column = self._columns.get(self.cleaned_data["column"])
        if column is None:
            raise forms.ValidationError("请选择本机关公开目录中的栏目。")
        return column

    def clean_written_on(self):
        written_on = self.cleaned_data["written_on"]
        if written_on > clock.today():
            raise forms.ValidationError("成文日期不能晚于今天。")
        return written_on


class DismissForm(forms.Form):
    reason = forms.CharField(label="不予转为主动公开的理由", max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "请填写不予转为主动公开的理由。"})

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("请填写不予转为主动公开的理由。")
        return reason


class SettingsForm(forms.Form):
    min_applicants = forms.IntegerField(
        label="不同申请人数达到", min_value=rules.LEAST_MIN_APPLICANTS,
        max_value=rules.MOST_MIN_APPLICANTS,
        error_messages={
            "required": "请填写申请人数。", "invalid": "请填写整数。",
            "min_value": f"申请人数不能少于{rules.LEAST_MIN_APPLICANTS}（条例第四十四条：多个申请人）。",
            "max_value": f"申请人数不能多于{rules.MOST_MIN_APPLICANTS}。",
        },
        help_text="同一政府信息被这么多不同申请人申请并予以公开（含部分公开）后，建议纳入主动公开。",
    )


class AgencyFilterForm(forms.Form):
    agency = forms.ModelChoiceField(label="机关", queryset=None, required=False, empty_label="请选择")

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
