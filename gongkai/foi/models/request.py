from django.conf import settings
from django.db import models

from gongkai.core.crypto import EncryptedTextField
from gongkai.core.encrypted_storage import encrypted_storage
from gongkai.core.models import WorkflowEvent
from gongkai.foi.outcomes import Outcome, ReplyType
from gongkai.foi.workflow import Action, RequestStatus


class ApplicantType(models.TextChoices):
    """The annual report's columns (table 三): natural person, or one of five kinds of
    legal person / other organisation."""

    NATURAL_PERSON = "natural_person", "自然人"
    COMMERCIAL_ENTERPRISE = "commercial_enterprise", "商业企业"
    RESEARCH_INSTITUTION = "research_institution", "科研机构"
    SOCIAL_WELFARE_ORGANIZATION = "social_welfare_organization", "社会公益组织"
    LEGAL_SERVICE_INSTITUTION = "legal_service_institution", "法律服务机构"
    OTHER_ORGANIZATION = "other_organization", "其他组织"


class IdDocumentType(models.TextChoices):
    RESIDENT_ID = "resident_id", "居民身份证"
    USCC = "uscc", "统一社会信用代码"
    PASSPORT = "passport", "护照"
    HK_MACAO_PERMIT = "hk_macao_permit", "港澳居民来往内地通行证"
    TAIWAN_PERMIT = "taiwan_permit", "台湾居民来往大陆通行证"
    OTHER = "other", "其他有效证件"


class Channel(models.TextChoices):
    """How the request arrived; sets what the receipt date is (Art. 31)."""

    ONLINE = "online", "网上申请"  # received when staff confirm it
    IN_PERSON = "in_person", "当面提交"  # the day it is handed in
    POST_SIGNED = "post_signed", "邮寄（需签收）"  # the day the agency signs for it
    POST_ORDINARY = "post_ordinary", "平常信函"  # the day the office confirms with the applicant
    FAX = "fax", "传真"  # the day both sides confirm receipt


class Delivery(models.TextChoices):
    EMAIL = "email", "电子邮件"
    POST = "post", "邮寄"
    PICKUP = "pickup", "当面领取"
    ONLINE = "online", "网上获取"


class InformationForm(models.TextChoices):
    PAPER = "paper", "纸质文本"
    ELECTRONIC = "electronic", "电子文件"


class FoiRequest(models.Model):
    """A request for government information (政府信息公开申请, Art. 27–29).

    Its status changes only through the services in ``foi.services``; each change is a
    ``FoiEvent``. The reply deadline is derived from those events (``foi.deadlines``), never
    stored. ID number, phone and address are encrypted at rest; ``applicant_key`` is a
    keyed hash of the ID number, so one applicant's requests can be found and counted
    without the number in clear.
    """

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="foi_requests")
    tracking_number = models.CharField("申请编号", max_length=32, unique=True)
    secret_hash = models.CharField(max_length=200)
    channel = models.CharField("申请方式", max_length=20, choices=Channel.choices)
    status = models.CharField("状态", max_length=30, choices=RequestStatus.choices, db_index=True)
    submitted_at = models.DateTimeField("提交时间")
    received_on = models.DateField("收到申请日期", null=True, blank=True, db_index=True)
    department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.PROTECT,
        related_name="foi_requests", verbose_name="承办科室",
    )

    applicant_type = models.CharField("申请人类型", max_length=40, choices=ApplicantType.choices)
    name = models.CharField("申请人姓名/名称", max_length=200)
    contact_person = models.CharField("联系人", max_length=100, blank=True)
    id_type = models.CharField("证件类型", max_length=30, choices=IdDocumentType.choices)
    id_number = EncryptedTextField("证件号码")
    applicant_key = models.CharField(max_length=64, db_index=True)
    phone = EncryptedTextField("联系电话")
    address = EncryptedTextField("通信地址", blank=True)
    postal_code = models.CharField("邮政编码", max_length=6, blank=True)
    email = models.EmailField("电子邮箱", blank=True)

    description = models.TextField("所需信息描述")
    purpose = models.TextField("用途", blank=True)
    form = models.CharField("获取信息的载体形式", max_length=20, choices=InformationForm.choices,
                            default=InformationForm.ELECTRONIC)
    delivery = models.CharField("获取信息的方式", max_length=20, choices=Delivery.choices)

    closed_on = models.DateField("办结日期", null=True, blank=True, db_index=True)
    outcome = models.CharField("办理结果", max_length=40, choices=Outcome.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Submitted while signed in with a government-service account: the request is listed
    # under the account ("我的申请"), and with ``identity_verified`` the name and ID number
    # were taken from the account's verified claims, not typed in.
    public_account = models.ForeignKey(
        "identity.PublicAccount", null=True, blank=True, on_delete=models.PROTECT,
        related_name="foi_requests", verbose_name="公众账号",
    )
    identity_verified = models.BooleanField("身份已核验（政务服务账号）", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "政府信息公开申请"
        verbose_name_plural = "政府信息公开申请"
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["agency", "status"], name="foi_agency_status"),
            models.Index(fields=["agency", "applicant_key", "received_on"], name="foi_applicant_month"),
        ]

    def __str__(self) -> str:
        return self.tracking_number


class FoiEvent(WorkflowEvent):
    """One step in a request's history (``WorkflowEvent``), with the legal date of the step
    (``on``: e.g. the receipt date, as against ``at``, when it was recorded) and who took
    it in words (staff, or "申请人" for the applicant, who has no account)."""

    status_choices = RequestStatus
    action_choices = Action

    request = models.ForeignKey(FoiRequest, on_delete=models.CASCADE, related_name="events")
    on = models.DateField("日期")
    actor_label = models.CharField(max_length=200, blank=True)

    class Meta(WorkflowEvent.Meta):
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"


class ConsultationParty(models.TextChoices):
    THIRD_PARTY = "third_party", "第三方"  # Art. 32: 15 working days to answer
    OTHER_AGENCY = "other_agency", "其他机关"


class Consultation(models.Model):
    """A consultation of a third party or another agency (Art. 32); the reply clock is
    paused from ``sent_on`` until ``ended_on``."""

    request = models.ForeignKey(FoiRequest, on_delete=models.CASCADE, related_name="consultations")
    party_kind = models.CharField("征求对象类型", max_length=20, choices=ConsultationParty.choices)
    party_name = models.CharField("征求对象", max_length=200)
    sent_on = models.DateField("发出日期")
    answer_due_on = models.DateField("答复期限", null=True, blank=True)
    ended_on = models.DateField("结束日期", null=True, blank=True)
    opinion = models.CharField("意见", max_length=20, blank=True, choices=[
        ("agree", "同意公开"), ("object", "不同意公开"), ("no_answer", "逾期未答复"), ("other", "其他"),
    ])
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "征求意见"
        verbose_name_plural = "征求意见"
        ordering = ["sent_on", "id"]

    def __str__(self) -> str:
        return f"{self.party_name}（{self.sent_on}）"


class FeeNotice(models.Model):
    """An information processing fee notice (Art. 42, Fee measures): the amount, the
    scale and the calculation shown to the applicant; the clock pauses until payment."""

    request = models.ForeignKey(FoiRequest, on_delete=models.CASCADE, related_name="fee_notices")
    scale = models.CharField("计收方式", max_length=20)
    quantity = models.PositiveIntegerField("件数/页数")
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    calculation = models.JSONField("计算过程", default=dict)
    sent_on = models.DateField("发出日期")
    pay_by = models.DateField("缴费期限")
    paid_on = models.DateField("缴费日期", null=True, blank=True)
    amount_paid = models.DecimalField("实缴金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = "收费通知"
        verbose_name_plural = "收费通知"
        ordering = ["sent_on", "id"]

    def __str__(self) -> str:
        return f"{self.amount}元（{self.sent_on}）"


class Reply(models.Model):
    """The reply (答复) to a request: its Art. 36 type, the report row it lands in, the
    grounds for anything refused, the remedies, and the generated reply letter."""

    request = models.OneToOneField(FoiRequest, on_delete=models.CASCADE, related_name="reply")
    reply_type = models.CharField("答复类型", max_length=40, choices=ReplyType.choices)
    outcome = models.CharField("办理结果", max_length=40, choices=Outcome.choices)
    replied_on = models.DateField("答复日期")
    content = models.TextField("答复内容")
    legal_basis = models.TextField("法律依据", blank=True)
    responsible_agency = models.CharField("负责公开的机关", max_length=200, blank=True)
    responsible_agency_contact = models.CharField("该机关联系方式", max_length=200, blank=True)
    remedy = models.TextField("救济途径", blank=True)
    # The reply letter's DOCX: the same stored file as the Letter's (encrypted, generated name).
    letter = models.FileField("答复告知书", upload_to="foi/letters/%Y/", blank=True, storage=encrypted_storage)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "答复"
        verbose_name_plural = "答复"

    def __str__(self) -> str:
        return f"{self.request_id} {self.get_reply_type_display()}"


class ReplyTemplate(models.Model):
    """The text of a reply letter (答复告知书) for one reply type; an agency's own version
    wins over the platform default (``agency`` empty). Placeholders in braces are filled
    from the request and reply, e.g. {applicant}, {tracking_number}, {received_on}."""

    agency = models.ForeignKey("core.Agency", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="reply_templates")
    reply_type = models.CharField("答复类型", max_length=40, choices=ReplyType.choices)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "答复告知书模板"
        verbose_name_plural = "答复告知书模板"
        constraints = [
            models.UniqueConstraint(fields=["agency", "reply_type"], name="reply_template_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.agency or '平台默认'} · {self.get_reply_type_display()}"


class RequestAttachment(models.Model):
    """A file the applicant sent with the request (an ID scan, a letter of authority).
    Personal data: only the agency's office may download it (audited). Stored encrypted
    under a generated name (``core.encrypted_storage``); the applicant's own file name —
    often their name itself — is kept encrypted here, for the download's file name."""

    request = models.ForeignKey(FoiRequest, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="foi/attachments/%Y/%m/", storage=encrypted_storage)
    original_name = EncryptedTextField("原文件名")
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "申请附件"
        verbose_name_plural = "申请附件"

    def __str__(self) -> str:
        return self.original_name
