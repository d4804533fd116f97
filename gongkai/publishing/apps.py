from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "gongkai.publishing"
    label = "publishing"
    verbose_name = "主动公开"

    def ready(self):
        from gongkai.core import desk as core_desk
        from gongkai.publishing import (
            column_dates,
            desk,
            navigation_entries,  # noqa: F401  (registers the nav entry)
        )

        column_dates.connect()

        core_desk.register("publishing", desk.queues, order=20)
