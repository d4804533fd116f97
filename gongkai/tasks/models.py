"""The outbox: one row per piece of work, written in the transaction that asks for it."""

from django.db import models


class OutboxState(models.TextChoices):
    PENDING = "pending", "待发送"  # committed, not (yet) in the broker: the relay sends it
    SENT = "sent", "已发送"  # handed to the broker; a worker runs (or retries) it
    DONE = "done", "已完成"
    FAILED = "failed", "失败"  # every attempt failed: waits for the administrator


class OutboxTask(models.Model):
    name = models.CharField("任务", max_length=100)
    args = models.JSONField("参数", default=dict, blank=True)
    # One row per key: enqueueing the same key twice is the same task (a retried request,
    # beat firing twice for one slot).
    key = models.CharField("幂等键", max_length=200, unique=True)
    state = models.CharField(
        "状态", max_length=10, choices=OutboxState.choices, default=OutboxState.PENDING
    )
    attempts = models.PositiveIntegerField("已尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试时间")
    # A worker's claim: a second delivery of the same row while this lasts does nothing.
    locked_until = models.DateTimeField(null=True, blank=True)
    backoffs = models.JSONField("重试间隔（秒）", default=list, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    created_at = models.DateTimeField("创建时间")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="tasks_state_next")]

    def __str__(self):
        return f"{self.name} [{self.key}] {self.get_state_display()}"
