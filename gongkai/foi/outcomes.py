"""The outcomes of a request: the Art. 36 reply types and the annual report's rows.

Every closed request lands in exactly one outcome, and every outcome in exactly one row
of table 三 of the annual report (2021 format; 国办公开办函〔2021〕30号). The tables below
are the law as data: the reply form offers exactly these, and the report counts them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from gongkai.core.rules import rule


class Outcome(models.TextChoices):
    """Outcome rows of the annual report's table 三 (本年度办理结果)."""

    DISCLOSED = "disclosed", "予以公开"
    PARTIALLY_DISCLOSED = "partially_disclosed", "部分公开"
    WITHHELD_STATE_SECRET = "withheld_state_secret", "不予公开：属于国家秘密"
    WITHHELD_PROHIBITED_BY_LAW = "withheld_prohibited_by_law", "不予公开：其他法律行政法规禁止公开"
    WITHHELD_SECURITY_STABILITY = "withheld_security_stability", "不予公开：危及“三安全一稳定”"
    WITHHELD_THIRD_PARTY = "withheld_third_party", "不予公开：保护第三方合法权益"
    WITHHELD_INTERNAL_AFFAIRS = "withheld_internal_affairs", "不予公开：属于三类内部事务信息"
    WITHHELD_PROCESS_INFORMATION = "withheld_process_information", "不予公开：属于四类过程性信息"
    WITHHELD_ENFORCEMENT_FILE = "withheld_enforcement_file", "不予公开：属于行政执法案卷"
    WITHHELD_ADMINISTRATIVE_QUERY = "withheld_administrative_query", "不予公开：属于行政查询事项"
    UNAVAILABLE_NOT_HELD = "unavailable_not_held", "无法提供：本机关不掌握相关政府信息"
    UNAVAILABLE_NEEDS_COMPILATION = "unavailable_needs_compilation", "无法提供：没有现成信息需要另行制作"
    UNAVAILABLE_STILL_UNCLEAR = "unavailable_still_unclear", "无法提供：补正后申请内容仍不明确"
    NOT_PROCESSED_PETITION = "not_processed_petition", "不予处理：信访举报投诉类申请"
    NOT_PROCESSED_REPEAT = "not_processed_repeat", "不予处理：重复申请"
    NOT_PROCESSED_PUBLICATION = "not_processed_publication", "不予处理：要求提供公开出版物"
    NOT_PROCESSED_EXCESSIVE = "not_processed_excessive", "不予处理：无正当理由大量反复申请"
    NOT_PROCESSED_CONFIRMATION = "not_processed_confirmation", "不予处理：要求行政机关确认或重新出具已获取信息"
    OTHER_NO_CORRECTION = "other_no_correction", "其他处理：申请人无正当理由逾期不补正"
    OTHER_FEE_UNPAID = "other_fee_unpaid", "其他处理：申请人逾期未按收费通知要求缴纳费用"
    OTHER = "other", "其他处理：其他"


class ReplyType(models.TextChoices):
    """The reply letter's type (Art. 36 items 1–7, with Art. 35, 37, 38, 39)."""

    ALREADY_PUBLISHED = "already_published", "已主动公开，告知获取方式（第三十六条第一项）"
    DISCLOSED = "disclosed", "予以公开（第三十六条第二项）"
    PARTIALLY_DISCLOSED = "partially_disclosed", "部分公开（第三十七条）"
    NOT_DISCLOSED = "not_disclosed", "不予公开（第三十六条第三项）"
    DOES_NOT_EXIST = "does_not_exist", "经检索没有所申请的政府信息（第三十六条第四项）"
    NOT_THIS_AGENCY = "not_this_agency", "不属于本机关负责公开（第三十六条第五项）"
    NEEDS_COMPILATION = "needs_compilation", "需另行制作，不予提供（第三十八条）"
    STILL_UNCLEAR = "still_unclear", "补正后仍不明确（第三十条）"
    REPEAT = "repeat", "重复申请，不予重复处理（第三十六条第六项）"
    OTHER_LAW = "other_law", "依其他法律法规办理（第三十六条第七项）"
    PETITION = "petition", "信访举报投诉类，不作为申请处理（第三十九条第一款）"
    PUBLICATION = "publication", "要求提供公开出版物（第三十九条第二款）"
    EXCESSIVE = "excessive", "无正当理由大量反复申请，不予处理（第三十五条）"
    CONFIRMATION = "confirmation", "要求确认或重新出具已获取信息，不予处理"


class ClosureReason(models.TextChoices):
    """Ends of a request without a reply letter."""

    WITHDRAWN = "withdrawn", "申请人撤回申请"
    NO_CORRECTION = "no_correction", "申请人无正当理由逾期不补正（第三十条）"
    FEE_UNPAID = "fee_unpaid", "申请人逾期未缴纳信息处理费（第四十二条）"


@dataclass(frozen=True)
class ReplyRule:
    """What a reply of this type must carry."""

    outcomes: tuple[Outcome, ...]  # the report rows this reply type may land in
    refusal: bool  # refuses or cannot provide: must state the remedies (Art. 36)
    needs_ground: bool = False  # must cite the exemption ground and its legal basis
    names_agency: bool = False  # should name the responsible agency where known (Art. 36 item 5)


_WITHHELD = (
    Outcome.WITHHELD_STATE_SECRET, Outcome.WITHHELD_PROHIBITED_BY_LAW,
    Outcome.WITHHELD_SECURITY_STABILITY, Outcome.WITHHELD_THIRD_PARTY,
    Outcome.WITHHELD_INTERNAL_AFFAIRS, Outcome.WITHHELD_PROCESS_INFORMATION,
    Outcome.WITHHELD_ENFORCEMENT_FILE, Outcome.WITHHELD_ADMINISTRATIVE_QUERY,
)

REPLY_RULES: dict[ReplyType, ReplyRule] = {
    ReplyType.ALREADY_PUBLISHED: ReplyRule((Outcome.DISCLOSED,), refusal=False),
    ReplyType.DISCLOSED: ReplyRule((Outcome.DISCLOSED,), refusal=False),
    ReplyType.PARTIALLY_DISCLOSED: ReplyRule((Outcome.PARTIALLY_DISCLOSED,), refusal=True, needs_ground=True),
    ReplyType.NOT_DISCLOSED: ReplyRule(_WITHHELD, refusal=True, needs_ground=True),
    ReplyType.DOES_NOT_EXIST: ReplyRule((Outcome.UNAVAILABLE_NOT_HELD,), refusal=True),
    ReplyType.NOT_THIS_AGENCY: ReplyRule((Outcome.UNAVAILABLE_NOT_HELD,), refusal=True, names_agency=True),
    ReplyType.NEEDS_COMPILATION: ReplyRule((Outcome.UNAVAILABLE_NEEDS_COMPILATION,), refusal=True),
    ReplyType.STILL_UNCLEAR: ReplyRule((Outcome.UNAVAILABLE_STILL_UNCLEAR,), refusal=True),
    ReplyType.REPEAT: ReplyRule((Outcome.NOT_PROCESSED_REPEAT,), refusal=True),
    ReplyType.OTHER_LAW: ReplyRule((Outcome.OTHER,), refusal=True),
    ReplyType.PETITION: ReplyRule((Outcome.NOT_PROCESSED_PETITION,), refusal=True),
    ReplyType.PUBLICATION: ReplyRule((Outcome.NOT_PROCESSED_PUBLICATION,), refusal=True),
    ReplyType.EXCESSIVE: ReplyRule((Outcome.NOT_PROCESSED_EXCESSIVE,), refusal=True),
    ReplyType.CONFIRMATION: ReplyRule((Outcome.NOT_PROCESSED_CONFIRMATION,), refusal=True),
}

CLOSURE_OUTCOMES: dict[ClosureReason, Outcome] = {
    ClosureReason.WITHDRAWN: Outcome.OTHER,
    ClosureReason.NO_CORRECTION: Outcome.OTHER_NO_CORRECTION,
    ClosureReason.FEE_UNPAID: Outcome.OTHER_FEE_UNPAID,
}

# Where each outcome is counted in table 三 (row keys of the report format definitions).
REPORT_ROW: dict[Outcome, str] = {
    Outcome.DISCLOSED: "三.一",
    Outcome.PARTIALLY_DISCLOSED: "三.二",
    Outcome.WITHHELD_STATE_SECRET: "三.三.1",
    Outcome.WITHHELD_PROHIBITED_BY_LAW: "三.三.2",
    Outcome.WITHHELD_SECURITY_STABILITY: "三.三.3",
    Outcome.WITHHELD_THIRD_PARTY: "三.三.4",
    Outcome.WITHHELD_INTERNAL_AFFAIRS: "三.三.5",
    Outcome.WITHHELD_PROCESS_INFORMATION: "三.三.6",
    Outcome.WITHHELD_ENFORCEMENT_FILE: "三.三.7",
    Outcome.WITHHELD_ADMINISTRATIVE_QUERY: "三.三.8",
    Outcome.UNAVAILABLE_NOT_HELD: "三.四.1",
    Outcome.UNAVAILABLE_NEEDS_COMPILATION: "三.四.2",
    Outcome.UNAVAILABLE_STILL_UNCLEAR: "三.四.3",
    Outcome.NOT_PROCESSED_PETITION: "三.五.1",
    Outcome.NOT_PROCESSED_REPEAT: "三.五.2",
    Outcome.NOT_PROCESSED_PUBLICATION: "三.五.3",
    Outcome.NOT_PROCESSED_EXCESSIVE: "三.五.4",
    Outcome.NOT_PROCESSED_CONFIRMATION: "三.五.5",
    Outcome.OTHER_NO_CORRECTION: "三.六.1",
    Outcome.OTHER_FEE_UNPAID: "三.六.2",
    Outcome.OTHER: "三.六.3",
}

REMEDY_TEMPLATE = (
    "如对本答复不服，可以自收到本答复之日起六十日内向{review_body}申请行政复议，"
    "或者自收到本答复之日起六个月内向{court}提起行政诉讼。"
)


@rule
def report_row_for(outcome: str) -> str:
    """The row of the annual report's table 三 that a finished request with this outcome
    is counted in. An empty or unknown outcome would be a damaged record: it still lands
    in one row, (六)3 其他, so the table's arithmetic holds.

    依据：国办公开办函〔2021〕30号附件
    """
    try:
        return REPORT_ROW[Outcome(outcome)]
    except ValueError:
        return REPORT_ROW[Outcome.OTHER]
