from django.conf import settings
from django.db import models

from gongkai.core.models import WorkflowEvent


class DisclosureAttribute(models.TextChoices):
    """Set when a document is drafted; a document without one is not issued."""

    PROACTIVE = "proactive", "主动公开"
    ON_REQUEST = "on_request", "依申请公开"
    NOT_DISCLOSED = "not_disclosed", "不予公开"


class Validity(models.TextChoices):
    VALID = "valid", "有效"
    EXPIRED = "expired", "失效"
    REPEALED = "repealed", "废止"


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", "草稿"  # being written by an officer or the office
    IN_REVIEW = "in_review", "保密审查中"  # submitted; waiting for the secrecy review (Art. 17)
    IN_APPROVAL = "in_approval", "领导审批中"  # reviewed; waiting for the leader approval steps
    APPROVED = "approved", "待发布"  # approved; the office publishes or schedules it
    SCHEDULED = "scheduled", "定时发布"  # goes out at scheduled_for
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已撤回"  # taken down with a reason; kept in history


class PublicationOrigin(models.TextChoices):
    """How an item came to be proactive disclosure. Publishing knows only the origin; the
    requests a conversion came from are linked in ``gongkai.conversions`` (publishing
    imports neither foi nor conversions)."""

    REGULAR = "regular", "主动公开"
    # Art. 44: several applicants asked for the same information and it was disclosed.
    CONVERTED_FROM_REQUESTS = "converted_from_requests", "依申请转主动"


class Publication(models.Model):
    """One item of government information with its catalogue metadata (政府信息).

    The fields here are the working copy. Every saved version is kept as a
    ``PublicationRevision``; the public sees ``published_revision`` only. The index number
    is taken when the item is created, from a gap-free per-agency, per-year series, and
    is never reused (items are withdrawn, never deleted).
    """

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="publications")
    index_number = models.CharField("索引号", max_length=64, unique=True)
    status = models.CharField(
        "状态",
        max_length=20,
        choices=PublicationStatus.choices,
        default=PublicationStatus.DRAFT,
        db_index=True,
    )
    title = models.CharField("标题", max_length=300)
    issuing_agency = models.CharField("发布机构", max_length=200)
    department = models.ForeignKey(
        "core.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="publications",
        verbose_name="起草科室",
    )
    doc_number = models.CharField("文号", max_length=100, blank=True)
    written_on = models.DateField("成文日期")
    published_on = models.DateField("发布日期", null=True, blank=True, db_index=True)
    scheduled_for = models.DateTimeField("定时发布时间", null=True, blank=True)
    topic = models.ForeignKey(
        "publishing.Topic", null=True, blank=True, on_delete=models.PROTECT, verbose_name="主题分类"
    )
    disclosure_attribute = models.CharField(
        "公开属性", max_length=20, choices=DisclosureAttribute.choices
    )
    non_disclosure_reason = models.TextField("不主动公开的理由", blank=True)
    validity = models.CharField(
        "有效性", max_length=20, choices=Validity.choices, default=Validity.VALID
    )
    body = models.TextField("正文", blank=True)
    keywords = models.CharField("关键词", max_length=200, blank=True)
    columns = models.ManyToManyField(
        "publishing.Column", related_name="publications", verbose_name="所属栏目", blank=True
    )
    published_revision = models.ForeignKey(
        "publishing.PublicationRevision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="公开版本",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    withdrawal_reason = models.TextField("撤回理由", blank=True)
    # Set once, by the service that creates the item (``publication_create(origin=...)``).
    origin = models.CharField(
        "来源", max_length=30, choices=PublicationOrigin.choices, default=PublicationOrigin.REGULAR
    )

    class Meta:
        verbose_name = "政府信息"
        verbose_name_plural = "政府信息"
        ordering = ["-published_on", "-id"]
        indexes = [
            models.Index(fields=["agency", "status", "-published_on"], name="pub_agency_status"),
            # The public items by day, carrying what the oversight table reads of them (late
            # publications, columns' newest items): read from the index alone, not from a
            # million rows scattered over the table (PostgreSQL; SQLite has no INCLUDE).
            models.Index(fields=["published_on"], include=["id", "agency", "written_on"],
                         condition=models.Q(status="published"), name="pub_public_by_day"),
        ]

    def __str__(self) -> str:
        return f"{self.index_number} {self.title}"


class PublicationRevision(models.Model):
    """A saved version of an item: what was reviewed, approved and published."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    doc_number = models.CharField(max_length=100, blank=True)
    body = models.TextField(blank=True)
    metadata = models.JSONField(default=dict)  # the other catalogue fields at that moment
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "版本"
        verbose_name_plural = "版本"
        ordering = ["publication_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "number"], name="revision_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.publication_id} v{self.number}"


class PublicationAttachment(models.Model):
    """A file published with the item; its extracted text is screened and searched."""

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to="publishing/%Y/%m/")
    original_name = models.CharField(max_length=200)
    # The name readers see on the public and staff pages ("2025年部门预算"), editable; the
    # uploaded file's name without its extension by default (the type is shown beside it).
    display_name = models.CharField("附件名称", max_length=200, blank=True)
    kind = models.CharField(max_length=10)  # PDF, DOCX, XLSX, JPEG, PNG
    size = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)  # removed attachments stay for history
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["publication_id", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.display_name or default_display_name(self.original_name)

    @property
    def download_name(self) -> str:
        """The name a reader's download is saved under: the display name with the uploaded
        file's extension, so an internal file name never leaves the office."""
        _, dot, extension = (self.original_name or "").rpartition(".")
        suffix = f".{extension}" if dot and 1 <= len(extension) <= 5 and extension.isalnum() else ""
        return self.label if self.label.lower().endswith(suffix.lower()) else self.label + suffix


def default_display_name(file_name: str) -> str:
    """An uploaded file's name as readers see it: without the extension ("预算.pdf" →
    "预算"); a name that is only an extension stays as it is."""
    stem, dot, extension = (file_name or "").strip().rpartition(".")
    if dot and stem.strip() and 1 <= len(extension) <= 5 and extension.isalnum():
        return stem.strip()
    return (file_name or "").strip() or "附件"


class ReviewConclusion(models.TextChoices):
    MAY_PUBLISH = "may_publish", "可以公开"
    PUBLISH_AFTER_REDACTION = "after_redaction", "经处理后可以公开"
    MAY_NOT_PUBLISH = "may_not_publish", "不得公开"


class SecrecyReview(models.Model):
    """The secrecy review form (保密审查, Art. 17; 一文一审: one per version reviewed)."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="reviews")
    revision = models.ForeignKey(PublicationRevision, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    involves_state_secrets = models.BooleanField("是否涉及国家秘密")
    involves_privacy_or_trade_secrets = models.BooleanField("是否涉及个人隐私或商业秘密")
    endangers_security_or_stability = models.BooleanField(
        "是否危及国家安全、公共安全、经济安全和社会稳定"
    )
    conclusion = models.CharField("审查结论", max_length=20, choices=ReviewConclusion.choices)
    opinion = models.TextField("审查意见", blank=True)
    reviewed_at = models.DateTimeField()

    class Meta:
        verbose_name = "保密审查"
        verbose_name_plural = "保密审查"
        ordering = ["reviewed_at", "id"]

    def __str__(self) -> str:
        return f"{self.publication_id} {self.get_conclusion_display()}"


class Approval(models.Model):
    """One leader approval step (the number of steps is an agency setting)."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="approvals")
    revision = models.ForeignKey(PublicationRevision, on_delete=models.PROTECT, related_name="+")
    step = models.PositiveSmallIntegerField()
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved = models.BooleanField()
    opinion = models.TextField(blank=True)
    decided_at = models.DateTimeField()

    class Meta:
        verbose_name = "审批"
        verbose_name_plural = "审批"
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.publication_id} step {self.step}"


class ScreeningRun(models.Model):
    """Leak screening of one version (body and every attachment) before publication.
    Findings block publication until redacted, or overridden by a reviewer with a reason."""

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="screenings"
    )
    revision = models.ForeignKey(PublicationRevision, on_delete=models.PROTECT, related_name="+")
    findings = models.JSONField(default=list)  # masked excerpts only, never the values
    screened_at = models.DateTimeField()
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    override_reason = models.TextField(blank=True)
    override_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "泄密筛查"
        verbose_name_plural = "泄密筛查"
        ordering = ["screened_at", "id"]

    def __str__(self) -> str:
        return f"{self.publication_id} {len(self.findings)} findings"

    @property
    def clears_publication(self) -> bool:
        return not self.findings or bool(self.override_by_id)


class PublicationEvent(WorkflowEvent):
    """One step of an item's history (``WorkflowEvent``)."""

    status_choices = PublicationStatus
    action_choices = "gongkai.publishing.workflow.Action"

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = "发布记录"
        verbose_name_plural = "发布记录"


class ReleaseChannel(models.TextChoices):
    WECHAT = "wechat", "微信公众号"
    WEIBO = "weibo", "政务微博"
    TOUTIAO = "toutiao", "今日头条号"
    APP = "app", "政务客户端"
    PRESS = "press", "报刊"
    TV_RADIO = "tv_radio", "广播电视"
    READING_ROOM = "reading_room", "查阅场所"
    OTHER = "other", "其他"


class ChannelRelease(models.Model):
    """Where else an item was released (the report counts releases per channel)."""

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="channel_releases"
    )
    channel = models.CharField("渠道", max_length=20, choices=ReleaseChannel.choices)
    released_on = models.DateField("发布日期")
    reference = models.CharField("链接或说明", max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "其他渠道发布"
        verbose_name_plural = "其他渠道发布"
        ordering = ["released_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.released_on}"
