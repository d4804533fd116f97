"""Messages to an agency (留言 / 局长信箱), their history, replies and settings.

A message's status changes only through ``interaction.services``; each change is a
``MessageEvent``. The reply deadline is derived from the message's receipt date, the
agency's setting and the approved extensions (``interaction.rules``), never stored. The
writer's name, phone and e-mail are encrypted at rest; what the public sees of a published
message is a masked copy made when the office publishes it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from gongkai.core.crypto import EncryptedTextField
from gongkai.core.models import WorkflowEvent
from gongkai.interaction import rules
from gongkai.interaction.workflow import Action, Kind, MessageStatus, Rating


class AgencyMessageSettings(models.Model):
    """An agency's commitment for answering messages."""

    agency = models.OneToOneField("core.Agency", on_delete=models.CASCADE,
                                  related_name="message_settings")
    reply_working_days = models.PositiveSmallIntegerField(
        "答复期限（工作日）", default=rules.DEFAULT_REPLY_WORKING_DAYS,
        help_text=f"自收到留言之日起计算，默认{rules.DEFAULT_REPLY_WORKING_DAYS}个工作日")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "留言办理设置"
        verbose_name_plural = "留言办理设置"

    def __str__(self) -> str:
        return f"{self.agency} · {self.reply_working_days}个工作日"


class Message(models.Model):
    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="messages",
                               verbose_name="受理机关")
    department = models.ForeignKey("core.Department", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="messages",
                                   verbose_name="承办科室")
    # The agency that last transferred the message here (it keeps read access).
    transferred_from = models.ForeignKey("core.Agency", null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+",
                                         verbose_name="转办来源机关")
    tracking_number = models.CharField("留言编号", max_length=32, unique=True)
    secret_hash = models.CharField(max_length=200)
    kind = models.CharField("留言类型", max_length=20, choices=Kind.choices)
    subject = models.CharField("标题", max_length=200)
    content = models.TextField("内容")
    name = EncryptedTextField("姓名", blank=True)
    phone = EncryptedTextField("联系电话", blank=True)
    email = EncryptedTextField("电子邮箱", blank=True)
    publish_consent = models.BooleanField("同意公开", default=False)
    status = models.CharField("状态", max_length=20, choices=MessageStatus.choices, db_index=True)
    submitted_at = models.DateTimeField("提交时间")
    received_on = models.DateField("本机关收到日期", db_index=True)
    category = models.CharField("事项分类", max_length=50, blank=True)
    region = models.CharField("所涉地区", max_length=50, blank=True)
    word_hits = models.JSONField("敏感词", default=list, blank=True)
    replied_on = models.DateField("答复日期", null=True, blank=True, db_index=True)
    published_at = models.DateTimeField("公开时间", null=True, blank=True)
    public_subject = models.CharField("公开标题", max_length=200, blank=True)
    public_content = models.TextField("公开的留言内容", blank=True)
    public_reply = models.TextField("公开的答复内容", blank=True)
    rating = models.CharField("评价", max_length=30, choices=Rating.choices, blank=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    rating_comment = models.TextField("评价意见", blank=True)
    # Written while signed in with a government-service account: listed under "我的申请".
    public_account = models.ForeignKey("identity.PublicAccount", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="messages",
                                       verbose_name="公众账号")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "留言"
        verbose_name_plural = "留言"
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["agency", "status"], name="message_agency_status")]

    def __str__(self) -> str:
        return self.tracking_number

    def get_absolute_url(self) -> str:
        """The public page of a published message."""
        return reverse("portal:message-public-detail", args=[self.agency.code, self.pk])


class MessageEvent(WorkflowEvent):
    """One step of a message's history, in the agency where it was taken (``agency``),
    with its date (``on``) and, for the writer who has no account, who took it in words."""

    status_choices = MessageStatus
    action_choices = Action

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="events")
    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    on = models.DateField("日期")
    actor_label = models.CharField(max_length=200, blank=True)

    class Meta(WorkflowEvent.Meta):
        verbose_name = "留言办理记录"
        verbose_name_plural = "留言办理记录"


class ReplyState(models.TextChoices):
    SUBMITTED = "submitted", "待审核"
    RETURNED = "returned", "已退回修改"
    RELEASED = "released", "已审核答复"


class MessageReply(models.Model):
    """A reply written to a message: submitted for the office's check, then released to
    the writer (or returned for changes, and a new one written)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="replies")
    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    text = models.TextField("答复内容")
    state = models.CharField("状态", max_length=20, choices=ReplyState.choices,
                             default=ReplyState.SUBMITTED)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    written_at = models.DateTimeField("撰写时间")
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField("审核时间", null=True, blank=True)
    check_note = models.TextField("审核意见", blank=True)

    class Meta:
        verbose_name = "留言答复"
        verbose_name_plural = "留言答复"
        ordering = ["written_at", "id"]

    def __str__(self) -> str:
        return f"{self.message_id} {self.get_state_display()}"


class CaptchaChallenge(models.Model):
    """One CAPTCHA shown on the public message form: the answer is kept here (encrypted,
    so every worker can draw and check it), never in the page; it may be tried once,
    until it expires."""

    token = models.CharField(max_length=64, unique=True)
    answer = EncryptedTextField("答案")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "验证码"
        verbose_name_plural = "验证码"

    def __str__(self) -> str:
        return self.token[:8]
