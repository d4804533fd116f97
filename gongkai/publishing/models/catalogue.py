from django.db import models


class ColumnKind(models.TextChoices):
    """How often a column must be updated (the national website inspection's rules)."""

    DYNAMIC = "dynamic", "动态/要闻类"  # stale after 2 weeks without an update
    NOTICE = "notice", "通知公告/政策文件类"  # stale after 6 months
    PLAN = "plan", "人事/规划类"  # stale after a year
    STATIC = "static", "静态类"  # no rhythm (guide, functions), must not be blank


# Days without an update after which a column counts as stale (website_checks.md).
STALE_AFTER_DAYS = {
    ColumnKind.DYNAMIC: 14,
    ColumnKind.NOTICE: 183,
    ColumnKind.PLAN: 365,
    ColumnKind.STATIC: None,
}


class Column(models.Model):
    """A node of an agency's disclosure catalogue (政府信息公开目录 / 栏目)."""

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="columns")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="上级栏目",
    )
    name = models.CharField("栏目名称", max_length=100)
    kind = models.CharField("栏目类型", max_length=20, choices=ColumnKind.choices)
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)
    # The newest publication date of the public items listed in this column itself (not
    # its sub-columns), kept by publishing.column_dates for the oversight table.
    newest_public_on = models.DateField("最新公开信息日期", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "栏目"
        verbose_name_plural = "栏目"
        ordering = ["agency_id", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "parent", "name"], name="column_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # newest_public_on is written only by publishing.column_dates, under the column's
        # row lock: an edit of a column loaded earlier must not write back its old copy.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "newest_public_on"
            ]
        super().save(*args, **kwargs)


class Topic(models.Model):
    """Topic classification (主题分类), a facet shared by the whole platform."""

    code = models.CharField("代码", max_length=20, unique=True)
    name = models.CharField("主题", max_length=100)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "主题分类"
        verbose_name_plural = "主题分类"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name
