from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "gongkai.reports"
    label = "reports"
    verbose_name = "年度报告"

    def ready(self) -> None:
        # The back office's menu entries register themselves on import.
        from gongkai.reports import navigation_checker, navigation_entries  # noqa: F401
