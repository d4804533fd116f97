"""The public site's pages. Thin: each view reads through ``gongkai.portal.selectors``
(or the search interface) and renders; nothing here decides what is public."""

from gongkai.portal.views.catalogue import (
    agency_guide,
    agency_home,
    agency_normative,
    column_detail,
    publication_attachment,
    publication_detail,
)
from gongkai.portal.views.disclosure import (
    agency_index,
    agency_rules,
    agency_statutory,
    favicon,
    normative_detail,
    reports_index,
)
from gongkai.portal.views.home import home
from gongkai.portal.views.requests import apply, status
from gongkai.portal.views.search import search

__all__ = [
    "agency_guide",
    "agency_home",
    "agency_index",
    "agency_normative",
    "agency_rules",
    "agency_statutory",
    "apply",
    "column_detail",
    "favicon",
    "home",
    "normative_detail",
    "publication_attachment",
    "publication_detail",
    "reports_index",
    "search",
    "status",
]
