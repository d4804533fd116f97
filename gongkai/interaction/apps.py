"""The message board and director's mailbox (留言板/局长信箱): messages, routing, replies, ratings."""
from django.apps import AppConfig


class InteractionConfig(AppConfig):
    name = "gongkai.interaction"
    label = "interaction"
    verbose_name = "留言板与局长信箱"

    def ready(self):
        from gongkai.core import desk as core_desk
        from gongkai.interaction import (
            desk,
            navigation_entries,  # noqa: F401  (registers the nav entries)
        )

        core_desk.register("interaction", desk.queues, order=30)
