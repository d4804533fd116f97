from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "gongkai.tasks"
    label = "tasks"
    verbose_name = "后台任务"

    def ready(self):
        # The handlers this app itself provides (mail), so a worker knows them by name.
        from gongkai.tasks import mail  # noqa: F401
