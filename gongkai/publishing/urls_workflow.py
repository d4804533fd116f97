"""Back-office URLs for drafting, review, approval and publication (namespace `staff:`),
mounted under /staff/. One URL per step; every step is a POST."""

from django.urls import path

from gongkai.publishing.views import attachments, drafting, listing
from gongkai.publishing.views import catalogue as cat
from gongkai.publishing.views import workflow as w

staff_patterns: list = [
    path("publishing/", listing.publication_list, name="publishing-list"),
    path("publishing/new/", drafting.publication_create, name="publishing-create"),
    path("publishing/<int:pk>/", w.publication_detail, name="publishing-detail"),
    path("publishing/<int:pk>/edit/", drafting.publication_edit, name="publishing-edit"),
    path("publishing/attachments/<int:pk>/", attachments.attachment_download, name="publishing-attachment"),
    path(
        "publishing/attachments/<int:pk>/remove/",
        attachments.attachment_remove,
        name="publishing-attachment-remove",
    ),
    path(
        "publishing/attachments/<int:pk>/rename/",
        attachments.attachment_rename,
        name="publishing-attachment-rename",
    ),
    path("publishing/<int:pk>/submit/", w.publication_submit, name="publishing-submit"),
    path("publishing/<int:pk>/screen/", w.publication_screen, name="publishing-screen"),
    path("publishing/<int:pk>/review/", w.publication_review, name="publishing-review"),
    path("publishing/<int:pk>/redact/", w.publication_redact, name="publishing-redact"),
    path("publishing/<int:pk>/override/", w.publication_override, name="publishing-override"),
    path("publishing/<int:pk>/approve/", w.publication_approve, name="publishing-approve"),
    path("publishing/<int:pk>/return/", w.publication_return, name="publishing-return"),
    path("publishing/<int:pk>/publish/", w.publication_publish, name="publishing-publish"),
    path("publishing/<int:pk>/schedule/", w.publication_schedule, name="publishing-schedule"),
    path("publishing/<int:pk>/withdraw/", w.publication_withdraw, name="publishing-withdraw"),
    path("publishing/<int:pk>/revise/", w.publication_revise, name="publishing-revise"),
    path(
        "publishing/<int:pk>/releases/",
        w.publication_release_record,
        name="publishing-release-record",
    ),
    path("publishing/catalogue/", cat.catalogue, name="publishing-catalogue"),
    path(
        "publishing/catalogue/<int:agency_pk>/install-default/",
        cat.catalogue_install_default,
        name="publishing-catalogue-install",
    ),
    path(
        "publishing/catalogue/<int:agency_pk>/columns/",
        cat.column_create,
        name="publishing-column-create",
    ),
    path(
        "publishing/catalogue/columns/<int:pk>/", cat.column_update, name="publishing-column-update"
    ),
]
