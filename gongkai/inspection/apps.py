"""Website self-inspection (网站自查, 国办秘函〔2019〕19号): daily findings, score, error reports."""
from django.apps import AppConfig


class InspectionConfig(AppConfig):
    name = "gongkai.inspection"
    label = "inspection"
    verbose_name = "网站自查"
