from django.db import models

from gongkai.core import clock
from gongkai.core.crypto import EncryptedTextField


class IdempotencyRecord(models.Model):
    """The first answer to a write that a client may repeat: an API call with an
    ``Idempotency-Key`` header (scope ``api``) or a submission of the public form with
    its one-time token (scope ``web``). The key is kept only as a keyed hash; the answer
    (it holds the applicant's secret) only encrypted. Records are kept 24 hours
    (``gongkai.core.idempotency``)."""

    scope = models.CharField(max_length=20)
    key_hash = models.CharField(max_length=64)
    body_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = EncryptedTextField()
    # What the write created, in words anyone may see (e.g. a tracking number).
    reference = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=clock.now, db_index=True)

    class Meta:
        verbose_name = "幂等记录"
        verbose_name_plural = "幂等记录"
        constraints = [
            models.UniqueConstraint(fields=["scope", "key_hash"], name="idempotency_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key_hash[:12]}"
