"""Back-office URLs for requests, mounted under /staff/requests/ in the `staff:` namespace.
One URL per action; every action is a POST."""

from django.urls import path

from gongkai.foi.views import letters as letter_views
from gongkai.foi.views import settings as foi_settings
from gongkai.foi.views import staff
from gongkai.foi.views import staff_actions as act

staff_patterns: list = [
    path("requests/", staff.dashboard, name="foi-dashboard"),
    path("requests/list/", staff.request_list, name="foi-list"),
    path("requests/register/", staff.request_register, name="foi-register"),
    path("requests/<int:pk>/", staff.request_detail, name="foi-detail"),
    path("requests/<int:pk>/reveal/", staff.request_reveal, name="foi-reveal"),
    path("requests/<int:pk>/attachments/<int:attachment_pk>/", staff.request_attachment,
         name="foi-attachment"),
    path("requests/<int:pk>/letter/preview/", letter_views.letter_preview, name="foi-letter-preview"),
    path("requests/<int:pk>/letters/<int:letter_pk>.<str:fmt>", letter_views.letter_file, name="foi-letter-file"),
    path("requests/<int:pk>/confirm/", act.request_confirm, name="foi-confirm"),
    path("requests/<int:pk>/void/", act.request_void, name="foi-void"),
    path("requests/<int:pk>/assign/", act.request_assign, name="foi-assign"),
    path("requests/<int:pk>/correction/request/", act.request_correction_request,
         name="foi-correction-request"),
    path("requests/<int:pk>/correction/received/", act.request_correction_received,
         name="foi-correction-received"),
    path("requests/<int:pk>/correction/close/", act.request_close_no_correction,
         name="foi-close-no-correction"),
    path("requests/<int:pk>/consultations/", act.request_consultation_start,
         name="foi-consultation-start"),
    path("requests/consultations/<int:pk>/end/", act.request_consultation_end,
         name="foi-consultation-end"),
    path("requests/<int:pk>/extension/", act.request_extension_request, name="foi-extension-request"),
    path("requests/extensions/<int:pk>/decide/", act.extension_decide, name="foi-extension-decide"),
    path("requests/<int:pk>/drafts/reply/", act.request_draft_reply, name="foi-draft-reply"),
    path("requests/<int:pk>/drafts/correction/", act.request_draft_correction, name="foi-draft-correction"),
    path("requests/<int:pk>/drafts/consultation/", act.request_draft_consultation,
         name="foi-draft-consultation"),
    path("requests/<int:pk>/drafts/fee/", act.request_draft_fee, name="foi-draft-fee"),
    path("requests/drafts/<int:pk>/check/", act.draft_check, name="foi-draft-check"),
    path("requests/drafts/<int:pk>/sign-off/", act.draft_sign_off, name="foi-draft-sign-off"),
    path("requests/drafts/<int:pk>/cancel/", act.draft_cancel, name="foi-draft-cancel"),
    path("requests/drafts/<int:pk>/files/<str:sha256>/", staff.draft_file, name="foi-draft-file"),
    path("requests/<int:pk>/fee/notice/", act.request_fee_notice, name="foi-fee-notice"),
    path("requests/<int:pk>/fee/paid/", act.request_fee_paid, name="foi-fee-paid"),
    path("requests/<int:pk>/fee/close/", act.request_close_fee_unpaid, name="foi-close-fee-unpaid"),
    path("requests/<int:pk>/reply/", act.request_reply, name="foi-reply"),
    path("requests/<int:pk>/deliver/", act.request_deliver, name="foi-deliver"),
    path("requests/<int:pk>/archive/", act.request_archive, name="foi-archive"),
    path("requests/<int:pk>/withdraw/", act.request_withdraw, name="foi-withdraw"),
    path("requests/<int:pk>/appeals/", act.request_appeal_record, name="foi-appeal-record"),
    path("requests/appeals/<int:pk>/decide/", act.appeal_decide, name="foi-appeal-decide"),
    path("requests/settings/", foi_settings.foi_settings, name="foi-settings"),
    path("requests/settings/templates/<str:reply_type>/", foi_settings.template_edit,
         name="foi-template-edit"),
    path("requests/settings/templates/<str:reply_type>/reset/", foi_settings.template_reset,
         name="foi-template-reset"),
]
