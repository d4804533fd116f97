from django.conf import settings
from django.db import models


class NormativeKind(models.TextChoices):
    """The two rows of table 二 第二十条第(一)项 (2021 format)."""

    RULE = "rule", "规章"
    NORMATIVE_DOCUMENT = "normative_document", "行政规范性文件"


class NormativeDocument(models.Model):
    """A rule or normative document, tracked from issue to repeal so the annual report can
    count issued / repealed / in force, and linked to its interpretations."""

    agency = models.ForeignKey(
        "core.Agency", on_delete=models.PROTECT, related_name="normative_documents"
    )
    kind = models.CharField("类别", max_length=30, choices=NormativeKind.choices)
    title = models.CharField("名称", max_length=300)
    doc_number = models.CharField("文号", max_length=100)
    issued_on = models.DateField("发布日期")
    effective_on = models.DateField("施行日期", null=True, blank=True)
    repealed_on = models.DateField("废止/失效日期", null=True, blank=True)
    repeal_reason = models.CharField("废止/失效说明", max_length=300, blank=True)
    drafting_department = models.ForeignKey(
        "core.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="起草科室",
    )
    publication = models.OneToOneField(
        "publishing.Publication",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="normative_document",
        verbose_name="公开的政府信息",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "规章和规范性文件"
        verbose_name_plural = "规章和规范性文件"
        ordering = ["-issued_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "doc_number"], name="normative_unique_number"
            ),
            models.CheckConstraint(
                condition=models.Q(repealed_on__isnull=True)
                | models.Q(repealed_on__gte=models.F("issued_on")),
                name="normative_repealed_after_issued",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.doc_number}）"

    def in_force_on(self, day) -> bool:
        return self.issued_on <= day and (self.repealed_on is None or self.repealed_on > day)


class InterpretationForm(models.TextChoices):
    TEXT = "text", "文字解读"
    GRAPHIC = "graphic", "图解"
    AUDIO_VIDEO = "audio_video", "音视频"
    QA = "qa", "问答"
    BRIEFING = "briefing", "新闻发布会/专家解读"
    COMIC = "comic", "动漫"


class Interpretation(models.Model):
    """A policy interpretation (政策解读) of a normative document: drafted by the drafting
    department and published with it (国办发〔2016〕80号)."""

    document = models.ForeignKey(
        NormativeDocument, on_delete=models.CASCADE, related_name="interpretations"
    )
    form = models.CharField("形式", max_length=20, choices=InterpretationForm.choices)
    title = models.CharField("标题", max_length=300)
    published_on = models.DateField("发布日期")
    publication = models.ForeignKey(
        "publishing.Publication",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="interpretations_of",
        verbose_name="解读的政府信息",
    )
    url = models.URLField("链接", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "政策解读"
        verbose_name_plural = "政策解读"
        ordering = ["published_on", "id"]

    def __str__(self) -> str:
        return self.title
