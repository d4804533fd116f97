"""What a supervising office sees across its subtree: the compliance table and its drill-downs."""
from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "gongkai.oversight"
    label = "oversight"
    verbose_name = "监督检查"
