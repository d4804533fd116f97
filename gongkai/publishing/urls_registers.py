"""Back-office URLs for the normative-documents register and statistics (namespace `staff:`).
One URL per action; every write is a POST."""

from django.urls import path

from gongkai.publishing.views import registers, statistics

staff_patterns: list = [
    path("publishing/registers/normative/", registers.normative_list, name="normative-list"),
    path(
        "publishing/registers/normative/new/",
        registers.normative_register,
        name="normative-register",
    ),
    path(
        "publishing/registers/normative/<int:pk>/",
        registers.normative_detail,
        name="normative-detail",
    ),
    path(
        "publishing/registers/normative/<int:pk>/repeal/",
        registers.normative_repeal,
        name="normative-repeal",
    ),
    path(
        "publishing/registers/normative/<int:pk>/interpretations/add/",
        registers.normative_interpretation_add,
        name="normative-interpretation-add",
    ),
    path("publishing/statistics/", statistics.publishing_statistics, name="publishing-statistics"),
]
