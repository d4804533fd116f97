"""The two directories (两库) of an agency: the entities that may be inspected
(检查对象名录库) and the inspectors (执法检查人员名录库).

Entities are market entities identified by their unified social credit code, which is
public; a re-import updates a row by that code. Inspectors are identified by their
enforcement certificate number (执法证号), which they show on every inspection and which
is published with a draw, so that anyone can re-run it; their phone and ID numbers are
personal data, encrypted at rest and masked on screen."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from gongkai.core.crypto import EncryptedTextField


class DirectoryImport(models.Model):
    """One import of a directory file: who, when, which file (name and SHA-256), what it
    did, and the rows it refused with the reason for each (the rest are kept).

    An upload through the back office is kept here, encrypted (base64 inside the Fernet
    token), while it is ``queued`` for a worker (``random_inspections.import_directory``);
    the worker imports it (``done``) or refuses it as a whole (``refused``, with the reason)
    and drops the file either way: an inspector directory holds phone and ID numbers. The
    command line imports at once (``done``)."""

    class Kind(models.TextChoices):
        ENTITIES = "entities", "检查对象名录"
        INSPECTORS = "inspectors", "执法检查人员名录"

    class State(models.TextChoices):
        QUEUED = "queued", "导入中"
        DONE = "done", "已导入"
        REFUSED = "refused", "文件未导入"  # nothing of the file was imported

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("名录", max_length=20, choices=Kind.choices)
    file_name = models.CharField("文件名", max_length=200)
    file_sha256 = models.CharField(max_length=64)
    row_count = models.PositiveIntegerField("行数", default=0)
    created_count = models.PositiveIntegerField("新增", default=0)
    updated_count = models.PositiveIntegerField("更新", default=0)
    unchanged_count = models.PositiveIntegerField("未变化", default=0)
    refused_count = models.PositiveIntegerField("未导入", default=0)
    # [{"row": 12, "message": "统一社会信用代码校验位错误"}, …], at most a few thousand
    refused_rows = models.JSONField("未导入的行", default=list)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField("导入时间")  # while queued: the upload's time
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.DONE)
    queued_at = models.DateTimeField("上传时间", null=True, blank=True)  # None: imported at once
    content = EncryptedTextField(blank=True)  # the file while queued, then ""
    refusal = models.TextField("未导入的原因", blank=True)

    class Meta:
        verbose_name = "名录导入"
        verbose_name_plural = "名录导入"
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.imported_at:%Y-%m-%d %H:%M}）"


class Entity(models.Model):
    """A market entity that may be inspected (检查对象)."""

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+",
                               verbose_name="名录所属机关")
    credit_code = models.CharField("统一社会信用代码", max_length=18)
    name = models.CharField("名称", max_length=200)
    kind = models.CharField("主体类型", max_length=50, blank=True, help_text="如“企业”“个体工商户”“农民专业合作社”")
    industry = models.CharField("行业", max_length=100, blank=True)
    region = models.CharField("区域", max_length=100, blank=True, help_text="所在县区或区划代码")
    grid = models.CharField("网格", max_length=100, blank=True, help_text="监管网格或所属市场监管所")
    address = models.CharField("住所", max_length=300, blank=True)
    risk_grade = models.CharField("风险等级", max_length=20, blank=True)
    credit_grade = models.CharField("信用等级", max_length=20, blank=True)
    # False when the entity has left the directory (deregistered, revoked, or marked so in
    # a re-import); it is then never a candidate, but its past inspections stay linked.
    is_active = models.BooleanField("在册", default=True)
    last_import = models.ForeignKey(DirectoryImport, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "检查对象"
        verbose_name_plural = "检查对象"
        ordering = ["agency_id", "credit_code"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "credit_code"], name="ri_entity_unique_code"),
        ]
        indexes = [
            models.Index(fields=["agency", "is_active", "risk_grade"], name="ri_entity_candidates"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.credit_code}）"


class Inspector(models.Model):
    """An enforcement officer who may be drawn (执法检查人员)."""

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+",
                               verbose_name="所属机关")
    department = models.ForeignKey("core.Department", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="所属部门（内设机构）")
    department_name = models.CharField("所属部门", max_length=200, blank=True)
    name = models.CharField("姓名", max_length=50)
    certificate_number = models.CharField("执法证号", max_length=40)
    region = models.CharField("区域", max_length=100, blank=True)
    grid = models.CharField("网格", max_length=100, blank=True)
    expertise = models.CharField("专业领域", max_length=200, blank=True)
    is_active = models.BooleanField("在岗", default=True)
    phone = EncryptedTextField("联系电话", blank=True)
    id_number = EncryptedTextField("身份证号码", blank=True)
    last_import = models.ForeignKey(DirectoryImport, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "执法检查人员"
        verbose_name_plural = "执法检查人员"
        ordering = ["agency_id", "certificate_number"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "certificate_number"], name="ri_inspector_unique_cert"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.certificate_number}）"


class InspectorConflict(models.Model):
    """A declared conflict of interest (回避): the inspector is never drawn for the entity."""

    inspector = models.ForeignKey(Inspector, on_delete=models.CASCADE, related_name="conflicts")
    credit_code = models.CharField("统一社会信用代码", max_length=18)
    reason = models.CharField("回避事由", max_length=200)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField("申报时间")

    class Meta:
        verbose_name = "回避申报"
        verbose_name_plural = "回避申报"
        constraints = [
            models.UniqueConstraint(fields=["inspector", "credit_code"], name="ri_conflict_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.inspector} 回避 {self.credit_code}"
