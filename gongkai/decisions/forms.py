"""Forms of the decisions area: they check the input's shape; the importer and the
services check the rules."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from gongkai.core import clock
from gongkai.core.tabular import MAX_FILE_BYTES
from gongkai.core.widgets import DateInput
from gongkai.decisions import permissions, rules
from gongkai.decisions.models import DecisionKind
from gongkai.decisions.selectors import STAFF_FILTERS


class ImportUploadForm(forms.Form):
    agency = forms.ModelChoiceField(label="机关", queryset=None, empty_label=None)
    file = forms.FileField(
        label="导出文件", help_text=f"CSV（UTF-8或GBK/GB18030编码）或XLSX，不超过{MAX_FILE_BYTES // (1024 * 1024)}MB")
    held = forms.BooleanField(
        label="暂不公示", required=False,
        help_text="勾选后导入的决定为“待公示”，须由公开办确认后公示；公示时限仍自决定之日起计算",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = permissions.agencies_managed_by(user)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(f"文件超过{MAX_FILE_BYTES // (1024 * 1024)}MB的大小上限，请分批导入。")
        return upload


class WithdrawForm(forms.Form):
    changed_on = forms.DateField(label="决定变更或撤销日期", widget=DateInput(),
                                 help_text=f"撤回时限为该日后{rules.WITHDRAWAL_LIMIT_DAYS}个工作日")
    reason = forms.CharField(
        label="撤回理由", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="将向社会公开，如“该行政处罚决定已被复议机关撤销”；请勿填写个人信息",
    )

    def clean_changed_on(self):
        value = self.cleaned_data["changed_on"]
        if value > clock.today():
            raise ValidationError("变更或撤销日期不能晚于今天。")
        return value


class StaffFilterForm(forms.Form):
    status = forms.ChoiceField(label="公示状态", required=False,
                               choices=[("", "全部"), *STAFF_FILTERS.items()])
    kind = forms.ChoiceField(label="类别", required=False,
                             choices=[("", "全部"), *DecisionKind.choices])
    year = forms.IntegerField(label="决定年度", required=False, min_value=1990, max_value=2100)


class PublicFilterForm(forms.Form):
    kind = forms.ChoiceField(label="类别", required=False,
                             choices=[("", "全部"), *DecisionKind.choices])
