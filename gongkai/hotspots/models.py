"""Complaints imported from 12315 platform exports, and the per-period counts the
analysis reads.

A complaint is segmented once, when it is imported, and its terms, phrases and
dimension values are added to :class:`TermCount` and :class:`DimensionCount` in the
import's transaction: a weekly analysis of a million complaints reads a few thousand
aggregate rows, never the complaints (only the example summaries of an emerging topic
are read from :class:`Complaint`, through its (agency, week) index).

The summary is stored with ID, mobile and bank-card numbers masked
(``text.mask_personal_data``); no other personal data of the complainant is imported
(names, phones and addresses of the export are columns nobody maps). The uploaded file
itself, which may hold all of them, is kept encrypted and only between upload and
import (:class:`StagedComplaintFile`).
"""

from django.conf import settings
from django.db import models

from gongkai.core.crypto import EncryptedTextField
from gongkai.hotspots.periods import GRAINS


class ComplaintImport(models.Model):
    """One import of an export file: who, when, which file (by name and SHA-256), the
    mapping used and what became of its rows."""

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField("文件名", max_length=200)
    file_sha256 = models.CharField(max_length=64)
    file_format = models.CharField("格式", max_length=10)
    mapping = models.JSONField("列对应关系", default=dict)
    rows = models.PositiveIntegerField("数据行数", default=0)
    imported = models.PositiveIntegerField("导入条数", default=0)
    duplicates = models.PositiveIntegerField("重复条数", default=0)
    bad = models.PositiveIntegerField("有误条数", default=0)
    problems = models.JSONField("有误的行", default=list, blank=True,
                                help_text="[[行号, 列, 原因], …]，最多列出200行")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField("导入时间")

    class Meta:
        verbose_name = "投诉举报导入批次"
        verbose_name_plural = "投诉举报导入批次"
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.imported_at:%Y-%m-%d %H:%M}）"


class Complaint(models.Model):
    """One complaint or report (投诉/举报/咨询…) of a 12315 export. ``key`` makes a
    re-import of the same row a duplicate: ``id:`` and the export's own 工单号 when the
    file has one, else ``h:`` and the SHA-256 of the normalised row."""

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(ComplaintImport, on_delete=models.PROTECT, related_name="complaints")
    source_row = models.PositiveIntegerField("源文件行号")
    key = models.CharField(max_length=80)
    source_id = models.CharField("工单号", max_length=64, blank=True)
    received_on = models.DateField("日期")
    week = models.DateField("所在周（周一）")
    month = models.DateField("所在月（1日）")
    kind = models.CharField("类型", max_length=20, blank=True)
    category = models.CharField("问题类别", max_length=50, blank=True)
    subject = models.CharField("行业/客体", max_length=100, blank=True)
    region = models.CharField("区域", max_length=50, blank=True)
    department = models.CharField("承办部门", max_length=100, blank=True)
    summary = models.TextField("内容摘要")

    class Meta:
        verbose_name = "投诉举报"
        verbose_name_plural = "投诉举报"
        constraints = [
            models.UniqueConstraint(fields=["agency", "key"], name="hotspots_complaint_key"),
        ]
        indexes = [
            models.Index(fields=["agency", "week"], name="hotspots_complaint_week"),
            models.Index(fields=["agency", "month"], name="hotspots_complaint_month"),
        ]

    def __str__(self) -> str:
        return self.source_id or f"{self.received_on:%Y-%m-%d}#{self.pk}"


class TermCount(models.Model):
    """How many complaints of an agency in a period mention a term (or a phrase)."""

    agency = models.ForeignKey("core.Agency", on_delete=models.CASCADE, related_name="+")
    grain = models.CharField(max_length=1, choices=list(GRAINS.items()))
    period = models.DateField()
    term = models.CharField(max_length=40)
    phrase = models.BooleanField(default=False)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "grain", "period", "term", "phrase"],
                                    name="hotspots_termcount_key"),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.term}: {self.count}"


class DimensionCount(models.Model):
    """How many complaints of an agency in a period have a value of a dimension (kind,
    category, subject, region, department); every complaint counts once in each
    dimension (a blank value as "")."""

    agency = models.ForeignKey("core.Agency", on_delete=models.CASCADE, related_name="+")
    grain = models.CharField(max_length=1, choices=list(GRAINS.items()))
    period = models.DateField()
    dimension = models.CharField(max_length=20)
    value = models.CharField(max_length=100)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "grain", "period", "dimension", "value"],
                                    name="hotspots_dimensioncount_key"),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.dimension}={self.value}: {self.count}"


class ColumnMapping(models.Model):
    """The agency's last mapping (field → header as written), offered on its next import.
    Its row is also what an import locks, so two imports of one agency take turns."""

    agency = models.OneToOneField("core.Agency", on_delete=models.CASCADE, related_name="+")
    mapping = models.JSONField(default=dict)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "投诉举报导入列对应关系"
        verbose_name_plural = "投诉举报导入列对应关系"

    def __str__(self) -> str:
        return f"{self.agency_id}: {self.mapping}"


class StagedFileState(models.TextChoices):
    STAGED = "staged", "待选择列"  # uploaded; the office has not confirmed a mapping yet
    QUEUED = "queued", "导入中"  # mapping confirmed: a worker imports it (hotspots.import_staged)
    DONE = "done", "已导入"  # ``outcome`` names the batch
    REFUSED = "refused", "未导入"  # nothing saved; ``outcome`` says why


class StagedComplaintFile(models.Model):
    """An uploaded export between the upload and its import by a worker. The file may
    hold complainants' names and phones, so it is kept encrypted (base64 inside the
    Fernet token) and only until it is imported, replaced by the same person's next
    upload, or a day old; what the import did (``outcome``: the batch and its counts, or
    why nothing was imported; no personal data) stays for the page that reports it, as
    long as the row."""

    agency = models.ForeignKey("core.Agency", on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                    related_name="+")
    file_name = models.CharField(max_length=200)
    file_sha256 = models.CharField(max_length=64)
    file_format = models.CharField(max_length=10)
    header_row = models.PositiveIntegerField()
    headers = models.JSONField(default=list)
    content = EncryptedTextField(blank=True)
    created_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=StagedFileState.choices,
                             default=StagedFileState.STAGED)
    mapping = models.JSONField(default=dict, blank=True)  # field → column index, once confirmed
    confirmed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "待导入的投诉举报文件"
        verbose_name_plural = "待导入的投诉举报文件"

    def __str__(self) -> str:
        return self.file_name
