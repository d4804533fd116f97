"""Forms of the consultations area: the public comment form (and its rate limit), and the
back office's steps."""

from __future__ import annotations

from django import forms

from gongkai.consultations.models import CommentStatus, ConsultationKind, Disposition
from gongkai.core.ratelimit import Rule
from gongkai.foi import forms as foi_forms

# One allowance per client for comments, the request form's, counted apart from requests.
COMMENT_RATE = Rule("consultations.comment", limit=foi_forms.SUBMIT_RATE.limit,
                    window_seconds=foi_forms.SUBMIT_RATE.window_seconds)

_DATE = forms.DateInput(attrs={"type": "date"})


class CommentForm(forms.Form):
    article = forms.TypedChoiceField(label="意见针对", required=False, coerce=int, empty_value=None)
    body = forms.CharField(label="意见内容", widget=forms.Textarea(attrs={"rows": 6}), max_length=5000,
                           error_messages={"required": "请填写意见内容。"})
    name = forms.CharField(label="姓名（选填，不公开全名）", max_length=50, required=False)
    contact = forms.CharField(label="联系方式（选填，不公开）", max_length=100, required=False,
                              help_text="手机号码或电子邮箱，便于我们就您的意见与您联系")

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["article"].choices = list(choices)


class DraftForm(forms.Form):
    kind = forms.ChoiceField(label="草案类别", choices=ConsultationKind.choices)
    title = forms.CharField(label="标题", max_length=200)
    draft_body = forms.CharField(label="草案正文", widget=forms.Textarea(attrs={"rows": 14}),
                                 help_text="每条以“第一条”“第二条”等开头另起一行，公众可对单条提出意见")
    explanation = forms.CharField(label="起草说明", widget=forms.Textarea(attrs={"rows": 6}))
    basis = forms.CharField(label="起草依据", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    opens_on = forms.DateField(label="征求意见开始日期", widget=_DATE)
    closes_on = forms.DateField(label="征求意见截止日期", widget=_DATE)
    short_period_reason = forms.CharField(
        label="期限少于最短期限的理由（如适用）", widget=forms.Textarea(attrs={"rows": 2}),
        required=False, help_text="征求意见期限少于本机关规定的最短期限时必须填写，将向社会公开")


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由/说明", widget=forms.Textarea(attrs={"rows": 2}), required=False,
                             max_length=1000)


class RequiredReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=1000,
                             error_messages={"required": "请填写理由。"})


class AttachmentForm(forms.Form):
    file = forms.FileField(label="附件（PDF、JPG、PNG，不超过20MB）")
    name = forms.CharField(label="附件名称（选填）", max_length=200, required=False)


class OpinionForm(forms.Form):
    summary = forms.CharField(label="归纳的意见", widget=forms.Textarea(attrs={"rows": 3}))
    article = forms.TypedChoiceField(label="针对条款", required=False, coerce=int, empty_value=None)
    disposition = forms.ChoiceField(label="采纳情况", choices=Disposition.choices)
    reason = forms.CharField(label="理由（部分采纳、未采纳时必填）", widget=forms.Textarea(attrs={"rows": 2}),
                             required=False)
    comments = forms.TypedMultipleChoiceField(label="归入的公众意见", coerce=int, required=False,
                                              widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, articles=(), comments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["article"].choices = list(articles)
        self.fields["comments"].choices = list(comments)


class FeedbackForm(forms.Form):
    summary = forms.CharField(label="采纳情况总体说明（选填）", widget=forms.Textarea(attrs={"rows": 4}),
                              required=False)


class FinalDocumentForm(forms.Form):
    document = forms.ModelChoiceField(label="正式文件", queryset=None, required=False,
                                      empty_label="（不关联）")

    def __init__(self, *args, documents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = documents


class SettingsForm(forms.Form):
    kind = forms.ChoiceField(label="草案类别", choices=ConsultationKind.choices)
    minimum_days = forms.IntegerField(label="最短征求意见期限（日）", min_value=1, max_value=365,
                                      required=False)
    feedback_working_days = forms.IntegerField(label="截止后公布采纳情况的期限（工作日）", min_value=1,
                                               max_value=365, required=False)


class StaffFilterForm(forms.Form):
    queue = forms.ChoiceField(label="筛选", required=False)
    comment_status = forms.ChoiceField(required=False, choices=[("", "全部")] + CommentStatus.choices)
