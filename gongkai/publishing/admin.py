"""Platform administration for proactive disclosure: per-agency settings (approval steps,
interpretation deadline, masking patterns) and the topic list."""

from django import forms
from django.contrib import admin

from gongkai.core import audit
from gongkai.core.masking import DEFAULT_PATTERNS, MaskPattern
from gongkai.publishing.models import AgencyPublishingSettings, Topic


class AgencyPublishingSettingsForm(forms.ModelForm):
    class Meta:
        model = AgencyPublishingSettings
        fields = ["agency", "approval_steps", "interpretation_limit_days", "mask_patterns"]

    def clean_approval_steps(self):
        steps = self.cleaned_data["approval_steps"]
        if steps > 5:
            raise forms.ValidationError("领导审批层级最多5级。")
        return steps

    def clean_mask_patterns(self):
        patterns = self.cleaned_data["mask_patterns"] or {}
        if not isinstance(patterns, dict):
            raise forms.ValidationError("脱敏规则应为对象，如 {\"resident_id\": [3, 4]}。")
        for kind, keep in patterns.items():
            if kind not in DEFAULT_PATTERNS:
                raise forms.ValidationError(f"未知的脱敏类型“{kind}”，可选：{'、'.join(DEFAULT_PATTERNS)}。")
            try:
                MaskPattern(int(keep[0]), int(keep[1]))
            except (TypeError, ValueError, IndexError):
                raise forms.ValidationError(f"“{kind}”的规则应为[保留前几位, 保留后几位]，均为非负整数。") from None
        return patterns


@admin.register(AgencyPublishingSettings)
class AgencyPublishingSettingsAdmin(admin.ModelAdmin):
    form = AgencyPublishingSettingsForm
    list_display = ["agency", "approval_steps", "interpretation_limit_days"]
    raw_id_fields = ["agency"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record(actor=request.user, action="publishing.settings.save", obj=obj, agency=obj.agency,
                     after={f: form.cleaned_data.get(f) for f in form.changed_data if f != "agency"})

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "sort_order"]
    ordering = ["sort_order", "code"]

    def has_delete_permission(self, request, obj=None):
        return False  # publications point at topics
