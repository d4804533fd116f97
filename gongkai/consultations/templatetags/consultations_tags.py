"""Template helpers of the consultations area: article labels, and the consultations
column of an agency's disclosure home (``{% consultations_column agency %}``)."""

from django import template

from gongkai.consultations import selectors

register = template.Library()


@register.filter
def article_label(number):
    """3 → 第三条; None → 草案整体."""
    return selectors.article_label(number)


@register.inclusion_tag("consultations/_agency_column.html")
def consultations_column(agency, limit=5):
    return selectors.agency_column(agency, limit=limit)
