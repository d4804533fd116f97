from django.db import models


class AgencyPublishingSettings(models.Model):
    """How one agency publishes, where the rules leave it a choice."""

    agency = models.OneToOneField(
        "core.Agency", on_delete=models.CASCADE, related_name="publishing_settings"
    )
    approval_steps = models.PositiveSmallIntegerField(
        "领导审批层级", default=1, help_text="保密审查后需要几级领导审批（0表示不需领导审批）"
    )
    interpretation_limit_days = models.PositiveSmallIntegerField(
        "政策解读期限（工作日）", default=5, help_text="规范性文件发布后多少个工作日内应发布解读"
    )
    mask_patterns = models.JSONField(
        "脱敏规则",
        default=dict,
        blank=True,
        help_text='如 {"resident_id": [3, 4], "mobile": [3, 4], "bank_card": [4, 4]}：保留前几位和后几位',
    )

    class Meta:
        verbose_name = "主动公开设置"
        verbose_name_plural = "主动公开设置"

    def __str__(self) -> str:
        return f"{self.agency} 主动公开设置"
