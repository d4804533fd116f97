from django.conf import settings
from django.db import models
from django.db.models import Q

from gongkai.core.crypto import EncryptedTextField
from gongkai.decisions import rules


class DecisionKind(models.TextChoices):
    """What the decision is; the annual report counts the first three (table 二)."""

    LICENCE = rules.LICENCE, "行政许可"
    PENALTY = rules.PENALTY, "行政处罚"
    ENFORCEMENT = rules.ENFORCEMENT, "行政强制"
    OTHER = rules.OTHER, "其他行政执法决定"


class PartyType(models.TextChoices):
    NATURAL_PERSON = rules.NATURAL_PERSON, "自然人"
    ORGANISATION = rules.ORGANISATION, "法人及非法人组织"
    INDIVIDUAL_BUSINESS = rules.INDIVIDUAL_BUSINESS, "个体工商户"


class DecisionStatus(models.TextChoices):
    """Stored states. "Publication period over" (公示期满) is not one: it is derived from
    the dates on the day (``rules.is_shown_on``), so nothing has to run for it."""

    PENDING = "pending", "待公示"  # imported and held back; the 7-working-day clock runs
    PUBLISHED = rules.PUBLISHED, "已公示"  # public from published_on until its period ends
    WITHDRAWN = rules.WITHDRAWN, "已撤回"  # changed or revoked: taken down, with the reason
    NOT_PUBLISHED = "not_published", "不予公示"  # a warning only (Order 45 Art. 2): never public


# The one table of allowed transitions (action → from → to); creation is the import.
TRANSITIONS: dict[str, dict[str, str]] = {
    "publish": {DecisionStatus.PENDING: DecisionStatus.PUBLISHED},
    "withdraw": {
        DecisionStatus.PENDING: DecisionStatus.WITHDRAWN,
        DecisionStatus.PUBLISHED: DecisionStatus.WITHDRAWN,
    },
}


class ImportBatch(models.Model):
    """One import of an export file from an agency's business system: who, when, which
    file (by name and SHA-256), how many rows. Every decision points to its batch and its
    row in the file, so any published line can be traced back to its source."""

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField("文件名", max_length=200)
    file_sha256 = models.CharField(max_length=64)
    file_format = models.CharField("格式", max_length=10)
    row_count = models.PositiveIntegerField("行数")
    held = models.BooleanField("暂不公示", default=False)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField("导入时间")

    class Meta:
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.imported_at:%Y-%m-%d %H:%M}）"


class Decision(models.Model):
    """A licensing, penalty or enforcement decision published under 双公示
    (国办发〔2018〕118号; SAMR Order 45 for market-supervision penalties).

    Stores facts only: the decision's content and dates, when it went public, when it was
    changed or revoked and withdrawn, and any explicit end of publication. The due dates,
    "late" flags and the end of the publication period are derived (``rules``), so a
    calendar correction or a new small-fine limit takes effect everywhere at once.

    The party's resident ID number is personal data: encrypted at rest, never shown
    publicly, masked in the back office. A unified social credit code is public.
    """

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField("类别", max_length=20, choices=DecisionKind.choices)
    number = models.CharField("决定文书号", max_length=100)
    party_name = models.CharField("行政相对人名称", max_length=200)
    party_type = models.CharField("行政相对人类别", max_length=30, choices=PartyType.choices)
    party_uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    party_id_number = EncryptedTextField("居民身份证号码", blank=True)
    matter = models.CharField("违法行为类型/许可事项", max_length=500)
    content = models.TextField("处罚内容/许可内容")
    basis = models.TextField("处罚依据/许可依据", blank=True)
    penalty_types = models.PositiveIntegerField(
        "处罚种类", default=0, help_text="rules.PenaltyType 的组合（位标志）"
    )
    fine_amount = models.DecimalField("罚款金额（元）", max_digits=14, decimal_places=2,
                                      null=True, blank=True)
    deciding_body = models.CharField("决定机关", max_length=200)
    decision_date = models.DateField("决定日期")

    status = models.CharField("公示状态", max_length=20, choices=DecisionStatus.choices)
    published_on = models.DateField("公示日期", null=True, blank=True)
    publication_ends_on = models.DateField(
        "公示截止日期", null=True, blank=True,
        help_text="仅在不按默认期限时填写（如限制从业超过三年）；为公示的最后一日",
    )
    changed_on = models.DateField("变更/撤销日期", null=True, blank=True)
    withdrawn_on = models.DateField("撤回日期", null=True, blank=True)
    withdrawal_reason = models.TextField("撤回理由", blank=True)

    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="decisions", verbose_name="导入批次")
    source_row = models.PositiveIntegerField("源文件行号", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "行政执法决定"
        verbose_name_plural = "行政执法决定"
        ordering = ["-decision_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "number"], name="decision_unique_number"),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_on__isnull=False),
                name="decision_published_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | (
                    Q(withdrawn_on__isnull=False, changed_on__isnull=False)
                    & ~Q(withdrawal_reason="")
                ),
                name="decision_withdrawn_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status", "published_on"], name="decision_public"),
            models.Index(fields=["agency", "decision_date"], name="decision_agency_date"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def penalty_type_labels(self) -> list[str]:
        return rules.penalty_type_labels(self.penalty_types)


class StagedImportState(models.TextChoices):
    STAGED = "staged", "待确认"  # dry run passed; the office has not confirmed yet
    QUEUED = "queued", "导入中"  # confirmed: a worker imports it (decisions.import_staged)
    DONE = "done", "已导入"
    REFUSED = "refused", "未导入"  # the check at import found problems: nothing saved


class StagedImport(models.Model):
    """An uploaded file between its dry run and its import by a worker. The file holds
    personal data, so it is kept encrypted (base64 inside the Fernet token) and only until
    it is imported, replaced by the same person's next upload, or a day old; what the
    import did (``outcome``: counts and problems, no personal data) stays for the page that
    reports it, as long as the row."""

    agency = models.ForeignKey("core.Agency", on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                    related_name="+")
    file_name = models.CharField(max_length=200)
    file_sha256 = models.CharField(max_length=64)
    content = EncryptedTextField(blank=True)
    held = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=StagedImportState.choices,
                             default=StagedImportState.STAGED)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "待确认的导入文件"
        verbose_name_plural = "待确认的导入文件"

    def __str__(self) -> str:
        return self.file_name


class AgencyDecisionSettings(models.Model):
    """The small-fine limits (较低数额罚款) that shorten a penalty's publication to three
    months (Order 45). Set by the province, so entered once on the provincial agency:
    an agency without its own figure uses its nearest ancestor's, then the platform
    default (``rules.DEFAULT_SMALL_FINE_LIMIT``)."""

    agency = models.OneToOneField("core.Agency", on_delete=models.CASCADE,
                                  related_name="decision_settings")
    small_fine_limit_person = models.DecimalField(
        "较低数额罚款上限：自然人、个体工商户（元）", max_digits=14, decimal_places=2,
        null=True, blank=True, help_text="含本数；留空则沿用上级机关的设置",
    )
    small_fine_limit_organisation = models.DecimalField(
        "较低数额罚款上限：法人及非法人组织（元）", max_digits=14, decimal_places=2,
        null=True, blank=True, help_text="含本数；留空则沿用上级机关的设置",
    )
    source = models.CharField("依据", max_length=200, blank=True,
                              help_text="省级规定的名称和文号")

    class Meta:
        verbose_name = "许可处罚公示设置"
        verbose_name_plural = "许可处罚公示设置"

    def __str__(self) -> str:
        return f"{self.agency} 许可处罚公示设置"
