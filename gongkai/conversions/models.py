"""The office's decisions on proposals to publish repeatedly requested information
(条例第四十四条): a conversion into a draft item of proactive disclosure, or a dismissal
with its reason; the per-agency threshold; and the history of the decisions.

The proposals themselves are not stored: they are computed from the requests
(``conversions.rules``). A decision names the requests it covered, so the same cluster is
not proposed again unless a new request joins it."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from gongkai.conversions import rules
from gongkai.conversions.workflow import Action, ProposalStatus
from gongkai.core.models import WorkflowEvent


class AgencyConversionSettings(models.Model):
    """An agency's threshold: how many distinct applicants make a proposal."""

    agency = models.OneToOneField("core.Agency", on_delete=models.CASCADE,
                                  related_name="conversion_settings")
    min_applicants = models.PositiveSmallIntegerField(
        "建议转为主动公开的申请人数", default=rules.DEFAULT_MIN_APPLICANTS,
        validators=[MinValueValidator(rules.LEAST_MIN_APPLICANTS),
                    MaxValueValidator(rules.MOST_MIN_APPLICANTS)],
        help_text="同一政府信息被多少个不同申请人申请并予以公开（含部分公开）后，建议纳入主动公开。",
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "依申请转主动设置"
        verbose_name_plural = "依申请转主动设置"

    def __str__(self) -> str:
        return f"{self.agency} ≥{self.min_applicants}"


class Conversion(models.Model):
    """Requests for the same information turned into a draft item of proactive
    disclosure (依申请转主动). The item then goes through publishing's review like any
    other; publishing knows only its origin (``Publication.origin``)."""

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    publication = models.OneToOneField("publishing.Publication", on_delete=models.PROTECT,
                                       related_name="conversion", verbose_name="政府信息")
    requests = models.ManyToManyField("foi.FoiRequest", related_name="conversions",
                                      verbose_name="申请")
    cluster_key = models.CharField(max_length=64, db_index=True)
    applicants = models.PositiveIntegerField("不同申请人数")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("转化时间")

    class Meta:
        verbose_name = "依申请转主动"
        verbose_name_plural = "依申请转主动"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"依申请转主动 {self.pk}"


class Dismissal(models.Model):
    """The office's decision not to publish a proposal's information, with its reason."""

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    requests = models.ManyToManyField("foi.FoiRequest", related_name="conversion_dismissals",
                                      verbose_name="申请")
    cluster_key = models.CharField(max_length=64, db_index=True)
    applicants = models.PositiveIntegerField("不同申请人数")
    reason = models.TextField("不予转化的理由")
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    dismissed_at = models.DateTimeField("处理时间")

    class Meta:
        verbose_name = "不予转为主动公开"
        verbose_name_plural = "不予转为主动公开"
        ordering = ["-dismissed_at", "-id"]

    def __str__(self) -> str:
        return f"不予转化 {self.pk}"


class ConversionEvent(WorkflowEvent):
    """One decision on a proposal (``WorkflowEvent``): proposed → converted or dismissed."""

    status_choices = ProposalStatus
    action_choices = Action

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    cluster_key = models.CharField(max_length=64, db_index=True)
    conversion = models.ForeignKey(Conversion, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="events")
    dismissal = models.ForeignKey(Dismissal, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = "依申请转主动记录"
        verbose_name_plural = "依申请转主动记录"
