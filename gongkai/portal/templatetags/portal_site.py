"""The site's own name in page titles and headers: ``GONGKAI_SITE_NAME`` in the settings
(a provincial platform sets its own, e.g. "青岚省政府信息公开平台"), or the platform's
generic name. Read from the settings alone, so the 500 page may use it."""

from django import template
from django.conf import settings

register = template.Library()

DEFAULT_SITE_NAME = "政府信息公开平台"


@register.simple_tag
def site_name() -> str:
    return getattr(settings, "GONGKAI_SITE_NAME", "") or DEFAULT_SITE_NAME
