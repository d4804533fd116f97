"""Complaint imports (12315) and hot-spot analysis of messages and complaints."""
from django.apps import AppConfig


class HotspotsConfig(AppConfig):
    name = "gongkai.hotspots"
    label = "hotspots"
    verbose_name = "投诉举报热点分析"

    def ready(self):
        # The nav entry and the import's task handler register themselves on import.
        from gongkai.core import desk
        from gongkai.hotspots import desk as hotspots_desk
        from gongkai.hotspots import navigation_entries, services  # noqa: F401

        desk.register("hotspots", hotspots_desk.queues, order=70)
