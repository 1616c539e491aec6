"""Indexes the lists and pages need beyond those declared on the columns, in one place (migration 0015).

Foreign keys that pages follow (a document's attachments and amendments, a body's children and members, a user's
approval steps, acknowledgments and signatures, a document's notifications, an assignment's reminders), the
controller of an assignment («отчёты на проверку»), and composites for the queries that filter assignments by
status and deadline, by body, status and deadline (overdue lists, dashboards, «Мои поручения»), and audit
events by their object (an assignment's history).
"""

from __future__ import annotations

from sqlalchemy import Index, text

from webapp.models.assignment import Assignment, DeadlineChange
from webapp.models.audit import Event
from webapp.models.document import Acknowledgment, Document, Participant, PointResponsible, Signatory
from webapp.models.notices import ReminderLog
from webapp.models.people import Body, Membership
from webapp.models.workflow import ApprovalStep, Notification

_COLUMNS = [
    Body.__table__.c.parent_id, Membership.__table__.c.body_id,
    Document.__table__.c.amends_id, Document.__table__.c.issuing_body_id,
    Document.__table__.c.author_id, Participant.__table__.c.body_id, Signatory.__table__.c.user_id,
    PointResponsible.__table__.c.body_id, ApprovalStep.__table__.c.user_id, Acknowledgment.__table__.c.user_id,
    Notification.__table__.c.document_id, Assignment.__table__.c.controller_id, ReminderLog.__table__.c.assignment_id,
]
# A periodic series (not one of its dated occurrences); its value inline, so that a query repeating it can use the
# partial index (neither SQLite nor PostgreSQL's generic plans match a partial index's predicate to a parameter).
SERIES_PREDICATE = "deadline_kind = 'periodic' AND series_id IS NULL"
SERIES_INDEX = "ix_assignment_series"  #: its partial index (migration 0023), named by the catch-up on SQLite
ATTACHMENT_PREDICATE = "parent_id IS NOT NULL"
# A document not yet published (a draft, or on its route): the few that wait for somebody (migration 0030)
UNPUBLISHED_PREDICATE = "state <> 'published'"
# Not described here: ix_document_register_date (the register newest first, on an expression; migration 0026 writes
# it per engine, and SQLAlchemy does not reflect an index on an expression on SQLite), nor 0048's
# ix_document_type_register_date (the same after the type).

INDEXES = [Index(f"ix_{column.table.name}_{column.name}", column) for column in _COLUMNS] + [
    Index("ix_assignment_status_deadline", Assignment.__table__.c.status, Assignment.__table__.c.deadline),
    Index("ix_assignment_lead_body_status_deadline", Assignment.__table__.c.lead_body_id,
          Assignment.__table__.c.status, Assignment.__table__.c.deadline),
    # a department's assignments open at a day, or accepted after it: the dashboard's year (migration 0037)
    Index("ix_assignment_lead_body_status_completed", Assignment.__table__.c.lead_body_id,
          Assignment.__table__.c.status, Assignment.__table__.c.completed_on),
    Index("ix_audit_event_object", Event.__table__.c.object_type, Event.__table__.c.object_id),
    # the directory of bodies by name, numbers by value, in keyset pages (migration 0039)
    Index("ix_body_sort_key", Body.__table__.c.sort_key, Body.__table__.c.id),
    # a controller's open assignments in a window of deadlines: the calendar feed (migration 0022)
    Index("ix_assignment_controller_status_deadline", Assignment.__table__.c.controller_id,
          Assignment.__table__.c.status, Assignment.__table__.c.deadline),
    # a document's attachments; partial, so that «parent_id IS NULL» (nearly every document) is no index lookup to
    # SQLite's planner (migration 0026)
    Index("ix_document_parent_id", Document.__table__.c.parent_id,
          sqlite_where=text(ATTACHMENT_PREDICATE), postgresql_where=text(ATTACHMENT_PREDICATE)),
    # documents by state where it is not «published»: the groups of every inbox and of the menu's counter that wait
    # for a signature, a review or an approval find the few in such a state (migration 0030)
    Index("ix_document_unpublished_state", Document.__table__.c.state,
          sqlite_where=text(UNPUBLISHED_PREDICATE), postgresql_where=text(UNPUBLISHED_PREDICATE)),
    # extension requests by status: the pending ones, a group of every inbox and of the menu's counter (migration
    # 0027, by status alone), and the dashboard «на дату»'s approved after its day (0031: with the decision's time)
    Index("ix_deadline_change_status_decided", DeadlineChange.__table__.c.status,
          DeadlineChange.__table__.c.decided_at),
    # the dashboard «на дату»: assignments cancelled after its day (migration 0031)
    Index("ix_audit_event_action_at", Event.__table__.c.action, Event.__table__.c.at),
    # «Поручения» by status: each status's assignments by id, read status after status (migration 0038)
    Index("ix_assignment_status_id", Assignment.__table__.c.status, Assignment.__table__.c.id),
    # the register by number (the numbered, either way) and by type (each type's documents by id) (migration 0038)
    Index("ix_document_number_id", Document.__table__.c.number, Document.__table__.c.id),
    Index("ix_document_doc_type_id", Document.__table__.c.doc_type, Document.__table__.c.id),
    # the register by state (each state's documents by id, either way) (migration 0043)
    Index("ix_document_state_id", Document.__table__.c.state, Document.__table__.c.id),
    # the series whose occurrences the catch-up of every assignment list may have to extend (migration 0023)
    Index(SERIES_INDEX, Assignment.__table__.c.materialised_until,
          sqlite_where=text(SERIES_PREDICATE), postgresql_where=text(SERIES_PREDICATE)),
]
