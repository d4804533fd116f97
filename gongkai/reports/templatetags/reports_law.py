"""The dates of the law that the annual report's rules compute with, for templates:
``{% load reports_law %}…每年{% reports_law "REPORT_DEADLINE_TEXT" %}前``. A page shows
the constant ``reports.rules`` uses, never a typed copy; an unknown name raises, so a typo
fails the page's tests instead of printing nothing."""

from django import template

from gongkai.reports import rules

register = template.Library()

LAW_NUMBERS = {
    "REPORT_DEADLINE_TEXT": rules.REPORT_DEADLINE_TEXT,
    "GOVERNMENT_REPORT_DEADLINE_TEXT": rules.GOVERNMENT_REPORT_DEADLINE_TEXT,
}


@register.simple_tag
def reports_law(name: str) -> str:
    return LAW_NUMBERS[name]


@register.simple_tag
def report_deadline_of(agency) -> str:
    """The agency's own deadline ("1月31日" or "3月31日", Art. 49)."""
    return rules.report_deadline_text(agency)
