from django.conf import settings
from django.db import models

from gongkai.core import clock


class ModerationWord(models.Model):
    """A word an agency adds to the platform's moderation list (``core.moderation``).

    It applies to what the public writes to this agency and to every agency below it.
    Kept normalised (``moderation.normalise_word``), once per agency."""

    agency = models.ForeignKey(
        "core.Agency", on_delete=models.PROTECT, related_name="moderation_words",
        verbose_name="机关",
    )
    word = models.CharField("词语", max_length=40)
    note = models.CharField("说明", max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name="添加人",
    )
    added_at = models.DateTimeField("添加时间", default=clock.now)

    class Meta:
        verbose_name = "审核词"
        verbose_name_plural = "审核词"
        ordering = ["agency_id", "word"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "word"], name="moderation_word_unique_per_agency"),
        ]

    def __str__(self) -> str:
        return self.word
