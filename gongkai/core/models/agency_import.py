from django.conf import settings
from django.db import models


class AgencyImportState(models.TextChoices):
    STAGED = "staged", "待确认"  # uploaded, dry run shown; not confirmed yet
    QUEUED = "queued", "导入中"  # confirmed: a worker applies it (core.agency_import)
    DONE = "done", "已导入"
    REFUSED = "refused", "未导入"  # the apply was refused: nothing written


class AgencyImport(models.Model):
    """An uploaded agency-tree file (CSV or XLSX) from its dry run to its apply by a worker.

    The file is kept in the database, not on the web server's disk, so that a worker on
    another machine reads it; it holds no personal data (agencies and their public
    contacts), so it is kept as it is, and only until it is applied (``content`` emptied) or
    left unconfirmed for a week (removed at a later upload). What the apply did
    (``outcome``: the counts, or the reason it was refused) stays for the page that reports it.
    """

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                    related_name="+", verbose_name="上传人")
    # Who confirmed it: the worker applies it as them (audited under their name).
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                     null=True, blank=True, related_name="+", verbose_name="确认人")
    file_name = models.CharField("文件名", max_length=100)
    digest = models.CharField("SHA-256", max_length=64)
    content = models.BinaryField(blank=True, default=b"")
    state = models.CharField("状态", max_length=10, choices=AgencyImportState.choices,
                             default=AgencyImportState.STAGED)
    created_at = models.DateTimeField("上传时间")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    outcome = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "机关名录导入"
        verbose_name_plural = "机关名录导入"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name
