"""Consultations on drafts (意见征集 / 决策预公开): the draft, its comments, the opinions
staff make of them, and the adoption feedback.

A consultation's stored status is what people decided (drafted, submitted, approved for
publication, feedback published, withdrawn); whether a published one is upcoming, open or
closed is derived from its dates on the day (``selectors.phase``), so nothing has to run
when a period starts or ends.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from gongkai.consultations import rules
from gongkai.core import clock
from gongkai.core.crypto import EncryptedTextField
from gongkai.core.models import WorkflowEvent


class ConsultationKind(models.TextChoices):
    NORMATIVE = "normative", "规范性文件"
    MAJOR_DECISION = "major_decision", "重大行政决策"
    OTHER = "other", "其他"


class ConsultationStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    AWAITING_APPROVAL = "awaiting_approval", "待领导审核"
    PUBLISHED = "published", "已发布"  # upcoming, open or closed: by the dates
    FEEDBACK_PUBLISHED = "feedback_published", "已公布采纳情况"
    WITHDRAWN = "withdrawn", "已撤回"


class Phase(models.TextChoices):
    """Where a consultation stands on a given day (status and dates together)."""

    DRAFT = "draft", "草稿"
    AWAITING_APPROVAL = "awaiting_approval", "待领导审核"
    UPCOMING = "upcoming", "即将开始"
    OPEN = "open", "征集中"
    CLOSED = "closed", "已截止"
    FEEDBACK_PUBLISHED = "feedback_published", "已公布采纳情况"
    WITHDRAWN = "withdrawn", "已撤回"


class AgencyConsultationSettings(models.Model):
    """An agency's periods for one kind of draft: the minimum comment period (days) and
    how many working days after the close the feedback is due. Blank: the nearest
    ancestor's setting, then the platform default (``rules``)."""

    agency = models.ForeignKey("core.Agency", on_delete=models.CASCADE, related_name="+",
                               verbose_name="机关")
    kind = models.CharField("草案类别", max_length=20, choices=ConsultationKind.choices)
    minimum_days = models.PositiveSmallIntegerField(
        "最短征求意见期限（日）", null=True, blank=True,
        help_text=f"留空则沿用上级机关的设置，默认{rules.DEFAULT_MINIMUM_PERIOD_DAYS}日（重大行政决策程序暂行条例第十五条）")
    feedback_working_days = models.PositiveSmallIntegerField(
        "截止后公布采纳情况的期限（工作日）", null=True, blank=True,
        help_text=f"留空则沿用上级机关的设置，默认{rules.DEFAULT_FEEDBACK_WORKING_DAYS}个工作日")

    class Meta:
        verbose_name = "意见征集期限设置"
        verbose_name_plural = "意见征集期限设置"
        constraints = [
            models.UniqueConstraint(fields=["agency", "kind"], name="consultation_settings_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} · {self.get_kind_display()}"


class Consultation(models.Model):
    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT,
                               related_name="consultations", verbose_name="机关")
    kind = models.CharField("草案类别", max_length=20, choices=ConsultationKind.choices)
    title = models.CharField("标题", max_length=200)
    draft_body = models.TextField("草案正文", help_text="条文以“第一条”“第二条”等开头的行，公众可对单条提出意见")
    explanation = models.TextField("起草说明")
    basis = models.TextField("起草依据", blank=True)
    opens_on = models.DateField("征求意见开始日期")
    closes_on = models.DateField("征求意见截止日期")
    short_period_reason = models.TextField(
        "期限少于最短期限的理由", blank=True,
        help_text="征求意见期限少于规定的最短期限时必须填写，并向社会公开")
    status = models.CharField("状态", max_length=30, choices=ConsultationStatus.choices,
                              default=ConsultationStatus.DRAFT)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    feedback_summary = models.TextField("采纳情况总体说明", blank=True)
    feedback_published_on = models.DateField("采纳情况公布日期", null=True, blank=True)
    final_document = models.ForeignKey(
        "publishing.NormativeDocument", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name="正式文件（规范性文件库）")
    withdrawal_reason = models.TextField("撤回理由", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "意见征集"
        verbose_name_plural = "意见征集"
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gt=models.F("opens_on")),
                                   name="consultation_closes_after_opening"),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | ~Q(withdrawal_reason=""),
                name="consultation_withdrawn_has_reason"),
        ]
        indexes = [models.Index(fields=["agency", "status", "closes_on"], name="consultation_state")]

    def __str__(self) -> str:
        return self.title


class ConsultationAttachment(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE,
                                     related_name="attachments")
    file = models.FileField(upload_to="consultations/%Y/%m/")
    name = models.CharField("附件名称", max_length=200)
    kind = models.CharField(max_length=10)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "意见征集附件"
        verbose_name_plural = "意见征集附件"
        ordering = ["consultation_id", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def download_name(self) -> str:
        return f"{self.name}.{self.kind.lower().replace('jpeg', 'jpg')}"


class ConsultationEvent(WorkflowEvent):
    status_choices = ConsultationStatus
    action_choices = "gongkai.consultations.workflow.Action"

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = "意见征集记录"
        verbose_name_plural = "意见征集记录"


class Disposition(models.TextChoices):
    ADOPTED = "adopted", "采纳"
    PARTLY_ADOPTED = "partly_adopted", "部分采纳"
    NOT_ADOPTED = "not_adopted", "未采纳"


class Opinion(models.Model):
    """An opinion staff draw from one or more comments (归纳意见), with what was done with it."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="opinions")
    article = models.PositiveSmallIntegerField("针对条款", null=True, blank=True)
    summary = models.TextField("意见内容")
    disposition = models.CharField("采纳情况", max_length=20, choices=Disposition.choices)
    reason = models.TextField("理由", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "归纳意见"
        verbose_name_plural = "归纳意见"
        ordering = ["consultation_id", "article", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(disposition="adopted") | ~Q(reason=""),
                name="opinion_reason_unless_adopted"),
        ]

    def __str__(self) -> str:
        return self.summary[:30]


class CommentStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    ACCEPTED = "accepted", "已采用展示"
    REJECTED = "rejected", "不予展示"


class Comment(models.Model):
    """A comment from the public, on the whole draft (``article`` None) or one article.

    Screened on arrival (leak findings and word-list hits are kept, as positions and
    masked excerpts); displayed only after a member of staff accepts it, as
    ``display_body`` (personal data masked). The name and contact are personal data:
    encrypted at rest, masked on screen, never public."""

    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="comments")
    article = models.PositiveSmallIntegerField("针对条款", null=True, blank=True)
    body = models.TextField("意见内容")
    name = EncryptedTextField("姓名", blank=True)
    contact = EncryptedTextField("联系方式", blank=True)
    submitted_at = models.DateTimeField("提交时间", default=clock.now)
    leak_findings = models.JSONField(default=list, blank=True)
    word_hits = models.JSONField(default=list, blank=True)
    status = models.CharField("审核状态", max_length=20, choices=CommentStatus.choices,
                              default=CommentStatus.PENDING)
    display_body = models.TextField("展示内容", blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField("不予展示理由", max_length=300, blank=True)
    opinion = models.ForeignKey(Opinion, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="comments")
    # Written while signed in with a government-service account: listed under "我的申请".
    public_account = models.ForeignKey("identity.PublicAccount", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="comments",
                                       verbose_name="公众账号")

    class Meta:
        verbose_name = "公众意见"
        verbose_name_plural = "公众意见"
        ordering = ["consultation_id", "submitted_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="comment_rejected_has_reason"),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False),
                name="comment_decided_has_time"),
        ]
        indexes = [models.Index(fields=["consultation", "status"], name="comment_status")]

    def __str__(self) -> str:
        return f"意见 {self.pk}"

    @property
    def flagged(self) -> bool:
        return bool(self.leak_findings or self.word_hits)
