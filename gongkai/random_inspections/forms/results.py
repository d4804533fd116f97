"""Forms of the results part: a target's result, a follow-up case, its closing and the
penalty decision it is linked to. Validation of the rules is the services'; the forms
check the shape of the input."""

from __future__ import annotations

from django import forms

from gongkai.core.widgets import DateInput
from gongkai.random_inspections import findings


class ResultForm(forms.Form):
    """A target's result. ``slots`` is the number of inspectors drawn for the target: one
    certificate field each (``inspector_1``…), prefilled with the drawn inspector; typing
    another active inspector's certificate number of the task's pool replaces them, with
    the reason in ``substitution_reason``."""

    finding = forms.ChoiceField(label="检查结果", choices=())
    inspected_on = forms.DateField(label="检查日期", widget=DateInput)
    summary = forms.CharField(label="检查情况（内部记录，不公开）", required=False, max_length=2000,
                              help_text="只在本平台内部留存，不在门户网站或交换文件中公开。",
                              widget=forms.Textarea(attrs={"rows": 2}))
    record = forms.FileField(label="检查记录（PDF、JPG或PNG，不公开）", required=False)
    date_reason = forms.CharField(label="检查日期不在任务期间内的原因", required=False, max_length=500)
    substitution_reason = forms.CharField(
        label="人员替换理由（随检查结果公开）", required=False, max_length=500,
        help_text="实际检查人员与抽中人员不同时必填；公开，不得包含个人信息。")

    def __init__(self, *args, slots: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["finding"].choices = [("", "请选择"), *findings.choices()]
        self.slots = slots
        for n in range(1, slots + 1):
            self.fields[f"inspector_{n}"] = forms.CharField(
                label=f"实际检查人员{n}（执法证号）", max_length=40, required=False,
                help_text="默认为抽中的执法人员；如有替换，填写本任务人员库中在岗执法人员的执法证号。")
        # the reason after the inspectors' fields
        self.order_fields([f for f in self.fields if f != "substitution_reason"] + ["substitution_reason"])

    def certificates(self) -> list[str] | None:
        """The certificate numbers typed, in order (blanks dropped); None without slots or
        when the form sent none of the inspectors' fields (who inspected left as it is)."""
        names = [self.add_prefix(f"inspector_{n}") for n in range(1, self.slots + 1)]
        if not self.slots or not any(name in self.data for name in names):
            return None
        return [c for c in (" ".join(self.cleaned_data.get(f"inspector_{n}", "").split())
                            for n in range(1, self.slots + 1)) if c]


class FollowUpOpenForm(forms.Form):
    case_number = forms.CharField(label="案件编号", max_length=100)
    opened_on = forms.DateField(label="立案日期", widget=DateInput)
    note = forms.CharField(label="处置情况", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class FollowUpCloseForm(forms.Form):
    closed_on = forms.DateField(label="办结日期", widget=DateInput)
    note = forms.CharField(label="办结情况", required=False, max_length=2000)


class LinkDecisionForm(forms.Form):
    decision = forms.IntegerField(label="行政处罚决定", min_value=1)


class YearForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100, required=False)
