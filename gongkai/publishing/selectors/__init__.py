"""Reads of proactive disclosure for views, the annual report and the office dashboard.

Everything here is derived when asked, from stored facts (issue and repeal dates,
interpretations, publication dates) and the platform's working-day calendar; no flag or
count is stored by a job. Reads scoped to a user raise the same Http404 for "does not
exist" and "not yours". Who may read the statistics is ``publishing.permissions``'s.

One module per part, all names re-exported here for ``selectors.<name>``:
``publications`` (items and attachments of the back office), ``catalogue`` (columns and
departments), ``normative`` (the register and its interpretation flags), ``freshness``
(the website inspection's stale and blank columns) and ``statistics`` (the dashboard).
"""

from gongkai.publishing.selectors.catalogue import (
    agency_columns,
    agency_departments,
    catalogue_columns,
    column_get_for_user,
    columns_for_publication_form,
    published_in_column,
)
from gongkai.publishing.selectors.freshness import (
    HOME_PAGE_STALE_AFTER_DAYS,
    VETO_BLANK_COLUMNS,
    VETO_STALE_COLUMNS,
    ColumnFreshness,
    FreshnessReport,
    column_freshness,
)
from gongkai.publishing.selectors.normative import (
    DEFAULT_INTERPRETATION_LIMIT_DAYS,
    DocumentStatus,
    InterpretationState,
    InterpretationStatus,
    NormativeRow,
    interpretation_limits,
    interpretation_status,
    normative_counts,
    normative_document_get_for_user,
    normative_document_list_for_user,
    normative_documents_visible_to,
    normative_rows,
)
from gongkai.publishing.selectors.publications import (
    attachment_get_for_user,
    publication_get_for_user,
    publication_list_for_user,
)
from gongkai.publishing.selectors.statistics import (
    TOP_COLUMNS,
    Change,
    ChannelCount,
    ColumnCount,
    LatePublication,
    PublishingStatistics,
    late_publications,
    publication_statistics,
)

__all__ = [
    "DEFAULT_INTERPRETATION_LIMIT_DAYS",
    "HOME_PAGE_STALE_AFTER_DAYS",
    "TOP_COLUMNS",
    "VETO_BLANK_COLUMNS",
    "VETO_STALE_COLUMNS",
    "Change",
    "ChannelCount",
    "ColumnCount",
    "ColumnFreshness",
    "DocumentStatus",
    "FreshnessReport",
    "InterpretationState",
    "InterpretationStatus",
    "LatePublication",
    "NormativeRow",
    "PublishingStatistics",
    "agency_columns",
    "agency_departments",
    "attachment_get_for_user",
    "catalogue_columns",
    "column_freshness",
    "column_get_for_user",
    "columns_for_publication_form",
    "interpretation_limits",
    "interpretation_status",
    "late_publications",
    "normative_counts",
    "normative_document_get_for_user",
    "normative_document_list_for_user",
    "normative_documents_visible_to",
    "normative_rows",
    "publication_get_for_user",
    "publication_list_for_user",
    "publication_statistics",
    "published_in_column",
]
