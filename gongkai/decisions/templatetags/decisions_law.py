"""The numbers of the law that the decisions rules compute with, for templates:
``{% load decisions_law %}…{% decisions_law "WITHDRAWAL_LIMIT_DAYS" %}个工作日``. A page
shows the constant ``decisions.rules`` uses, never a typed copy; an unknown name raises,
so a typo fails the page's tests instead of printing nothing."""

from django import template

from gongkai.decisions import rules

register = template.Library()

LAW_NUMBERS = {
    "LICENCE_PUBLICATION_DAYS": rules.PUBLICATION_LIMIT_DAYS[rules.LICENCE],
    "PENALTY_PUBLICATION_DAYS": rules.PUBLICATION_LIMIT_DAYS[rules.PENALTY],
    "ENFORCEMENT_PUBLICATION_DAYS": rules.PUBLICATION_LIMIT_DAYS[rules.ENFORCEMENT],
    "WITHDRAWAL_LIMIT_DAYS": rules.WITHDRAWAL_LIMIT_DAYS,
}


@register.simple_tag
def decisions_law(name: str) -> int:
    return LAW_NUMBERS[name]
