from django.conf import settings
from django.db import models


class CalendarOverride(models.Model):
    """An administrator's word on one date, above the package data: working or not, and
    the source (usually the State Council General Office's notice number)."""

    day = models.DateField("日期", unique=True)
    is_working = models.BooleanField("是否工作日")
    source = models.CharField("依据", max_length=200, help_text="如：国办发明电〔2026〕7号")
    note = models.CharField("备注", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "工作日调整"
        verbose_name_plural = "工作日调整"
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day.isoformat()} {'班' if self.is_working else '休'}"


class ScheduledYear(models.Model):
    """A year whose holiday schedule an administrator has entered. Deadlines in a year
    known neither to the package nor here are provisional (Mon–Fri)."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    source = models.CharField("依据", max_length=200)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "已录入的年度节假日安排"
        verbose_name_plural = "已录入的年度节假日安排"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年（{self.source}）"
