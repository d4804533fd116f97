"""Results of random inspections (一公开): one per drawn target, published on the portal
and exported for the enterprise credit system within 20 working days of the task's end
(``rules.results_due``); a finding may open a follow-up case, linked to the penalty
decision (处罚) when one is published."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from gongkai.core.encrypted_storage import encrypted_storage


class Result(models.Model):
    """What the inspection of one drawn target found. ``finding`` is a code of
    ``data/findings.toml`` (the findings in use, with their exchange codes)."""

    target = models.OneToOneField("random_inspections.DrawnTarget", on_delete=models.PROTECT,
                                  related_name="result")
    finding = models.CharField("检查结果", max_length=40)
    inspected_on = models.DateField("检查日期")
    summary = models.TextField("检查情况", blank=True, help_text="内部记录，不公开")
    # Who actually inspected: the drawn inspectors unless one was replaced from the pool,
    # which needs a reason (published with the result).
    actual_inspectors = models.ManyToManyField("random_inspections.Inspector", blank=True, related_name="+",
                                               verbose_name="实际检查人员")
    substitution_reason = models.TextField("人员替换理由", blank=True)
    # The inspection record (检查记录表) as signed; may name people, so it is kept
    # encrypted and never published.
    record = models.FileField("检查记录", upload_to="random_inspections/records/%Y/", blank=True,
                              storage=encrypted_storage)
    record_name = models.CharField("检查记录文件名", max_length=200, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField("录入时间")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    published_on = models.DateField("公示日期", null=True, blank=True)
    published_at = models.DateTimeField("公示时间", null=True, blank=True)

    class Meta:
        verbose_name = "抽查结果"
        verbose_name_plural = "抽查结果"
        ordering = ["target_id"]
        indexes = [models.Index(fields=["published_on"], name="ri_result_published")]

    def __str__(self) -> str:
        return f"{self.target} {self.finding}"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", "办理中"
    CLOSED = "closed", "已办结"


class FollowUpCase(models.Model):
    """A case opened on a finding (后续处置: 立案查处, 移送), linked to the penalty decision
    (decisions.Decision) once one is published."""

    result = models.ForeignKey(Result, on_delete=models.PROTECT, related_name="cases")
    case_number = models.CharField("案件编号", max_length=100)
    opened_on = models.DateField("立案日期")
    status = models.CharField("状态", max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    note = models.TextField("处置情况", blank=True)
    decision = models.ForeignKey("decisions.Decision", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name="行政处罚决定")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = "后续处置"
        verbose_name_plural = "后续处置"
        ordering = ["-opened_on", "-id"]

    def __str__(self) -> str:
        return self.case_number
