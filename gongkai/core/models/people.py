from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person who signs in: agency staff, reviewers, leaders, supervisors and platform
    administrators (``is_superuser``). What a user may do comes from their memberships."""

    full_name = models.CharField("姓名", max_length=50, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_platform_admin(self) -> bool:
        return self.is_active and self.is_superuser


class Role(models.TextChoices):
    OFFICE = "office", "公开办工作人员"  # disclosure office: runs requests, publishes, compiles the report
    OFFICER = "officer", "内设机构信息员"  # drafts items and replies for one department
    REVIEWER = "reviewer", "保密审查员"  # secrecy review before anything goes out
    LEADER = "leader", "审批领导"  # approves publications, extensions, sign-off
    SUPERVISOR = "supervisor", "主管部门监督员"  # reads the agency subtree below, changes nothing


class Membership(models.Model):
    """A user's role in one agency. A person may hold several (e.g. reviewer in one
    agency, supervisor of another); the back office acts under one at a time."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(
        "core.Agency", on_delete=models.PROTECT, related_name="memberships", verbose_name="机关"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.PROTECT,
        related_name="memberships", verbose_name="内设机构",
        help_text="信息员必须绑定本机关的一个内设机构",
    )
    is_active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "岗位"
        verbose_name_plural = "岗位"
        ordering = ["agency__path", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role"], name="membership_unique_role_per_agency"
            ),
            models.CheckConstraint(
                condition=~models.Q(role="officer") | models.Q(department__isnull=False),
                name="membership_officer_has_department",
            ),
        ]

    def __str__(self) -> str:
        label = f"{self.agency.display_short_name} · {self.get_role_display()}"
        if self.department_id:
            label += f"（{self.department.name}）"
        return label
