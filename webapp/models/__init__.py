"""The domain model; importing this package registers every table with the metadata."""

from webapp.models.assignment import Assignment, AssignmentStatus, DeadlineKind
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
from webapp.models.people import Body, Membership, Role, User, UserRole

__all__ = [
    "Acknowledgment",
    "AgendaItem",
    "Assignment",
    "AssignmentStatus",
    "Body",
    "DeadlineKind",
    "Document",
    "DocumentType",
    "Membership",
    "Participant",
    "ParticipantRole",
    "Point",
    "PointKind",
    "PointResponsible",
    "Role",
    "Signatory",
    "Stage",
    "StoredFile",
    "User",
    "UserRole",
]
