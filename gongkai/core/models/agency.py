from django.db import models

from gongkai.core.identifiers import validate_agency_code, validate_region_code


class AgencyLevel(models.TextChoices):
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    TOWNSHIP = "township", "乡镇级"


class AgencyKind(models.TextChoices):
    """What the agency is, as the regulation tells agencies apart: a people's government
    (人民政府, its report published by its disclosure office, Art. 49 (2)) or any other
    administrative body (a government's working department, a vertically managed body …)."""

    DEPARTMENT = "department", "政府工作部门"
    PEOPLES_GOVERNMENT = "government", "人民政府"
    # A government's general office (办公厅 / 办公室): often its disclosure office too;
    # reports on the department timetable, as every body that is not the government itself.
    GOVERNMENT_OFFICE = "gov_office", "政府办公厅（室）"
    OTHER = "other", "其他行政机关"  # vertically managed bodies, dispatched bodies, …


class Agency(models.Model):
    """An administrative body that discloses information (行政机关).

    Agencies form a tree (province → city → county) on one deployment (集约化平台). The
    tree is kept as a materialised ``path`` of zero-padded ids so that "this agency and
    everything below it" — a supervising office's scope — is one indexed prefix query,
    however many thousand agencies a provincial platform hosts.
    """

    PATH_STEP = 10  # digits per level in ``path``

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        verbose_name="上级机关",
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=40, blank=True)
    code = models.CharField(
        "机关代码", max_length=18, unique=True, validators=[validate_agency_code],
        help_text="索引号前缀：统一社会信用代码、组织机构代码或目录编码",
    )
    level = models.CharField("层级", max_length=10, choices=AgencyLevel.choices)
    kind = models.CharField(
        "机关类别", max_length=12, choices=AgencyKind.choices, default=AgencyKind.DEPARTMENT,
        help_text="县级以上人民政府的年度报告与其他行政机关的公布期限不同（条例第四十九条）",
    )
    region_code = models.CharField(
        "行政区划代码", max_length=12, blank=True, validators=[validate_region_code],
        help_text="国家统计局行政区划代码：6位（县级以上）、9位（乡镇）或12位",
    )
    accepts_requests = models.BooleanField("受理政府信息公开申请", default=True)
    address = models.CharField("办公地址", max_length=200, blank=True)
    postal_code = models.CharField("邮政编码", max_length=6, blank=True)
    phone = models.CharField("咨询电话", max_length=40, blank=True)
    fax = models.CharField("传真", max_length=40, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    office_hours = models.CharField("办公时间", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)
    require_two_factor = models.BooleanField(
        "要求全体工作人员启用两步验证", default=False,
        help_text="平台管理员、保密审查员、审批领导和主管部门监督员始终须启用两步验证；"
        "勾选后，本机关其他岗位的工作人员也须启用",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "行政机关"
        verbose_name_plural = "行政机关"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_short_name(self) -> str:
        return self.short_name or self.name


class Department(models.Model):
    """A unit inside an agency (内设机构 / 科室): drafts documents and handles the requests
    assigned to it."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="departments", verbose_name="所属机关"
    )
    name = models.CharField("名称", max_length=100)
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "内设机构"
        verbose_name_plural = "内设机构"
        ordering = ["agency_id", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="department_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.agency.display_short_name}·{self.name}"
