from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "gongkai.decisions"
    label = "decisions"
    verbose_name = "行政许可和行政处罚等信息公示"

    def ready(self):
        # The nav entry and the import's task handler register themselves on import.
        from gongkai.decisions import navigation_entries, services  # noqa: F401
