"""Platform administration for decisions: the small-fine limits (较低数额罚款), entered on
the provincial agency once the province's figure is known. Changes go through the service,
so they are audited. The decisions themselves are not registered: they hold personal data
and change only through the office's import, publish and withdraw."""

from django import forms
from django.contrib import admin, messages

from gongkai.core.errors import DomainError
from gongkai.decisions import services as svc
from gongkai.decisions.models import AgencyDecisionSettings


class AgencyDecisionSettingsForm(forms.ModelForm):
    class Meta:
        model = AgencyDecisionSettings
        fields = ["agency", *svc.SETTINGS_FIELDS]


@admin.register(AgencyDecisionSettings)
class AgencyDecisionSettingsAdmin(admin.ModelAdmin):
    form = AgencyDecisionSettingsForm
    list_display = ["agency", "small_fine_limit_person", "small_fine_limit_organisation", "source"]
    search_fields = ["agency__name"]
    raw_id_fields = ["agency"]

    def get_readonly_fields(self, request, obj=None):
        return ["agency"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in svc.SETTINGS_FIELDS}
        try:
            saved = svc.decision_settings_save(actor=request.user, agency=obj.agency, **fields)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False  # cleared by emptying the figures: the agency then inherits
