from django.db import models


class SequenceCounter(models.Model):
    """The last number handed out in one numbering series (a scope and a year), e.g. an
    agency's request tracking numbers or its publications' index numbers. Numbers are
    taken under a row lock, so they are unique and gap-free even under concurrency."""

    scope = models.CharField(max_length=100)
    year = models.PositiveSmallIntegerField()
    value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "编号序列"
        verbose_name_plural = "编号序列"
        constraints = [
            models.UniqueConstraint(fields=["scope", "year"], name="sequence_unique_scope_year")
        ]

    def __str__(self) -> str:
        return f"{self.scope}/{self.year}: {self.value}"
