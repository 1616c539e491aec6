"""Names for the pickers that replace selects of every user and every body: the first few people or bodies whose
name holds what was typed, and the one an exact name or an id denotes — always among those the policy lets the
viewer find (policy.visible_users, policy.visible_bodies)."""

from __future__ import annotations

import re

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.models import Body, User, UserRole
from webapp.services.policy import APPROVERS, draft_bodies, visible_bodies, visible_users

LIMIT = 20  #: suggestions per answer
MAX_TEXT = 100  #: what is typed into a picker, at most


def _typed(text: str) -> str:
    return text.strip().lower()[:MAX_TEXT]


def _like(text: str) -> tuple[str, str]:
    """LIKE patterns (substring, prefix) of what was typed, its wildcards taken literally."""
    text = _typed(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{text}%", f"{text}%"


def _users(viewer: User, approvers: bool):
    query = select(User).where(User.active.is_(True), visible_users(viewer))
    if approvers:  # the approver of a route (policy.may_approve as a condition)
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role.in_([str(r) for r in APPROVERS]))))
    return query


def users(viewer: User, text: str, approvers: bool = False, limit: int = LIMIT, others: bool = False) -> list[User]:
    """Active users whose full name holds `text` (any case), names that start with it first, then by name; with
    `others`, not the viewer herself (who would be her own deputy)."""
    if not text.strip():
        return []
    inside, start = _like(text)
    name = func.lower(User.full_name)
    query = _users(viewer, approvers).where(User.id != viewer.id) if others else _users(viewer, approvers)
    return list(db.session.scalars(
        query.where(name.like(inside, escape="\\"))
        .order_by(case((name.like(start, escape="\\"), 0), else_=1), User.full_name, User.id).limit(limit)))


def user_matches(text: str):
    """A WHERE clause: the user's full name or login holds `text`, any case (the administration's list of users)."""
    inside, _ = _like(text)
    return or_(func.lower(User.full_name).like(inside, escape="\\"), func.lower(User.login).like(inside, escape="\\"))


def body_matches(text: str, prefix: bool = False):
    """A WHERE clause: the body's name or short name holds `text` (starts with it, with `prefix`), any case."""
    inside, start = _like(text)
    pattern = start if prefix else inside
    return or_(func.lower(Body.name).like(pattern, escape="\\"),
               func.lower(func.coalesce(Body.short_name, "")).like(pattern, escape="\\"))


def _findable(viewer: User, draft: bool):
    """The bodies a picker may offer: those the viewer may find, or (`draft`) may name in a draft."""
    return draft_bodies(viewer) if draft else visible_bodies(viewer)


def bodies(viewer: User, text: str, limit: int = LIMIT, draft: bool = False) -> list[Body]:
    """Bodies whose name or short name holds `text` (any case): when the text ends in a number, the names where
    that number is whole first; then names that start with the text, open before closed, then by name. Without
    the whole number first, «школа № 12» among a region's 5,000 schools offered № 1200–1218 and № 120, never
    № 12 itself («№ 12»» sorts after «№ 12…» by name)."""
    if not text.strip():
        return []
    ranks = [case((_whole_number(text), 0), else_=1)] if _typed(text)[-1:].isdigit() else []
    return list(db.session.scalars(
        select(Body).where(_findable(viewer, draft), body_matches(text))
        .options(selectinload(Body.parent))  # the hint names it
        .order_by(*ranks, case((body_matches(text, prefix=True), 0), else_=1), Body.closed_at.is_not(None),
                  Body.name, Body.id)
        .limit(limit)))


def _whole_number(text: str):
    """A WHERE clause: the name or short name holds `text` (ending in a digit) with no digit after it: «№ 12» in
    «школа № 12», not in «школа № 120». A regular expression both engines read alike (PostgreSQL's `~`, SQLite's
    REGEXP through SQLAlchemy's Python function): the text escaped character by character, then a non-digit or
    the end."""
    pattern = re.escape(_typed(text)) + "([^0-9]|$)"
    return or_(func.lower(Body.name).regexp_match(pattern),
               func.lower(func.coalesce(Body.short_name, "")).regexp_match(pattern))


def user_named(viewer: User, text: str, approvers: bool = False) -> list[User]:
    """The users (at most two: one is the answer, two an ambiguity) whose full name is exactly `text`."""
    return list(db.session.scalars(_users(viewer, approvers).where(
        func.lower(User.full_name) == " ".join(text.split()).lower()).order_by(User.id).limit(2)))


def body_named(viewer: User, text: str, draft: bool = False) -> list[Body]:
    """The bodies (at most two) whose name or short name is exactly `text`; with `draft`, the one whose full name
    it is, when a short name of another says the same (two districts' «Школа № 1» have different full names)."""
    wanted = " ".join(text.split()).lower()
    found = list(db.session.scalars(select(Body).where(_findable(viewer, draft), or_(
        func.lower(Body.name) == wanted, func.lower(Body.short_name) == wanted)).order_by(Body.id).limit(2)))
    if draft and len(found) > 1:
        full = list(db.session.scalars(select(Body).where(_findable(viewer, draft), func.lower(Body.name) == wanted)
                                       .order_by(Body.id).limit(2)))
        return full or found
    return found


def user_by_id(viewer: User, user_id: int, approvers: bool = False) -> User | None:
    return db.session.scalar(_users(viewer, approvers).where(User.id == user_id))


def body_by_id(viewer: User, body_id: int, draft: bool = False) -> Body | None:
    return db.session.scalar(select(Body).where(_findable(viewer, draft), Body.id == body_id))


def draft_body_ids(viewer: User, ids: set[int]) -> set[int]:
    """Those of `ids` the viewer may name in a draft (one statement for a whole form)."""
    if not ids:
        return set()
    return set(db.session.scalars(select(Body.id).where(draft_bodies(viewer), Body.id.in_(ids))))


def bodies_by_id(ids: set[int]) -> dict[int, Body]:
    """The bodies of `ids`, whatever their state (the labels of what a form already names)."""
    if not ids:
        return {}
    return {b.id: b for b in db.session.scalars(select(Body).where(Body.id.in_(ids)))}


def user_label(user: User) -> str:
    return user.full_name


def user_hint(user: User) -> str:
    return user.position or ""


def body_hint(body: Body) -> str:
    """What tells two bodies of similar names apart: the full name under a short one, the body above, closed."""
    parts = [body.name] if body.short_name and body.short_name != body.name else []
    if body.parent is not None:
        parts.append(f"в составе: {body.parent.display_name}")
    if body.closed_at is not None:
        parts.append("закрыт")
    return "; ".join(parts)

