"""The domain model; importing this package registers every table with the metadata."""

from webapp.models import indexes  # noqa: F401  (registers the indexes of migration 0015)
from webapp.models.assignment import (
    Assignment,
    AssignmentStatus,
    ChangeStatus,
    DeadlineChange,
    DeadlineKind,
    Report,
    ReportDecision,
    ReportFile,
)
from webapp.models.attachments import DocumentFile
from webapp.models.audit import AuditHead, Event
from webapp.models.document import (
    Acknowledgment,
    AgendaItem,
    Document,
    DocumentType,
    Participant,
    ParticipantRole,
    Point,
    PointKind,
    PointResponsible,
    Signatory,
    Stage,
)
from webapp.models.files import StoredFile
from webapp.models.imports import ImportItem, ImportStatus
from webapp.models.jobs import Job, JobStatus
from webapp.models.notices import CalendarToken, MailSetting, ReminderLog
from webapp.models.people import Body, Deputy, Invitation, Membership, Role, User, UserRole
from webapp.models.search import SearchEntry
from webapp.models.sessions import LoginThrottle, UserSession
from webapp.models.templates import DocTemplate, RenderedDocument
from webapp.models.tokens import ApiRateWindow, ApiToken
from webapp.models.versions import DataVersion, KeptOverview
from webapp.models.webhooks import Webhook, WebhookDelivery
from webapp.models.workflow import ApprovalDecision, ApprovalMode, ApprovalStep, Notification, NumberCounter

__all__ = [
    "Acknowledgment",
    "AgendaItem",
    "ApiRateWindow",
    "ApiToken",
    "ApprovalDecision",
    "ApprovalMode",
    "ApprovalStep",
    "Assignment",
    "AuditHead",
    "CalendarToken",
    "DataVersion",
    "ChangeStatus",
    "DeadlineChange",
    "AssignmentStatus",
    "Body",
    "DeadlineKind",
    "Deputy",
    "Document",
    "DocumentFile",
    "DocumentType",
    "Event",
    "ImportItem",
    "ImportStatus",
    "Job",
    "JobStatus",
    "Invitation",
    "KeptOverview",
    "LoginThrottle",
    "MailSetting",
    "Membership",
    "Notification",
    "NumberCounter",
    "Participant",
    "ParticipantRole",
    "Point",
    "PointKind",
    "PointResponsible",
    "ReminderLog",
    "Report",
    "ReportDecision",
    "ReportFile",
    "Role",
    "SearchEntry",
    "Signatory",
    "Stage",
    "StoredFile",
    "User",
    "UserRole",
    "UserSession",
    "Webhook",
    "WebhookDelivery",
    "DocTemplate",
    "RenderedDocument",
]
