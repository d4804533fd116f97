"""An agency's power and duty list (权责清单) as versions of items.

A version is a draft while the office edits it (typed in, copied from the current list or
imported from a spreadsheet); publishing it makes it the agency's current list. Published
versions are never edited or deleted: the previous ones stay as the list's history, and
each records the version it replaced and the counts of the change (新增、取消、调整),
computed by ``powerlists.diff`` when it was published."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from gongkai.powerlists.kinds import ORDER, ItemKind


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "草稿"  # the office edits it; not public
    PUBLISHED = "published", "已发布"  # public; the newest published one is the current list


class ListVersion(models.Model):
    """One version of an agency's power and duty list."""

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+",
                               verbose_name="机关")
    title = models.CharField("版本名称", max_length=100, help_text="如“2025年版”")
    status = models.CharField("状态", max_length=10, choices=VersionStatus.choices,
                              default=VersionStatus.DRAFT)
    effective_on = models.DateField("施行日期", null=True, blank=True)
    adopted_by = models.CharField("印发文件", max_length=200, blank=True,
                                  help_text="公布该版本的文件及文号，如「青政发〔2025〕3号」")
    note = models.TextField("说明", blank=True)
    source = models.CharField("来源", max_length=200, blank=True,
                              help_text="导入的文件名，或复制自的版本")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name="上一版本",
                                 help_text="发布时被本版本取代的版本")
    added_count = models.PositiveIntegerField("新增", default=0)
    removed_count = models.PositiveIntegerField("取消", default=0)
    changed_count = models.PositiveIntegerField("调整", default=0)

    class Meta:
        verbose_name = "权责清单版本"
        verbose_name_plural = "权责清单版本"
        ordering = ["-published_at", "-created_at", "-id"]
        indexes = [models.Index(fields=["agency", "status", "published_at"])]

    def __str__(self) -> str:
        return f"{self.agency} 权责清单 {self.title}"

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT


class PowerItem(models.Model):
    """One power (权力事项) of a version, with its duties (责任事项)."""

    version = models.ForeignKey(ListVersion, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField("序号", default=0)
    kind = models.CharField("权力类型", max_length=20, choices=ItemKind.choices)
    code = models.CharField("事项编码", max_length=64, blank=True,
                            help_text="可选；用于在各版本间识别同一事项")
    name = models.CharField("事项名称", max_length=300)
    sub_items = models.TextField("子项", blank=True, help_text="每行一个子项")
    basis = models.TextField("设定依据")
    department = models.ForeignKey("core.Department", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name="承办机构（内设机构）")
    department_name = models.CharField("实施主体/承办机构", max_length=200, blank=True)
    level = models.CharField("行使层级", max_length=40, blank=True,
                             help_text="如“省级、市级、县级”")
    duties = models.TextField("责任事项", blank=True)
    remarks = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "权力事项"
        verbose_name_plural = "权力事项"
        ordering = ["version_id", "position", "id"]
        indexes = [models.Index(fields=["version", "kind"])]

    def __str__(self) -> str:
        return self.name

    @property
    def kind_order(self) -> int:
        return ORDER.get(self.kind, len(ORDER))

    @property
    def sub_item_list(self) -> list[str]:
        return [line.strip() for line in self.sub_items.splitlines() if line.strip()]
