"""The year's work plan (年度工作要点/实施方案): tasks, owners, due dates, progress, 督办."""
from django.apps import AppConfig


class WorkplansConfig(AppConfig):
    name = "gongkai.workplans"
    label = "workplans"
    verbose_name = "工作要点"

    def ready(self):
        from gongkai.core import desk as core_desk
        from gongkai.workplans import (
            desk,
            navigation_entries,  # noqa: F401  (registers the nav entry)
        )

        core_desk.register("workplans", desk.queues, order=27)
