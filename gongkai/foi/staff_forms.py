"""Forms for the back office's actions on requests, one per action. They check the input's
shape; the services check the rules (state, deadlines, who may act), so a refused step
shows the service's own Chinese message."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from gongkai.core import clock
from gongkai.core.errors import DomainError
from gongkai.core.widgets import DateInput, MultipleFileField
from gongkai.foi.deadlines import DUE_SOON_DAYS, MAX_EXTENSION_DAYS
from gongkai.foi.fees import FeeScale
from gongkai.foi.forms import RequestIntakeForm
from gongkai.foi.models import AppealKind, AppealOutcome, Channel, ConsultationParty, Delivery
from gongkai.foi.models.request import Consultation
from gongkai.foi.outcomes import REPLY_RULES, Outcome, ReplyType
from gongkai.foi.services.replies import derive_outcome, validate_disclosed_file, validate_reply
from gongkai.foi.workflow import RequestStatus


def date_field(label: str, *, required: bool = False, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput(),
                           help_text=help_text or ("留空为今天" if not required else ""))


def reason_field(label: str = "说明", *, required: bool = False, rows: int = 2) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": rows}))


def _not_future(value, what: str):
    if value and value > clock.today():
        raise ValidationError(f"{what}不能晚于今天。")
    return value


# --- registration ----------------------------------------------------------------------

STAFF_CHANNELS = [(c.value, c.label) for c in Channel if c != Channel.ONLINE]


class StaffRegisterForm(RequestIntakeForm):
    """A request received in person, by post or by fax, entered by the office with its
    receipt date (Art. 31)."""

    channel = forms.ChoiceField(label="申请方式", choices=STAFF_CHANNELS)
    received_on = date_field(
        "收到申请日期", required=True,
        help_text="当面提交：提交当日；邮寄需签收：签收当日；平常信函：与申请人确认当日；传真：双方确认当日（第三十一条）",
    )

    field_order = ["channel", "received_on"]

    def clean_received_on(self):
        return _not_future(self.cleaned_data["received_on"], "收到申请日期")


# --- receipt -----------------------------------------------------------------------------

class ConfirmForm(forms.Form):
    received_on = date_field("确认收到日期")
    reason = reason_field()


class VoidForm(forms.Form):
    reason = reason_field("作废理由", required=True)


class AssignForm(forms.Form):
    department = forms.ModelChoiceField(label="承办科室", queryset=None, empty_label="请选择")
    reason = reason_field()

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["department"].label_from_instance = lambda d: d.name


# --- correction (Art. 30) ----------------------------------------------------------------

class CorrectionRequestForm(forms.Form):
    items = forms.CharField(
        label="需要补正的内容（每行一项，一次性告知）", max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    correct_by = date_field("补正期限", required=True)
    on = date_field("告知日期")

    def clean_items(self):
        items = [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]
        if not items:
            raise ValidationError("请逐项列明需要补正的内容。")
        return items


class CorrectionReceivedForm(forms.Form):
    on = date_field("收到补正日期")
    note = reason_field()


class CloseForm(forms.Form):
    """Closing after the correction or payment period ran out; archiving."""

    reason = reason_field()


# --- consultation (Art. 32) ---------------------------------------------------------------

class ConsultationStartForm(forms.Form):
    party_kind = forms.ChoiceField(label="征求对象类型", choices=ConsultationParty.choices)
    party_name = forms.CharField(label="征求对象", max_length=200)
    sent_on = date_field("发出日期")


class ConsultationEndForm(forms.Form):
    opinion = forms.ChoiceField(label="意见", choices=Consultation._meta.get_field("opinion").choices)
    ended_on = date_field("结束日期（收到答复或期满之日）")
    note = reason_field()


# --- extension (Art. 33(2)) ---------------------------------------------------------------

class ExtensionRequestForm(forms.Form):
    """The office or the assigned officer asks the leader for an extension."""

    days = forms.IntegerField(label="拟延长工作日数", min_value=1, max_value=MAX_EXTENSION_DAYS,
                              help_text=f"合计不超过{MAX_EXTENSION_DAYS}个工作日")
    reason = reason_field("延期理由", required=True)


EXTENSION_DECISIONS = [("approve", "同意延期"), ("refuse", "不同意延期")]


class ExtensionDecideForm(forms.Form):
    decision = forms.ChoiceField(label="审批意见", choices=EXTENSION_DECISIONS, widget=forms.RadioSelect,
                                 initial="approve")
    decided_on = date_field("批准日期（同意时）")
    note = reason_field("说明（不同意时必填）")

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not (data.get("note") or "").strip():
            self.add_error("note", "不同意延期请说明理由。")
        return data


# --- fees (Art. 42) ------------------------------------------------------------------------

FEE_SCALE_CHOICES = [
    (FeeScale.PER_REQUEST.value, "按件计收（同一申请人当月申请件数）"),
    (FeeScale.PER_PAGE.value, "按量计收（页数）"),
]


class FeeNoticeForm(forms.Form):
    scale = forms.ChoiceField(label="计收方式", choices=FEE_SCALE_CHOICES)
    pages = forms.IntegerField(label="页数（按量计收时填写）", min_value=1, required=False)
    sent_on = date_field("发出日期")

    def clean(self):
        data = super().clean()
        if data.get("scale") == FeeScale.PER_PAGE.value and not data.get("pages"):
            self.add_error("pages", "按量计收请填写页数。")
        if data.get("scale") == FeeScale.PER_REQUEST.value:
            data["pages"] = None
        return data


class FeePaidForm(forms.Form):
    paid_on = date_field("缴费日期", required=True)
    amount = forms.DecimalField(label="实缴金额（元）", min_value=0, max_digits=12, decimal_places=2)

    def clean_paid_on(self):
        return _not_future(self.cleaned_data["paid_on"], "缴费日期")


# --- reply (Art. 36–37) -------------------------------------------------------------------

def _outcome_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """Outcome choices grouped as in the annual report (予以公开, 不予公开, 无法提供, …)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for outcome in Outcome:
        head, _, tail = outcome.label.partition("：")
        groups.setdefault(head, []).append((outcome.value, tail or head))
    return list(groups.items())


def _choosable_outcomes() -> list[tuple[str, list[tuple[str, str]]]]:
    """Only the outcomes a clerk ever chooses: those of reply types that allow several
    (the grounds of 不予公开); every other type fixes its row."""
    choosable = {o for rule in REPLY_RULES.values() if len(rule.outcomes) > 1 for o in rule.outcomes}
    return [(head, [c for c in choices if Outcome(c[0]) in choosable])
            for head, choices in _outcome_groups()
            if any(Outcome(c[0]) in choosable for c in choices)]


class OutcomeField(forms.ChoiceField):
    """Offers only the outcomes a clerk chooses, but accepts any outcome a reply type
    allows (the form's clean checks it against the type), e.g. from a filled-in draft."""

    def valid_value(self, value) -> bool:
        return value in Outcome.values


class ReplyForm(forms.Form):
    """The reply: one Art. 36 type, the report row it lands in (derived from the type
    where the type fixes it), what that type must carry (ground and legal basis,
    responsible agency, remedies), and the files disclosed with it."""

    reply_type = forms.ChoiceField(label="答复类型", choices=[("", "请选择"), *ReplyType.choices])
    outcome = OutcomeField(
        label="不予公开的理由类别（办理结果）", required=False,
        choices=[("", "—（由答复类型确定）"), *_choosable_outcomes()],
        help_text="仅“不予公开”须选择；其他答复类型的办理结果由答复类型确定，见上表",
    )
    content = forms.CharField(label="答复内容", max_length=20000,
                              widget=forms.Textarea(attrs={"rows": 6}))
    legal_basis = forms.CharField(
        label="理由和法律依据", required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="不予公开、部分公开必须填写（第三十六条第三项、第三十七条）",
    )
    responsible_agency = forms.CharField(
        label="负责公开该信息的机关", required=False, max_length=200,
        help_text="不属于本机关负责公开的必须填写；确实无法确定的写明“无法确定”（第三十六条第五项）",
    )
    responsible_agency_contact = forms.CharField(label="该机关联系方式", required=False, max_length=200)
    remedy = forms.CharField(
        label="救济途径", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="不予公开、无法提供、不予处理的答复必须告知；予以公开的答复不填写",
    )
    replied_on = date_field("答复日期")
    files = MultipleFileField(
        label="公开的政府信息文件（选填；PDF、JPG、PNG，每个不超过20MB）", required=False)
    file_names = forms.CharField(
        label="文件显示名称（每行一个，与所选文件顺序对应；留空则用文件名）", required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}))

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        for upload in files:
            try:
                validate_disclosed_file(upload)
            except DomainError as exc:
                raise ValidationError(exc.message) from None
        return files

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        reply_type = ReplyType(data["reply_type"])
        if not REPLY_RULES[reply_type].refusal:
            data["remedy"] = ""
        try:
            outcome = derive_outcome(reply_type, data.get("outcome") or "")
            validate_reply(
                reply_type=reply_type, outcome=outcome, content=data["content"],
                legal_basis=data["legal_basis"], responsible_agency=data["responsible_agency"],
                remedy=data["remedy"],
            )
        except DomainError as exc:
            raise ValidationError(exc.message) from None
        data["outcome"] = outcome.value
        names = [line.strip() for line in (data.get("file_names") or "").splitlines()]
        files = data.get("files") or []
        if len([n for n in names if n]) > len(files):
            self.add_error("file_names", "显示名称的行数多于所选文件。")
        data["disclosed_files"] = [(upload, names[i] if i < len(names) else "")
                                   for i, upload in enumerate(files)]
        return data


def reply_rules_table() -> list[dict]:
    """What each reply type must carry, for the reply form's side table; ``outcome_text``
    says the report row a type fixes, or the rows the clerk chooses among."""
    return [
        {
            "reply_type": rt.label,
            "outcomes": [o.label for o in rule.outcomes],
            "outcome_text": (f"办理结果：{rule.outcomes[0].label}（由答复类型确定）" if len(rule.outcomes) == 1
                             else "在以下办理结果中选择：" + "；".join(o.label for o in rule.outcomes)),
            "needs_ground": rule.needs_ground,
            "names_agency": rule.names_agency,
            "refusal": rule.refusal,
        }
        for rt, rule in REPLY_RULES.items()
    ]


# --- sign-off (签发): drafts of replies and notices -----------------------------------------

DRAFT_INTENTS = [("submit", "提交下一环节"), ("save", "暂存草稿")]


class DraftMixin(forms.Form):
    """A draft form: the issuing action's fields, kept as JSON until the last step."""

    intent = forms.ChoiceField(label="操作", choices=DRAFT_INTENTS, initial="submit", widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields([name for name in self.fields if name != "intent"] + ["intent"])


class DraftReplyWithFilesForm(DraftMixin, ReplyForm):
    """A reply drafted for sign-off, dated when it is issued, with the files to disclose
    with it: new uploads (``disclosed_files``: upload and display name, as ``ReplyForm``
    makes them) and the ones already attached, to keep or to remove (``remove_files``).
    ``signoff.draft_save`` keeps them with the draft through check and sign-off; they
    become the request's disclosed files when the reply is issued."""

    replied_on = None
    files = MultipleFileField(
        label="公开的政府信息文件（选填；PDF、JPG、PNG，每个不超过20MB；签发后随答复提供）", required=False)
    remove_files = forms.MultipleChoiceField(label="移除已附文件", required=False,
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, attached=(), **kwargs):
        super().__init__(*args, **kwargs)
        if attached:
            self.fields["remove_files"].choices = [
                (entry["path"], f"{entry['name']}（{filesizeformat(entry['size'])}）") for entry in attached]
        else:
            del self.fields["remove_files"]


# Fields of a draft form that are not the letter's text (kept apart from the draft's
# ``fields``; the files go to ``signoff.draft_save`` on their own).
DRAFT_FILE_FIELDS = ("files", "file_names", "remove_files", "disclosed_files")


class DraftCorrectionForm(DraftMixin, forms.Form):
    items = CorrectionRequestForm.base_fields["items"]
    correct_by = date_field("补正期限", required=True)

    def clean_items(self):
        return CorrectionRequestForm.clean_items(self)


class DraftConsultationForm(DraftMixin, forms.Form):
    party_kind = forms.ChoiceField(label="征求对象类型", choices=ConsultationParty.choices)
    party_name = forms.CharField(label="征求对象", max_length=200)


class DraftFeeForm(DraftMixin, forms.Form):
    scale = forms.ChoiceField(label="计收方式", choices=FEE_SCALE_CHOICES)
    pages = forms.IntegerField(label="页数（按量计收时填写）", min_value=1, required=False)

    def clean(self):
        data = super().clean()
        if data.get("scale") == FeeScale.PER_PAGE.value and not data.get("pages"):
            self.add_error("pages", "按量计收请填写页数。")
        if data.get("scale") == FeeScale.PER_REQUEST.value:
            data["pages"] = None
        return data


DRAFT_DECISIONS = [("pass", "同意"), ("return", "退回修改")]


class DraftDecisionForm(forms.Form):
    """The office's check or the leader's sign-off of a draft."""

    decision = forms.ChoiceField(label="意见", choices=DRAFT_DECISIONS, initial="pass", widget=forms.RadioSelect)
    note = reason_field("意见说明（退回时必填）")

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("note") or "").strip():
            self.add_error("note", "退回修改请说明理由。")
        return data


class DraftCancelForm(forms.Form):
    reason = reason_field("撤销理由", required=True)


# --- delivery, archive, withdrawal ---------------------------------------------------------

class DeliverForm(forms.Form):
    """送达. By e-mail the mail goes out now, and the day it goes out is the delivery
    date: no other date is accepted."""

    method = forms.ChoiceField(label="送达方式", choices=Delivery.choices)
    delivered_on = date_field("送达日期", required=True,
                              help_text="电子邮件送达：提交后即发送邮件，以发出之日（今天）为送达日期")
    note = reason_field()

    def clean_delivered_on(self):
        return _not_future(self.cleaned_data["delivered_on"], "送达日期")

    def clean(self):
        data = super().clean()
        if (data.get("method") == Delivery.EMAIL and data.get("delivered_on")
                and data["delivered_on"] != clock.today()):
            self.add_error("delivered_on", "电子邮件送达以邮件发出之日（今天）为送达日期，不能填写其他日期。")
        return data


class WithdrawForm(forms.Form):
    reason = reason_field("撤回方式和说明", required=True)
    on = date_field("撤回日期")


# --- appeals (Art. 51) ----------------------------------------------------------------------

class AppealRecordForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=AppealKind.choices)
    filed_on = date_field("立案/申请日期", required=True)
    body = forms.CharField(label="复议机关/法院", max_length=200)
    case_number = forms.CharField(label="案号", max_length=100, required=False)
    note = reason_field()


class AppealDecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label="结果", choices=[(o.value, o.label) for o in AppealOutcome if o != AppealOutcome.PENDING])
    decided_on = date_field("决定/判决日期", required=True)
    note = reason_field()


# --- personal data, list filters -----------------------------------------------------------

class RevealForm(forms.Form):
    reason = forms.CharField(label="查看理由", max_length=200, min_length=2,
                             help_text="如“电话联系申请人核实补正事项”；将记入审计日志")


DUE_CHOICES = [("", "全部"), ("overdue", "已逾期"), ("due_soon", f"{DUE_SOON_DAYS}个工作日内到期"),
               ("attention", "已逾期或即将到期")]


class RequestFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", required=False,
                               choices=[("", "全部"), *RequestStatus.choices])
    department = forms.ModelChoiceField(label="承办科室", required=False, queryset=None,
                                        empty_label="全部")
    due = forms.ChoiceField(label="期限", required=False, choices=DUE_CHOICES)
    agency = forms.ModelChoiceField(label="机关", required=False, queryset=None, empty_label="全部")

    def __init__(self, *args, departments, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        # Only a supervising office (or the platform) reads more than one agency's requests.
        if agencies is not None and agencies.count() > 1:
            self.fields["agency"].queryset = agencies
            self.fields["agency"].label_from_instance = lambda a: a.name
        else:
            del self.fields["agency"]
