from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "gongkai.identity"
    label = "identity"
    verbose_name = "统一身份认证"

    def ready(self) -> None:
        from gongkai.identity import checks  # noqa: F401 (registers the system checks)
