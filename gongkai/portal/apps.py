from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "gongkai.portal"
    label = "portal"
    verbose_name = "公众门户"

    def ready(self) -> None:
        # The search index and the page cache follow what the domain apps make public
        # (they emit core.listeners events; the portal subscribes here), inside the same
        # transaction (search) or on its commit (cache).
        from gongkai.portal import caching, search

        search.connect()
        caching.connect()
