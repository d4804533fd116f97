from django.db import models


class RateLimitCounter(models.Model):
    """One client's hits in one rate-limit window, counted in the database while the
    shared cache is unavailable (``core.ratelimit``). Incremented by a single atomic
    upsert; rows whose window has passed are purged."""

    bucket = models.CharField(max_length=200, unique=True)
    hits = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "限流计数（缓存不可用时）"
        verbose_name_plural = "限流计数（缓存不可用时）"

    def __str__(self) -> str:
        return f"{self.bucket}: {self.hits}"
