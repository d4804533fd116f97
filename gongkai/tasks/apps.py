from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "gongkai.tasks"
    label = "tasks"
    verbose_name = "后台任务"

    def ready(self):
        # The handlers this app itself provides (mail), so a worker knows them by name.
        from gongkai.core import deferred
        from gongkai.tasks import mail, outbox, registry  # noqa: F401

        # Core sits below this app and cannot enqueue itself: its deferrable jobs
        # (core.deferred) become task handlers by their names, and its requests for them
        # outbox rows, so a worker elsewhere runs them.
        for name, job in deferred.jobs().items():
            registry.handler(name, on_give_up=job.on_give_up)(job.func)
        deferred.install(outbox.enqueue)
