"""Who a provider says someone is.

Staff: an ``StaffIdentity`` links a provider's subject to a gongkai ``User``; roles stay in
gongkai (``core.Membership``), the provider only says who signed in.

The public: a ``PublicAccount`` is kept apart from ``core.User`` on purpose. A citizen
signed in through a government-service account must never reach the back office, whatever a
later change to ``User`` or its permissions does; their session carries the account's id
under its own key (``gongkai.identity.public``), not Django's auth session. The verified
claims are personal data: encrypted at rest like an applicant's on a request.
"""

from django.conf import settings
from django.db import models

from gongkai.core.crypto import EncryptedTextField


class StaffIdentity(models.Model):
    """A provider's subject (``sub``) linked to a staff account, set on the first sign-in
    that matched the account on the configured claim."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="identities", verbose_name="用户")
    provider = models.CharField("身份提供方", max_length=40)
    subject = models.CharField("用户标识（sub）", max_length=255)
    linked_at = models.DateTimeField("关联时间")
    last_signed_in_at = models.DateTimeField("最近登录", null=True, blank=True)

    class Meta:
        verbose_name = "工作人员统一身份"
        verbose_name_plural = "工作人员统一身份"
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="staff_identity_unique_subject"),
            # One subject per account and provider (services.staff_match checks it first;
            # the constraint decides between concurrent first sign-ins).
            models.UniqueConstraint(fields=["provider", "user"], name="staff_identity_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.subject}"


class PublicAccount(models.Model):
    """A member of the public signed in through a government-service account.

    ``name``, ``id_number`` and ``phone`` are what the provider verified, encrypted; an
    applicant's form is pre-filled from them and the office sees them marked as verified.
    """

    provider = models.CharField("身份提供方", max_length=40)
    subject = models.CharField("用户标识（sub）", max_length=255)
    name = EncryptedTextField("姓名", blank=True)
    id_type = models.CharField("证件类型", max_length=30, blank=True)
    id_number = EncryptedTextField("证件号码", blank=True)
    phone = EncryptedTextField("联系电话", blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    verified_at = models.DateTimeField("身份核验时间")
    last_signed_in_at = models.DateTimeField("最近登录")
    is_active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = "公众账号"
        verbose_name_plural = "公众账号"
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="public_account_unique_subject"),
        ]

    def __str__(self) -> str:
        return f"公众账号 #{self.pk}"
