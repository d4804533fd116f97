from gongkai.core.models.agency import Agency, AgencyKind, AgencyLevel, Department
from gongkai.core.models.agency_import import AgencyImport, AgencyImportState
from gongkai.core.models.audit import AuditChainHead, AuditEvent
from gongkai.core.models.calendar import CalendarOverride, ScheduledYear
from gongkai.core.models.events import WorkflowEvent
from gongkai.core.models.idempotency import IdempotencyRecord
from gongkai.core.models.invitation import Invitation, InvitationStatus
from gongkai.core.models.keyrotation import RotationPendingFile
from gongkai.core.models.moderation import ModerationWord
from gongkai.core.models.people import Membership, Role, User
from gongkai.core.models.ratelimit import RateLimitCounter
from gongkai.core.models.sequence import SequenceCounter
from gongkai.core.models.signin import SignInFailure, SignInGuard

__all__ = [
    "Agency",
    "AgencyImport",
    "AgencyImportState",
    "AgencyKind",
    "AgencyLevel",
    "AuditChainHead",
    "AuditEvent",
    "CalendarOverride",
    "Department",
    "IdempotencyRecord",
    "Invitation",
    "InvitationStatus",
    "Membership",
    "ModerationWord",
    "RateLimitCounter",
    "Role",
    "RotationPendingFile",
    "ScheduledYear",
    "SequenceCounter",
    "SignInFailure",
    "SignInGuard",
    "User",
    "WorkflowEvent",
]
