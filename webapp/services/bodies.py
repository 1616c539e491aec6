"""The directory of bodies (органы) as a tree: create, change, move, merge and close; every change audited.

A body is never deleted: documents, assignments and the audit trail keep naming it. A closed body (or one merged
into another) is no longer offered in forms; merging moves its people, its assignments, its documents and its
sub-bodies to the body it joins, whose aliases then include its names, so imported texts that still name it find
the body that took it over. Messages are Russian for the pages, with an English twin for the command line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.orm import selectinload

from webapp import clock
from webapp.extensions import db
from webapp.models import Assignment, Body, Document, Membership, PointResponsible, User
from webapp.models.assignment import assignment_coexecutor
from webapp.services import paging, search
from webapp.services.audit import record_event
from webapp.services.errors import Conflict, Invalid
from webapp.services.policy import ensure
from webapp.services.suggest import bodies_by_id, body_matches, draft_body_ids


def refused(ru: str, en: str, kind: type[Invalid] = Invalid) -> Invalid:
    """An error with its Russian reason (pages) and English twin (the command line: `.english`)."""
    error = kind(ru)
    error.english = en
    return error


def english(error: Invalid) -> str:
    return getattr(error, "english", error.reason)


@dataclass
class BodyData:
    """What the body form (and the import, and the command line) gives."""

    name: str
    short_name: str | None = None
    dative: str | None = None
    parent_id: int | None = None
    head_id: int | None = None
    aliases: list[str] = field(default_factory=list)
    letterhead_above: list[str] = field(default_factory=list)
    name_alt: str | None = None
    letterhead_above_alt: list[str] = field(default_factory=list)
    place: str | None = None
    address: list[str] = field(default_factory=list)
    formulas: dict[str, str] | None = None  #: the line before the points per document type; None: keep as it is


TEXT_FIELDS = ("name", "short_name", "dative", "name_alt", "place")
LIST_FIELDS = ("aliases", "letterhead_above", "letterhead_above_alt", "address")


def closed_reason(body: Body) -> str:
    """Why a closed body cannot be given work (the forms' pickers say it at the field, the services raise it)."""
    return f"Орган «{body.display_name}» закрыт: уберите его или выберите действующий."


def check_assignable(user: User, ids, closed_ok: bool = False) -> None:
    """Refuse unless every body of `ids` is one the user may name in a draft or an assignment (policy.draft_bodies:
    open, and within reach): the forms' pickers offer only those, and the API and the command-line import go
    through here too. A closed body is named in the reason; any other is «unknown» (nothing about bodies out of
    the user's reach is told). `closed_ok`: an archive document, which names the bodies of its own day."""
    wanted = set(ids)
    allowed = draft_body_ids(user, wanted)
    closed = [b for _, b in sorted(bodies_by_id(wanted - allowed).items()) if b.closed_at is not None]
    if closed_ok:
        allowed |= {b.id for b in closed}
    if wanted <= allowed:
        return
    if closed:
        raise refused(closed_reason(closed[0]), f"the body {closed[0].name!r} is closed")
    raise refused("Выбран неизвестный ответственный орган.", f"unknown bodies: {sorted(wanted - allowed)}")


def tree() -> list[tuple[Body, int]]:
    """Every body with its depth, parents before their children, siblings by name, numbers by value (closed ones
    included)."""
    bodies = list(db.session.scalars(select(Body).order_by(Body.sort_key, Body.id)
                                     .options(selectinload(Body.memberships))))
    children: dict[int | None, list[Body]] = {}
    known = {b.id for b in bodies}
    for body in bodies:
        children.setdefault(body.parent_id if body.parent_id in known else None, []).append(body)
    rows: list[tuple[Body, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for body in children.get(parent, []):
            rows.append((body, depth))
            walk(body.id, depth + 1)

    walk(None, 0)
    return rows


DIRECTORY_SORT = paging.Sort(Body.sort_key, "str")  #: the directory's order: by name, numbers by value, in pages


@dataclass
class DirectoryPage:
    """A page of the directory with what each row shows beside the body (its parent and head come loaded)."""

    rows: list[Body]
    after: str | None
    members: dict[int, int]  #: body id -> members
    children: dict[int, int]  #: body id -> bodies directly below it


def directory_page(text: str = "", parent: Body | None = None, *, after: str | None = None,
                   size: int = paging.DEFAULT_SIZE) -> DirectoryPage:
    """One keyset page of the directory by name (closed bodies included): the bodies whose name or short name
    holds `text`, or those directly below `parent`; a page costs the same statements at 50 bodies and at 5,000."""
    query = select(Body).options(selectinload(Body.parent), selectinload(Body.head))
    if text.strip():
        query = query.where(body_matches(text))
    if parent is not None:
        query = query.where(Body.parent_id == parent.id)
    page = paging.keyset(query, DIRECTORY_SORT, Body.id, after=after, size=size,
                         message="Неверная ссылка на страницу справочника: откройте справочник заново.")
    ids = [b.id for b in page.rows]
    members = dict(db.session.execute(select(Membership.body_id, func.count()).where(Membership.body_id.in_(ids))
                                      .group_by(Membership.body_id)).all()) if ids else {}
    children = dict(db.session.execute(select(Body.parent_id, func.count()).where(Body.parent_id.in_(ids))
                                       .group_by(Body.parent_id)).all()) if ids else {}
    return DirectoryPage(page.rows, page.after, members, children)


def _snapshot(body: Body) -> dict:
    return {"name": body.name, "short_name": body.short_name, "parent": body.parent.name if body.parent else None,
            "head": body.head.login if body.head else None, "aliases": list(body.aliases or []),
            "place": body.place, "formulas": dict(body.formulas or {})}


def _clean(data: BodyData) -> BodyData:
    for name in TEXT_FIELDS:
        value = getattr(data, name)
        setattr(data, name, " ".join(value.split()) or None if value else None)
    for name in LIST_FIELDS:
        setattr(data, name, [" ".join(v.split()) for v in getattr(data, name) or [] if v and v.strip()])
    return data


def _check_name(data: BodyData, body: Body | None) -> None:
    if not data.name:
        raise refused("Укажите полное наименование органа.", "the body's full name is required")
    if len(data.name) > 500 or len(data.short_name or "") > 200:
        raise refused("Наименование слишком длинное: полное — до 500 символов, краткое — до 200.",
                      "the name is too long (full: 500 characters, short: 200)")
    same = db.session.scalar(select(Body).where(func.lower(Body.name) == data.name.lower(),
                                                Body.id != (body.id if body else 0)))
    if same is not None:
        raise refused(f"Орган «{data.name}» уже есть в справочнике.", f"a body named {data.name!r} exists already",
                      Conflict)


def _parent(parent_id: int | None, body: Body | None) -> Body | None:
    if not parent_id:
        return None
    parent = db.session.get(Body, parent_id)
    if parent is None or parent.closed_at is not None:
        raise refused("Вышестоящий орган не найден или закрыт.", "the parent body does not exist or is closed")
    if body is not None and body.id is not None and parent.id in body.subtree_ids():
        raise refused("Орган нельзя подчинить ему самому или его подразделению: получился бы цикл.",
                      "a body cannot be moved under itself or one of its sub-bodies (a cycle)")
    return parent


def _head(head_id: int | None) -> User | None:
    if not head_id:
        return None
    head = db.session.get(User, head_id)
    if head is None or not head.active:
        raise refused("Руководитель не найден или отключён.", "the head does not exist or is deactivated")
    return head


def _apply(body: Body, data: BodyData) -> None:
    for name in (*TEXT_FIELDS, *LIST_FIELDS):
        setattr(body, name, getattr(data, name))
    body.parent = _parent(data.parent_id, body)
    body.head = _head(data.head_id)
    if data.formulas is not None:
        body.formulas = {kind: " ".join(text.split()) for kind, text in data.formulas.items() if text and text.strip()}


def create_body(actor: User | None, data: BodyData) -> Body:
    """A new body (actor None: the command line or the import, whose operator holds the server)."""
    if actor is not None:
        ensure(actor, "manage_bodies")
    data = _clean(data)
    _check_name(data, None)
    body = Body(name=data.name, aliases=[], letterhead_above=[], letterhead_above_alt=[], address=[], formulas={})
    _apply(body, data)
    db.session.add(body)
    db.session.flush()
    record_event(actor, "body.create", body, after={**_snapshot(body), **by(actor)})
    return body


def update_body(actor: User | None, body: Body, data: BodyData) -> Body:
    """Rename it, change its short name, aliases, head, place in the tree or letterhead requisites."""
    if actor is not None:
        ensure(actor, "manage_bodies")
    _not_closed(body)
    data = _clean(data)
    _check_name(data, body)
    before = _snapshot(body)
    _apply(body, data)
    db.session.flush()
    after = _snapshot(body)
    action = "body.move" if before["parent"] != after["parent"] and _only(before, after, "parent") else \
        "body.rename" if before["name"] != after["name"] and _only(before, after, "name") else "body.update"
    record_event(actor, action, body, before=before, after={**after, **by(actor)})
    return body


def _only(before: dict, after: dict, key: str) -> bool:
    return all(before[k] == after[k] for k in before if k != key)


def by(actor: User | None) -> dict:
    """What an event notes when nobody signed in acted: the command line, whose operator holds the server."""
    return {} if actor is not None else {"by": "command line"}


def _not_closed(body: Body) -> None:
    if body.closed_at is not None:
        raise refused(f"Орган «{body.display_name}» закрыт: изменить его нельзя.",
                      f"the body {body.name!r} is closed", Conflict)


def rename_body(actor: User | None, body: Body, name: str, short_name: str | None = None) -> Body:
    data = _data_of(body)
    data.name = name
    if short_name is not None:
        data.short_name = short_name
    return update_body(actor, body, data)


def move_body(actor: User | None, body: Body, parent: Body | None) -> Body:
    data = _data_of(body)
    data.parent_id = parent.id if parent else None
    return update_body(actor, body, data)


def _data_of(body: Body) -> BodyData:
    return BodyData(**{name: getattr(body, name) for name in (*TEXT_FIELDS, *LIST_FIELDS)},
                    parent_id=body.parent_id, head_id=body.head_id)


def close_body(actor: User | None, body: Body) -> Body:
    """Closed: not offered in forms any more. Its open sub-bodies must go first (moved or closed)."""
    if actor is not None:
        ensure(actor, "manage_bodies")
    _not_closed(body)
    open_children = [c.display_name for c in body.children if c.closed_at is None]
    if open_children:
        raise refused(f"У органа есть действующие подразделения: {', '.join(open_children)}. Перенесите или "
                      "закройте их сначала.", f"the body has open sub-bodies: {', '.join(open_children)}", Conflict)
    body.closed_at = clock.now()
    db.session.flush()
    record_event(actor, "body.close", body, after={"name": body.name, **by(actor)})
    return body


def merge_bodies(actor: User | None, target: Body, source: Body) -> dict[str, int]:
    """`source` joins `target`: its members, the assignments it answers for, the documents it issued and its
    sub-bodies move to `target`; `target` learns its names as aliases; `source` is closed. Returns the counts."""
    if actor is not None:
        ensure(actor, "manage_bodies")
    if target.id == source.id:
        raise refused("Орган нельзя объединить с самим собой.", "a body cannot be merged into itself")
    _not_closed(source)
    _not_closed(target)
    if target.id in source.subtree_ids():
        raise refused("Орган нельзя влить в его собственное подразделение: сначала перенесите подразделение.",
                      "a body cannot be merged into one of its own sub-bodies; move that one first")
    moved = {
        "members": _move_pairs(Membership.__table__, Membership.__table__.c.user_id,
                               Membership.__table__.c.body_id, source, target),
        "assignments": db.session.execute(update(Assignment).where(Assignment.lead_body_id == source.id)
                                          .values(lead_body_id=target.id)).rowcount,
        "coexecuting": _move_pairs(assignment_coexecutor, assignment_coexecutor.c.assignment_id,
                                   assignment_coexecutor.c.body_id, source, target),
        "points": _move_pairs(PointResponsible.__table__, PointResponsible.__table__.c.point_id,
                              PointResponsible.__table__.c.body_id, source, target),
        "documents": db.session.execute(update(Document).where(Document.issuing_body_id == source.id)
                                        .values(issuing_body_id=target.id)).rowcount,
        "children": db.session.execute(update(Body).where(Body.parent_id == source.id)
                                       .values(parent_id=target.id)).rowcount,
    }
    search.move_documents(source.id, target.id)
    names = [n for n in (source.name, source.short_name, *(source.aliases or [])) if n]
    target.aliases = list(dict.fromkeys([*(target.aliases or []), *names]))
    source.closed_at = clock.now()
    db.session.flush()
    db.session.expire_all()  # bulk updates bypassed the session: nothing loaded may keep the old body
    record_event(actor, "body.merge", target, before={"name": source.name},
                 after={"merged_into": target.name, **moved, **by(actor)})
    return moved


def _move_pairs(table, owner, body, source: Body, target: Body) -> int:
    """Rows of (owner, source) become (owner, target); where (owner, target) exists already the row goes."""
    other = table.alias("other")
    duplicate = exists().where(other.c[owner.name] == owner, other.c[body.name] == target.id)
    dropped = db.session.execute(delete(table).where(body == source.id, duplicate)).rowcount
    moved = db.session.execute(update(table).where(body == source.id).values({body.name: target.id})).rowcount
    return dropped + moved
