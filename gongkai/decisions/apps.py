from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "gongkai.decisions"
    label = "decisions"
    verbose_name = "行政许可和行政处罚等信息公示"

    def ready(self):
        from gongkai.decisions import navigation_entries  # noqa: F401  (registers the nav entry)
