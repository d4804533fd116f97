from django.apps import AppConfig


class FoiConfig(AppConfig):
    name = "gongkai.foi"
    label = "foi"
    verbose_name = "依申请公开"

    def ready(self):
        from gongkai.foi import (  # noqa: F401  (intake, delivery: register their tasks)
            delivery,
            intake,
            navigation_entries,  # noqa: F401  (registers the nav entry)
            notifications,
        )

        notifications.register_calendar_listener()

        from gongkai.core import desk as core_desk
        from gongkai.foi import desk

        core_desk.register("foi", desk.queues, order=10)

        from gongkai.core import keyrotation
        from gongkai.foi.keyrotation import rotate_applicant_keys

        keyrotation.register_blind_index(rotate_applicant_keys)
