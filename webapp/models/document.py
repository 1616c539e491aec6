"""A document as structured data: letterhead, participants, agenda, the tree of points, signatories."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp import clock
from webapp.extensions import db
from webapp.models._types import enum_check
from webapp.models.people import Body, User
from webapp.workflow.engine import PUBLISHED

if TYPE_CHECKING:
    from webapp.models.workflow import ApprovalStep


class DocumentType(enum.StrEnum):
    order = "order"  #: приказ
    protocol = "protocol"  #: протокол
    decision = "decision"  #: решение
    resolution = "resolution"  #: резолюция
    regulation = "regulation"  #: положение
    plan = "plan"  #: план, программа, модель с этапами


TYPE_TITLES = {
    DocumentType.order: "Приказ",
    DocumentType.protocol: "Протокол",
    DocumentType.decision: "Решение",
    DocumentType.resolution: "Резолюция",
    DocumentType.regulation: "Положение",
    DocumentType.plan: "План",
}

#: Types dated by the event they record, not by their registration: a protocol bears the date of its meeting
#: (ГОСТ Р 7.0.97-2016, 5.11); registering it later gives it a number and a registration date, never a new date.
DATED_BY_EVENT = frozenset({DocumentType.protocol})


class ParticipantRole(enum.StrEnum):
    chair = "chair"  #: председательствующий
    secretary = "secretary"  #: секретарь
    attendee = "attendee"  #: присутствовали
    invited = "invited"  #: приглашённые


class PointKind(enum.StrEnum):
    point = "point"  #: a numbered or bulleted decision point
    heading = "heading"  #: a section heading («I. Общие положения»)
    paragraph = "paragraph"  #: plain text between points
    addressee = "addressee"  #: «Министерству ...:» followed by the directives addressed to it
    control = "control"  #: «Контроль за исполнением ... возложить на ...»


class Document(db.Model):
    __tablename__ = "document"
    __table_args__ = (enum_check("doc_type", DocumentType),)

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(20))
    # Written only by the workflow engine (and the demo loader that seeds history).
    state: Mapped[str] = mapped_column(String(40), default="draft")
    version: Mapped[int] = mapped_column(Integer, default=1)
    slug: Mapped[str | None] = mapped_column(String(100), unique=True)  # stable name, e.g. a sample's stem

    heading: Mapped[str | None] = mapped_column(String(200))  # the type line as printed: «ПРИКАЗ»
    heading_alt: Mapped[str | None] = mapped_column(String(200))  # second-language type line: «ЖАКАРУ»
    title: Mapped[str] = mapped_column(Text)
    number: Mapped[str | None] = mapped_column(String(60))
    reg_date: Mapped[date | None] = mapped_column(Date)
    event_date: Mapped[date | None] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(String(200))
    draft_mark: Mapped[bool] = mapped_column(Boolean, default=False)  # «Проект»

    issuing_body_id: Mapped[int | None] = mapped_column(ForeignKey("body.id", ondelete="SET NULL"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))

    letterhead: Mapped[list[dict]] = mapped_column(JSON, default=list)  # columns: {"lang", "lines"}
    labels: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # printed section labels
    meeting_time: Mapped[str | None] = mapped_column(String(200))
    venue: Mapped[str | None] = mapped_column(Text)
    preamble: Mapped[list[str]] = mapped_column(JSON, default=list)  # paragraphs
    decision_heading: Mapped[str | None] = mapped_column(String(200))  # «ПРИКАЗЫВАЮ:», «РЕШИЛИ:»
    closing: Mapped[list[str]] = mapped_column(JSON, default=list)
    controller_text: Mapped[str | None] = mapped_column(Text)  # whom the control clause names
    acknowledgment_label: Mapped[str | None] = mapped_column(String(200))
    approval_stamp: Mapped[list[str]] = mapped_column(JSON, default=list)  # «Утверждено приказом ...»
    approval_mode: Mapped[str] = mapped_column(String(20), default="sequential")  # see ApprovalMode
    approval_round: Mapped[int] = mapped_column(Integer, default=0)  # 0: the route never started
    amends_id: Mapped[int | None] = mapped_column(ForeignKey("document.id", ondelete="SET NULL"))

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now, onupdate=clock.now)

    issuing_body: Mapped[Body | None] = relationship()
    author: Mapped[User | None] = relationship()
    parent: Mapped[Document | None] = relationship(remote_side=[id], back_populates="attachments",
                                                   foreign_keys=[parent_id])
    amends: Mapped[Document | None] = relationship(remote_side=[id], foreign_keys=[amends_id])
    attachments: Mapped[list[Document]] = relationship(
        back_populates="parent", cascade="all, delete-orphan", order_by="Document.id", foreign_keys=[parent_id]
    )
    participants: Mapped[list[Participant]] = relationship(
        cascade="all, delete-orphan", order_by="Participant.position", back_populates="document"
    )
    agenda_items: Mapped[list[AgendaItem]] = relationship(
        cascade="all, delete-orphan", order_by="AgendaItem.position", back_populates="document"
    )
    points: Mapped[list[Point]] = relationship(
        cascade="all, delete-orphan", order_by="Point.position", back_populates="document"
    )
    stages: Mapped[list[Stage]] = relationship(
        cascade="all, delete-orphan", order_by="Stage.position", back_populates="document"
    )
    signatories: Mapped[list[Signatory]] = relationship(
        cascade="all, delete-orphan", order_by="Signatory.position", back_populates="document"
    )
    acknowledgments: Mapped[list[Acknowledgment]] = relationship(
        cascade="all, delete-orphan", order_by="Acknowledgment.position", back_populates="document"
    )
    approval_steps: Mapped[list[ApprovalStep]] = relationship(
        cascade="all, delete-orphan", order_by="(ApprovalStep.round, ApprovalStep.position)"
    )

    # Optimistic locking: an UPDATE that finds another version raises StaleDataError.
    __mapper_args__ = {"version_id_col": version}

    @property
    def type_title(self) -> str:
        return TYPE_TITLES[DocumentType(self.doc_type)]

    @property
    def doc_date(self) -> date | None:
        """The document's own date, as printed: a protocol's meeting day; otherwise the registration date (an
        order is dated by its signing), or the typed date before registration."""
        if self.doc_type in DATED_BY_EVENT:
            return self.event_date or self.reg_date
        return self.reg_date or self.event_date

    @property
    def label(self) -> str:
        """«Протокол № 1 от 10.06.2021»: type, number and date, as documents are named in messages and lists."""
        label = self.type_title + (f" № {self.number}" if self.number else "")
        day = self.doc_date
        return label + (f" от {day:%d.%m.%Y}" if day else "")

    @property
    def in_force(self) -> bool:
        """Published: the final state of every workflow; the content is frozen."""
        return self.state == PUBLISHED

    @property
    def body_points(self) -> list[Point]:
        """The document-level tree: top-level points not inside an agenda item or stage."""
        return [p for p in self.points if p.parent_id is None and p.agenda_item_id is None and p.stage_id is None]

    @property
    def display_title(self) -> str:
        return " ".join(part for part in (self.heading, self.title) if part) if self.heading else self.title

    def participants_with(self, role: ParticipantRole) -> list[Participant]:
        return [p for p in self.participants if p.role == role]

    def __repr__(self) -> str:
        return f"<Document {self.id} {self.doc_type} {self.number!r}>"


class Participant(db.Model):
    __tablename__ = "participant"
    __table_args__ = (enum_check("role", ParticipantRole),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)  # order in the list
    role: Mapped[str] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(String(300))
    job_title: Mapped[str | None] = mapped_column(Text)  # должность
    body_id: Mapped[int | None] = mapped_column(ForeignKey("body.id", ondelete="SET NULL"))
    text: Mapped[str | None] = mapped_column(Text)  # the line as printed

    document: Mapped[Document] = relationship(back_populates="participants")
    body: Mapped[Body | None] = relationship()

    @property
    def line(self) -> str:
        return self.text or ", ".join(part for part in (self.name, self.job_title) if part)


class AgendaItem(db.Model):
    __tablename__ = "agenda_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    number: Mapped[str | None] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text)
    speakers: Mapped[str | None] = mapped_column(Text)
    heard: Mapped[list[str]] = mapped_column(JSON, default=list)  # «СЛУШАЛИ» paragraphs
    #: «ВЫСТУПИЛИ»: who spoke in the discussion and what they said, in order: [{"speaker": "Петров А.Н.",
    #: "text": "предложил …"}]; a speaker without a summary has "text" "".
    discussion: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    decided_label: Mapped[str | None] = mapped_column(String(100))

    document: Mapped[Document] = relationship(back_populates="agenda_items")
    points: Mapped[list[Point]] = relationship(order_by="Point.position", viewonly=True)

    @property
    def top_points(self) -> list[Point]:
        return [p for p in self.points if p.parent_id is None]


class Stage(db.Model):
    """A stage of a plan («1 этап: 2015 – 2016 гг»)."""

    __tablename__ = "stage"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(Text)
    period_text: Mapped[str | None] = mapped_column(String(100))
    start: Mapped[date | None] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)

    document: Mapped[Document] = relationship(back_populates="stages")
    points: Mapped[list[Point]] = relationship(order_by="Point.position", viewonly=True)

    @property
    def top_points(self) -> list[Point]:
        return [p for p in self.points if p.parent_id is None]


class Point(db.Model):
    """A node of the ordered tree of points: decision points, headings, addressee blocks, paragraphs."""

    __tablename__ = "point"
    __table_args__ = (enum_check("kind", PointKind),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    # Indexed: deleting a point, an agenda item or a stage looks up what refers to it (SQLite does that per row).
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stage.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("point.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)  # order among siblings
    kind: Mapped[str] = mapped_column(String(20), default=PointKind.point)
    number: Mapped[str | None] = mapped_column(String(30))  # «1.2.1», printed numbering
    marker: Mapped[str | None] = mapped_column(String(5))  # «-» for bullets
    text: Mapped[str] = mapped_column(Text, default="")
    is_assignment: Mapped[bool] = mapped_column(Boolean, default=False)
    action: Mapped[str | None] = mapped_column(Text)
    deadline_text: Mapped[str | None] = mapped_column(String(300))
    deadline: Mapped[date | None] = mapped_column(Date)
    start_date: Mapped[date | None] = mapped_column(Date)
    deadline_kind: Mapped[str | None] = mapped_column(String(20))

    document: Mapped[Document] = relationship(back_populates="points")
    parent: Mapped[Point | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Point]] = relationship(
        back_populates="parent", order_by="Point.position", passive_deletes=True
    )
    responsibles: Mapped[list[PointResponsible]] = relationship(
        cascade="all, delete-orphan", order_by="PointResponsible.position", back_populates="point"
    )

    @property
    def responsible_bodies(self) -> list[Body]:
        return [r.body for r in self.responsibles]

    @property
    def addressees(self) -> str:
        """«Школа № 1; Школа № 2»: the bodies a point is addressed to, as its page prints them."""
        return addressee_line(r.body.display_name for r in self.responsibles)

    @property
    def label(self) -> str:
        return point_label(self.number, self.marker)


def point_label(number: str | None, marker: str | None) -> str:
    """What a point is printed after: «1.2.» for a numbered point, its marker («-») for a bullet."""
    return f"{number}." if number else marker or ""


def addressee_line(names: Iterable[str]) -> str:
    """The bodies a point is addressed to, in their order, as one line: «Школа № 1; Школа № 2»."""
    return "; ".join(names)


class PointResponsible(db.Model):
    """A body a point is addressed to; the first is the lead, the rest co-executors."""

    __tablename__ = "point_responsible"
    __table_args__ = (UniqueConstraint("point_id", "body_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("point.id", ondelete="CASCADE"), index=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)

    point: Mapped[Point] = relationship(back_populates="responsibles")
    body: Mapped[Body] = relationship()


class Signatory(db.Model):
    __tablename__ = "signatory"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    job_title: Mapped[str] = mapped_column(Text)  # printed on the left
    name: Mapped[str] = mapped_column(String(200))  # «И.О. Фамилия», printed on the right
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    document: Mapped[Document] = relationship(back_populates="signatories")
    user: Mapped[User | None] = relationship()


class Acknowledgment(db.Model):
    """A person who must read a signed document (ознакомление), and when they did."""

    __tablename__ = "acknowledgment"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    person_name: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    document: Mapped[Document] = relationship(back_populates="acknowledgments")
    user: Mapped[User | None] = relationship()
