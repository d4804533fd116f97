"""Back-office forms for proactive disclosure. They check the input's shape; the services
check the rules (state, who may act, reasons required, dates), so a refused step shows the
service's own Chinese message."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from gongkai.core import clock
from gongkai.core.widgets import DateInput, DateTimeLocalInput, MultipleFileField
from gongkai.publishing import rules
from gongkai.publishing.models import (
    Column,
    ColumnKind,
    DisclosureAttribute,
    Publication,
    ReleaseChannel,
    ReviewConclusion,
    Topic,
    Validity,
)

ATTACHMENT_HELP = "PDF、DOCX、XLSX、JPG、PNG，按文件内容识别类型，每个不超过20MB；附件文字将与正文一并进行泄密筛查"






def reason_field(
    label: str, *, required: bool = True, rows: int = 2, help_text: str = ""
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=2000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


YES_NO = [("no", "否"), ("yes", "是")]


def yes_no_field(label: str) -> forms.TypedChoiceField:
    """A question the reviewer must answer explicitly (no pre-ticked default)."""
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "请回答此项。"},
    )


# --- the catalogue tree ----------------------------------------------------------------------


def column_tree(columns) -> list[tuple[Column, int]]:
    """Columns in tree order (parents before their children, each level by sort order),
    with their depth. Columns whose parent is not in ``columns`` are shown as roots."""
    columns = list(columns)
    present = {c.pk for c in columns}
    children: dict[int | None, list[Column]] = {}
    for c in columns:
        children.setdefault(c.parent_id if c.parent_id in present else None, []).append(c)
    for group in children.values():
        group.sort(key=lambda c: (c.sort_order, c.pk))
    ordered: list[tuple[Column, int]] = []

    def walk(parent_id, depth):
        for c in children.get(parent_id, []):
            ordered.append((c, depth))
            walk(c.pk, depth + 1)

    walk(None, 0)
    return ordered


def indented(name: str, depth: int) -> str:
    # U+3000 is not collapsed by HTML, so the indentation survives in a label.
    return "\u3000" * (2 * depth) + name


# --- drafting ----------------------------------------------------------------------------------


class PublicationForm(forms.Form):
    """The catalogue fields of an item (the public metadata table), its body and columns.

    ``departments`` is None when the department is fixed (an officer drafts for their own
    department); ``columns`` are the agency's columns offered as checkboxes."""

    title = forms.CharField(label="标题", max_length=300)
    issuing_agency = forms.CharField(label="发布机构", max_length=200)
    department = forms.ModelChoiceField(
        label="起草科室", queryset=None, required=False, empty_label="（本机关）"
    )
    doc_number = forms.CharField(
        label="文号",
        max_length=100,
        required=False,
        help_text="如 某市监发〔2025〕12号；无文号的留空",
    )
    written_on = forms.DateField(
        label="成文日期",
        widget=DateInput(),
        help_text=f"自成文之日起{rules.PUBLICATION_LIMIT_DAYS}个工作日内应予公开（第二十六条）",
    )
    topic = forms.ModelChoiceField(
        label="主题分类", queryset=Topic.objects.all(), required=False, empty_label="请选择"
    )
    disclosure_attribute = forms.ChoiceField(
        label="公开属性",
        choices=DisclosureAttribute.choices,
        widget=forms.RadioSelect,
        initial=DisclosureAttribute.PROACTIVE,
    )
    non_disclosure_reason = reason_field(
        "不主动公开的理由",
        required=False,
        help_text="公开属性为依申请公开或不予公开的，必须说明理由和依据",
    )
    validity = forms.ChoiceField(label="有效性", choices=Validity.choices, initial=Validity.VALID)
    body = forms.CharField(
        label="正文",
        required=False,
        max_length=2_000_000,
        # data-rich-text: publishing/editor.js puts the editor over it; without scripts
        # the textarea takes HTML as before.
        widget=forms.Textarea(attrs={"rows": 16, "data-rich-text": "1"}),
        help_text="可使用段落、标题、列表、表格、链接等格式（未启用编辑器时可直接填写HTML）；"
        "脚本和样式会被清除",
    )
    keywords = forms.CharField(
        label="关键词", max_length=200, required=False, help_text="多个关键词用空格或逗号分隔"
    )
    columns = forms.TypedMultipleChoiceField(
        label="所属栏目", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    attachments = MultipleFileField(label="上传附件", required=False, help_text=ATTACHMENT_HELP)

    def __init__(self, *args, departments, columns, **kwargs):
        super().__init__(*args, **kwargs)
        if departments is None:
            del self.fields["department"]
        else:
            self.fields["department"].queryset = departments
            self.fields["department"].label_from_instance = lambda d: d.name
        self._columns = {c.pk: c for c in columns}
        self.fields["columns"].choices = [
            (c.pk, indented(c.name if c.is_active else f"{c.name}（已停用）", depth))
            for c, depth in column_tree(columns)
        ]

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise ValidationError("请填写标题。")
        return title

    def clean_columns(self):
        return [self._columns[pk] for pk in self.cleaned_data["columns"]]

    def catalogue_fields(self) -> dict:
        """The cleaned values the services take as catalogue fields."""
        data = dict(self.cleaned_data)
        data.pop("columns")
        data.pop("attachments")
        for key in ("doc_number", "keywords", "non_disclosure_reason"):
            data[key] = data[key].strip()
        return data

    @classmethod
    def initial_for(cls, publication: Publication) -> dict:
        return {
            "title": publication.title,
            "issuing_agency": publication.issuing_agency,
            "department": publication.department_id,
            "doc_number": publication.doc_number,
            "written_on": publication.written_on,
            "topic": publication.topic_id,
            "disclosure_attribute": publication.disclosure_attribute,
            "non_disclosure_reason": publication.non_disclosure_reason,
            "validity": publication.validity,
            "body": publication.body,
            "keywords": publication.keywords,
            "columns": [c.pk for c in publication.columns.all()],
        }


class AttachmentRenameForm(forms.Form):
    display_name = forms.CharField(label="附件名称", max_length=200)


class AttachmentRemoveForm(forms.Form):
    reason = forms.CharField(label="删除理由（选填）", required=False, max_length=500)


# --- the workflow's steps --------------------------------------------------------------------


class ConfirmForm(forms.Form):
    """A step with nothing to fill in (submit, screen, publish, revise)."""


class ReviewForm(forms.Form):
    """The secrecy review form (保密审查, Art. 14–17): every question answered, then the
    conclusion and the opinion."""

    involves_state_secrets = yes_no_field("是否涉及国家秘密")
    involves_privacy_or_trade_secrets = yes_no_field("是否涉及个人隐私或商业秘密")
    endangers_security_or_stability = yes_no_field(
        "是否危及国家安全、公共安全、经济安全和社会稳定（“三安全一稳定”）"
    )
    conclusion = forms.ChoiceField(
        label="审查结论", choices=ReviewConclusion.choices, widget=forms.RadioSelect
    )
    opinion = reason_field(
        "审查意见", required=False, rows=3, help_text="结论不是“可以公开”的，必须填写审查意见"
    )


class RedactForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label="对以下类型的内容进行脱敏",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一种需要脱敏的内容类型。"},
    )

    def __init__(self, *args, kinds: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kinds"].choices = kinds
        self.fields["kinds"].initial = [value for value, _ in kinds]


class OverrideForm(forms.Form):
    reason = reason_field("放行理由", help_text="如：系公职人员办公电话，依法应予公开")


class ApproveForm(forms.Form):
    opinion = reason_field("审批意见", required=False)


class ReturnForm(forms.Form):
    reason = reason_field("退回理由")


class ScheduleForm(forms.Form):
    at = forms.DateTimeField(
        label="定时发布时间",
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text="北京时间；到时由系统自动发布",
    )


class WithdrawForm(forms.Form):
    reason = reason_field("撤回理由", help_text="撤回后信息从网站下线，理由记入发布记录")


class ChannelReleaseForm(forms.Form):
    channel = forms.ChoiceField(label="发布渠道", choices=ReleaseChannel.choices)
    released_on = forms.DateField(label="发布日期", widget=DateInput())
    reference = forms.CharField(label="链接或说明", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"released_on": clock.today()})
        super().__init__(*args, **kwargs)


# --- the list's filters --------------------------------------------------------------------


class PublicationFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", required=False)
    column = forms.TypedChoiceField(label="栏目", required=False, coerce=int, empty_value=None)
    department = forms.ModelChoiceField(
        label="起草科室", queryset=None, required=False, empty_label="全部"
    )
    year = forms.IntegerField(
        label="年份",
        required=False,
        min_value=2000,
        max_value=2100,
        help_text="已发布的按发布日期，未发布的按成文日期",
    )
    q = forms.CharField(label="标题或文号", required=False, max_length=100)
    # Set by the desk's links: one agency of a person with roles in several.
    agency = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, departments, columns, **kwargs):
        from gongkai.publishing.models import PublicationStatus

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "全部"), *PublicationStatus.choices]
        self.fields["department"].queryset = departments
        self.fields["department"].label_from_instance = lambda d: d.name
        self.fields["column"].choices = [("", "全部")] + [
            (c.pk, indented(c.name, depth)) for c, depth in column_tree(columns)
        ]


# --- the catalogue -----------------------------------------------------------------------------


class ColumnCreateForm(forms.Form):
    name = forms.CharField(label="栏目名称", max_length=100)
    kind = forms.ChoiceField(
        label="栏目类型",
        choices=ColumnKind.choices,
        help_text="决定更新频率要求：动态类2周、通知公告/政策文件类6个月、人事/规划类1年",
    )
    parent = forms.TypedChoiceField(label="上级栏目", required=False, coerce=int, empty_value=None)
    sort_order = forms.IntegerField(label="排序", min_value=0, max_value=10000, initial=0)

    def __init__(self, *args, columns, **kwargs):
        super().__init__(*args, **kwargs)
        self._columns = {c.pk: c for c in columns}
        self.fields["parent"].choices = [("", "（顶级栏目）")] + [
            (c.pk, indented(c.name, depth)) for c, depth in column_tree(columns)
        ]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError("请填写栏目名称。")
        return name

    def clean_parent(self):
        pk = self.cleaned_data["parent"]
        return None if pk is None else self._columns[pk]


class ColumnUpdateForm(forms.Form):
    name = forms.CharField(label="栏目名称", max_length=100)
    kind = forms.ChoiceField(label="栏目类型", choices=ColumnKind.choices)
    sort_order = forms.IntegerField(label="排序", min_value=0, max_value=10000)
    is_active = forms.BooleanField(
        label="启用", required=False, help_text="停用后不再供新信息选择，已有信息仍保留在该栏目"
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError("请填写栏目名称。")
        return name


def schedule_default() -> dt.datetime:
    """Tomorrow 09:00 local time, the usual slot."""
    return timezone.localtime(clock.now()).replace(
        hour=9, minute=0, second=0, microsecond=0
    ) + dt.timedelta(days=1)
