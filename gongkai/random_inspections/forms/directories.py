"""Forms of the two directories: the filters, an import, an inspector, (de)activation and a
declared conflict."""

from __future__ import annotations

from django import forms

from gongkai.random_inspections.importer import MAX_WEB_DIRECTORY_BYTES
from gongkai.random_inspections.models import Inspector

ACTIVE_CHOICES = [("", "全部"), ("1", "在册/在岗"), ("0", "已移出/不在岗")]


class EntityFilterForm(forms.Form):
    q = forms.CharField(label="名称或统一社会信用代码", max_length=100, required=False,
                        widget=forms.TextInput(attrs={"type": "search"}))
    kind = forms.ChoiceField(label="主体类型", required=False)
    industry = forms.ChoiceField(label="行业", required=False)
    region = forms.ChoiceField(label="区域", required=False)
    risk_grade = forms.ChoiceField(label="风险等级", required=False)
    active = forms.ChoiceField(label="状态", required=False, choices=ACTIVE_CHOICES)

    def __init__(self, *args, values: dict[str, list[str]], **kwargs):
        super().__init__(*args, **kwargs)
        for field, options in values.items():
            self.fields[field].choices = [("", "全部")] + [(v, v) for v in options]


class InspectorFilterForm(forms.Form):
    q = forms.CharField(label="姓名、执法证号、部门或专业", max_length=100, required=False,
                        widget=forms.TextInput(attrs={"type": "search"}))
    active = forms.ChoiceField(label="状态", required=False, choices=ACTIVE_CHOICES)


class ImportForm(forms.Form):
    file = forms.FileField(label="名录文件（CSV或XLSX）", error_messages={"required": "请选择要导入的文件。"},
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_WEB_DIRECTORY_BYTES:
            raise forms.ValidationError(
                f"文件超过{MAX_WEB_DIRECTORY_BYTES // (1024 * 1024)}MB，网页导入不了这么大的文件：请分批导入，"
                "或请平台管理员用命令 gongkai inspections import-entities 导入。")
        return upload


def _max(field: str) -> int:
    return Inspector._meta.get_field(field).max_length


class InspectorForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=_max("name"), error_messages={"required": "请填写姓名。"})
    certificate_number = forms.CharField(label="执法证号", max_length=_max("certificate_number"),
                                         error_messages={"required": "请填写执法证号。"})
    department_name = forms.CharField(label="所属部门", max_length=_max("department_name"), required=False,
                                      help_text="与本机关内设机构名称一致时自动关联")
    region = forms.CharField(label="区域", max_length=_max("region"), required=False)
    grid = forms.CharField(label="网格", max_length=_max("grid"), required=False)
    expertise = forms.CharField(label="专业领域", max_length=_max("expertise"), required=False)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    id_number = forms.CharField(label="身份证号码", max_length=30, required=False)


class InspectorEditForm(InspectorForm):
    """The edit form: the phone and ID number inputs start empty (the page shows them
    masked); an empty input leaves them unchanged, the 清除 box removes them."""

    clear_phone = forms.BooleanField(label="清除联系电话", required=False)
    clear_id_number = forms.BooleanField(label="清除身份证号码", required=False)

    field_order = ["name", "certificate_number", "department_name", "region", "grid", "expertise",
                   "phone", "clear_phone", "id_number", "clear_id_number"]

    def __init__(self, *args, masked: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        masked = masked or {}
        for field in ("phone", "id_number"):
            shown = masked.get(field)
            self.fields[field].help_text = (f"当前：{shown}；留空表示不修改，填写则替换" if shown
                                            else "当前未填写；留空表示不填写")
            self.fields[field].widget.attrs["autocomplete"] = "off"

    def clean(self):
        data = super().clean()
        for field, label in (("phone", "联系电话"), ("id_number", "身份证号码")):
            if data.get(f"clear_{field}") and (data.get(field) or "").strip():
                self.add_error(field, f"已勾选清除{label}，请不要同时填写新的{label}。")
        return data

    def service_values(self) -> dict:
        """The cleaned values for ``inspector_update``: None for an unchanged phone or ID
        number, "" for a cleared one."""
        data = dict(self.cleaned_data)
        for field in ("phone", "id_number"):
            clear = data.pop(f"clear_{field}", False)
            typed = (data.get(field) or "").strip()
            data[field] = "" if clear else (typed or None)
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=500, error_messages={"required": "请填写理由。"})


class ConflictForm(forms.Form):
    credit_code = forms.CharField(label="检查对象统一社会信用代码", max_length=30,
                                  error_messages={"required": "请填写统一社会信用代码。"})
    reason = forms.CharField(label="回避事由", max_length=200, error_messages={"required": "请填写回避事由。"},
                             help_text="如“近亲属任该企业高级管理人员”")
