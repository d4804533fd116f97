"""Random inspections (双随机、一公开, 国发〔2019〕5号): the list of matters, the two
directories, draws anyone can re-run, results published on time."""
from django.apps import AppConfig


class RandomInspectionsConfig(AppConfig):
    name = "gongkai.random_inspections"
    label = "random_inspections"
    verbose_name = "双随机、一公开"

    def ready(self):
        from gongkai.core import desk as core_desk
        from gongkai.random_inspections import (
            desk,
            navigation_entries,  # noqa: F401  (registers the nav entry)
        )
        from gongkai.random_inspections.services import (  # noqa: F401  (registers the import's task)
            directories,
        )

        core_desk.register("random_inspections", desk.queues, order=29)
