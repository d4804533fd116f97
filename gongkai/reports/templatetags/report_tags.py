"""Template helpers for printing a report: its printed sections and tables (with merged
cells from ``layout``), one cell's value by reference, and number formatting."""

from __future__ import annotations

from django import template

from gongkai.reports.rendering import model
from gongkai.reports.rendering.values import AMOUNT_DECIMALS, format_value

register = template.Library()


@register.simple_tag
def report_sections(doc):
    """``{% report_sections doc as sections %}``: every section in the format's order."""
    return model.printed_sections(doc)


@register.simple_tag
def report_table(doc, table):
    """``{% report_table doc table as printed %}``: one table's printed cells and notes."""
    return model.printed_table(doc, table)


@register.simple_tag
def report_preamble(doc):
    return model.preamble_paragraphs(doc)


@register.simple_tag
def cell_value(doc, ref):
    """``{% cell_value doc "3/三.七/total" %}``: the cell's figure as printed (empty when
    not stated)."""
    return format_value(doc.value(ref), doc.format.value_type(ref))


@register.filter
def report_count(value):
    """A count or signed figure as an integer; ``None`` as empty."""
    return format_value(value, "count")


@register.filter
def report_amount(value, decimals=AMOUNT_DECIMALS):
    """An amount with at most ``decimals`` decimals (``{{ x|report_amount:2 }}``)."""
    return format_value(value, "amount", decimals=int(decimals))


@register.filter
def chinese_date(day):
    return model.chinese_date(day)
