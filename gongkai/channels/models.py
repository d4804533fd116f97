"""Government new-media accounts (政务新媒体) of an agency, their monthly figures typed or
imported by the office, and the agency's staleness interval.

The website's own figures are not stored: they are counted from the records of
publishing, foi, interaction and consultations when asked (``selectors.website_figures``).
Whether an account is stale is computed from ``Account.last_post_on`` and today
(``rules.is_stale``), never stored."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from gongkai.channels import rules


class Platform(models.TextChoices):
    WECHAT = "wechat", "微信公众号"
    WEIBO = "weibo", "微博"
    TOUTIAO = "toutiao", "今日头条"
    DOUYIN = "douyin", "抖音"
    OTHER = "other", "其他"


class AgencyChannelSettings(models.Model):
    """The agency's interval for "not updated" (``rules.not_updated_days``)."""

    agency = models.OneToOneField("core.Agency", on_delete=models.CASCADE,
                                  related_name="channel_settings")
    stale_after_days = models.PositiveSmallIntegerField(
        "未更新判定天数", default=rules.NOT_UPDATED_DEFAULT_DAYS,
        validators=[MinValueValidator(rules.NOT_UPDATED_LEAST_DAYS),
                    MaxValueValidator(rules.NOT_UPDATED_MOST_DAYS)],
        help_text="账号最近一次发布距今超过这么多天即视为未更新（国办秘函〔2019〕19号：2周；部分地方要求10天）。",
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "政务新媒体设置"
        verbose_name_plural = "政务新媒体设置"

    def __str__(self) -> str:
        return f"{self.agency} {self.stale_after_days}天"


class Account(models.Model):
    """One account of the agency on a platform."""

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="channel_accounts",
                               verbose_name="机关")
    platform = models.CharField("平台", max_length=20, choices=Platform.choices)
    name = models.CharField("账号名称", max_length=100)
    handle = models.CharField("账号ID", max_length=100,
                              help_text="平台上的账号标识，如微信号、微博ID；导入数据时按此匹配账号。")
    url = models.URLField("链接", max_length=500, blank=True)
    department = models.ForeignKey("core.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="主管科室")
    opened_on = models.DateField("开设日期", null=True, blank=True)
    is_active = models.BooleanField("在运营", default=True,
                                    help_text="已关停或注销的账号不再检查更新情况，历史数据保留。")
    has_interaction = models.BooleanField(
        "具备互动功能", default=True,
        help_text="留言、评论或私信等互动功能；检查指标规定无互动功能的账号为不合格。")
    last_post_on = models.DateField("最近更新日期", null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "政务新媒体账号"
        verbose_name_plural = "政务新媒体账号"
        ordering = ["agency", "platform", "name", "pk"]
        constraints = [models.UniqueConstraint(fields=["agency", "platform", "handle"],
                                               name="channel_account_unique_handle")]

    def __str__(self) -> str:
        return f"{self.get_platform_display()}“{self.name}”"


class MonthlyFigure(models.Model):
    """An account's figures for one month: posts in the month, followers at its end,
    reads (阅读量) in the month."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="figures")
    month = models.DateField("月份")  # the first day of the month
    posts = models.PositiveIntegerField("发布信息数")
    followers = models.PositiveIntegerField("月末关注用户数")
    reads = models.PositiveBigIntegerField("阅读量")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField("录入时间")
    source = models.CharField("来源", max_length=10, default="typed")  # typed or imported

    class Meta:
        verbose_name = "政务新媒体月度数据"
        verbose_name_plural = "政务新媒体月度数据"
        ordering = ["account", "month"]
        constraints = [models.UniqueConstraint(fields=["account", "month"], name="channel_figure_unique_month")]

    def __str__(self) -> str:
        return f"{self.account} {self.month:%Y-%m}"
