"""What a supervising office configures for its compliance table: its own thresholds of
the red/amber/green marks, per column (the defaults are ``data/thresholds.toml``).

The figures themselves are never stored: ``oversight.compliance`` computes them from
the records of the areas each time."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from gongkai.oversight import rules


class ComplianceThreshold(models.Model):
    """A supervising office's thresholds for one column of its table; they apply to
    every agency of its subtree (the nearest supervising agency's row wins)."""

    agency = models.ForeignKey("core.Agency", on_delete=models.CASCADE,
                               related_name="compliance_thresholds", verbose_name="监督机关")
    column = models.CharField("指标", max_length=40,
                              choices=[(c.key, c.label) for c in rules.COLUMNS if c.marked])
    amber = models.DecimalField("“关注”阈值", max_digits=7, decimal_places=2)
    red = models.DecimalField("“预警”阈值", max_digits=7, decimal_places=2)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("修改时间")

    class Meta:
        verbose_name = "监督指标阈值"
        verbose_name_plural = "监督指标阈值"
        ordering = ["agency_id", "column"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "column"], name="compliance_threshold_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} · {self.get_column_display()}"
