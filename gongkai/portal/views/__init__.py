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
from gongkai.portal.views.home import home
from gongkai.portal.views.requests import apply, status
from gongkai.portal.views.search import search

__all__ = [
    "agency_guide",
    "agency_home",
    "agency_normative",
    "apply",
    "column_detail",
    "home",
    "publication_attachment",
    "publication_detail",
    "search",
    "status",
]
