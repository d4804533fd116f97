"""The list of inspection matters (随机抽查事项清单, 一单) of an agency, in versions.

A version is a draft while the office edits it and becomes the agency's current list when
published; published versions are never edited, the earlier ones stay as the history (the
same shape as the power and duty list). A task names matters of a published version, so
what was inspected stays what the public list said at the time."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class MatterListStatus(models.TextChoices):
    DRAFT = "draft", "草稿"  # the office edits it; not public
    PUBLISHED = "published", "已发布"  # public; the newest published one is the current list


class InspectionMethod(models.TextChoices):
    ON_SITE = "on_site", "实地核查"
    DOCUMENTS = "documents", "书面检查"
    ONLINE = "online", "网络监测"
    SAMPLING = "sampling", "抽样检测"


class MatterList(models.Model):
    """One version of an agency's list of inspection matters."""

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+",
                               verbose_name="机关")
    title = models.CharField("版本名称", max_length=100, help_text="如“2026年版”")
    status = models.CharField("状态", max_length=10, choices=MatterListStatus.choices,
                              default=MatterListStatus.DRAFT)
    adopted_by = models.CharField("印发文件", max_length=200, blank=True)
    note = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name="上一版本")

    class Meta:
        verbose_name = "抽查事项清单版本"
        verbose_name_plural = "抽查事项清单版本"
        ordering = ["-published_at", "-created_at", "-id"]
        indexes = [models.Index(fields=["agency", "status", "published_at"], name="ri_matterlist_current")]

    def __str__(self) -> str:
        return f"{self.agency} 随机抽查事项清单 {self.title}"

    @property
    def is_draft(self) -> bool:
        return self.status == MatterListStatus.DRAFT


class InspectionMatter(models.Model):
    """One matter (抽查事项) of a version: what may be inspected, on what basis, by whom,
    how and how often."""

    matter_list = models.ForeignKey(MatterList, on_delete=models.CASCADE, related_name="matters")
    position = models.PositiveIntegerField("序号", default=0)
    code = models.CharField("事项编码", max_length=64, blank=True,
                            help_text="可选；用于在各版本间识别同一事项")
    category = models.CharField("抽查类别", max_length=100, blank=True,
                                help_text="如“重点检查事项”“一般检查事项”")
    name = models.CharField("抽查事项", max_length=300)
    basis = models.TextField("检查依据")
    department = models.ForeignKey("core.Department", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="实施部门（内设机构）")
    department_name = models.CharField("检查主体/实施部门", max_length=200, blank=True)
    target_kind = models.CharField("检查对象", max_length=200,
                                   help_text="如“企业”“个体工商户”“食品生产企业”")
    methods = models.JSONField("检查方式", default=list,
                               help_text="InspectionMethod 的值的列表")
    frequency = models.CharField("抽查比例和频次", max_length=200, blank=True,
                                 help_text="如“每年不少于一次，抽查比例不低于5%”")
    ratio_percent = models.DecimalField("抽查比例（%）", max_digits=5, decimal_places=2, null=True, blank=True)
    remarks = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "抽查事项"
        verbose_name_plural = "抽查事项"
        ordering = ["matter_list_id", "position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def method_labels(self) -> list[str]:
        labels = dict(InspectionMethod.choices)
        return [labels.get(m, m) for m in self.methods]
