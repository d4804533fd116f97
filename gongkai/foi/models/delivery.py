from django.conf import settings
from django.db import models


class DeliveryEmailState(models.TextChoices):
    QUEUED = "queued", "待发送"  # written with the office's step; the mail goes after the commit
    SENT = "sent", "已发送"  # the request is delivered (its ``deliver`` event)
    FAILED = "failed", "发送失败"  # not delivered; the failure is in the request's history


class DeliveryEmail(models.Model):
    """送达 by e-mail, kept as an outbox. The row, with the Message-ID the mail will
    carry, is written in the transaction of the office's step; the mail is sent once that
    transaction has committed, and the result is written afterwards: ``sent`` with the
    request's ``deliver`` event (dated the day of sending), or ``failed`` with an event in
    the request's history. So a mail the applicant got always has its row, and the request
    is recorded as delivered only once the mail went. A row still ``queued`` after the
    send (the process stopped between sending and recording) is shown to the office as
    "result unknown", with the Message-ID to look up in the mail server's log."""

    request = models.ForeignKey("foi.FoiRequest", on_delete=models.CASCADE, related_name="delivery_emails")
    state = models.CharField("状态", max_length=20, choices=DeliveryEmailState.choices,
                             default=DeliveryEmailState.QUEUED)
    message_id = models.CharField("Message-ID", max_length=255)
    attached = models.JSONField("附件", default=list, blank=True)  # refs (foi.delivery.ApplicantFile.ref)
    link_sent = models.BooleanField("附下载链接", default=False)
    note = models.TextField("送达说明", blank=True)
    queued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="送达人")
    queued_at = models.DateTimeField("提交发送时间")
    finished_at = models.DateTimeField("发送结果时间", null=True, blank=True)
    error = models.CharField("失败原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "送达邮件"
        verbose_name_plural = "送达邮件"
        ordering = ["queued_at", "id"]

    def __str__(self) -> str:
        return f"送达邮件 {self.message_id}（{self.get_state_display()}）"
