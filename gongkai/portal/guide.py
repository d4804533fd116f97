"""What the guide to an agency's disclosure (政府信息公开指南, Art. 12) states, from the
rules that compute it: the reply deadlines (Art. 30, 33) and the fee scales (Art. 42).
The guide page renders it; the question box (``answers``) reads the same text."""

from __future__ import annotations

from gongkai.foi import deadlines, fees


def fee_scales() -> tuple[str, list[dict]]:
    """The fee schedule's source and, per charging method, its bands as sentences."""
    schedule = fees.load_fee_schedule()
    scales = []
    for rules in (schedule.per_request, schedule.per_page):
        lines = [band.label(rules.unit) for band in rules.bands]
        if rules.open_ended is not None:
            rule = rules.open_ended
            lines.append(
                f"第{rule.first}{rules.unit}起，每{rule.band_width}{rules.unit}为一档，"
                f"每增加一档，收费标准提高{rule.increment.normalize():f}元/{rules.unit}")
        scales.append({"method": rules.method, "article": rules.article, "lines": lines})
    return schedule.source, scales


def guide_context(agency) -> dict:
    """The guide template's context for ``agency``."""
    fee_source, scales = fee_scales()
    return {
        "agency": agency,
        "reply_days": deadlines.REPLY_LIMIT_DAYS,
        "extension_days": deadlines.MAX_EXTENSION_DAYS,
        "correction_days": deadlines.CORRECTION_NOTICE_DAYS,
        "third_party_days": deadlines.THIRD_PARTY_REPLY_DAYS,
        "fee_payment_days": deadlines.FEE_PAYMENT_DAYS,
        "fee_source": fee_source,
        "fee_scales": scales,
    }
