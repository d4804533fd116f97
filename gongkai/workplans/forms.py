"""The forms of the work-plan pages. They check the shape of the input; the services
check the rules. Every error is in Chinese."""

from __future__ import annotations

from django import forms

from gongkai.core.models import Agency, Department
from gongkai.workplans import rules
from gongkai.workplans.models import EvidenceKind
from gongkai.workplans.rules import TaskState

DATE = {"type": "date"}


def _date(label: str, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs=DATE),
                           error_messages={"required": f"请填写{label}。", "invalid": f"{label}格式不正确。"})


class PlanForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2008, max_value=2100,
                              error_messages={"required": "请填写年度。", "invalid": "年度应为数字。",
                                              "min_value": "年度不能早于2008年。", "max_value": "年度不正确。"})
    title = forms.CharField(label="标题", max_length=200, required=False,
                            help_text="留空则为“某年政务公开工作要点”")
    source_url = forms.CharField(label="印发文件链接", max_length=500, required=False)


class PlanEditForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200, error_messages={"required": "请填写标题。"})
    source_url = forms.CharField(label="印发文件链接", max_length=500, required=False)


class TaskForm(forms.Form):
    number = forms.CharField(label="序号", max_length=20, error_messages={"required": "请填写任务序号。"})
    text = forms.CharField(label="任务内容", widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "请填写任务内容。"})
    due_on = _date("完成时限")
    department = forms.ModelChoiceField(label="责任部门", queryset=Department.objects.none(), required=False,
                                        empty_label="（暂不指定）",
                                        error_messages={"invalid_choice": "请选择本机关的部门。"})
    cooperating = forms.ModelMultipleChoiceField(
        label="配合部门", queryset=Department.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple, error_messages={"invalid_choice": "请选择本机关的部门。"})

    def __init__(self, *args, agency: Agency, assignment: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if assignment:  # set for the agencies below: each of them names its departments
            del self.fields["department"], self.fields["cooperating"]
            return
        departments = Department.objects.filter(agency=agency, is_active=True).order_by("sort_order", "name")
        self.fields["department"].queryset = departments
        self.fields["cooperating"].queryset = departments


class NoteForm(forms.Form):
    on = _date("日期", required=False)
    text = forms.CharField(label="进展情况", widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "请填写进展情况。"})


class StateForm(forms.Form):
    state = forms.ChoiceField(label="进展", choices=TaskState.choices,
                              error_messages={"required": "请选择进展。", "invalid_choice": "请选择进展。"})
    note = forms.CharField(label="说明（完成情况或退回理由）", widget=forms.Textarea(attrs={"rows": 2}),
                           required=False)


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=EvidenceKind.choices,
                             error_messages={"required": "请选择类别。", "invalid_choice": "请选择类别。"})
    publication = forms.TypedChoiceField(label="本机关已发布的政府信息", required=False, coerce=int,
                                         empty_value=None,
                                         error_messages={"invalid_choice": "请选择本机关已发布的政府信息。"})
    publication_index = forms.CharField(
        label="或填写索引号", max_length=64, required=False,
        help_text="列表只列出最近发布的信息；更早发布的，请填写其索引号")
    consultation = forms.TypedChoiceField(label="本机关已发布的意见征集", required=False, coerce=int,
                                          empty_value=None,
                                          error_messages={"invalid_choice": "请选择本机关已发布的意见征集。"})
    report_id = forms.IntegerField(label="年度报告编号", required=False, min_value=1,
                                   error_messages={"invalid": "年度报告编号应为数字。"})
    url = forms.CharField(label="网址", max_length=500, required=False)
    label = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, publications=(), consultations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["publication"].choices = [("", "请选择")] + [
            (p.pk, f"{p.index_number} {p.title}") for p in publications]
        self.fields["consultation"].choices = [("", "请选择")] + [(c.pk, c.title) for c in consultations]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        data["publication_index"] = (data.get("publication_index") or "").strip()
        if kind == EvidenceKind.PUBLICATION and not data.get("publication") and not data["publication_index"]:
            self.add_error("publication", "请选择政府信息，或填写其索引号。")
        if kind == EvidenceKind.CONSULTATION and not data.get("consultation"):
            self.add_error("consultation", "请选择意见征集。")
        return data


class EvidenceRemoveForm(forms.Form):
    evidence = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": "请选择佐证材料。"})
    reason = forms.CharField(label="删除理由", max_length=500, error_messages={"required": "请填写删除的理由。"})


class SupervisionForm(forms.Form):
    note = forms.CharField(label="督办意见", widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "请填写督办意见。"})
    reply_by = _date("反馈期限")


class ReplyForm(forms.Form):
    supervision = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": "请选择督办。"})
    reply = forms.CharField(label="办理情况", widget=forms.Textarea(attrs={"rows": 3}),
                            error_messages={"required": "请填写办理情况。"})


class AssignForm(forms.Form):
    from_agency = forms.ModelChoiceField(label="部署机关", queryset=Agency.objects.none(),
                                         error_messages={"required": "请选择部署机关。",
                                                         "invalid_choice": "请选择部署机关。"})
    year = forms.IntegerField(label="年度", min_value=2008, max_value=2100,
                              error_messages={"required": "请填写年度。", "invalid": "年度应为数字。"})
    number = forms.CharField(label="序号", max_length=20, error_messages={"required": "请填写任务序号。"})
    text = forms.CharField(label="任务内容", widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "请填写任务内容。"})
    due_on = _date("完成时限")
    agencies = forms.ModelMultipleChoiceField(
        label="责任单位（下级机关）", queryset=Agency.objects.none(), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请选择至少一个下级机关。", "invalid_choice": "请选择本机关的下级机关。"})

    def __init__(self, *args, from_agencies: list[Agency], subordinates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_agency"].queryset = Agency.objects.filter(pk__in=[a.pk for a in from_agencies])
        self.fields["agencies"].queryset = subordinates
        if len(from_agencies) == 1:
            self.fields["from_agency"].initial = from_agencies[0].pk


class SettingsForm(forms.Form):
    remind_days_before = forms.IntegerField(
        label="到期前提醒天数", min_value=rules.days_before_bounds()[0], max_value=rules.days_before_bounds()[1],
        error_messages={"required": "请填写提醒天数。", "invalid": "提醒天数应为数字。",
                        "min_value": "提醒天数过小。", "max_value": "提醒天数过大。"})
