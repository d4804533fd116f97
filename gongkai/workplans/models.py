"""The year's work plan of an agency (年度政务公开工作要点/实施方案) and its tasks.

A task belongs to one agency's plan. Its responsible department is one of that agency's
departments; a task a supervising office sets for its agencies is a parent task in the
supervising agency's plan, with one child task in each agency's plan (``parent``): the
child's responsible agency is the agency of its plan. Only facts are stored (the state the
responsible side recorded, the completion date, the due date); 逾期 is derived
(``rules.phase``)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from gongkai.workplans import rules
from gongkai.workplans.rules import TaskState


class WorkPlan(models.Model):
    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="work_plans",
                               verbose_name="机关")
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("标题", max_length=200)
    source_url = models.CharField("印发文件链接", max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = "工作要点"
        verbose_name_plural = "工作要点"
        ordering = ["-year", "agency__path"]
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="workplan_one_per_agency_year")]

    def __str__(self) -> str:
        return self.title


class Task(models.Model):
    plan = models.ForeignKey(WorkPlan, on_delete=models.PROTECT, related_name="tasks", verbose_name="工作要点")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children", verbose_name="上级部署的任务")
    # Set by this (supervising) agency for the agencies below it: its progress is that of
    # its children, one per agency, and it has no department or state of its own.
    is_assignment = models.BooleanField("部署给下级机关", default=False)
    number = models.CharField("序号", max_length=20)
    text = models.TextField("任务内容")
    department = models.ForeignKey("core.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="责任部门")
    cooperating_departments = models.ManyToManyField("core.Department", blank=True, related_name="+",
                                                     verbose_name="配合部门")
    due_on = models.DateField("完成时限")
    state = models.CharField("进展", max_length=20, choices=TaskState.choices, default=TaskState.NOT_STARTED)
    completed_on = models.DateField("完成日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = "工作任务"
        verbose_name_plural = "工作任务"
        ordering = ["plan_id", "due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "plan"], name="workplan_task_one_child_per_plan"),
            models.CheckConstraint(
                condition=(models.Q(state=TaskState.DONE, completed_on__isnull=False)
                           | (~models.Q(state=TaskState.DONE) & models.Q(completed_on__isnull=True))),
                name="workplan_task_completed_on_iff_done"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:60]}"

    def phase_on(self, day, *, at_close: bool = False) -> rules.Phase:
        return rules.phase(state=self.state, completed_on=self.completed_on, due_on=self.due_on, as_of=day,
                           at_close=at_close)


class ProgressNote(models.Model):
    """A dated entry of progress, by whom."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="notes")
    on = models.DateField("日期")
    text = models.TextField("进展情况")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = "工作进展"
        verbose_name_plural = "工作进展"
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.on} {self.text[:40]}"


class EvidenceKind(models.TextChoices):
    PUBLICATION = "publication", "已发布的政府信息"
    CONSULTATION = "consultation", "意见征集"
    REPORT = "report", "年度报告"
    URL = "url", "网址"


class Evidence(models.Model):
    """What shows the task was done: the agency's own published item or consultation, an
    annual report (by its address and number: workplans does not import reports), or an
    address."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField("类别", max_length=20, choices=EvidenceKind.choices)
    publication = models.ForeignKey("publishing.Publication", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    consultation = models.ForeignKey("consultations.Consultation", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    report_id = models.PositiveIntegerField("年度报告编号", null=True, blank=True)
    url = models.CharField("网址", max_length=500, blank=True)
    label = models.CharField("说明", max_length=200, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField("添加时间")

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return self.label or self.get_kind_display()


class Supervision(models.Model):
    """督办: an office's order on an overdue task, with a reply-by date, and the reply."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="supervisions")
    issuing_agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+",
                                       verbose_name="督办机关")
    note = models.TextField("督办意见")
    reply_by = models.DateField("反馈期限")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField("督办时间")
    reply = models.TextField("办理情况反馈", blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    replied_at = models.DateTimeField("反馈时间", null=True, blank=True)

    class Meta:
        verbose_name = "督办"
        verbose_name_plural = "督办"
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"督办 {self.pk}"

    @property
    def replied(self) -> bool:
        return self.replied_at is not None


class AgencyWorkplanSettings(models.Model):
    agency = models.OneToOneField("core.Agency", on_delete=models.CASCADE, related_name="workplan_settings")
    remind_days_before = models.PositiveSmallIntegerField(
        "到期前提醒天数", default=rules.default_days_before,
        validators=[MinValueValidator(rules.days_before_bounds()[0]),
                    MaxValueValidator(rules.days_before_bounds()[1])])
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "工作要点设置"
        verbose_name_plural = "工作要点设置"

    def __str__(self) -> str:
        return f"{self.agency} {self.remind_days_before}"


class TaskReminder(models.Model):
    """One reminder sent about a task on a day (at most one a day: the sweep is safe to run
    twice)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reminders")
    sent_on = models.DateField("日期")
    kind = models.CharField("类别", max_length=20)
    recipients = models.PositiveSmallIntegerField("收件人数")

    class Meta:
        verbose_name = "任务提醒"
        verbose_name_plural = "任务提醒"
        constraints = [models.UniqueConstraint(fields=["task", "sent_on"], name="workplan_one_reminder_a_day")]

    def __str__(self) -> str:
        return f"{self.task_id} {self.sent_on}"
