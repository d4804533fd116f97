"""How a report's figures are printed: counts as integers, amounts with their unit.

Shared by the HTML partials (through ``report_tags``), the DOCX and the PDF, so the three
print the same string for every cell.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from gongkai.reports.formats import Column

# Amounts in the national formats are in 万元; four decimals keep a single yuan.
AMOUNT_DECIMALS = 4


def format_value(value: int | Decimal | str | None, value_type: str = "count", *,
                 decimals: int = AMOUNT_DECIMALS) -> str:
    """``None`` (not stated) prints as an empty cell; counts and signed figures as plain
    integers (``-3``); amounts with at most ``decimals`` decimals and no trailing zeros."""
    if value is None or value == "":
        return ""
    if value_type == "amount":
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        amount = amount.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        text = f"{amount:f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    try:
        return str(int(value))
    except (TypeError, ValueError):
        return str(value)


def amount_unit(column: Column) -> str:
    """The unit printed after an amount, from the format definition: the 2019 format's
    "采购总金额" prints "395.721万元"; the 2021 heading "本年收费金额(单位:万元)" states
    its unit, so its cells print none."""
    return column.unit
