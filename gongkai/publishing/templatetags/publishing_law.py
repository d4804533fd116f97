"""The numbers of the law that publishing's rules compute with, for templates:
``{% load publishing_law %}…{% publishing_law "PUBLICATION_LIMIT_DAYS" %}个工作日``.
A page shows the constant the rule uses, never a typed copy; an unknown name raises, so a
typo fails the page's tests instead of printing nothing."""

from django import template

from gongkai.publishing import rules

register = template.Library()

LAW_NUMBERS = {"PUBLICATION_LIMIT_DAYS": rules.PUBLICATION_LIMIT_DAYS}


@register.simple_tag
def publishing_law(name: str) -> int:
    return LAW_NUMBERS[name]
