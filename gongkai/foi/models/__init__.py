from gongkai.foi.models.appeal import Appeal, AppealKind, AppealOutcome
from gongkai.foi.models.request import (
    ApplicantType,
    Channel,
    Consultation,
    ConsultationParty,
    Delivery,
    FeeNotice,
    FoiEvent,
    FoiRequest,
    IdDocumentType,
    InformationForm,
    Reply,
    ReplyTemplate,
    RequestAttachment,
)
from gongkai.foi.models.settings import AgencyFoiSettings

__all__ = [
    "AgencyFoiSettings", "Appeal", "AppealKind", "AppealOutcome", "ApplicantType", "Channel", "Consultation",
    "ConsultationParty", "Delivery", "FeeNotice", "FoiEvent", "FoiRequest", "IdDocumentType",
    "InformationForm", "Reply", "ReplyTemplate", "RequestAttachment",
]
