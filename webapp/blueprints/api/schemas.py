"""The API's request and response shapes (marshmallow): what is validated on the way in and what the OpenAPI
document says. Responses are dumped from the plain dicts of present.py."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from datetime import UTC, date

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from webapp.models import AssignmentStatus, DocumentType
from webapp.models.tokens import SCOPES

TEXT = validate.Length(max=20000)
LINE = validate.Length(max=500)
MAX_ID = 2**31 - 1  # PostgreSQL's integer: an id or cursor beyond it would fail in the database, not here


class Moment(fields.DateTime):
    """A stored moment, always with its offset: SQLite gives naive datetimes back, and they are UTC."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


def _cursor(value: str) -> None:
    if not (value.isascii() and value.isdigit() and len(value) <= 10 and int(value) <= MAX_ID):
        raise ValidationError("Not a cursor returned by this API.")
DRAFT_TYPES = [t.value for t in DocumentType if t != DocumentType.regulation]  # a Положение comes with its order


def _text(**kwargs) -> fields.String:
    return fields.String(allow_none=True, validate=TEXT, **kwargs)


def _line(**kwargs) -> fields.String:
    return fields.String(allow_none=True, validate=LINE, **kwargs)


class InputSchema(Schema):
    """What a client sends. No NUL character anywhere: PostgreSQL's text cannot hold it, and no paper has one."""

    @pre_load
    def refuse_nul(self, data, **_kwargs):
        if _has_nul(data):
            raise ValidationError("Text may not contain the NUL character (\\u0000).")
        return data


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


# --- errors ---------------------------------------------------------------------------------------------------------


class ErrorBodySchema(Schema):
    code = fields.String(required=True, metadata={"description": "Stable, machine-readable: `not_found`, ..."})
    message = fields.String(required=True, metadata={"description": "What went wrong, in English."})
    detail = fields.Raw(metadata={"description": "The service's own reason (in Russian, as the UI shows it) or "
                                                 "the invalid fields."})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


# --- lists ----------------------------------------------------------------------------------------------------------


class PageArgs(InputSchema):
    after = fields.String(validate=[validate.Regexp(r"^[0-9]{1,10}$"), _cursor],
                          metadata={"description": "`next_cursor` of the previous page."})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class DocumentListArgs(PageArgs):
    type = fields.String(validate=validate.OneOf([t.value for t in DocumentType]))
    state = fields.String(validate=validate.Length(min=1, max=40))
    year = fields.Integer(validate=validate.Range(min=1900, max=2100),
                          metadata={"description": "The year of the document's date."})


class AssignmentListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf([s.value for s in AssignmentStatus if s != "draft"]))
    document_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))


# --- directory ------------------------------------------------------------------------------------------------------


class DirectoryArgs(InputSchema):
    """A page of the bodies or of the users, by name."""

    q = fields.String(validate=validate.Length(min=1, max=100),
                      metadata={"description": "Only those whose name holds this text, any case (a body's full or "
                                               "short name, a user's full name or login)."})
    after = fields.String(validate=[validate.Regexp(r"^[0-9]{1,10}$"), _cursor],
                          metadata={"description": "The cursor of the previous page's `Link: <...>; rel=\"next\"` "
                                                   "header (also in `X-Next-Cursor`)."})
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=200),
                           metadata={"description": "Rows per page (default 200)."})


class BodySchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    short_name = fields.String(allow_none=True)
    parent_id = fields.Integer(allow_none=True)
    head_id = fields.Integer(allow_none=True)
    aliases = fields.List(fields.String(), required=True)
    closed = fields.Boolean(required=True)


NAMES = fields.List(fields.String(validate=LINE), load_default=list, validate=validate.Length(max=50))


class BodyIn(InputSchema):
    """A body's fields (all of them on a change: what is absent is cleared)."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=500))
    short_name = fields.String(allow_none=True, validate=LINE)
    dative = fields.String(allow_none=True, validate=LINE,
                           metadata={"description": "The name in the dative, as addressee headings use it."})
    parent_id = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=MAX_ID))
    head_id = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=MAX_ID))
    aliases = NAMES
    letterhead_above = NAMES
    name_alt = fields.String(allow_none=True, validate=LINE,
                             metadata={"description": "The name in the region's second language."})
    letterhead_above_alt = NAMES
    place = fields.String(allow_none=True, validate=LINE)
    address = NAMES


class MergeIn(InputSchema):
    into_id = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID),
                             metadata={"description": "The body that takes this one over."})


class MergedSchema(Schema):
    moved = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    body = fields.Nested(BodySchema, required=True)


class MembershipIn(InputSchema):
    body_id = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))
    position = fields.String(allow_none=True, validate=LINE)


class UserIn(InputSchema):
    login = fields.String(required=True, validate=validate.Length(min=1, max=80))
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    roles = fields.List(fields.String(validate=LINE), required=True, validate=validate.Length(max=20))
    bodies = fields.List(fields.Nested(MembershipIn), load_default=list, validate=validate.Length(max=50))
    position = fields.String(allow_none=True, validate=LINE)
    email = fields.String(allow_none=True, validate=LINE)
    phone = fields.String(allow_none=True, validate=LINE)


class NewUserIn(UserIn):
    password = fields.String(validate=validate.Length(min=1, max=500),
                             metadata={"description": "An initial password; without it, an invitation link."})
    invite_days = fields.Integer(validate=validate.Range(min=1, max=90), load_default=7)


class NewUserSchema(Schema):
    user = fields.Nested(lambda: UserSchema(), required=True)
    invitation_url = fields.String(allow_none=True, required=True,
                                   metadata={"description": "The one-time link to set a password (shown once)."})


class UserSchema(Schema):
    id = fields.Integer(required=True)
    login = fields.String(required=True)
    full_name = fields.String(required=True)
    position = fields.String(allow_none=True)
    roles = fields.List(fields.String(), required=True)
    body_ids = fields.List(fields.Integer(), required=True)
    active = fields.Boolean(required=True)


class MeSchema(UserSchema):
    scopes = fields.List(fields.String(validate=validate.OneOf(SCOPES)), required=True,
                         metadata={"description": "What this request may do: a token's scopes; a session may both."})


# --- documents ------------------------------------------------------------------------------------------------------


class DocumentSummarySchema(Schema):
    id = fields.Integer(required=True)
    type = fields.String(required=True)
    type_title = fields.String(required=True)
    state = fields.String(required=True)
    state_title = fields.String(required=True)
    number = fields.String(allow_none=True)
    date = fields.Date(allow_none=True, metadata={"description": "The document's own date (as printed)."})
    reg_date = fields.Date(allow_none=True)
    event_date = fields.Date(allow_none=True)
    title = fields.String(required=True)
    issuing_body_id = fields.Integer(allow_none=True)
    author_id = fields.Integer(allow_none=True)
    parent_id = fields.Integer(allow_none=True)
    version = fields.Integer(required=True, metadata={"description": "Send it back with a change (409 when stale)."})


class DocumentPageSchema(Schema):
    items = fields.List(fields.Nested(DocumentSummarySchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class ParticipantSchema(Schema):
    role = fields.String(required=True)
    name = fields.String(allow_none=True)
    job_title = fields.String(allow_none=True)


class SignatorySchema(Schema):
    job_title = fields.String(required=True)
    name = fields.String(required=True)


class SpeechSchema(Schema):
    speaker = fields.String(required=True)
    text = fields.String(required=True)


class AgendaItemSchema(Schema):
    id = fields.Integer(required=True)
    number = fields.String(allow_none=True)
    title = fields.String(required=True)
    speakers = fields.String(allow_none=True)
    heard = fields.List(fields.String(), required=True)
    discussion = fields.List(fields.Nested(SpeechSchema), required=True,
                             metadata={"description": "«ВЫСТУПИЛИ»: who spoke and what they said."})


class PointSchema(Schema):
    id = fields.Integer(required=True)
    parent_id = fields.Integer(allow_none=True)
    agenda_item_id = fields.Integer(allow_none=True)
    number = fields.String(allow_none=True)
    text = fields.String(required=True)
    is_assignment = fields.Boolean(required=True)
    responsible_body_ids = fields.List(fields.Integer(), required=True)
    deadline = fields.Date(allow_none=True)
    deadline_text = fields.String(allow_none=True)
    deadline_kind = fields.String(allow_none=True)


class ApprovalStepSchema(Schema):
    id = fields.Integer(required=True)
    user_id = fields.Integer(required=True)
    round = fields.Integer(required=True)
    position = fields.Integer(required=True)
    decision = fields.String(allow_none=True)
    comment = fields.String(allow_none=True)


class AcknowledgmentSchema(Schema):
    person_name = fields.String(required=True)
    user_id = fields.Integer(allow_none=True)
    acknowledged_at = Moment(allow_none=True)


class TransitionSchema(Schema):
    name = fields.String(required=True)
    title = fields.String(required=True)
    to = fields.String(required=True)
    comment_required = fields.Boolean(required=True)
    blocked_reason = fields.String(allow_none=True, required=True,
                                   metadata={"description": "Why it cannot be fired yet (Russian), or null."})


class DocumentSchema(DocumentSummarySchema):
    heading = fields.String(allow_none=True)
    place = fields.String(allow_none=True)
    preamble = fields.List(fields.String(), required=True)
    decision_heading = fields.String(allow_none=True)
    controller_text = fields.String(allow_none=True)
    participants = fields.List(fields.Nested(ParticipantSchema), required=True)
    agenda = fields.List(fields.Nested(AgendaItemSchema), required=True)
    points = fields.List(fields.Nested(PointSchema), required=True, metadata={"description": "In reading order."})
    signatories = fields.List(fields.Nested(SignatorySchema), required=True)
    attachment_ids = fields.List(fields.Integer(), required=True)
    approval_mode = fields.String(required=True)
    approval_steps = fields.List(fields.Nested(ApprovalStepSchema), required=True)
    acknowledgments = fields.List(fields.Nested(AcknowledgmentSchema), required=True)
    amends_id = fields.Integer(allow_none=True)
    transitions = fields.List(fields.Nested(TransitionSchema), required=True,
                              metadata={"description": "What the caller may fire from the current state."})


class AttendeeIn(InputSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    job_title = _line()


class SignatoryIn(InputSchema):
    job_title = fields.String(load_default="", validate=LINE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class SpeechIn(InputSchema):
    speaker = fields.String(required=True, validate=validate.Length(min=1, max=500))
    text = fields.String(load_default="", validate=TEXT)


class AgendaItemIn(InputSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    speakers = _line()
    heard = fields.List(fields.String(validate=TEXT), load_default=list)
    discussion = fields.List(fields.Nested(SpeechIn), load_default=list, validate=validate.Length(max=200))


class PointIn(InputSchema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    number = fields.String(allow_none=True, validate=validate.Regexp(r"^[0-9]{1,6}(\.[0-9]{1,6}){0,7}\.?$"))
    agenda_index = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=10000),
                                  metadata={"description": "0-based index into `agenda`; null: document level."})
    responsible_body_ids = fields.List(fields.Integer(validate=validate.Range(min=1, max=MAX_ID)),
                                       load_default=list)
    deadline_text = fields.String(allow_none=True, validate=validate.Length(max=300),
                                  metadata={"description": "As typed: «в срок до 1 февраля 2027 года»."})


class DraftIn(InputSchema):
    type = fields.String(required=True, validate=validate.OneOf(DRAFT_TYPES))
    title = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    event_date = fields.Date(allow_none=True)
    place = fields.String(allow_none=True, validate=validate.Length(max=200))
    heading = fields.String(allow_none=True, validate=validate.Length(max=200))
    preamble = fields.List(fields.String(validate=TEXT), load_default=list)
    decision_heading = fields.String(allow_none=True, validate=validate.Length(max=200))
    chair = fields.String(allow_none=True, validate=validate.Length(max=300))
    secretary = fields.String(allow_none=True, validate=validate.Length(max=300))
    attendees = fields.List(fields.Nested(AttendeeIn), load_default=list)
    agenda = fields.List(fields.Nested(AgendaItemIn), load_default=list)
    points = fields.List(fields.Nested(PointIn), load_default=list)
    controller_text = fields.String(allow_none=True, validate=validate.Length(max=2000))
    signatories = fields.List(fields.Nested(SignatoryIn), load_default=list)


class DraftUpdateIn(DraftIn):
    version = fields.Integer(required=True, validate=validate.Range(min=0, max=MAX_ID))


class TransitionIn(InputSchema):
    transition = fields.String(required=True, validate=validate.Length(min=1, max=100))
    comment = fields.String(allow_none=True, validate=validate.Length(max=5000))
    version = fields.Integer(required=True, validate=validate.Range(min=0, max=MAX_ID))


class DecisionIn(InputSchema):
    decision = fields.String(required=True, validate=validate.OneOf(["approved", "approved_with_remarks"]))
    comment = fields.String(allow_none=True, validate=validate.Length(max=5000))
    version = fields.Integer(required=True, validate=validate.Range(min=0, max=MAX_ID))


class ApproverIn(InputSchema):
    user_id = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))


class ApprovalModeIn(InputSchema):
    mode = fields.String(required=True, validate=validate.OneOf(["sequential", "parallel"]))


class AcknowledgersIn(InputSchema):
    user_ids = fields.List(fields.Integer(validate=validate.Range(min=1, max=MAX_ID)), required=True,
                           validate=validate.Length(min=1, max=500))


class AssignmentIn(InputSchema):
    action = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    lead_body_id = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))
    coexecutor_ids = fields.List(fields.Integer(validate=validate.Range(min=1, max=MAX_ID)), load_default=list,
                                 validate=validate.Length(max=50))
    deadline_text = fields.String(allow_none=True, validate=validate.Length(max=300),
                                  metadata={"description": "In words, read against the document's date."})


# --- assignments ----------------------------------------------------------------------------------------------------


class ReportSchema(Schema):
    id = fields.Integer(required=True)
    author_id = fields.Integer(allow_none=True)
    text = fields.String(required=True)
    created_at = Moment(required=True)
    decision = fields.String(allow_none=True)
    decision_comment = fields.String(allow_none=True)
    file_names = fields.List(fields.String(), required=True)


class DeadlineChangeSchema(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True)
    reason = fields.String(required=True)
    requested_date = fields.Date(allow_none=True)
    old_date = fields.Date(allow_none=True)
    new_date = fields.Date(allow_none=True)
    decision_comment = fields.String(allow_none=True)


class AssignmentSummarySchema(Schema):
    id = fields.Integer(required=True)
    document_id = fields.Integer(required=True)
    point_number = fields.String(allow_none=True)
    action = fields.String(required=True)
    status = fields.String(required=True)
    status_title = fields.String(required=True)
    lead_body_id = fields.Integer(allow_none=True)
    coexecutor_ids = fields.List(fields.Integer(), required=True)
    controller_id = fields.Integer(allow_none=True)
    deadline = fields.Date(allow_none=True)
    original_deadline = fields.Date(allow_none=True)
    deadline_text = fields.String(allow_none=True)
    deadline_kind = fields.String(required=True)
    overdue = fields.Boolean(required=True)
    completed_on = fields.Date(allow_none=True)
    series_id = fields.Integer(allow_none=True)


class AssignmentPageSchema(Schema):
    items = fields.List(fields.Nested(AssignmentSummarySchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class AssignmentSchema(AssignmentSummarySchema):
    controller_text = fields.String(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    days_overdue = fields.Integer(required=True)
    reports = fields.List(fields.Nested(ReportSchema), required=True)
    deadline_changes = fields.List(fields.Nested(DeadlineChangeSchema), required=True)
    actions = fields.List(fields.String(), required=True,
                          metadata={"description": "What the caller may do now: take, report, accept, return, "
                                                   "cancel, request_extension, decide_extension."})


class FileIn(InputSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    content_base64 = fields.String(required=True, metadata={"description": "The file's bytes in Base64 (PDF, DOCX, "
                                                                           "XLSX, ODT, images ...: as on the page)."})

    @validates_schema
    def decodes(self, data, **_kwargs):
        try:
            data["content"] = base64.b64decode(data["content_base64"], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValidationError("Not Base64.", "content_base64") from exc


class ReportIn(InputSchema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    files = fields.List(fields.Nested(FileIn), load_default=list, validate=validate.Length(max=20),
                        metadata={"description": "Checked by their content like the page's uploads; the request "
                                                 "as a whole is limited to 20 MB."})


class AcceptIn(InputSchema):
    comment = fields.String(allow_none=True, validate=validate.Length(max=5000))


class ReturnIn(InputSchema):
    comment = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class CancelIn(InputSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class ExtensionRequestIn(InputSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    new_date = fields.Date(allow_none=True)


class ExtensionDecisionIn(InputSchema):
    approve = fields.Boolean(required=True)
    new_date = fields.Date(allow_none=True)
    comment = fields.String(allow_none=True, validate=validate.Length(max=5000))


# --- the overdue summary and notifications --------------------------------------------------------------------------


def _overdue_cursor(value: str) -> None:
    deadline, _, rest = value.partition(".")
    document_id, _, assignment_id = rest.partition(".")
    try:
        date.fromisoformat(deadline)
    except ValueError as error:
        raise ValidationError("Not a cursor returned by this API.") from error
    for part in (document_id, assignment_id):
        _cursor(part)


class OverdueArgs(InputSchema):
    as_of = fields.Date(metadata={"description": "The day the summary is for (default: today); overdue means the "
                                                "deadline day ended before it."})
    body_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID),
                             metadata={"description": "Only assignments of this body and the bodies below it."})
    after = fields.String(validate=[validate.Regexp(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\.[0-9]{1,10}\.[0-9]{1,10}$"),
                                    _overdue_cursor],
                          metadata={"description": "The cursor of the previous page's `Link: <...>; rel=\"next\"` "
                                                   "header (also in `X-Next-Cursor`)."})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class OverdueRowSchema(Schema):
    """The same row as `docflow overdue --format json`."""

    assignment_id = fields.Integer(required=True)
    document_id = fields.Integer(required=True)
    document_title = fields.String(required=True)
    document_number = fields.String(required=True)
    document_date = fields.String(required=True, metadata={"description": "ISO date, or empty."})
    document_type = fields.String(required=True)
    point = fields.String(required=True)
    action = fields.String(required=True)
    responsible = fields.String(required=True)
    controller = fields.String(required=True)
    deadline = fields.String(required=True)
    original_deadline = fields.String(required=True)
    deadline_text = fields.String(required=True)
    days_overdue = fields.Integer(required=True)
    status = fields.String(required=True)


class NotificationSchema(Schema):
    id = fields.Integer(required=True)
    document_id = fields.Integer(allow_none=True)
    text = fields.String(required=True)
    created_at = Moment(required=True)
    read_at = Moment(allow_none=True)


class NotificationsReadIn(InputSchema):
    ids = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID)),
                      validate=validate.Length(min=1, max=1000),
                      metadata={"description": "The notifications to mark; absent: every unread one."})


class MarkedSchema(Schema):
    marked = fields.Integer(required=True, metadata={"description": "How many were unread and are read now."})


class NotificationPageSchema(Schema):
    items = fields.List(fields.Nested(NotificationSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)
