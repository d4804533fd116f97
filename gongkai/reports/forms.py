"""Forms of the annual report's back office. They only shape input; the rules (which
cells may be typed, value types, states) are in ``services``."""

from __future__ import annotations

from django import forms

from gongkai.core import clock
from gongkai.reports import permissions
from gongkai.reports.services import FIRST_YEAR, MAX_SOURCE


class StartForm(forms.Form):
    agency = forms.ModelChoiceField(label="机关", queryset=None, empty_label=None)
    year = forms.IntegerField(label="报告年度", min_value=FIRST_YEAR)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = permissions.agencies_compiled_by(user)
        self.fields["year"].max_value = clock.today().year
        self.fields["year"].initial = clock.today().year - (0 if clock.today().month == 12 else 1)


class ProseForm(forms.Form):
    preamble = forms.CharField(label="引言", required=False,
                               widget=forms.Textarea(attrs={"rows": 4}))
    overview = forms.CharField(label="一、总体情况", required=False,
                               widget=forms.Textarea(attrs={"rows": 12}))
    problems = forms.CharField(label="五、存在的主要问题及改进情况", required=False,
                               widget=forms.Textarea(attrs={"rows": 10}))
    other_matters = forms.CharField(label="六、其他需要报告的事项", required=False,
                                    widget=forms.Textarea(attrs={"rows": 8}),
                                    help_text="应说明按《政府信息公开信息处理费管理办法》收取信息处理费的情况。")


class FigureForm(forms.Form):
    ref = forms.ChoiceField(label="单元格")
    value = forms.CharField(label="数值", max_length=30)
    source = forms.CharField(label="数据来源", max_length=MAX_SOURCE,
                             help_text="例如：财务科2025年收费台账")

    def __init__(self, *args, refs: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ref"].choices = refs


class RevertForm(forms.Form):
    ref = forms.CharField(max_length=80)
    reason = forms.CharField(label="恢复理由", required=False, max_length=MAX_SOURCE)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "请填写理由。"})


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label="签发意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DraftProseForm(forms.Form):
    replace = forms.BooleanField(label="替换已有文字（原文字保留在记录中）", required=False)


class SupervisionForm(forms.Form):
    agency = forms.ModelChoiceField(label="机关", queryset=None, empty_label=None)
    year = forms.IntegerField(label="报告年度", min_value=FIRST_YEAR)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = permissions.agencies_supervised_by(user)
        self.fields["year"].max_value = clock.today().year
