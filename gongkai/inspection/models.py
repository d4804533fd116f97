"""The daily self-inspection's results and the public's error reports.

``SiteCheck``: one row per agency and day (re-running the check on the same day replaces
it), with what was found, as stored findings, and the score; the trend is these rows.
``SiteErrorReport``: an error reported by the public through 「我为政府网站找错」 (国办秘函
〔2019〕19号 requires the entry), in the agency office's queue until replied or closed; the
reporter's contact is encrypted at rest.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from gongkai.core.crypto import EncryptedTextField
from gongkai.core.models import WorkflowEvent
from gongkai.inspection.workflow import Action, SiteErrorStatus


class SiteCheck(models.Model):
    """What the self-inspection found on the agency's portal section on ``checked_on``."""

    agency = models.ForeignKey("core.Agency", on_delete=models.CASCADE, related_name="site_checks",
                               verbose_name="机关")
    checked_on = models.DateField("检查日期")
    checked_at = models.DateTimeField("检查时间")
    score = models.DecimalField("得分", max_digits=4, decimal_places=1)
    passed = models.BooleanField("是否合格")
    veto = models.JSONField("单项否决", default=list)
    deductions = models.JSONField("扣分", default=list)
    warnings = models.JSONField("提示", default=list)
    external = models.JSONField("外部链接", default=list)
    pages = models.PositiveIntegerField("检查页面数", default=0)
    requests = models.PositiveIntegerField("检查链接和页面数", default=0)

    class Meta:
        verbose_name = "网站自查结果"
        verbose_name_plural = "网站自查结果"
        ordering = ["-checked_on", "agency_id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "checked_on"], name="site_check_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.checked_on:%Y-%m-%d} {self.score}"

    @property
    def points_off(self):
        return sum(d.get("points", 0) for d in self.deductions)


class SiteErrorReport(models.Model):
    """An error of the agency's site reported by the public (「我为政府网站找错」)."""

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="site_error_reports",
                               verbose_name="机关")
    tracking_number = models.CharField("纠错编号", max_length=32, unique=True)
    page_url = models.CharField("出错页面地址", max_length=500)
    description = models.TextField("错误描述")
    contact = EncryptedTextField("联系方式", blank=True)
    status = models.CharField("状态", max_length=20, choices=SiteErrorStatus.choices,
                              default=SiteErrorStatus.RECEIVED, db_index=True)
    submitted_at = models.DateTimeField("提交时间")
    reply = models.TextField("处理结果", blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", verbose_name="处理人")
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "网站纠错"
        verbose_name_plural = "网站纠错"
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["agency", "status"], name="site_error_agency_status")]

    def __str__(self) -> str:
        return self.tracking_number


class SiteErrorEvent(WorkflowEvent):
    """One step of an error report's handling (``WorkflowEvent``)."""

    status_choices = SiteErrorStatus
    action_choices = Action

    report = models.ForeignKey(SiteErrorReport, on_delete=models.CASCADE, related_name="events")
    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")

    class Meta(WorkflowEvent.Meta):
        verbose_name = "网站纠错处理记录"
        verbose_name_plural = "网站纠错处理记录"
