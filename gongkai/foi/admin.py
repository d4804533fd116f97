"""Platform administration for requests: the platform's default reply letters (a
template without an agency) and agencies' settings. Changes go through the services, so
the admin writes the same audit entries and refuses the same unlawful letters as the back
office. Nothing holding an applicant's personal data (requests, replies, attachments) is
registered here: the platform administrator runs the platform, not the cases."""

from django import forms
from django.contrib import admin, messages

from gongkai.core.errors import DomainError
from gongkai.foi.letters import PLACEHOLDERS, validate_template_body
from gongkai.foi.letters.numbering import DEFAULT_PATTERN
from gongkai.foi.models import AgencyFoiSettings, ReplyTemplate
from gongkai.foi.services import templates as svc

_PLACEHOLDER_HELP = "可用的占位符：" + "；".join(f"{{{name}}} {label}" for name, label in PLACEHOLDERS.items())


class ReplyTemplateForm(forms.ModelForm):
    class Meta:
        model = ReplyTemplate
        fields = ["agency", "reply_type", "title", "body"]
        help_texts = {
            "agency": "留空为平台默认模板，各机关未设置自己的模板时使用。",
            "body": "每行一段。" + _PLACEHOLDER_HELP,
        }

    def clean(self):
        data = super().clean()
        reply_type = data.get("reply_type") or (self.instance.reply_type if self.instance.pk else None)
        agency = data.get("agency") if "agency" in self.fields else self.instance.agency
        if reply_type and "body" in data:
            for problem in validate_template_body(reply_type, data["body"]):
                self.add_error("body", problem)
        if reply_type and "title" in data:
            for problem in svc.title_problems(reply_type, data["title"]):
                self.add_error("title", problem)
        # The unique constraint cannot catch two platform defaults (NULL agencies differ).
        if (reply_type and agency is None and not self.instance.pk
                and ReplyTemplate.objects.filter(agency__isnull=True, reply_type=reply_type).exists()):
            self.add_error("reply_type", "该答复类型已有平台默认模板，请修改原模板。")
        return data


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    form = ReplyTemplateForm
    list_display = ["reply_type", "agency", "title", "updated_at"]
    list_filter = ["reply_type", ("agency", admin.EmptyFieldListFilter)]
    search_fields = ["title", "agency__name"]
    raw_id_fields = ["agency"]

    def get_readonly_fields(self, request, obj=None):
        # A template is found by (agency, reply_type): changing either is a new template.
        return ["agency", "reply_type"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        try:
            saved = svc.reply_template_save(
                actor=request.user, agency=obj.agency, reply_type=obj.reply_type,
                title=obj.title, body=obj.body,
            )
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        svc.reply_template_reset(actor=request.user, agency=obj.agency, reply_type=obj.reply_type)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class AgencyFoiSettingsForm(forms.ModelForm):
    duplicate_window_days = forms.IntegerField(
        label="重复申请比对期间（天）", min_value=svc.DUPLICATE_WINDOW_DAYS[0],
        max_value=svc.DUPLICATE_WINDOW_DAYS[1], initial=365,
    )
    # Blank keeps the default pattern; the service refuses a bad one (letters.numbering).
    letter_number_pattern = forms.CharField(label="告知文书文号格式", max_length=100, required=False,
                                            help_text="{year} 为年度，{n} 为本机关当年顺序号")

    class Meta:
        model = AgencyFoiSettings
        fields = ["agency", *svc.SETTINGS_FIELDS]

    def clean_letter_number_pattern(self):
        return self.cleaned_data.get("letter_number_pattern", "").strip() or DEFAULT_PATTERN


@admin.register(AgencyFoiSettings)
class AgencyFoiSettingsAdmin(admin.ModelAdmin):
    form = AgencyFoiSettingsForm
    list_display = ["agency", "review_body", "court", "fee_notice_pauses_clock", "duplicate_window_days"]
    search_fields = ["agency__name"]
    raw_id_fields = ["agency"]

    def get_readonly_fields(self, request, obj=None):
        return ["agency"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in svc.SETTINGS_FIELDS}
        try:
            saved = svc.foi_settings_save(actor=request.user, agency=obj.agency, **fields)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False  # the settings are changed, not removed; an agency without them uses the defaults
