from django.conf import settings
from django.db import models
from django.utils.module_loading import import_string

from gongkai.core import clock

Choices = type[models.TextChoices] | str | None


def choice_label(choices: Choices, value: str) -> str:
    """The label of ``value`` among ``choices``; the value itself when it is not one of
    them (an action no longer offered, or one outside the table such as "import")."""
    if not value:
        return ""
    if isinstance(choices, str):
        choices = import_string(choices)
    try:
        return choices(value).label if choices else value
    except ValueError:
        return value


class WorkflowEvent(models.Model):
    """One step of an object's history under its app's workflow: who took which action,
    when it was recorded, the status before and after, why, and the step's details.

    Each app's event model subclasses this with the object it belongs to (and whatever
    else its steps need); ``status_choices`` and ``action_choices`` are the app's, and
    give the labels the history pages show. The app's services write events in the same
    transaction as the change and its audit entry.
    """

    # The app's TextChoices, or their dotted path where the app's workflow module imports
    # its models (and the model cannot import it back).
    status_choices: Choices = None
    action_choices: Choices = None

    action = models.CharField("操作", max_length=40)
    from_status = models.CharField("原状态", max_length=30, blank=True)
    to_status = models.CharField("新状态", max_length=30)
    at = models.DateTimeField("记录时间", default=clock.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name="操作人",
    )
    reason = models.TextField("理由/说明", blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}：{self.action_label}"

    @property
    def action_label(self) -> str:
        return choice_label(self.action_choices, self.action)

    @property
    def from_status_label(self) -> str:
        return choice_label(self.status_choices, self.from_status)

    @property
    def to_status_label(self) -> str:
        return choice_label(self.status_choices, self.to_status)

    @property
    def changed_status(self) -> bool:
        """The step moved the object on (not an event recorded in place, nor creation)."""
        return bool(self.from_status) and self.from_status != self.to_status
