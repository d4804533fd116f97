from gongkai.foi.models.appeal import Appeal, AppealKind, AppealOutcome
from gongkai.foi.models.delivery import DeliveryEmail, DeliveryEmailState
from gongkai.foi.models.letter import DisclosedFile, Letter, LetterKind
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
from gongkai.foi.models.signoff import (
    DraftState,
    ExtensionRequest,
    ExtensionState,
    LetterDraft,
    SignoffStep,
)

__all__ = [
    "AgencyFoiSettings", "Appeal", "AppealKind", "AppealOutcome", "ApplicantType", "Channel", "Consultation",
    "ConsultationParty", "Delivery", "DeliveryEmail", "DeliveryEmailState", "DisclosedFile", "FeeNotice", "FoiEvent", "FoiRequest", "IdDocumentType",
    "InformationForm", "Letter", "LetterKind", "Reply", "ReplyTemplate", "RequestAttachment",
    "DraftState", "ExtensionRequest", "ExtensionState", "LetterDraft", "SignoffStep",
]
