"""Answers from published information (智能问答): FAQs and the question box."""
from django.apps import AppConfig


class AnswersConfig(AppConfig):
    name = "gongkai.answers"
    label = "answers"
    verbose_name = "智能问答"

    def ready(self) -> None:
        from gongkai.answers import desk, navigation_entries  # noqa: F401 (registers the menu entry)
        from gongkai.core import desk as core_desk

        # Submitted FAQs wait on the office or a leader.
        core_desk.register("answers", desk.queues, order=60)
