from django.conf import settings
from django.db import models

from gongkai.core.encrypted_storage import encrypted_storage


class LetterKind(models.TextChoices):
    """The letters the regulation requires an agency to send an applicant or a third
    party in the course of a request."""

    CORRECTION = "correction", "补正申请告知书"  # Art. 30
    CONSULTATION = "consultation", "第三方意见征询函"  # Art. 32
    EXTENSION = "extension", "延期答复告知书"  # Art. 33
    FEE = "fee", "收费通知书"  # Art. 42; 国办函〔2020〕109号
    REPLY = "reply", "答复告知书"  # Art. 36–39


class Letter(models.Model):
    """A letter as issued: its 文号 (gap-free per agency and year), the text as it went
    out, the DOCX and the PDF. A letter is never edited after issue; a correction is a
    new letter."""

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="foi_letters")
    request = models.ForeignKey("foi.FoiRequest", on_delete=models.CASCADE, related_name="letters")
    kind = models.CharField("文书类型", max_length=20, choices=LetterKind.choices)
    year = models.PositiveIntegerField("年度")
    serial = models.PositiveIntegerField("序号")
    document_number = models.CharField("文号", max_length=100)
    title = models.CharField("标题", max_length=200)
    addressee = models.CharField("主送", max_length=200)
    paragraphs = models.JSONField("正文", default=list)
    issued_on = models.DateField("落款日期")
    # Encrypted at rest under generated names (core.encrypted_storage): a letter names the
    # applicant. Served only by audited views.
    docx = models.FileField("DOCX", upload_to="foi/letters/%Y/", blank=True, storage=encrypted_storage)
    pdf = models.FileField("PDF", upload_to="foi/letters/%Y/", blank=True, storage=encrypted_storage)
    consultation = models.ForeignKey("foi.Consultation", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="letters")
    fee_notice = models.ForeignKey("foi.FeeNotice", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="letters")
    # Shown to the applicant on /status/; a consultation letter goes to the third party only.
    visible_to_applicant = models.BooleanField(default=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "告知文书"
        verbose_name_plural = "告知文书"
        ordering = ["issued_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "serial"], name="foi_letter_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.document_number} {self.title}"


class DisclosedFile(models.Model):
    """A file disclosed with the reply (the information itself, or its disclosable part),
    downloadable by the applicant with the tracking number and secret."""

    request = models.ForeignKey("foi.FoiRequest", on_delete=models.CASCADE, related_name="disclosed_files")
    # Encrypted at rest under a generated name (core.encrypted_storage): it is the
    # applicant's until they choose to publish it. Served only by audited views.
    file = models.FileField(upload_to="foi/disclosed/%Y/%m/", storage=encrypted_storage)
    display_name = models.CharField("文件名称", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "公开的政府信息文件"
        verbose_name_plural = "公开的政府信息文件"
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return self.display_name
