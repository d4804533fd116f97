"""What a supervising office sees across its subtree: the compliance table and its drill-downs."""
from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "gongkai.oversight"
    label = "oversight"
    verbose_name = "监督检查"

    def ready(self):
        from gongkai.core import desk as core_desk
        from gongkai.oversight import (
            desk,
            navigation_entries,  # noqa: F401  (registers the nav entry)
        )

        core_desk.register("oversight", desk.queues, order=75)
