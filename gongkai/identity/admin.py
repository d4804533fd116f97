from django.contrib import admin

from gongkai.identity import services
from gongkai.identity.models import StaffIdentity


@admin.register(StaffIdentity)
class StaffIdentityAdmin(admin.ModelAdmin):
    """The links of staff accounts to the identity platform: made by the first sign-in,
    read here, and removed (audited) when one must be matched again."""

    list_display = ["user", "provider", "subject", "linked_at", "last_signed_in_at"]
    list_filter = ["provider"]
    search_fields = ["user__username", "user__full_name", "subject"]
    readonly_fields = list_display

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.staff_identity_unlink(actor=request.user, identity=obj,
                                       reason="平台管理后台解除统一身份关联")

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
