from django.urls import path

from gongkai.core.views import agencies, audit, auth, calendar, moderation, people, shell
from gongkai.core.views import agency_import as importing

# Mounted under /staff/ in the `staff:` namespace by gongkai/urls.py.
staff_patterns = [
    path("", shell.home, name="home"),
    path("sign-in/", auth.SignInView.as_view(), name="sign-in"),
    path("sign-out/", auth.SignOutView.as_view(), name="sign-out"),
    path("password/", auth.PasswordChangeView.as_view(), name="password-change"),
    path("sign-in/verify/", auth.two_factor_verify, name="two-factor-verify"),
    path("two-factor/", auth.two_factor_settings, name="two-factor"),
    path("two-factor/enrol/", auth.two_factor_enrol, name="two-factor-enrol"),
    path("two-factor/recovery-codes/", auth.two_factor_recovery_codes, name="two-factor-recovery-codes"),
    path("two-factor/reset/<int:user_id>/", auth.two_factor_reset, name="two-factor-reset"),
    path("agencies/<int:pk>/two-factor/", auth.agency_two_factor_policy, name="agency-two-factor"),
    path("switch-role/", shell.switch_membership, name="switch-membership"),
    path("agencies/", agencies.agency_list, name="agency-list"),
    path("agencies/<int:pk>/", agencies.agency_detail, name="agency-detail"),
    # The agency tree from a file (core.views.agency_import, platform administrators).
    path("agencies/import/", importing.agency_import_upload, name="agency-import"),
    path("agencies/import/template.<str:fmt>", importing.agency_import_template,
         name="agency-import-template"),
    path("agencies/import/<int:pk>/", importing.agency_import_preview, name="agency-import-preview"),
    path("agencies/import/<int:pk>/apply/", importing.agency_import_apply, name="agency-import-apply"),
    path("agencies/import/<int:pk>/status/", importing.agency_import_status, name="agency-import-status"),
    # People and departments, managed by the agencies' offices (core.views.people).
    path("people/", people.people_home, name="people-home"),
    path("agencies/<int:pk>/people/", people.people_page, name="people"),
    path("agencies/<int:pk>/people/invite/", people.people_invite, name="people-invite"),
    path("agencies/<int:pk>/people/grant/", people.people_grant, name="people-grant"),
    path("agencies/<int:pk>/people/<int:user_id>/disable/", people.person_disable, name="person-disable"),
    path("agencies/<int:pk>/departments/add/", people.department_add, name="department-add"),
    path("departments/<int:pk>/toggle/", people.department_toggle, name="department-toggle"),
    path("memberships/<int:pk>/revoke/", people.membership_revoke, name="membership-revoke"),
    path("memberships/<int:pk>/transfer/", people.membership_transfer, name="membership-transfer"),
    path("invitations/<int:pk>/revoke/", people.invitation_revoke, name="invitation-revoke"),
    path("invitation/<str:token>/", people.invitation_accept, name="invitation-accept"),
    path("audit/", audit.audit_list, name="audit-list"),
    path("audit/<int:pk>/", audit.audit_detail, name="audit-detail"),
    path("calendar/", calendar.calendar_page, name="calendar"),
    path("calendar/override/", calendar.calendar_override_set, name="calendar-override-set"),
    path("calendar/override/remove/", calendar.calendar_override_remove, name="calendar-override-remove"),
    path("calendar/schedule/", calendar.calendar_schedule_upload, name="calendar-schedule-upload"),
    path("moderation-words/", moderation.moderation_words, name="moderation-words"),
    path("moderation-words/<int:pk>/remove/", moderation.moderation_word_remove,
         name="moderation-word-remove"),
]
