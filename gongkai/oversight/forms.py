"""The compliance table's filters and the threshold form."""

from __future__ import annotations

from django import forms

from gongkai.core import clock
from gongkai.oversight import selectors

FIRST_YEAR = 2008  # the regulation took effect on 1 May 2008


class TableFilterForm(forms.Form):
    root = forms.TypedChoiceField(label="监督范围", required=False, coerce=int, empty_value=None)
    year = forms.TypedChoiceField(label="年度", required=False, coerce=int, empty_value=None)
    level = forms.ChoiceField(label="层级", required=False, choices=selectors.LEVEL_CHOICES)
    kind = forms.ChoiceField(label="类型", required=False, choices=selectors.KIND_CHOICES)
    q = forms.CharField(label="机关名称", required=False, max_length=50)
    only_red = forms.BooleanField(label="只看预警机关", required=False)
    sort = forms.ChoiceField(label="排序", required=False, choices=selectors.SORT_CHOICES)
    desc = forms.BooleanField(label="降序", required=False)

    def __init__(self, *args, roots, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = clock.today().year
        self.fields["year"].choices = [(y, f"{y}年") for y in range(this_year, FIRST_YEAR - 1, -1)]
        self.fields["root"].choices = [(a.pk, a.name) for a in roots]
        if len(roots) < 2:
            self.fields["root"].widget = forms.HiddenInput()


class ThresholdForm(forms.Form):
    amber = forms.DecimalField(label="“关注”阈值", min_value=0, max_digits=7, decimal_places=2,
                               error_messages={"required": "请填写“关注”阈值。", "invalid": "请填写数字。"})
    red = forms.DecimalField(label="“预警”阈值", min_value=0, max_digits=7, decimal_places=2,
                             error_messages={"required": "请填写“预警”阈值。", "invalid": "请填写数字。"})
    reason = forms.CharField(label="修改理由", max_length=200, required=False)
