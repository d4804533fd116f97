"""Forms of the normative-documents register and the statistics page. They check the
shape of the input; the rules (dates, uniqueness, who may) live in
``publishing.services.normative``."""

from __future__ import annotations

from django import forms

from gongkai.core.models import Agency, Department
from gongkai.publishing.models import InterpretationForm, NormativeKind, Publication
from gongkai.publishing.selectors.normative import DocumentStatus, InterpretationState

DATE = forms.DateInput(attrs={"type": "date"})


class _PublicationByIndexNumber(forms.Form):
    """Links an item of the agency by its index number (索引号), which the office has at
    hand; a drop-down of every item would be thousands long."""

    index_number = forms.CharField(
        label="关联政府信息的索引号",
        max_length=64,
        required=False,
        help_text="选填：该文件在本平台公开的政府信息的索引号",
    )

    def __init__(self, *args, agency: Agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency

    def clean_index_number(self) -> Publication | None:
        number = self.cleaned_data["index_number"].strip()
        if not number:
            return None
        publication = Publication.objects.filter(agency=self.agency, index_number=number).first()
        if publication is None:
            raise forms.ValidationError("本机关没有这个索引号的政府信息。")
        return publication


class NormativeDocumentForm(_PublicationByIndexNumber):
    kind = forms.ChoiceField(label="类别", choices=NormativeKind.choices)
    title = forms.CharField(label="名称", max_length=300)
    doc_number = forms.CharField(label="文号", max_length=100, help_text="如：青市监规〔2025〕3号")
    issued_on = forms.DateField(label="发布日期", widget=DATE)
    effective_on = forms.DateField(label="施行日期", required=False, widget=DATE)
    drafting_department = forms.ModelChoiceField(
        label="起草科室", queryset=Department.objects.none(), required=False
    )
    field_order = [
        "kind",
        "title",
        "doc_number",
        "issued_on",
        "effective_on",
        "drafting_department",
        "index_number",
    ]

    def __init__(self, *args, agency: Agency, **kwargs):
        super().__init__(*args, agency=agency, **kwargs)
        self.fields["drafting_department"].queryset = Department.objects.filter(
            agency=agency, is_active=True
        ).order_by("sort_order", "id")


class RepealForm(forms.Form):
    repealed_on = forms.DateField(label="废止/失效日期", widget=DATE)
    reason = forms.CharField(
        label="废止/失效说明", max_length=300, help_text="如：被青市监规〔2025〕8号废止；有效期届满"
    )


class InterpretationAddForm(_PublicationByIndexNumber):
    form = forms.ChoiceField(label="解读形式", choices=InterpretationForm.choices)
    title = forms.CharField(label="解读标题", max_length=300)
    published_on = forms.DateField(label="发布日期", widget=DATE)
    url = forms.URLField(label="链接", required=False, assume_scheme="https")
    field_order = ["form", "title", "published_on", "index_number", "url"]


FLAG_CHOICES = [
    ("", "全部"),
    (InterpretationState.OVERDUE, "解读逾期"),
    (InterpretationState.LATE, "解读迟发"),
    (InterpretationState.PENDING, "待解读"),
]


class NormativeFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="类别", required=False, choices=[("", "全部"), *NormativeKind.choices]
    )
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), *DocumentStatus.CHOICES]
    )
    year = forms.IntegerField(label="发布年份", required=False, min_value=1990, max_value=2999)
    flag = forms.ChoiceField(label="解读情况", required=False, choices=FLAG_CHOICES)
    agency = forms.ModelChoiceField(label="机关", required=False, queryset=Agency.objects.none())

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is None:
            del self.fields["agency"]
        else:
            self.fields["agency"].queryset = agencies


class StatisticsForm(forms.Form):
    year = forms.IntegerField(label="年度", required=False, min_value=1990, max_value=2999)
    agency = forms.ModelChoiceField(label="机关", required=False, queryset=Agency.objects.none())

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is None:
            del self.fields["agency"]
        else:
            self.fields["agency"].queryset = agencies
