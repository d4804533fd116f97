"""Platform administration: annual reports are read here, never changed (every change goes
through ``services``, with its event and audit entry)."""

from django.contrib import admin

from gongkai.core.admin import ReadOnlyAdmin
from gongkai.reports.models import AnnualReport, ReportReminder


@admin.register(AnnualReport)
class AnnualReportAdmin(ReadOnlyAdmin):
    list_display = ["agency", "year", "format_id", "state", "version", "published_on"]
    list_filter = ["state", "year"]
    search_fields = ["agency__name"]
    fields = ["agency", "year", "format_id", "state", "version", "published_on", "computed_at"]


@admin.register(ReportReminder)
class ReportReminderAdmin(ReadOnlyAdmin):
    list_display = ["agency", "report_year", "sent_on", "days_left", "recipients"]
    list_filter = ["sent_on"]
