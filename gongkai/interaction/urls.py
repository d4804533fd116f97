"""URLs of the interaction area. ``staff_patterns`` are mounted under /staff/ in the `staff:`
namespace, ``public_patterns`` at the site root in the `portal:` namespace (gongkai/urls.py).
One URL per action; every action is a POST."""

from django.urls import path

from gongkai.interaction.views import public, staff

staff_patterns: list = [
    path("messages/", staff.message_list, name="message-list"),
    path("messages/statistics/", staff.message_statistics, name="message-statistics"),
    path("messages/settings/", staff.message_settings, name="message-settings"),
    path("messages/<int:pk>/", staff.message_detail, name="message-detail"),
    path("messages/<int:pk>/assign/", staff.message_assign, name="message-assign"),
    path("messages/<int:pk>/transfer/", staff.message_transfer, name="message-transfer"),
    path("messages/<int:pk>/dismiss/", staff.message_dismiss, name="message-dismiss"),
    path("messages/<int:pk>/reply/", staff.message_reply, name="message-reply"),
    path("messages/<int:pk>/check/", staff.message_check, name="message-check"),
    path("messages/<int:pk>/extension/", staff.message_extension_request,
         name="message-extension-request"),
    path("messages/<int:pk>/extension/decide/", staff.message_extension_decide,
         name="message-extension-decide"),
    path("messages/<int:pk>/publish/", staff.message_publish, name="message-publish"),
    path("messages/<int:pk>/unpublish/", staff.message_unpublish, name="message-unpublish"),
]

public_patterns: list = [
    path("messages/", public.public_index, name="message-public-index"),
    path("messages/write/", public.message_write, name="message-write"),
    path("messages/receipt/<str:tracking_number>/", public.message_receipt, name="message-receipt"),
    path("messages/captcha/<str:token>.png", public.captcha_image, name="message-captcha"),
    path("messages/captcha/<str:token>.wav", public.captcha_audio, name="message-captcha-audio"),
    path("messages/status/", public.message_status, name="message-status"),
    path("messages/status/<str:tracking_number>/rate/", public.message_rate, name="message-rate"),
    path("account/messages/<str:tracking_number>/", public.message_status_mine,
         name="message-status-mine"),
    path("messages/<str:code>/", public.public_list, name="message-public-list"),
    path("messages/<str:code>/<int:pk>/", public.public_detail, name="message-public-detail"),
]
