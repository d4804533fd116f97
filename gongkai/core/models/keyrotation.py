from django.db import models


class RotationPendingFile(models.Model):
    """A stored file that ``gongkai keys rotate`` replaced (``OLD``: the copy under the old
    key, which rows named until they were pointed at the re-encrypted copy) or is about to
    put in its place (``NEW``: written, not yet named by any row). Recorded in the same
    transaction that re-points the rows, so an interrupted run leaves nothing unseen; the
    file is deleted by a later sweep, and only once no row names it (a view that loaded a
    row before the re-point may save the old name back)."""

    class Role(models.TextChoices):
        OLD = "old", "已替换的旧密钥文件"
        NEW = "new", "尚未指向的新文件"

    name = models.CharField("存储名", max_length=500, unique=True)
    role = models.CharField("类别", max_length=3, choices=Role.choices)
    replaced_by = models.CharField("替换为", max_length=500, blank=True)
    key_id = models.CharField("密钥标识", max_length=16, blank=True)
    recorded_at = models.DateTimeField("记录时间", db_index=True)

    class Meta:
        verbose_name = "待删除的轮换文件"
        verbose_name_plural = "待删除的轮换文件"

    def __str__(self) -> str:
        return f"{self.role}: {self.name}"
