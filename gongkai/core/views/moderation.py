"""The back-office page of an agency's moderation words: the platform's default list
(read-only, from ``core/data/moderation_words.toml``), the words the agencies above add,
and the agency's own, which its office maintains."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from gongkai.core import moderation
from gongkai.core import selectors as core_selectors
from gongkai.core.errors import DomainError
from gongkai.core.models import ModerationWord
from gongkai.core.services import moderation as services
from gongkai.core.views.base import staff_required


class WordForm(forms.Form):
    word = forms.CharField(label="词语", max_length=moderation.MAX_WORD_LENGTH * 2)
    note = forms.CharField(label="说明（选填）", max_length=200, required=False)


class TryForm(forms.Form):
    text = forms.CharField(label="试一试：输入一段文字，查看命中的词语", widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=5000, required=False)


def _agency(request):
    if request.GET.get("agency", "").isdigit():
        return core_selectors.agency_get_for_user(user=request.user, pk=int(request.GET["agency"]))
    membership = request.membership
    if membership is None:
        raise Http404("请先选择机关")
    return membership.agency


def _url(agency) -> str:
    return reverse("staff:moderation-words") + f"?agency={agency.pk}"


@staff_required
@require_http_methods(["GET", "POST"])
def moderation_words(request):
    agency = _agency(request)
    can_edit = services.can_edit_words(request.user, agency)
    form, status = WordForm(prefix="add"), 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("只有本机关的政府信息公开工作人员可以维护审核词表。")
        form = WordForm(request.POST, prefix="add")
        if form.is_valid():
            try:
                row = services.moderation_word_add(actor=request.user, agency=agency,
                                                   word=form.cleaned_data["word"],
                                                   note=form.cleaned_data["note"])
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"已添加“{row.word}”。")
                return redirect(_url(agency))
        status = 400
    trial = TryForm(request.GET if "text" in request.GET else None)
    hits = []
    if trial.is_bound and trial.is_valid() and trial.cleaned_data["text"]:
        text = trial.cleaned_data["text"]
        hits = [(h, text[h.start:h.end]) for h in moderation.word_hits(text, agency=agency)]
    own = ModerationWord.objects.filter(agency=agency).select_related("added_by").order_by("word")
    inherited = sorted(moderation.agency_words(agency) - {w.word for w in own})
    return render(request, "staff/moderation_words.html", {
        "agency": agency, "can_edit": can_edit, "form": form, "own": own, "inherited": inherited,
        "groups": moderation.platform_groups(), "trial": trial or TryForm(), "hits": hits,
    }, status=status)


@staff_required
@require_POST
def moderation_word_remove(request, pk: int):
    agency = _agency(request)
    word = ModerationWord.objects.filter(pk=pk, agency=agency).first()
    if word is None:
        raise Http404("词语不存在")
    services.moderation_word_remove(actor=request.user, word=word)
    messages.success(request, f"已删除“{word.word}”。")
    return redirect(_url(agency))
