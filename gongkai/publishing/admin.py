"""Platform administration for proactive disclosure: per-agency settings (approval steps,
interpretation deadline, masking patterns) and the topic list. Changes go through the
services, so the admin writes the same audit entries and refuses the same settings as
the rest of the platform."""

from django import forms
from django.contrib import admin, messages

from gongkai.core.errors import DomainError
from gongkai.publishing.models import AgencyPublishingSettings, Topic
from gongkai.publishing.services import catalogue as catalogue_services
from gongkai.publishing.services import settings as settings_services


class AgencyPublishingSettingsForm(forms.ModelForm):
    class Meta:
        model = AgencyPublishingSettings
        fields = ["agency", *settings_services.SETTINGS_FIELDS]

    # The service's checks, shown next to the field they concern.
    def clean_approval_steps(self):
        steps = self.cleaned_data["approval_steps"]
        for problem in settings_services.approval_steps_problems(steps):
            self.add_error("approval_steps", problem)
        return steps

    def clean_mask_patterns(self):
        patterns = self.cleaned_data["mask_patterns"] or {}
        for problem in settings_services.mask_pattern_problems(patterns):
            self.add_error("mask_patterns", problem)
        return patterns


@admin.register(AgencyPublishingSettings)
class AgencyPublishingSettingsAdmin(admin.ModelAdmin):
    form = AgencyPublishingSettingsForm
    list_display = ["agency", "approval_steps", "interpretation_limit_days"]
    search_fields = ["agency__name"]
    raw_id_fields = ["agency"]

    def get_readonly_fields(self, request, obj=None):
        return ["agency"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in settings_services.SETTINGS_FIELDS}
        try:
            saved = settings_services.publishing_settings_save(actor=request.user, agency=obj.agency, **fields)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False  # the settings are changed, not removed


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "sort_order"]
    ordering = ["sort_order", "code"]
    fields = list(catalogue_services.TOPIC_FIELDS)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in catalogue_services.TOPIC_FIELDS}
        try:
            if change:
                saved = catalogue_services.topic_update(actor=request.user, topic=obj, **fields)
            else:
                saved = catalogue_services.topic_create(actor=request.user, **fields)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False  # publications point at topics
