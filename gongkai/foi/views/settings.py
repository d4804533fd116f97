"""The disclosure office's settings for its agency: how requests are handled where the
rules leave a choice, and the agency's own reply letters (答复告知书, Art. 36), each
edited with the placeholders it may use and checked against what its reply type must
say. Office of the active membership's agency only; every other role gets 403 before its
input is read."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gongkai.core import clock
from gongkai.core.errors import DomainError
from gongkai.core.models import Agency, Role
from gongkai.core.views.base import staff_required
from gongkai.foi.letters import (
    PLACEHOLDERS,
    numbering,
    render_reply_text,
    required_placeholders,
    template_for,
    validate_template_body,
)
from gongkai.foi.models import AgencyFoiSettings, FoiRequest, Reply, ReplyTemplate
from gongkai.foi.models.signoff import SignoffStep
from gongkai.foi.outcomes import REPLY_RULES, ReplyType
from gongkai.foi.services import templates as svc
from gongkai.foi.services.replies import default_remedy

# --- reads ----------------------------------------------------------------------------------
# The agency is the active membership's own, checked before these run.

def _settings_of(agency: Agency) -> AgencyFoiSettings:
    """The agency's settings; the defaults (unsaved) while it has never changed them."""
    return AgencyFoiSettings.objects.filter(agency=agency).first() or AgencyFoiSettings(agency=agency)


def _template_sources(agency: Agency) -> tuple[set[str], set[str]]:
    """Reply types with the agency's own template, and with a platform default row."""
    rows = ReplyTemplate.objects.filter(Q(agency__isnull=True) | Q(agency=agency))
    own, platform = set(), set()
    for agency_id, reply_type in rows.values_list("agency_id", "reply_type"):
        (own if agency_id == agency.pk else platform).add(reply_type)
    return own, platform


def _own_template(agency: Agency, reply_type: ReplyType) -> ReplyTemplate | None:
    return ReplyTemplate.objects.filter(agency=agency, reply_type=reply_type).first()


# --- forms ----------------------------------------------------------------------------------

_WINDOW_MIN, _WINDOW_MAX = svc.DUPLICATE_WINDOW_DAYS


class FoiSettingsForm(forms.ModelForm):
    duplicate_window_days = forms.IntegerField(
        label="重复申请比对期间（天）", min_value=_WINDOW_MIN, max_value=_WINDOW_MAX,
        help_text=f"同一申请人在此期间内内容相似的申请将被标记为可能重复（{_WINDOW_MIN}至{_WINDOW_MAX}天）",
    )

    letter_number_pattern = forms.CharField(
        label="告知文书文号格式", max_length=numbering.MAX_LENGTH, required=False,
        help_text="{year} 为年度，{n} 为本机关当年顺序号（连续编号，不留空号），"
                  f"如“青市监公开〔{{year}}〕{{n}}号”；留空则使用“{numbering.DEFAULT_PATTERN}”",
    )

    signoff_steps = forms.MultipleChoiceField(
        label="签发流程", required=False, widget=forms.CheckboxSelectMultiple,
        choices=SignoffStep.choices,
        help_text="答复告知书和各类告知书出具前依次经过所选环节；都不选则由办公室直接出具。",
    )

    class Meta:
        model = AgencyFoiSettings
        fields = list(svc.SETTINGS_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance and not self.is_bound:
            self.initial["signoff_steps"] = list(self.instance.signoff_steps or [])

    def clean_letter_number_pattern(self):
        pattern = self.cleaned_data.get("letter_number_pattern", "").strip() or numbering.DEFAULT_PATTERN
        for problem in numbering.pattern_problems(pattern):
            self.add_error("letter_number_pattern", problem)
        return pattern


class ReplyTemplateForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    body = forms.CharField(
        label="正文", max_length=20000, strip=True, widget=forms.Textarea(attrs={"rows": 16, "cols": 80}),
        help_text="每行一段；占位符写在花括号中，如 {applicant}。某行的占位符都为空时（如予以公开时的救济途径），该行不出现在告知书中。",
    )

    def __init__(self, *args, reply_type: ReplyType, **kwargs):
        super().__init__(*args, **kwargs)
        self.reply_type = reply_type

    def clean(self):
        data = super().clean()
        if "body" in data:
            for problem in validate_template_body(self.reply_type, data["body"]):
                self.add_error("body", problem)
        if "title" in data:
            for problem in svc.title_problems(self.reply_type, data["title"]):
                self.add_error("title", problem)
        return data


# --- helpers --------------------------------------------------------------------------------

def _office_agency(request) -> Agency:
    """The active membership's agency, if that membership is its disclosure office."""
    membership = request.membership
    if not membership or membership.role != Role.OFFICE:
        raise PermissionDenied("只有公开办工作人员可以修改本机关的办理设置和答复告知书模板。")
    return membership.agency


def _reply_type(value: str) -> ReplyType:
    if value not in ReplyType.values:
        raise Http404("没有这种答复类型。")
    return ReplyType(value)


def _sample_request(agency: Agency) -> FoiRequest:
    """A request that exists only on this page, to show what the letters will say."""
    today = clock.today()
    return FoiRequest(agency=agency, name="张三", tracking_number=f"{today.year}-示例-00001",
                      received_on=today, submitted_at=clock.now(),
                      description="（申请人对所需信息的描述）")


def _preview(agency: Agency, reply_type: ReplyType) -> tuple[str, list[str]]:
    """The letter this agency would send now for this reply type, filled with sample
    values. Rendered from the saved text: an unsaved edit is not previewed."""
    rule = REPLY_RULES[reply_type]
    sample = _sample_request(agency)
    reply = Reply(
        request=sample, reply_type=reply_type, replied_on=sample.received_on,
        content="（答复内容）",
        legal_basis="（不予公开的理由和法律依据）" if rule.needs_ground else "",
        responsible_agency="（负责公开该信息的机关）" if rule.names_agency else "",
        responsible_agency_contact="（该机关的联系方式）" if rule.names_agency else "",
        remedy=default_remedy(sample) if rule.refusal else "",
    )
    return render_reply_text(reply)


def _render_edit(request, agency: Agency, reply_type: ReplyType, *, form=None, error: str = "",
                 status: int = 200):
    own = _own_template(agency, reply_type)
    if form is None:
        title, body = (own.title, own.body) if own else template_for(agency, reply_type)
        form = ReplyTemplateForm(reply_type=reply_type, initial={"title": title, "body": body})
    required = dict(required_placeholders(reply_type))
    placeholders = [{"name": name, "label": label, "required": name in required,
                     "why": required.get(name, "")} for name, label in PLACEHOLDERS.items()]
    preview_title, preview_paragraphs = _preview(agency, reply_type)
    return render(request, "foi/staff/template_edit.html", {
        "agency": agency, "reply_type": reply_type, "own": own, "form": form, "error": error,
        "placeholders": placeholders, "preview_title": preview_title,
        "preview_paragraphs": preview_paragraphs,
    }, status=status)


# --- views ----------------------------------------------------------------------------------

@staff_required
def foi_settings(request):
    """The agency's settings (saved on POST) and which reply letters are its own."""
    agency = _office_agency(request)
    form = FoiSettingsForm(request.POST or None, instance=_settings_of(agency))
    error = ""
    if request.method == "POST":
        if form.is_valid():
            try:
                svc.foi_settings_save(actor=request.user, agency=agency, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "办理设置已保存。")
                return redirect("staff:foi-settings")
        error = next(iter(form.non_field_errors()), "") or "请检查填写的内容。"
    own, platform = _template_sources(agency)
    templates = [{
        "reply_type": rt, "own": rt.value in own, "platform": rt.value in platform,
        "refusal": REPLY_RULES[rt].refusal,
    } for rt in ReplyType]
    return render(request, "foi/staff/settings.html", {
        "agency": agency, "form": form, "error": error, "templates": templates,
        "remedy": default_remedy(_sample_request(agency)),
        "number_example": numbering.format_number(
            _settings_of(agency).letter_number_pattern or numbering.DEFAULT_PATTERN, clock.today().year, 1),
    }, status=400 if request.method == "POST" else 200)


@staff_required
def template_edit(request, reply_type: str):
    """Edit the agency's own letter for one reply type; refused (400) with the Chinese
    reasons when it lacks what the type must say or names an unknown placeholder."""
    agency = _office_agency(request)
    reply_type = _reply_type(reply_type)
    if request.method != "POST":
        return _render_edit(request, agency, reply_type)
    form = ReplyTemplateForm(request.POST, reply_type=reply_type)
    if form.is_valid():
        try:
            svc.reply_template_save(actor=request.user, agency=agency, reply_type=reply_type,
                                    title=form.cleaned_data["title"], body=form.cleaned_data["body"])
        except svc.TemplateInvalid as exc:
            for problem in exc.problems:
                form.add_error(None, problem)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"“{reply_type.label}”的答复告知书模板已保存。")
            return redirect("staff:foi-template-edit", reply_type=reply_type.value)
    return _render_edit(request, agency, reply_type, form=form, status=400,
                        error="模板未保存：请按下列提示修改。")


@staff_required
@require_POST
def template_reset(request, reply_type: str):
    """Remove the agency's own letter: replies of this type use the default again."""
    agency = _office_agency(request)
    reply_type = _reply_type(reply_type)
    try:
        svc.reply_template_reset(actor=request.user, agency=agency, reply_type=reply_type)
    except DomainError as exc:
        return _render_edit(request, agency, reply_type, error=exc.message, status=400)
    messages.success(request, f"“{reply_type.label}”已恢复使用默认模板。")
    return redirect("staff:foi-template-edit", reply_type=reply_type.value)
