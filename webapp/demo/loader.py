"""Load the sample documents (webapp/demo/data/*.json, format in SCHEMA.md) as structured documents."""

from __future__ import annotations

import json
from datetime import date
from importlib import resources
from typing import Any

from sqlalchemy import select

from webapp import clock
from webapp.extensions import db
from webapp.models import (
    Acknowledgment,
    AgendaItem,
    Assignment,
    AssignmentStatus,
    Body,
    Document,
    Participant,
    Point,
    PointResponsible,
    Role,
    Signatory,
    Stage,
    User,
)
from webapp.services.assignments import default_controller
from webapp.services.documents import sync_draft_assignments
from webapp.services.users import create_user, find_body

DEMO_PASSWORD = "demo"  # noqa: S105 - documented demo credential, only loaded on request

# login, full name, position, roles, bodies (by name or short name)
DEMO_USERS: list[tuple[str, str, str, list[Role], list[str]]] = [
    ("secretary", "Матвейчук Елена Николаевна", "Главный специалист отдела общего образования",
     [Role.secretary], ["Департамент образования и молодежной политики Ханты-Мансийского автономного округа – Югры"]),
    ("head", "Цулая Лариса Владимировна", "Начальник отдела общего образования",
     [Role.head], ["Департамент образования и молодежной политики Ханты-Мансийского автономного округа – Югры"]),
    ("approver", "Иванова Ольга Петровна", "Заместитель начальника управления", [Role.approver], []),
    ("approver2", "Сидоров Алексей Викторович", "Начальник юридического отдела", [Role.approver], []),
    ("executor", "Клюсова Виктория Викторовна", "Заместитель директора",
     [Role.executor], ["АУ ДПО «Институт развития образования»"]),
    ("controller", "Суртаева Анна Михайловна", "Начальник информационно-методического отдела",
     [Role.controller], []),
    ("auditor", "Петров Сергей Николаевич", "Ведущий специалист по контролю", [Role.auditor], []),
    ("admin", "Администратор системы", "Администратор", [Role.admin], []),
]


# The letterhead requisites of a body in bodies.json (SCHEMA.md), with their empty values.
REQUISITES = {"letterhead_above": list, "name_alt": lambda: None, "letterhead_above_alt": list,
              "place": lambda: None, "address": list, "formulas": dict}

# Phones printed in the отметка об исполнителе of the documents a demo user drafts.
DEMO_PHONES = {"secretary": "8 (3467) 00-00-01", "head": "8 (3467) 00-00-02"}


def _data(name: str) -> Any:
    return json.loads(resources.files("webapp.demo").joinpath("data", name).read_text(encoding="utf-8"))


def document_files() -> list[str]:
    names = [p.name for p in resources.files("webapp.demo").joinpath("data").iterdir()]
    return sorted(n for n in names if n.endswith(".json") and n != "bodies.json")


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def load_bodies() -> dict[str, Body]:
    rows = _data("bodies.json")
    existing = {b.name: b for b in db.session.scalars(select(Body))}
    for row in rows:
        body = existing.get(row["name"])
        if body is None:
            body = Body(name=row["name"])
            db.session.add(body)
            existing[row["name"]] = body
        body.short_name = row.get("short_name")
        body.dative = row.get("dative")
        body.aliases = row.get("aliases") or []
        for key in REQUISITES:
            setattr(body, key, row.get(key) or REQUISITES[key]())
    for row in rows:
        if row.get("parent"):
            existing[row["name"]].parent = existing[row["parent"]]
    db.session.flush()
    return existing


def load_users() -> None:
    for login, name, position, roles, bodies in DEMO_USERS:
        if db.session.scalar(select(User).where(User.login == login)) is None:
            # The demo's one documented password is below the policy on purpose: it is typed on a first visit.
            create_user(login, name, DEMO_PASSWORD, [r.value for r in roles], bodies, position=position,
                        email=f"{login}@docflow.example", check_password=False)
            db.session.flush()
        user = db.session.scalar(select(User).where(User.login == login))
        if user.phone is None and login in DEMO_PHONES:
            user.phone = DEMO_PHONES[login]


class _Builder:
    """Turns one JSON document into rows."""

    def __init__(self, bodies: dict[str, Body]):
        self.bodies = bodies

    def body(self, name: str | None) -> Body | None:
        if not name:
            return None
        return self.bodies.get(name) or find_body(name)

    def document(self, data: dict, parent: Document | None = None) -> Document:
        doc = Document(
            doc_type=data["doc_type"], state=data.get("state", "published"), slug=data.get("slug"),
            heading=data.get("heading"), heading_alt=data.get("heading_alt"), title=data["title"],
            number=data.get("number"), reg_date=_date(data.get("reg_date")),
            event_date=_date(data.get("event_date")), place=data.get("place"),
            draft_mark=bool(data.get("draft_mark")), issuing_body=self.body(data.get("issuing_body")),
            letterhead=data.get("letterhead") or [], labels=data.get("labels") or {},
            meeting_time=data.get("meeting_time"), venue=data.get("venue"),
            preamble=data.get("preamble") or [], decision_heading=data.get("decision_heading"),
            closing=data.get("closing") or [], controller_text=data.get("controller"),
            approval_stamp=data.get("approval_stamp") or [], parent=parent,
        )
        ack = data.get("acknowledgment") or {}
        doc.acknowledgment_label = ack.get("label")
        doc.acknowledgments = [Acknowledgment(position=i, person_name=n) for i, n in enumerate(ack.get("people", []))]
        doc.participants = [
            Participant(position=i, role=p["role"], name=p.get("name"), job_title=p.get("position"),
                        body=self.body(p.get("body")), text=p.get("text"))
            for i, p in enumerate(data.get("participants") or [])
        ]
        doc.signatories = [Signatory(position=i, job_title=s["position"], name=s["name"])
                           for i, s in enumerate(data.get("signatories") or [])]
        db.session.add(doc)
        db.session.flush()
        self.points(doc, data.get("points") or [])
        for i, item in enumerate(data.get("agenda") or []):
            row = AgendaItem(document=doc, position=i, number=item.get("number"), title=item["title"],
                             speakers=item.get("speakers"), heard=item.get("heard") or [],
                             decided_label=item.get("decided_label"))
            db.session.add(row)
            db.session.flush()
            self.points(doc, item.get("points") or [], agenda_item=row)
        for i, stage in enumerate(data.get("stages") or []):
            row = Stage(document=doc, position=i, title=stage["title"], period_text=stage.get("period_text"),
                        start=_date(stage.get("start")), end=_date(stage.get("end")))
            db.session.add(row)
            db.session.flush()
            self.points(doc, stage.get("points") or [], stage=row)
        for attachment in data.get("attachments") or []:
            self.document(attachment, parent=doc)
        db.session.flush()
        return doc

    def points(self, doc: Document, items: list[dict], parent: Point | None = None,
               agenda_item: AgendaItem | None = None, stage: Stage | None = None) -> None:
        for i, item in enumerate(items):
            point = Point(
                document=doc, parent=parent, agenda_item_id=agenda_item.id if agenda_item else None,
                stage_id=stage.id if stage else None, position=i, kind=item.get("kind", "point"),
                number=item.get("number"), marker=item.get("marker"), text=item.get("text", ""),
                is_assignment=bool(item.get("assignment")), action=item.get("action"),
                deadline_text=item.get("deadline_text"), deadline=_date(item.get("deadline")),
                start_date=_date(item.get("start")), deadline_kind=item.get("deadline_kind"),
            )
            point.responsibles = [PointResponsible(body=self.body(name), position=n)
                                  for n, name in enumerate(item.get("responsible") or [])]
            db.session.add(point)
            db.session.flush()
            self.points(doc, item.get("children") or [], parent=point, agenda_item=agenda_item, stage=stage)


def _activate(doc: Document) -> None:
    """Published samples are in force; a plan's stages that lie in the past are recorded as done on time."""
    status = AssignmentStatus.draft if doc.state == "draft" else AssignmentStatus.new
    sync_draft_assignments(doc, status=status)
    controller = default_controller(doc) if status == AssignmentStatus.new else None
    for assignment in db.session.scalars(select(Assignment).where(Assignment.document_id == doc.id)):
        assignment.controller = controller
        if doc.doc_type == "plan" and assignment.deadline and assignment.deadline < clock.today():
            assignment.status = AssignmentStatus.done
            assignment.completed_on = assignment.deadline


def load_demo() -> dict[str, int]:
    """Load everything; running it again adds nothing."""
    bodies = load_bodies()
    load_users()
    builder = _Builder(bodies)
    added = 0
    for name in document_files():
        data = _data(name)
        if db.session.scalar(select(Document).where(Document.slug == data["slug"])) is not None:
            continue
        doc = builder.document(data)
        _activate(doc)
        added += 1
    db.session.flush()
    return {"documents": added, "bodies": len(bodies)}
