"""The numbers of the law that the request rules compute with, for templates:
``{% load foi_law %}…{% foi_law "REPLY_LIMIT_DAYS" %}个工作日``. A page shows the
constant ``foi.deadlines`` uses, never a typed copy; an unknown name raises, so a typo
fails the page's tests instead of printing nothing."""

from django import template

from gongkai.foi import deadlines

register = template.Library()

LAW_NUMBERS = {
    name: getattr(deadlines, name)
    for name in (
        "REPLY_LIMIT_DAYS",
        "MAX_EXTENSION_DAYS",
        "CORRECTION_NOTICE_DAYS",
        "THIRD_PARTY_REPLY_DAYS",
        "FEE_PAYMENT_DAYS",
        "DUE_SOON_DAYS",
    )
}


@register.simple_tag
def foi_law(name: str) -> int:
    return LAW_NUMBERS[name]
