from django.db import models


class AppealKind(models.TextChoices):
    """The three blocks of the annual report's table 四 (Art. 51)."""

    ADMINISTRATIVE_REVIEW = "administrative_review", "行政复议"
    LITIGATION_DIRECT = "litigation_direct", "行政诉讼（未经复议直接起诉）"
    LITIGATION_AFTER_REVIEW = "litigation_after_review", "行政诉讼（复议后起诉）"


class AppealOutcome(models.TextChoices):
    PENDING = "pending", "尚未审结"
    UPHELD = "upheld", "结果维持"
    CORRECTED = "corrected", "结果纠正"
    OTHER = "other", "其他结果"


class Appeal(models.Model):
    """An administrative review or lawsuit against the handling of a request."""

    request = models.ForeignKey("foi.FoiRequest", on_delete=models.PROTECT, related_name="appeals")
    kind = models.CharField("类型", max_length=30, choices=AppealKind.choices)
    filed_on = models.DateField("立案/申请日期")
    body = models.CharField("复议机关/法院", max_length=200)
    case_number = models.CharField("案号", max_length=100, blank=True)
    outcome = models.CharField("结果", max_length=20, choices=AppealOutcome.choices,
                               default=AppealOutcome.PENDING)
    decided_on = models.DateField("决定/判决日期", null=True, blank=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "行政复议/行政诉讼"
        verbose_name_plural = "行政复议/行政诉讼"
        ordering = ["-filed_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome="pending", decided_on__isnull=True)
                | (~models.Q(outcome="pending") & models.Q(decided_on__isnull=False)),
                name="appeal_decided_on_matches_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.case_number or self.filed_on}"
