"""Platform administration: the tasks, the failed ones first, each with its last error,
and a "retry" action. Tasks are not edited here: a retry goes through ``outbox``."""

from django.contrib import admin, messages

from gongkai.core.admin import ReadOnlyAdmin
from gongkai.tasks import outbox
from gongkai.tasks.models import OutboxState, OutboxTask


@admin.register(OutboxTask)
class OutboxTaskAdmin(ReadOnlyAdmin):
    list_display = ["name", "state", "attempts", "next_attempt_at", "last_error_short", "created_at"]
    list_filter = ["state", "name"]
    search_fields = ["name", "key", "last_error"]
    ordering = ["-updated_at"]
    fields = ["name", "key", "state", "attempts", "backoffs", "next_attempt_at", "last_error",
              "args", "created_at", "updated_at"]
    readonly_fields = fields
    actions = ["retry"]

    @admin.display(description="最近错误")
    def last_error_short(self, obj):
        return obj.last_error[:120]

    @admin.action(description="重试所选的失败任务")
    def retry(self, request, queryset):
        count = outbox.retry_failed(queryset.filter(state=OutboxState.FAILED))
        skipped = queryset.count() - count
        self.message_user(request, f"已重新排队 {count} 个失败任务。", messages.SUCCESS)
        if skipped:
            self.message_user(request, f"{skipped} 个任务不是失败状态，未处理。", messages.WARNING)
