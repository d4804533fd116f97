"""Platform administration. Changes go through the services, so the admin writes the same
audit entries and keeps the same invariants (agency paths, officer departments) as the
back office."""

import copy
import functools

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, UserCreationForm
from django.core.exceptions import ValidationError

from gongkai.core.errors import DomainError
from gongkai.core.models import (
    Agency,
    AuditEvent,
    CalendarOverride,
    Department,
    Membership,
    ScheduledYear,
    SignInFailure,
    User,
)
from gongkai.core.services import agencies as agency_services
from gongkai.core.services import calendar as calendar_services
from gongkai.core.services import signin as signin_services


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the platform administrator reads and never edits here: every change goes
    through the area's services (with its event and audit entry) or an admin action."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "kind", "parent", "accepts_requests", "is_active"]
    list_filter = ["level", "kind", "is_active", "accepts_requests"]
    search_fields = ["name", "short_name", "code"]
    raw_id_fields = ["parent"]

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in agency_services.AGENCY_FIELDS if f in form.cleaned_data}
        if change:
            updated = agency_services.agency_update(
                actor=request.user, agency=obj, parent=form.cleaned_data.get("parent"), **data
            )
        else:
            updated = agency_services.agency_create(
                actor=request.user, parent=form.cleaned_data.get("parent"), **data
            )
        obj.pk, obj.path, obj.depth = updated.pk, updated.path, updated.depth

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: the audit trail and records point at agencies


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "sort_order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "agency__name"]
    raw_id_fields = ["agency"]

    def save_model(self, request, obj, form, change):
        if change:
            agency_services.department_update(
                actor=request.user, department=obj, name=obj.name, is_active=obj.is_active,
                sort_order=obj.sort_order,
            )
        else:
            created = agency_services.department_create(
                actor=request.user, agency=obj.agency, name=obj.name, sort_order=obj.sort_order
            )
            obj.pk = created.pk

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["agency", "department"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # roles are granted on the membership page, through the service

    def has_change_permission(self, request, obj=None):
        return False


class UserAddForm(UserCreationForm):
    """A new account always starts with a password (``user_create`` requires one)."""

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "full_name", "email")


class UserPasswordForm(AdminPasswordChangeForm):
    """The admin's password form, saved through ``user_set_password`` as ``actor``."""

    def __init__(self, user, *args, actor, **kwargs):
        self.actor = actor
        super().__init__(user, *args, **kwargs)

    def save(self, commit=True):
        password = self.cleaned_data["password1"] if self.cleaned_data["set_usable_password"] else None
        return agency_services.user_set_password(actor=self.actor, user=self.user, password=password)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = UserAddForm
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "full_name", "email", "password1", "password2")}),
    )
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("full_name", "email")}),
        ("权限", {"fields": ("is_active", "is_superuser")}),
        ("时间", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ["last_login", "date_joined"]
    list_display = ["username", "full_name", "email", "is_active", "is_superuser"]
    list_filter = ["is_active", "is_superuser"]
    search_fields = ["username", "full_name", "email"]
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if change:
                saved = agency_services.user_update(
                    actor=request.user, user=obj,
                    **{f: data[f] for f in agency_services.USER_FIELDS if f in data},
                )
            else:
                saved = agency_services.user_create(
                    actor=request.user, username=data["username"], password=data["password1"],
                    full_name=data.get("full_name", ""), email=data.get("email", ""),
                )
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.pk = saved.pk

    def user_change_password(self, request, id, form_url=""):
        # The form must know who sets the password; the admin instance is shared by every
        # request, so a copy of it carries this request's form.
        per_request = copy.copy(self)
        per_request.change_password_form = functools.partial(UserPasswordForm, actor=request.user)
        return super(UserAdmin, per_request).user_change_password(request, id, form_url)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: the audit trail names its actors


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "agency", "role", "department"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ["user", "agency", "role", "department", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__username", "user__full_name", "agency__name"]
    raw_id_fields = ["user", "agency", "department"]
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        try:
            saved = agency_services.membership_grant(
                actor=request.user, user=obj.user, agency=obj.agency, role=obj.role,
                department=obj.department,
            )
        except ValidationError as exc:
            self.message_user(request, "；".join(exc.messages), messages.ERROR)
            return
        obj.pk = saved.pk

    @admin.action(description="撤销所选岗位")
    def revoke(self, request, queryset):
        for membership in queryset.filter(is_active=True):
            agency_services.membership_revoke(
                actor=request.user, membership=membership, reason="平台管理后台撤销"
            )

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["day", "is_working", "source", "note"]
    list_filter = ["is_working"]
    date_hierarchy = "day"
    fields = ["day", "is_working", "source", "note"]

    def save_model(self, request, obj, form, change):
        saved = calendar_services.calendar_set_override(
            actor=request.user, day=obj.day, is_working=obj.is_working, source=obj.source,
            note=obj.note,
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        calendar_services.calendar_remove_override(actor=request.user, day=obj.day, reason="平台管理后台删除")

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(ScheduledYear)
class ScheduledYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source", "loaded_at"]

    def has_add_permission(self, request):
        return False  # loaded from a schedule file on the calendar page

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SignInFailure)
class SignInFailureAdmin(ReadOnlyAdmin):
    list_display = ["username", "ip_address", "at"]
    search_fields = ["username"]
    actions = ["unlock"]

    @admin.action(description="解除所选用户名的锁定")
    def unlock(self, request, queryset):
        for username in set(queryset.values_list("username", flat=True)):
            signin_services.signin_unlock(actor=request.user, username=username, reason="平台管理后台解锁")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["seq", "occurred_at", "actor_label", "agency", "action", "object_repr"]
    list_filter = ["action"]
    search_fields = ["actor_label", "object_repr", "object_id", "reason"]
