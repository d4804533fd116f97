from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "gongkai.publishing"
    label = "publishing"
    verbose_name = "主动公开"

    def ready(self):
        from gongkai.publishing import navigation_entries  # noqa: F401  (registers the nav entry)
