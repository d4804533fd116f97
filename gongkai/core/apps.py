from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gongkai.core"
    label = "core"
    verbose_name = "机构、人员与平台"

    def ready(self):
        # System checks of the audit trail's database guard (gongkai.audit.W001-W003).
        from gongkai.core import audit_guard  # noqa: F401
