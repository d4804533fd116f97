from django.conf import settings
from django.db import models


class AuditEventQuerySet(models.QuerySet):
    # The log is append-only: bulk changes are refused outright.
    def update(self, **kwargs):
        raise PermissionError("the audit trail is append-only")

    def delete(self):
        raise PermissionError("the audit trail is append-only")


class AuditEvent(models.Model):
    """One entry of the append-only audit trail: who did what to which object, when, why,
    and a summary of before and after.

    Tamper-evident: ``hash`` is the SHA-256 of this entry's fields and the previous
    entry's hash, so editing, deleting or reordering any row breaks the chain at that
    point (``gongkai audit verify``). Written only through ``core.audit.record``.
    """

    seq = models.PositiveBigIntegerField("序号", unique=True)
    occurred_at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name="操作人",
    )
    actor_label = models.CharField("操作人", max_length=200, blank=True)
    agency = models.ForeignKey(
        "core.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="机关",
    )
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    action = models.CharField("操作", max_length=100, db_index=True)
    reason = models.TextField("理由", blank=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["agency", "-seq"], name="audit_agency_seq"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("the audit trail is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("the audit trail is append-only")


class AuditChainHead(models.Model):
    """The chain's newest link (a single row). Appends lock it, so concurrent writers
    take turns and the chain never forks; verification compares it with the last entry,
    so cutting entries off the end is detected too."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"

    def __str__(self) -> str:
        return f"head seq={self.seq}"
