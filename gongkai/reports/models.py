"""The annual report (政府信息公开工作年度报告, 条例 Art. 49–50) as an agency compiles it.

A report is made for one agency and one year, in the national format that applies to the
year (fixed when the report is started). Its tables are computed from the records
(``computation.compute_report``) and snapshotted in ``computed_cells``; cells the records
cannot supply (fees kept elsewhere) are typed in as ``ReportFigure`` rows with their
source; a computed cell of table 二 (decision counts another system holds) may be replaced
the same way, and reverted to the computed figure. The office checks and submits it, the leader signs it off, the office publishes
it by its Art. 49 deadline (31 January; 31 March for a people's government of county level
and above). Publication freezes a ``ReportVersion``: later changes to the
records never alter a published report; a correction is a new version, and the earlier
one stays on record and downloadable. Its DOCX and PDF are rendered once, at publication,
and stored with it, so a published file never changes when templates or fonts do.

Cell values in JSON: integers as numbers, decimal amounts as strings (``encode_cells``).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from gongkai.core.models import Agency, WorkflowEvent
from gongkai.reports.formats import ReportFormat, get_format

Cells = dict[str, int | Decimal | None]


class ReportState(models.TextChoices):
    DRAFT = "draft", "编制中"  # the office compiles figures and prose; everything editable
    SUBMITTED = "submitted", "已提交待签发"  # checked and frozen; waiting for the leader
    SIGNED_OFF = "signed_off", "已签发待发布"  # the leader signed; the office publishes it
    PUBLISHED = "published", "已发布"  # on the portal as a frozen version


def encode_value(value: int | Decimal | None):
    if value is None:
        return None
    if isinstance(value, Decimal):
        return str(value)
    return int(value)


def decode_value(fmt: ReportFormat, ref: str, value):
    if value is None:
        return None
    if fmt.value_type(ref) == "amount":
        return Decimal(str(value))
    return int(value)


def encode_cells(cells: Cells) -> dict:
    return {ref: encode_value(value) for ref, value in cells.items()}


def decode_cells(fmt: ReportFormat, data: dict) -> Cells:
    return {ref: decode_value(fmt, ref, value) for ref, value in (data or {}).items()
            if fmt.has_cell(ref)}


class AnnualReport(models.Model):
    """One agency's report on one year. The working copy: computed cells, hand-entered
    figures, prose. What the public sees is ``published_version``."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="annual_reports",
                               verbose_name="机关")
    year = models.PositiveSmallIntegerField("报告年度")
    format_id = models.CharField("报告格式", max_length=20)
    state = models.CharField("状态", max_length=20, choices=ReportState.choices,
                             default=ReportState.DRAFT)
    version = models.PositiveSmallIntegerField("版本", default=1)  # 2+ after a correction

    preamble = models.TextField("引言", blank=True)
    overview = models.TextField("一、总体情况", blank=True)
    problems = models.TextField("五、存在的主要问题及改进情况", blank=True)
    other_matters = models.TextField("六、其他需要报告的事项", blank=True)

    # The last computation from the records: {ref: value}, {ref: provenance}, manual refs.
    computed_cells = models.JSONField(default=dict, blank=True)
    computed_provenance = models.JSONField(default=dict, blank=True)
    computed_manual_refs = models.JSONField(default=list, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)

    # The last recorded check (at submission): violations as dicts, unchecked rules, …
    check_result = models.JSONField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)

    published_version = models.ForeignKey(
        "ReportVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="现行发布版本",
    )
    published_on = models.DateField("发布日期", null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "年度报告"
        verbose_name_plural = "年度报告"
        ordering = ["agency__path", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="annual_report_one_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.agency.name}{self.year}年政府信息公开工作年度报告"

    @property
    def format(self) -> ReportFormat:
        return get_format(self.format_id)

    def prose(self) -> dict[str, str]:
        return {"overview": self.overview, "problems": self.problems,
                "other_matters": self.other_matters}


class ReportVersion(models.Model):
    """A published version, frozen: the cells, prose, format and manual sources exactly as
    they were published. Never changed afterwards; a correction adds a new version."""

    report = models.ForeignKey(AnnualReport, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField("版本")
    format_id = models.CharField(max_length=20)
    agency_name = models.CharField(max_length=100)
    cells = models.JSONField(default=dict)
    provenance = models.JSONField(default=dict)
    manual_sources = models.JSONField(default=dict)  # ref -> source of the typed figure
    prose = models.JSONField(default=dict)  # overview / problems / other_matters
    preamble = models.TextField(blank=True)
    check_result = models.JSONField(null=True, blank=True)
    override = models.ForeignKey("ReportOverride", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    correction_reason = models.TextField(blank=True)  # why this version replaced the previous
    # The files as published, rendered once by ``services.report_publish``. In the default
    # storage (var/media, or private S3 objects in production) rather than in the row:
    # a PDF is a few hundred KB, and every page that joins a report to its published
    # version would otherwise carry both files along.
    docx = models.FileField("DOCX", upload_to="reports/versions/", blank=True)
    pdf = models.FileField("PDF", upload_to="reports/versions/", blank=True)
    published_on = models.DateField()
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                     on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "年度报告发布版本"
        verbose_name_plural = "年度报告发布版本"
        ordering = ["report_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="report_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} v{self.number}"


class ReportFigure(models.Model):
    """A figure typed in by hand, with where it comes from (e.g. "财务科 2025年收费台账"):
    for a manual cell, or replacing a computed cell of table 二 (decision counts kept by
    another system). Every entry is kept; the newest for a cell is current. An entry
    without a value reverts a replaced cell to its computed figure."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="figures")
    ref = models.CharField("单元格", max_length=80)
    value = models.DecimalField("数值", max_digits=18, decimal_places=4, null=True, blank=True)
    source = models.CharField("数据来源", max_length=300)  # a revert: why
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField()

    class Meta:
        verbose_name = "手填数据"
        verbose_name_plural = "手填数据"
        ordering = ["report_id", "ref", "id"]
        indexes = [models.Index(fields=["report", "ref"])]

    def __str__(self) -> str:
        return f"{self.ref} = {'(computed)' if self.reverts else self.value}"

    @property
    def reverts(self) -> bool:
        return self.value is None


class ReportOverride(models.Model):
    """The office's recorded decision to publish despite broken rules: exactly which
    violations it covers (as ``Violation.as_dict()``), why, who, when."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="overrides")
    version = models.PositiveSmallIntegerField()  # the report version it was recorded for
    violations = models.JSONField(default=list)
    reason = models.TextField("理由")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = "带问题发布确认"
        verbose_name_plural = "带问题发布确认"
        ordering = ["report_id", "id"]

    def __str__(self) -> str:
        return f"{self.report_id} override {self.pk}"


class ReportEvent(WorkflowEvent):
    """One step of a report's history (``WorkflowEvent``)."""

    status_choices = ReportState
    action_choices = "gongkai.reports.workflow.Action"

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = "年度报告记录"
        verbose_name_plural = "年度报告记录"


class ReportReminder(models.Model):
    """A reminder e-mailed to an agency's office that its report is not yet published
    (Art. 49: by 31 January, or 31 March). One per agency per day, whoever sends it: the
    daily sweep (``sent_by`` empty) or a supervising office (``sent_by`` its staff
    member, from the roll-up's list of agencies that have not published)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    report_year = models.PositiveSmallIntegerField()
    sent_on = models.DateField()
    days_left = models.IntegerField()  # negative: days past the deadline
    recipients = models.PositiveSmallIntegerField(default=0)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+",
                                verbose_name="督办人")

    class Meta:
        verbose_name = "年度报告提醒"
        verbose_name_plural = "年度报告提醒"
        constraints = [
            models.UniqueConstraint(fields=["agency", "sent_on"], name="report_reminder_daily"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.sent_on}"
