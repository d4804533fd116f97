from django.contrib import admin

from gongkai.consultations.models import AgencyConsultationSettings


@admin.register(AgencyConsultationSettings)
class AgencyConsultationSettingsAdmin(admin.ModelAdmin):
    list_display = ("agency", "kind", "minimum_days", "feedback_working_days")
    list_filter = ("kind",)
