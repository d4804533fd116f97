"""The forms of the channels pages: an account, one month's grid, an import, the
agency's interval, and the agency and period choosers of the GET pages."""

from __future__ import annotations

import datetime as dt

from django import forms

from gongkai.channels import rules
from gongkai.channels.models import Account, Platform
from gongkai.channels.services import AccountData, FigureInput
from gongkai.core import clock

DATE = {"type": "date"}


class AccountForm(forms.Form):
    platform = forms.ChoiceField(label="平台", choices=[("", "请选择")] + Platform.choices,
                                 error_messages={"required": "请选择平台。"})
    name = forms.CharField(label="账号名称", max_length=100, error_messages={"required": "请填写账号名称。"})
    handle = forms.CharField(label="账号ID", max_length=100, error_messages={"required": "请填写账号ID。"},
                             help_text="平台上的账号标识，如微信号、微博ID；导入数据时按此匹配账号。")
    url = forms.URLField(label="链接", max_length=500, required=False, assume_scheme="https",
                         error_messages={"invalid": "链接格式不正确，应以http://或https://开头。"})
    department = forms.ModelChoiceField(label="主管科室", queryset=None, required=False, empty_label="（未指定）")
    opened_on = forms.DateField(label="开设日期", required=False, widget=forms.DateInput(attrs=DATE),
                                error_messages={"invalid": "开设日期格式不正确。"})
    last_post_on = forms.DateField(label="最近更新日期", required=False, widget=forms.DateInput(attrs=DATE),
                                   error_messages={"invalid": "最近更新日期格式不正确。"},
                                   help_text="账号最近一次发布信息的日期，用于判断是否两周未更新。")
    has_interaction = forms.BooleanField(label="具备互动功能（留言、评论或私信）", required=False, initial=True)
    is_active = forms.BooleanField(label="在运营（已关停或注销的请取消勾选）", required=False, initial=True)

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = agency.departments.filter(is_active=True).order_by("sort_order", "name")

    @classmethod
    def initial_for(cls, account: Account) -> dict:
        return {"platform": account.platform, "name": account.name, "handle": account.handle,
                "url": account.url, "department": account.department, "opened_on": account.opened_on,
                "last_post_on": account.last_post_on, "has_interaction": account.has_interaction,
                "is_active": account.is_active}

    def clean_last_post_on(self):
        day = self.cleaned_data["last_post_on"]
        if day and day > clock.today():
            raise forms.ValidationError("最近更新日期不能晚于今天。")
        return day

    def data_object(self) -> AccountData:
        d = self.cleaned_data
        return AccountData(platform=d["platform"], name=d["name"], handle=d["handle"], url=d["url"],
                           department=d["department"], opened_on=d["opened_on"], is_active=d["is_active"],
                           has_interaction=d["has_interaction"], last_post_on=d["last_post_on"])


COUNT = {"min_value": 0, "required": False,
         "widget": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"})}
COUNT_ERRORS = {"invalid": "请填写整数。", "min_value": "不能为负数。", "max_value": "数值过大，请核对。"}


class GridForm(forms.Form):
    """One month: for each account, posts, month-end followers, reads, latest post date."""

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = []
        for account, figure in lines:
            names = {}
            for attr, label in (("posts", "发布信息数"), ("followers", "月末关注用户数"), ("reads", "阅读量")):
                name = f"{attr}_{account.pk}"
                self.fields[name] = forms.IntegerField(
                    label=f"{account.name} {label}", error_messages=COUNT_ERRORS,
                    max_value=rules.FIGURE_LIMITS[attr], **COUNT,
                    initial=getattr(figure, attr) if figure else None)
                names[attr] = name
            name = f"last_{account.pk}"
            self.fields[name] = forms.DateField(
                label=f"{account.name} 最近更新日期", required=False, widget=forms.DateInput(attrs=DATE),
                initial=account.last_post_on, error_messages={"invalid": "日期格式不正确。"})
            names["last"] = name
            self.lines.append((account, figure, names))

    def rows(self):
        """The lines as the grid shows them: the account, its figure and bound fields."""
        return [{"account": a, "figure": f,
                 "fields": [self[names[k]] for k in ("posts", "followers", "reads", "last")]}
                for a, f, names in self.lines]

    def inputs(self) -> list[FigureInput]:
        d = self.cleaned_data
        return [FigureInput(account_id=a.pk, posts=d[n["posts"]], followers=d[n["followers"]],
                            reads=d[n["reads"]], last_post_on=d[n["last"]])
                for a, _, n in self.lines]


class ImportForm(forms.Form):
    file = forms.FileField(label="数据文件（XLSX或CSV）",
                           error_messages={"required": "请选择要导入的文件。", "empty": "文件是空的。"})


class SettingsForm(forms.Form):
    stale_after_days = forms.IntegerField(
        label="超过多少天未更新视为未更新", min_value=rules.NOT_UPDATED_LEAST_DAYS,
        max_value=rules.NOT_UPDATED_MOST_DAYS,
        error_messages={"required": "请填写天数。", "invalid": "请填写整数。",
                        "min_value": f"天数不能少于{rules.NOT_UPDATED_LEAST_DAYS}。",
                        "max_value": f"天数不能多于{rules.NOT_UPDATED_MOST_DAYS}（国办秘函〔2019〕19号：2周）。"},
        help_text="国办秘函〔2019〕19号：检查前2周内无更新的账号为不合格；部分地方要求10天。",
    )


class AgencyFilterForm(forms.Form):
    agency = forms.ModelChoiceField(label="机关", queryset=None, required=False, empty_label="请选择")

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies


def parse_month(raw: str) -> dt.date | None:
    """``?month=2025-03`` → the first of that month (None when absent or malformed)."""
    try:
        year, month = (int(p) for p in (raw or "").split("-"))
        return dt.date(year, month, 1) if 2000 <= year <= 2100 and 1 <= month <= 12 else None
    except ValueError:
        return None


def parse_year(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else None
