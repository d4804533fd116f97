from django.conf import settings
from django.db import models

from gongkai.foi.models.letter import LetterKind


class SignoffStep(models.TextChoices):
    """The steps an agency may put a reply or notice through before it is issued
    (``AgencyFoiSettings.signoff_steps``), in this order."""

    DRAFT = "draft", "承办科室拟稿"
    CHECK = "check", "办公室核稿"
    SIGN_OFF = "sign_off", "领导签发"


def signoff_steps_for(agency) -> list[SignoffStep]:
    """The agency's sign-off steps, in their fixed order; empty: the office issues
    directly. Unknown values in the setting are ignored rather than trusted."""
    from gongkai.foi.models.settings import AgencyFoiSettings

    cached = getattr(agency, "_foi_signoff_steps", None)  # one read per loaded agency (a page asks often)
    if cached is None:
        chosen = AgencyFoiSettings.objects.filter(agency=agency).values_list("signoff_steps", flat=True).first()
        cached = agency._foi_signoff_steps = [step for step in SignoffStep if step.value in set(chosen or [])]
    return list(cached)


# The letters drafted and signed off here; the extension notice follows the leader's
# approval of an extension request instead (ExtensionRequest).
DRAFTABLE_KINDS = (LetterKind.REPLY, LetterKind.CORRECTION, LetterKind.CONSULTATION, LetterKind.FEE)


class DraftState(models.TextChoices):
    DRAFTING = "drafting", "拟稿中"
    AWAITING_CHECK = "awaiting_check", "待办公室核稿"
    AWAITING_SIGNOFF = "awaiting_signoff", "待领导签发"
    ISSUED = "issued", "已出具"
    RETURNED = "returned", "退回修改"  # back with the reason in ``note``; edited like a draft
    CANCELLED = "cancelled", "已撤销"


EDITABLE_DRAFT_STATES = (DraftState.DRAFTING, DraftState.RETURNED)
PENDING_DRAFT_STATES = (DraftState.DRAFTING, DraftState.RETURNED, DraftState.AWAITING_CHECK,
                        DraftState.AWAITING_SIGNOFF)


class LetterDraft(models.Model):
    """A reply or notice on its way to issue: drafted (by the assigned department's
    officer or the office), checked by the office, signed off by a leader, as the
    agency's ``signoff_steps`` require. ``fields`` holds the issuing action's form data
    (JSON: dates as ISO strings); on the last step the existing service issues it."""

    request = models.ForeignKey("foi.FoiRequest", on_delete=models.CASCADE, related_name="drafts")
    kind = models.CharField("文书类型", max_length=20, choices=LetterKind.choices)
    fields = models.JSONField("拟稿内容", default=dict)
    state = models.CharField("状态", max_length=20, choices=DraftState.choices, default=DraftState.DRAFTING)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="拟稿人")
    drafted_at = models.DateTimeField("拟稿时间", null=True, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="核稿人")
    checked_at = models.DateTimeField("核稿时间", null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="签发人")
    signed_at = models.DateTimeField("签发时间", null=True, blank=True)
    note = models.TextField("退回理由/说明", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "文书拟稿"
        verbose_name_plural = "文书拟稿"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.get_state_display()}）"


class ExtensionState(models.TextChoices):
    REQUESTED = "requested", "待审批"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "不同意"


class ExtensionRequest(models.Model):
    """A request to extend the reply deadline (Art. 33(2)), made by the office or the
    assigned officer and decided by a leader before the original deadline; the approval
    is the request's ``extend`` event."""

    request = models.ForeignKey("foi.FoiRequest", on_delete=models.CASCADE, related_name="extension_requests")
    days = models.PositiveIntegerField("延长工作日数")
    reason = models.TextField("延期理由")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="申请人")
    requested_at = models.DateTimeField("申请时间")
    state = models.CharField("状态", max_length=20, choices=ExtensionState.choices,
                             default=ExtensionState.REQUESTED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="审批人")
    decided_on = models.DateField("审批日期", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["requested_at", "id"]

    def __str__(self) -> str:
        return f"延期{self.days}个工作日（{self.get_state_display()}）"
