"""The forms of plans, tasks and draws. They check the input's shape; the services check
the rules. Every error is in Chinese."""

from __future__ import annotations

from django import forms

from gongkai.core.models import Agency, Department
from gongkai.core.widgets import DateInput
from gongkai.random_inspections import public_values
from gongkai.random_inspections.models import MIN_INSPECTORS_PER_TARGET, InspectionMatter, SeedMode
from gongkai.random_inspections.selectors import tasks as selectors


def _date(label: str) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(),
                           error_messages={"required": f"请填写{label}。", "invalid": f"{label}格式不正确。"})


class PlanForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2015, max_value=2100,
                              error_messages={"required": "请填写年度。", "invalid": "年度应为数字。",
                                              "min_value": "年度不能早于2015年。", "max_value": "年度不正确。"})
    title = forms.CharField(label="计划名称", max_length=200, error_messages={"required": "请填写计划名称。"},
                            help_text="如“2026年度双随机抽查工作计划”")
    note = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class PlanEditForm(forms.Form):
    title = forms.CharField(label="计划名称", max_length=200, error_messages={"required": "请填写计划名称。"})
    note = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class PlanPublishForm(forms.Form):
    confirm = forms.BooleanField(label="确认公布（公布后计划及其已公布抽取条件的任务在门户网站公开）",
                                 error_messages={"required": "请勾选确认公布。"})


class TaskForm(forms.Form):
    """A task's fields. The filter offers the distinct values of the agency's directory;
    the weights one field per risk grade in it."""

    number = forms.CharField(label="任务编号", max_length=40, error_messages={"required": "请填写任务编号。"},
                             help_text="如“003”；与机关代码、年度组成公开的抽取标识")
    title = forms.CharField(label="任务名称", max_length=200, error_messages={"required": "请填写任务名称。"})
    matters = forms.ModelMultipleChoiceField(
        label="抽查事项", queryset=InspectionMatter.objects.none(), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请选择至少一项抽查事项。",
                        "invalid_choice": "抽查事项应从本机关现行公布的清单中选择。"})
    departments = forms.ModelMultipleChoiceField(
        label="参与部门", queryset=Department.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text="选择参与部门时，只从这些部门的执法人员中抽取；两个以上部门为联合抽查",
        error_messages={"invalid_choice": "请选择本机关的部门。"})
    partner_agencies = forms.ModelMultipleChoiceField(
        label="联合抽查的其他机关", queryset=Agency.objects.none(), required=False,
        help_text="其执法人员一并参与抽取", error_messages={"invalid_choice": "请选择其他机关。"})
    kind = forms.MultipleChoiceField(label="主体类型", required=False, widget=forms.CheckboxSelectMultiple,
                                     help_text="不选为不限", error_messages={"invalid_choice": "请选择名录中的主体类型。"})
    industry = forms.MultipleChoiceField(label="行业", required=False, widget=forms.CheckboxSelectMultiple,
                                         help_text="不选为不限", error_messages={"invalid_choice": "请选择名录中的行业。"})
    region = forms.MultipleChoiceField(label="区域", required=False, widget=forms.CheckboxSelectMultiple,
                                       help_text="不选为不限", error_messages={"invalid_choice": "请选择名录中的区域。"})
    risk_grade = forms.MultipleChoiceField(label="风险等级", required=False, widget=forms.CheckboxSelectMultiple,
                                           help_text="不选为不限",
                                           error_messages={"invalid_choice": "请选择名录中的风险等级。"})
    sample_ratio = forms.DecimalField(
        label="抽查比例（%）", required=False, max_digits=6, decimal_places=3,
        help_text="大于0且不超过100；与抽查户数二者填一",
        error_messages={"invalid": "抽查比例应为数字。", "max_digits": "抽查比例不正确。",
                        "max_decimal_places": "抽查比例最多保留三位小数。"})
    sample_count = forms.IntegerField(label="抽查户数", required=False, min_value=1,
                                      error_messages={"invalid": "抽查户数应为整数。", "min_value": "抽查户数应至少为1户。"})
    inspectors_per_target = forms.IntegerField(
        label="每户执法人员数", min_value=MIN_INSPECTORS_PER_TARGET, max_value=20, initial=MIN_INSPECTORS_PER_TARGET,
        error_messages={"required": "请填写每户执法人员数。", "invalid": "每户执法人员数应为整数。",
                        "min_value": f"每户执法人员数不得少于{MIN_INSPECTORS_PER_TARGET}名。",
                        "max_value": "每户执法人员数过多。"})
    avoid_same_region = forms.BooleanField(label="回避本区域（不抽取与检查对象同一区域的执法人员）", required=False)
    avoid_same_grid = forms.BooleanField(label="回避本网格（不抽取与检查对象同一网格的执法人员）", required=False)
    avoid_previous = forms.BooleanField(label="不连续抽取同一执法人员（不抽取上一次检查该对象的执法人员）",
                                        required=False, initial=True)
    starts_on = _date("开始日期")
    ends_on = _date("结束日期")

    def __init__(self, *args, agency: Agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matters"].queryset = selectors.published_matters(agency)
        self.fields["departments"].queryset = selectors.departments_of(agency)
        self.fields["partner_agencies"].queryset = selectors.partner_choices(agency)
        choices = selectors.filter_choices(agency)
        for key, _field, _label in selectors.FILTER_FIELDS:
            self.fields[key].choices = [(v, v) for v in choices[key]]
        self.grades = choices["risk_grade"]
        for i, grade in enumerate(self.grades):
            self.fields[f"weight_{i}"] = forms.DecimalField(
                label=f"“{grade}”风险等级的权重", required=False, min_value=0, max_digits=7, decimal_places=3,
                help_text="不填为1；一层的抽取户数与该层户数乘以权重成正比",
                error_messages={"invalid": "权重应为数字。", "min_value": "权重应大于0。"})

    def weight_initial(self, weights: dict) -> dict:
        return {f"weight_{i}": weights[g] for i, g in enumerate(self.grades) if g in weights}

    def clean(self):
        data = super().clean()
        ratio, count = data.get("sample_ratio"), data.get("sample_count")
        if "sample_ratio" not in self.errors and "sample_count" not in self.errors and (ratio is None) == (count is None):
            self.add_error("sample_ratio", "请填写抽查比例或抽查户数（二者选一）。")
        if ratio is not None and not (0 < ratio <= 100):
            self.add_error("sample_ratio", "抽查比例应大于0%且不超过100%。")
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "结束日期不能早于开始日期。")
        return data

    def service_kwargs(self) -> dict:
        """The cleaned data as ``task_create``/``task_update`` take it."""
        data = self.cleaned_data
        weights = {}
        for i, grade in enumerate(self.grades):
            value = data.get(f"weight_{i}")
            if value is not None:
                weights[grade] = value
        return {
            "number": data["number"], "title": data["title"], "matters": list(data["matters"]),
            "departments": list(data["departments"]), "partner_agencies": list(data["partner_agencies"]),
            "target_filter": {key: data[key] for key, _f, _l in selectors.FILTER_FIELDS if data.get(key)},
            "sample_ratio": data.get("sample_ratio"), "sample_count": data.get("sample_count"),
            "risk_weights": weights, "inspectors_per_target": data["inspectors_per_target"],
            "avoid_same_region": data["avoid_same_region"], "avoid_same_grid": data["avoid_same_grid"],
            "avoid_previous": data["avoid_previous"], "starts_on": data["starts_on"], "ends_on": data["ends_on"],
        }


def task_initial(task) -> dict:
    return {
        "number": task.number, "title": task.title,
        "matters": [m.pk for m in task.matters.all()], "departments": [d.pk for d in task.departments.all()],
        "partner_agencies": [a.pk for a in task.partner_agencies.all()],
        **{key: (task.target_filter or {}).get(key, []) for key, _f, _l in selectors.FILTER_FIELDS},
        "sample_ratio": task.sample_ratio, "sample_count": task.sample_count,
        "inspectors_per_target": task.inspectors_per_target, "avoid_same_region": task.avoid_same_region,
        "avoid_same_grid": task.avoid_same_grid, "avoid_previous": task.avoid_previous,
        "starts_on": task.starts_on, "ends_on": task.ends_on,
    }


SEED_HELP = ("承诺随机种子：平台生成保密的随机种子，现在公布其SHA-256承诺值，抽取时公开种子，任何人可核对；"
             "抽取须在承诺值公布一段时间之后进行，以便他人事先保存承诺值和抽取条件。"
             "公开的未来数值：从平台列明的彩票中选择一期在公布抽取条件之后才开奖的开奖号码，"
             "开奖后录入作为随机种子，任何人可向发行机构核对。")


def _margin_hours() -> int:
    return int(public_values.PUBLICATION_MARGIN.total_seconds() // 3600)


class CommitForm(forms.Form):
    """The seed's mode; for a public value its kind, period and publication time (the
    service renders the source from them and checks the time)."""

    seed_mode = forms.ChoiceField(label="随机种子的产生方式", choices=SeedMode.choices, initial=SeedMode.COMMITMENT,
                                  widget=forms.RadioSelect, help_text=SEED_HELP,
                                  error_messages={"required": "请选择随机种子的产生方式。",
                                                  "invalid_choice": "请选择随机种子的产生方式。"})
    public_value_kind = forms.ChoiceField(
        label="公开数值种类", required=False,
        error_messages={"invalid_choice": "请选择平台列明的公开数值种类。"})
    public_value_period = forms.CharField(label="期号", max_length=40, required=False,
                                          help_text="如“2026170”，按发行机构的开奖公告填写")
    public_value_due_at = forms.DateTimeField(
        label="开奖时间", required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"],
        error_messages={"invalid": "开奖时间格式不正确。"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["public_value_kind"].choices = [("", "——"), *public_values.kind_choices()]
        self.fields["public_value_due_at"].help_text = (
            f"该期的开奖时间，须在公布抽取条件之后至少{_margin_hours()}小时；开奖前不能抽取")

    def clean(self):
        data = super().clean()
        if data.get("seed_mode") == SeedMode.PUBLIC_VALUE:
            for name, message in (("public_value_kind", "请选择公开数值种类。"), ("public_value_period", "请填写期号。"),
                                  ("public_value_due_at", "请填写开奖时间。")):
                if name not in self.errors and not data.get(name):
                    self.add_error(name, message)
        return data

def seed_kwargs(data: dict) -> dict:
    """A CommitForm's (or RedrawForm's) cleaned seed fields as ``task_commit`` and
    ``task_redraw`` take them."""
    if data["seed_mode"] != SeedMode.PUBLIC_VALUE:
        return {"seed_mode": data["seed_mode"]}
    return {"seed_mode": data["seed_mode"], "public_value_kind": data["public_value_kind"],
            "public_value_period": data["public_value_period"], "public_value_due_at": data["public_value_due_at"]}


class DrawForm(forms.Form):
    public_value = forms.CharField(label="开奖号码", max_length=100, required=False,
                                   help_text="按发行机构公布的开奖号码录入；平台将其化为规范格式后作为随机种子")


class RedrawForm(CommitForm):
    reason = forms.CharField(label="重新抽取的理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=1000,
                             error_messages={"required": "请填写重新抽取的理由。"},
                             help_text="理由与原抽取结果一并公开")

    field_order = ["reason", "seed_mode", "public_value_kind", "public_value_period", "public_value_due_at"]


class CancelForm(forms.Form):
    reason = forms.CharField(label="取消的理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=1000,
                             error_messages={"required": "请填写取消的理由。"})
