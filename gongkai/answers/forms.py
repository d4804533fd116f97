"""The question box (query string) and the back office's FAQ form."""

from __future__ import annotations

from django import forms

from gongkai.answers.engine.analysis import MAX_QUESTION
from gongkai.answers.models import Faq
from gongkai.core import selectors as core_selectors

AGENCY_ERROR = "没有该机关，已在全平台范围内解答。"


class QuestionForm(forms.Form):
    """``?q=`` and ``?agency=CODE``: a question longer than the box allows is cut, an
    unknown agency is reported and the question answered platform-wide."""

    q = forms.CharField(required=False, strip=True)
    agency = forms.CharField(required=False, strip=True)

    def question(self) -> str:
        self.is_valid()
        return (self.cleaned_data.get("q") or "")[:MAX_QUESTION]

    def agency_obj(self):
        self.is_valid()
        code = self.cleaned_data.get("agency") or ""
        if not code:
            return None
        return core_selectors.agencies_public().filter(code=code).first()

    def agency_error(self) -> str:
        self.is_valid()
        return AGENCY_ERROR if (self.cleaned_data.get("agency") and self.agency_obj() is None) else ""


class FaqForm(forms.ModelForm):
    class Meta:
        model = Faq
        fields = ["question", "answer", "keywords", "for_subtree"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 8}),
                   "keywords": forms.TextInput(attrs={"size": 60})}
        error_messages = {"question": {"required": "请填写问题。", "max_length": "问题最多200个字。"},
                          "answer": {"required": "请填写答案。"}}


class FaqCreateForm(FaqForm):
    agency = forms.ModelChoiceField(label="机关", queryset=None, empty_label=None,
                                    error_messages={"invalid_choice": "请选择您所在的机关。"})

    class Meta(FaqForm.Meta):
        fields = ["agency", *FaqForm.Meta.fields]

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=1000,
                             error_messages={"required": "请填写理由。"})


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label="审核意见（选填）", required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class EmptyForm(forms.Form):
    pass
