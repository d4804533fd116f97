"""Website self-inspection (网站自查, 国办秘函〔2019〕19号): daily findings, score, error reports."""
from django.apps import AppConfig


class InspectionConfig(AppConfig):
    name = "gongkai.inspection"
    label = "inspection"
    verbose_name = "网站自查"

    def ready(self):
        from gongkai.core import desk as core_desk
        from gongkai.inspection import (
            desk,
            navigation_entries,  # noqa: F401  (registers the nav entries)
        )

        core_desk.register("inspection", desk.queues, order=28)
