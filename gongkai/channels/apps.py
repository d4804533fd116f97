"""Government new-media accounts (政务新媒体) and their monthly figures, with the website's own."""
from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "gongkai.channels"
    label = "channels"
    verbose_name = "政务新媒体"

    def ready(self):
        from gongkai.channels import (
            desk,
            navigation_entries,  # noqa: F401  (registers the nav entry)
        )
        from gongkai.core import desk as core_desk

        core_desk.register("channels", desk.queues, order=29)
