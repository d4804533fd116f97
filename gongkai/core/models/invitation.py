from django.db import models

from gongkai.core.models.people import Role


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "待接受"  # sent, not yet accepted, revoked or expired
    ACCEPTED = "accepted", "已接受"  # the person accepted: they hold the role
    REVOKED = "revoked", "已撤销"  # withdrawn by whoever manages the agency's people
    EXPIRED = "expired", "已过期"  # not accepted in time


class Invitation(models.Model):
    """An agency's invitation to a person, by e-mail, to take a role there.

    Only a hash of the token is stored: the link in the e-mail is the only copy, so a
    reader of the database (or a backup) cannot accept it. Whether it is still pending is
    derived from ``expires_at``, ``accepted_at`` and ``revoked_at`` (``status_at``), never
    stored. The e-mail is a work address and becomes the account's ``User.email`` (which is
    how the identity platform's sign-in finds the account), so it is kept as that is.
    """

    VALID_DAYS = 7

    agency = models.ForeignKey(
        "core.Agency", on_delete=models.PROTECT, related_name="invitations", verbose_name="机关"
    )
    email = models.EmailField("电子邮箱", max_length=150)
    full_name = models.CharField("姓名", max_length=50, blank=True)
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.PROTECT,
        related_name="invitations", verbose_name="内设机构",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="invitations_sent",
        verbose_name="邀请人",
    )
    created_at = models.DateTimeField("邀请时间")
    expires_at = models.DateTimeField("有效期至")
    accepted_at = models.DateTimeField("接受时间", null=True, blank=True)
    accepted_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.PROTECT,
        related_name="invitations_accepted", verbose_name="接受人",
    )
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.PROTECT,
        related_name="invitations_revoked", verbose_name="撤销人",
    )

    class Meta:
        verbose_name = "人员邀请"
        verbose_name_plural = "人员邀请"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["agency", "email"], name="invitation_agency_email")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="officer") | models.Q(department__isnull=False),
                name="invitation_officer_has_department",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency.display_short_name} · {self.get_role_display()}邀请"

    def status_at(self, moment) -> InvitationStatus:
        if self.accepted_at is not None:
            return InvitationStatus.ACCEPTED
        if self.revoked_at is not None:
            return InvitationStatus.REVOKED
        if moment >= self.expires_at:
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING
