from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "gongkai.reports"
    label = "reports"
    verbose_name = "年度报告"

    def ready(self) -> None:
        # The back office's menu entries, the deploy checks (a CJK font for the PDFs) and
        # the task handlers (a published version's files, the back office's PDFs) register
        # themselves on import.
        from gongkai.core import desk as core_desk
        from gongkai.reports import (  # noqa: F401
            checks,  # noqa: F401
            desk,
            navigation_checker,
            navigation_entries,
            prepared,
            services,
        )

        # The reports waiting on a role go on the back office's desk.
        core_desk.register("reports", desk.queues, order=30)
