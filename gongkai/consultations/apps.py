from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "gongkai.consultations"
    label = "consultations"
    verbose_name = "意见征集"

    def ready(self):
        from gongkai.consultations import desk, navigation_entries  # noqa: F401  (nav entry)
        from gongkai.core import desk as core_desk

        core_desk.register("consultations", desk.queues, order=40)
