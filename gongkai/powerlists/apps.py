"""The power and duty list (权责清单): items, versions, XLSX import, change counts, the public list."""
from django.apps import AppConfig


class PowerlistsConfig(AppConfig):
    name = "gongkai.powerlists"
    label = "powerlists"
    verbose_name = "权责清单"

    def ready(self):
        from gongkai.powerlists import navigation_entries  # noqa: F401  (registers the nav entry)
