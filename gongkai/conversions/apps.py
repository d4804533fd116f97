"""Repeated requests turned into proactive disclosure (依申请转主动, 条例第四十四条)."""
from django.apps import AppConfig


class ConversionsConfig(AppConfig):
    name = "gongkai.conversions"
    label = "conversions"
    verbose_name = "依申请转主动"

    def ready(self):
        from gongkai.conversions import (
            desk,
            navigation_entries,  # noqa: F401  (registers the nav entry)
        )
        from gongkai.core import desk as core_desk

        core_desk.register("conversions", desk.queues, order=25)
