"""Frequently asked questions (常见问题): staff-maintained answers that the question box
gives before anything else, each drafted and then approved before it is public.

An FAQ belongs to one agency. With ``for_subtree`` it also answers questions asked on the
pages of every agency below it (a province's "how do I apply" FAQ serves its counties);
the portal's own question box, which names no agency, reads every agency's FAQs."""

from django.conf import settings
from django.db import models

from gongkai.core import clock
from gongkai.core.models import WorkflowEvent


class FaqStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待审核"
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已撤回"


class Faq(models.Model):
    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="faqs",
                               verbose_name="机关")
    question = models.CharField("问题", max_length=200)
    answer = models.TextField("答案")
    keywords = models.CharField(
        "其他问法", max_length=300, blank=True,
        help_text="群众常用的其他说法，以空格或顿号分隔，例如：要钱吗、花多少钱。只用于匹配，不公开显示。")
    for_subtree = models.BooleanField("同时适用于下级机关", default=False)
    status = models.CharField("状态", max_length=20, choices=FaqStatus.choices,
                              default=FaqStatus.DRAFT, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="起草人")
    created_at = models.DateTimeField("起草时间", default=clock.now)
    updated_at = models.DateTimeField("修改时间", default=clock.now)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     verbose_name="提交人")
    published_on = models.DateField("发布日期", null=True, blank=True)

    class Meta:
        verbose_name = "常见问题"
        verbose_name_plural = "常见问题"
        ordering = ["agency_id", "-updated_at", "-id"]
        indexes = [models.Index(fields=["agency", "status"], name="answers_faq_agency_status")]

    def __str__(self) -> str:
        return self.question

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("portal:faq-detail", args=[self.pk])


class FaqEvent(WorkflowEvent):
    """One step of an FAQ's history (``WorkflowEvent``)."""

    status_choices = FaqStatus
    action_choices = "gongkai.answers.workflow.Action"

    faq = models.ForeignKey(Faq, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = "常见问题记录"
        verbose_name_plural = "常见问题记录"
