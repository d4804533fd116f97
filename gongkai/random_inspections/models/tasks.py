"""The year's plan of random inspections, its tasks and their draws.

A task says what is inspected (matters), among whom (a filter over the entity directory,
strata by risk grade with weights, a ratio or a count), by how many inspectors per target,
under which avoidance rules, and when. Its draws are the public part:

1. **commit** — the task's inputs are frozen into a :class:`Draw`: the candidates, the
   inspectors and the exclusions as they stood, with their SHA-256, and a commitment to
   the seed (the SHA-256 of a secret the platform generated) or the name of a public future
   value (a lottery draw). All of this is published before anyone can know the result.
2. **draw** — the seed is revealed (or the public value entered) and the draw is computed
   by ``random_inspections.draw`` from the frozen inputs and the seed alone; the targets
   and their inspectors are stored and published with the SHA-256 of the list.

A re-draw supersedes a draw with a recorded reason; the old draw stays visible. Stored
state changes only through ``services``; every change is audited."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from gongkai.core.crypto import EncryptedTextField

# The fewest inspectors per target (国发〔2019〕5号 and every provincial rule: two or more).
MIN_INSPECTORS_PER_TARGET = 2


class InspectionPlan(models.Model):
    """An agency's plan of random inspections for a year (年度抽查工作计划)."""

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+",
                               verbose_name="机关")
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("计划名称", max_length=200)
    note = models.TextField("说明", blank=True)
    published_at = models.DateTimeField("公布时间", null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = "抽查工作计划"
        verbose_name_plural = "抽查工作计划"
        ordering = ["-year", "-id"]
        indexes = [models.Index(fields=["agency", "year"], name="ri_plan_agency_year")]

    def __str__(self) -> str:
        return self.title


class TaskStatus(models.TextChoices):
    DRAFT = "draft", "草稿"  # the office edits the task; nothing public
    COMMITTED = "committed", "已公布抽取条件"  # inputs frozen and published, seed committed
    DRAWN = "drawn", "已抽取"  # targets and inspectors drawn and published; inspections run
    COMPLETED = "completed", "已办结"  # every result entered and published
    CANCELLED = "cancelled", "已取消"  # withdrawn before completion, with the reason


# The one table of allowed transitions (action → from → to).
TRANSITIONS: dict[str, dict[str, str]] = {
    "commit": {TaskStatus.DRAFT: TaskStatus.COMMITTED},
    "draw": {TaskStatus.COMMITTED: TaskStatus.DRAWN},
    # a re-draw supersedes the current, drawn draw and commits new inputs; a committed draw
    # must be drawn (and so published) first: no silent re-draw once its seed could be known
    "redraw": {TaskStatus.DRAWN: TaskStatus.COMMITTED},
    "complete": {TaskStatus.DRAWN: TaskStatus.COMPLETED},
    "cancel": {TaskStatus.DRAFT: TaskStatus.CANCELLED, TaskStatus.COMMITTED: TaskStatus.CANCELLED,
               TaskStatus.DRAWN: TaskStatus.CANCELLED},
}


class InspectionTask(models.Model):
    """A random inspection task (抽查任务), of one department or joint (联合) across
    departments and agencies; the plan's agency leads it and its directory is drawn from."""

    plan = models.ForeignKey(InspectionPlan, on_delete=models.PROTECT, related_name="tasks",
                             verbose_name="抽查计划")
    number = models.CharField("任务编号", max_length=40)
    title = models.CharField("任务名称", max_length=200)
    is_joint = models.BooleanField("联合抽查", default=False)
    departments = models.ManyToManyField("core.Department", blank=True, related_name="+",
                                         verbose_name="参与部门")
    partner_agencies = models.ManyToManyField("core.Agency", blank=True, related_name="+",
                                              verbose_name="联合抽查的其他机关")
    matters = models.ManyToManyField("random_inspections.InspectionMatter", related_name="tasks",
                                     verbose_name="抽查事项")
    # {"kind": [...], "industry": [...], "region": [...], "risk_grade": [...]}; a missing or
    # empty list means "any"
    target_filter = models.JSONField("抽查对象范围", default=dict, blank=True)
    sample_ratio = models.DecimalField("抽查比例（%）", max_digits=6, decimal_places=3, null=True, blank=True)
    sample_count = models.PositiveIntegerField("抽查户数", null=True, blank=True)
    # {"高": 3, "中": 2, "低": 1}: a stratum's share of the sample is proportional to its
    # size times its weight; empty means proportional to size
    risk_weights = models.JSONField("风险等级加权", default=dict, blank=True)
    inspectors_per_target = models.PositiveSmallIntegerField(
        "每户执法人员数", default=MIN_INSPECTORS_PER_TARGET,
        validators=[MinValueValidator(MIN_INSPECTORS_PER_TARGET)])
    avoid_same_region = models.BooleanField("回避本区域", default=False,
                                            help_text="不抽取与检查对象同一区域的执法人员")
    avoid_same_grid = models.BooleanField("回避本网格", default=False,
                                          help_text="不抽取与检查对象同一网格的执法人员")
    avoid_previous = models.BooleanField("不连续抽取同一执法人员", default=True,
                                         help_text="不抽取上一次检查该对象的执法人员")
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    status = models.CharField("状态", max_length=20, choices=TaskStatus.choices, default=TaskStatus.DRAFT)
    cancel_reason = models.TextField("取消理由", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = "抽查任务"
        verbose_name_plural = "抽查任务"
        ordering = ["plan_id", "starts_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="ri_task_unique_number"),
            models.CheckConstraint(
                condition=Q(sample_ratio__isnull=False, sample_count__isnull=True)
                | Q(sample_ratio__isnull=True, sample_count__isnull=False),
                name="ri_task_ratio_xor_count"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="ri_task_dates_ordered"),
            models.CheckConstraint(condition=Q(inspectors_per_target__gte=MIN_INSPECTORS_PER_TARGET),
                                   name="ri_task_two_inspectors"),
        ]
        indexes = [models.Index(fields=["status", "ends_on"], name="ri_task_status_end")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class SeedMode(models.TextChoices):
    COMMITMENT = "commitment", "承诺随机种子"  # a platform-generated secret; its SHA-256 is published first
    PUBLIC_VALUE = "public_value", "公开的未来数值"  # e.g. a named lottery draw, entered after it happens


class DrawStatus(models.TextChoices):
    COMMITTED = "committed", "已公布抽取条件"
    DRAWN = "drawn", "已抽取"
    SUPERSEDED = "superseded", "已重新抽取"  # replaced by a later draw; stays visible with the reason


class Draw(models.Model):
    """One draw of a task: its frozen inputs, the seed's commitment, then the seed and the
    result. ``reference`` is the string the draw's HMAC messages start with (the task's
    public identifier); ``inputs`` is the canonical JSON of everything but the directory
    rows, whose snapshots are stored compressed with their SHA-256."""

    task = models.ForeignKey(InspectionTask, on_delete=models.PROTECT, related_name="draws")
    number = models.PositiveSmallIntegerField("第几次抽取", default=1)
    status = models.CharField("状态", max_length=20, choices=DrawStatus.choices, default=DrawStatus.COMMITTED)
    reason = models.TextField("重新抽取理由", blank=True)
    reference = models.CharField("抽取标识", max_length=120)
    algorithm = models.CharField("抽取算法", max_length=40)
    inputs = models.JSONField("抽取条件")
    inputs_sha256 = models.CharField("抽取条件摘要", max_length=64)
    candidates = models.BinaryField("检查对象快照")  # gzip of the canonical candidate lines
    candidates_sha256 = models.CharField("检查对象名录快照摘要", max_length=64)
    candidate_count = models.PositiveIntegerField("候选对象数")
    inspectors = models.BinaryField("执法人员快照")
    inspectors_sha256 = models.CharField("执法人员名录快照摘要", max_length=64)
    inspector_count = models.PositiveIntegerField("候选执法人员数")
    exclusions = models.BinaryField("回避快照")
    exclusions_sha256 = models.CharField("回避快照摘要", max_length=64)
    seed_mode = models.CharField("种子方式", max_length=20, choices=SeedMode.choices)
    seed_commitment = models.CharField("种子承诺值", max_length=64, blank=True)
    public_value_source = models.CharField("公开数值来源", max_length=300, blank=True,
                                           help_text="如“中国福利彩票3D游戏2026320期开奖号码”")
    # The public value's kind (a code of data/public_values.toml: its format and who
    # publishes it), its period (期号) and when it is published: the draw cannot be made
    # before then, and the commitment must precede it.
    public_value_kind = models.CharField("公开数值种类", max_length=40, blank=True)
    public_value_period = models.CharField("期号", max_length=40, blank=True)
    public_value_due_at = models.DateTimeField("开奖时间", null=True, blank=True)
    # code → (entity pk, name) and certificate → (inspector pk, name) as they stood at the
    # commit (gzip of canonical lines), so the draw never re-reads the live directories;
    # not published as a whole (names of individual businesses can be people's names).
    frozen_names = models.BinaryField("名称快照", default=b"")
    frozen_names_sha256 = models.CharField("名称快照摘要", max_length=64, blank=True)
    # The secret of a commitment, kept encrypted until the draw reveals it
    secret = EncryptedTextField("种子（抽取前保密）", blank=True)
    seed = models.CharField("随机种子", max_length=200, blank=True)
    committed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    committed_at = models.DateTimeField("公布抽取条件时间")
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    result_sha256 = models.CharField("抽取结果摘要", max_length=64, blank=True)
    superseded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    superseded_at = models.DateTimeField("作废时间", null=True, blank=True)

    class Meta:
        verbose_name = "抽取"
        verbose_name_plural = "抽取"
        ordering = ["task_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["task", "number"], name="ri_draw_unique_number"),
            models.UniqueConstraint(fields=["task"], condition=~Q(status="superseded"),
                                    name="ri_draw_one_current"),
            models.CheckConstraint(condition=Q(number=1) | ~Q(reason=""), name="ri_redraw_has_reason"),
            models.UniqueConstraint(fields=["reference"], name="ri_draw_unique_reference"),
        ]

    def __str__(self) -> str:
        return f"{self.task} 第{self.number}次抽取"


class DrawnTarget(models.Model):
    """An entity a draw selected, with what the draw computed for it (stratum, rank within
    the stratum, score) and the directory row's name and code as frozen."""

    draw = models.ForeignKey(Draw, on_delete=models.CASCADE, related_name="targets")
    # No database constraint (db_constraint=False): its check of every stored target at the
    # draw's COMMIT took about a second for a city's 50,000 targets. Django still enforces
    # PROTECT when an entity is deleted, the app never deletes directory rows, and
    # services.tasks.task_draw checks that every drawn entity still exists before storing.
    entity = models.ForeignKey("random_inspections.Entity", on_delete=models.PROTECT, related_name="+",
                               db_constraint=False)
    credit_code = models.CharField("统一社会信用代码", max_length=18)
    name = models.CharField("名称", max_length=200)
    stratum = models.CharField("层", max_length=60, blank=True)
    rank = models.PositiveIntegerField("层内名次")
    score = models.CharField("排序值", max_length=64)
    # Certificates passed over for this target because of an exclusion (回避), in the order
    # the draw met them, ";"-joined: published instead of the exclusion list itself, so that
    # the inspectors' picks can be re-run without naming anyone's declared conflicts.
    skipped_certificates = models.TextField("因回避跳过的执法证号", blank=True)

    class Meta:
        verbose_name = "抽中的检查对象"
        verbose_name_plural = "抽中的检查对象"
        ordering = ["draw_id", "stratum", "rank"]
        constraints = [models.UniqueConstraint(fields=["draw", "credit_code"], name="ri_target_unique")]

    def __str__(self) -> str:
        return f"{self.name}（{self.credit_code}）"


class DrawnInspector(models.Model):
    """An inspector a draw assigned to a target, in the order drawn."""

    target = models.ForeignKey(DrawnTarget, on_delete=models.CASCADE, related_name="inspectors")
    # No database constraint, as DrawnTarget.entity (PROTECT in Django; task_draw checks
    # that every drawn inspector still exists before storing).
    inspector = models.ForeignKey("random_inspections.Inspector", on_delete=models.PROTECT, related_name="+",
                                  db_constraint=False)
    certificate_number = models.CharField("执法证号", max_length=40)
    name = models.CharField("姓名", max_length=50)
    position = models.PositiveSmallIntegerField("顺序")

    class Meta:
        verbose_name = "抽中的执法人员"
        verbose_name_plural = "抽中的执法人员"
        ordering = ["target_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["target", "certificate_number"], name="ri_drawn_inspector_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.certificate_number}）"
