from gongkai.publishing.models.catalogue import STALE_AFTER_DAYS, Column, ColumnKind, Topic
from gongkai.publishing.models.normative import (
    Interpretation,
    InterpretationForm,
    NormativeDocument,
    NormativeKind,
)
from gongkai.publishing.models.publication import (
    Approval,
    ChannelRelease,
    DisclosureAttribute,
    Publication,
    PublicationAttachment,
    PublicationEvent,
    PublicationRevision,
    PublicationStatus,
    ReleaseChannel,
    ReviewConclusion,
    ScreeningRun,
    SecrecyReview,
    Validity,
)
from gongkai.publishing.models.settings import AgencyPublishingSettings

__all__ = [
    "STALE_AFTER_DAYS",
    "AgencyPublishingSettings",
    "Approval",
    "ChannelRelease",
    "Column",
    "ColumnKind",
    "DisclosureAttribute",
    "Interpretation",
    "InterpretationForm",
    "NormativeDocument",
    "NormativeKind",
    "Publication",
    "PublicationAttachment",
    "PublicationEvent",
    "PublicationRevision",
    "PublicationStatus",
    "ReleaseChannel",
    "ReviewConclusion",
    "ScreeningRun",
    "SecrecyReview",
    "Topic",
    "Validity",
]
