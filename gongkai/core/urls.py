from django.urls import path

from gongkai.core.views import agencies, audit, auth, calendar, shell

# Mounted under /staff/ in the `staff:` namespace by gongkai/urls.py.
staff_patterns = [
    path("", shell.home, name="home"),
    path("sign-in/", auth.SignInView.as_view(), name="sign-in"),
    path("sign-out/", auth.SignOutView.as_view(), name="sign-out"),
    path("password/", auth.PasswordChangeView.as_view(), name="password-change"),
    path("switch-role/", shell.switch_membership, name="switch-membership"),
    path("agencies/", agencies.agency_list, name="agency-list"),
    path("agencies/<int:pk>/", agencies.agency_detail, name="agency-detail"),
    path("audit/", audit.audit_list, name="audit-list"),
    path("audit/<int:pk>/", audit.audit_detail, name="audit-detail"),
    path("calendar/", calendar.calendar_page, name="calendar"),
    path("calendar/override/", calendar.calendar_override_set, name="calendar-override-set"),
    path("calendar/override/remove/", calendar.calendar_override_remove, name="calendar-override-remove"),
    path("calendar/schedule/", calendar.calendar_schedule_upload, name="calendar-schedule-upload"),
]
