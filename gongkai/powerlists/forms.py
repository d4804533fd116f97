"""The forms of the power list's pages: a new draft, an import, a draft's details, one
item, publishing, comparing two versions, and the public search."""

from __future__ import annotations

from django import forms

from gongkai.powerlists import kinds, spreadsheet

DATE = forms.DateInput(attrs={"type": "date"})


class AgencyFilterForm(forms.Form):
    agency = forms.ModelChoiceField(label="机关", queryset=None, required=False, empty_label="请选择")

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies


class VersionCreateForm(forms.Form):
    title = forms.CharField(label="版本名称", max_length=100, error_messages={"required": "请填写版本名称。"},
                            help_text="如“2026年版”")
    copy_current = forms.BooleanField(label="复制现行清单的事项", required=False, initial=True)


class ImportForm(forms.Form):
    title = forms.CharField(label="版本名称", max_length=100, error_messages={"required": "请填写版本名称。"},
                            help_text="如“2026年版”")
    file = forms.FileField(label="清单文件（.xlsx）", error_messages={"required": "请选择要导入的文件。"},
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > spreadsheet.MAX_FILE_BYTES:
            raise forms.ValidationError(f"文件超过{spreadsheet.MAX_FILE_BYTES // (1024 * 1024)}MB的大小上限。")
        return upload


class VersionForm(forms.Form):
    title = forms.CharField(label="版本名称", max_length=100, error_messages={"required": "请填写版本名称。"})
    effective_on = forms.DateField(label="施行日期", required=False, widget=DATE,
                                   error_messages={"invalid": "施行日期格式不正确。"})
    adopted_by = forms.CharField(label="印发文件", max_length=200, required=False,
                                 help_text="如「青政发〔2025〕3号」")
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class PublishForm(forms.Form):
    effective_on = forms.DateField(label="施行日期", widget=DATE,
                                   error_messages={"required": "请填写施行日期。", "invalid": "施行日期格式不正确。"})
    adopted_by = forms.CharField(label="印发文件", max_length=200, required=False,
                                 help_text="如「青政发〔2025〕3号」")
    reason = forms.CharField(label="发布说明", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "请填写发布说明（如依据的文件、审定的会议）。"})


class ItemForm(forms.Form):
    kind = forms.ChoiceField(label="权力类型", choices=[("", "请选择")] + list(kinds.ItemKind.choices),
                             error_messages={"required": "请选择权力类型。"})
    code = forms.CharField(label="事项编码", max_length=spreadsheet.CODE_MAX, required=False,
                           help_text="可选；用于在各版本间识别同一事项")
    name = forms.CharField(label="事项名称", max_length=spreadsheet.NAME_MAX,
                           error_messages={"required": "请填写事项名称。"})
    sub_items = forms.CharField(label="子项", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                help_text="每行一个子项")
    basis = forms.CharField(label="设定依据", widget=forms.Textarea(attrs={"rows": 4}),
                            error_messages={"required": "请填写设定依据。"})
    department_name = forms.CharField(label="实施主体/承办机构", max_length=spreadsheet.DEPARTMENT_MAX,
                                      required=False)
    level = forms.CharField(label="行使层级", max_length=40, required=False, help_text="如“市级、县级”")
    duties = forms.CharField(label="责任事项", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    remarks = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RemoveForm(forms.Form):
    reason = forms.CharField(label="删除原因", max_length=500, required=False)


class CompareForm(forms.Form):
    old = forms.TypedChoiceField(label="原版本", coerce=int)
    new = forms.TypedChoiceField(label="新版本", coerce=int)

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(v.pk, f"{v.title}（{v.get_status_display()}）") for v in versions]
        self.fields["old"].choices = choices
        self.fields["new"].choices = choices


class SearchForm(forms.Form):
    q = forms.CharField(label="关键词", max_length=100, required=False,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": "事项名称或设定依据"}))
    kind = forms.ChoiceField(label="权力类型", required=False,
                             choices=[("", "全部类型")] + list(kinds.ItemKind.choices))
    department = forms.ChoiceField(label="实施主体", required=False)

    def __init__(self, *args, departments: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", "全部")] + [(d, d) for d in departments]
