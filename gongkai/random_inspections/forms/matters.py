"""Forms of the list of inspection matters: a new draft, a draft's details, one matter,
publishing, removing."""

from __future__ import annotations

from django import forms

from gongkai.random_inspections.models import InspectionMatter, InspectionMethod


def _max(field: str) -> int:
    return InspectionMatter._meta.get_field(field).max_length


class AgencyFilterForm(forms.Form):
    agency = forms.ModelChoiceField(label="机关", queryset=None, required=False, empty_label="请选择")

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies


class MatterListCreateForm(forms.Form):
    title = forms.CharField(label="版本名称", max_length=100, help_text="如“2026年版”",
                            error_messages={"required": "请填写版本名称。"})
    copy_current = forms.BooleanField(label="复制现行清单的事项", required=False, initial=True)


class MatterListForm(forms.Form):
    title = forms.CharField(label="版本名称", max_length=100, error_messages={"required": "请填写版本名称。"})
    adopted_by = forms.CharField(label="印发文件", max_length=200, required=False)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class PublishForm(forms.Form):
    adopted_by = forms.CharField(label="印发文件", max_length=200, required=False,
                                 help_text="如“津市监发〔2026〕3号”")
    reason = forms.CharField(label="发布说明", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "请填写发布说明（如审定的会议或文件）。"})


class MatterForm(forms.Form):
    code = forms.CharField(label="事项编码", max_length=_max("code"), required=False,
                           help_text="可选；用于在各版本间识别同一事项")
    category = forms.CharField(label="抽查类别", max_length=_max("category"), required=False,
                               help_text="如“重点检查事项”“一般检查事项”")
    name = forms.CharField(label="抽查事项", max_length=_max("name"), error_messages={"required": "请填写抽查事项名称。"})
    basis = forms.CharField(label="检查依据", widget=forms.Textarea(attrs={"rows": 3}),
                            error_messages={"required": "请填写检查依据。"})
    department_name = forms.CharField(label="检查主体/实施部门", max_length=_max("department_name"), required=False)
    target_kind = forms.CharField(label="检查对象", max_length=_max("target_kind"),
                                  help_text="如“食品销售企业”", error_messages={"required": "请填写检查对象。"})
    methods = forms.MultipleChoiceField(label="检查方式", choices=InspectionMethod.choices,
                                        widget=forms.CheckboxSelectMultiple,
                                        error_messages={"required": "请选择至少一种检查方式。"})
    frequency = forms.CharField(label="抽查比例和频次", max_length=_max("frequency"), required=False,
                                help_text="如“每年不少于一次，抽查比例不低于5%”")
    ratio_percent = forms.DecimalField(label="抽查比例（%）", required=False, max_digits=5, decimal_places=2,
                                       min_value=0, max_value=100,
                                       error_messages={"invalid": "抽查比例应为数字。"})
    remarks = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RemoveForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=500, required=False)
