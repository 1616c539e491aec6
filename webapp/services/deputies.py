"""Замещение: who stands in for whom, from which day to which. Setting and ending a deputy, audited.

While a period runs (by the service's clock) the deputy sees the principal's tasks and notifications and may take
the principal's actions; the rights themselves are the policy's (`policy.acting_for`, `policy.first_allowed`), and
the audit records such an action as «deputy за principal».
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from webapp import clock
from webapp.extensions import db
from webapp.models import Deputy, User
from webapp.services.audit import record_event
from webapp.services.bodies import by, refused
from webapp.services.errors import Conflict
from webapp.services.policy import ensure, forget_deputies

MAX_DAYS = 366  #: a period longer than a year is a mistake more often than a plan


def is_current(row: Deputy, today: date | None = None) -> bool:
    today = today or clock.today()
    return row.ended_at is None and row.starts_on <= today <= row.ends_on


def add_deputy(actor: User | None, deputy: User, principal: User, starts_on: date, ends_on: date) -> Deputy:
    """`deputy` acts for `principal` from `starts_on` to `ends_on` inclusive."""
    if actor is not None:
        ensure(actor, "manage_deputies", principal)
    if deputy.id == principal.id:
        raise refused("Сотрудник не может замещать сам себя.", "a user cannot be her own deputy")
    if not deputy.active or not principal.active:
        raise refused("Замещение назначают между активными пользователями.", "both users must be active")
    if ends_on < starts_on:
        raise refused("Дата окончания замещения раньше даты начала.", "the period ends before it starts")
    if ends_on < clock.today():
        raise refused("Период замещения уже прошёл.", "the period is over already")
    if (ends_on - starts_on).days >= MAX_DAYS:
        raise refused("Замещение назначают не больше чем на год.", "a period is at most a year")
    overlapping = db.session.scalar(select(Deputy).where(
        Deputy.deputy_id == deputy.id, Deputy.principal_id == principal.id, Deputy.ended_at.is_(None),
        Deputy.starts_on <= ends_on, Deputy.ends_on >= starts_on))
    if overlapping is not None:
        raise refused(f"{deputy.full_name} уже замещает {principal.full_name} в эти дни "
                      f"({overlapping.starts_on:%d.%m.%Y}–{overlapping.ends_on:%d.%m.%Y}).",
                      "the deputy already stands in for this user in these days", Conflict)
    row = Deputy(deputy=deputy, principal=principal, starts_on=starts_on, ends_on=ends_on, created_at=clock.now(),
                 created_by_id=actor.id if actor is not None else None)
    db.session.add(row)
    db.session.flush()
    forget_deputies(deputy)
    record_event(actor, "deputy.add", principal, after={**_snapshot(row), **by(actor)})
    return row


def end_deputy(actor: User | None, row: Deputy) -> Deputy:
    """End a period early (or cancel a planned one): the deputy stops acting at once."""
    if actor is not None:
        ensure(actor, "manage_deputies", row.principal)
    if row.ended_at is not None or row.ends_on < clock.today():
        raise refused("Это замещение уже закончилось.", "this period is over already", Conflict)
    row.ended_at = clock.now()
    db.session.flush()
    forget_deputies(row.deputy)
    record_event(actor, "deputy.end", row.principal, before=_snapshot(row), after={**by(actor)})
    return row


def _snapshot(row: Deputy) -> dict:
    return {"deputy": row.deputy.login, "principal": row.principal.login, "starts_on": row.starts_on,
            "ends_on": row.ends_on}



def deputies_query(user: User | None = None, include_past: bool = False):
    """Periods not over (every one, or those where `user` is deputy or principal), unordered: the caller pages
    them (the administrators' list of a whole organisation) or takes them all (one user's)."""
    query = select(Deputy).options(joinedload(Deputy.deputy), joinedload(Deputy.principal))
    if not include_past:
        query = query.where(Deputy.ended_at.is_(None), Deputy.ends_on >= clock.today())
    if user is not None:
        query = query.where(or_(Deputy.deputy_id == user.id, Deputy.principal_id == user.id))
    return query


def deputies(user: User | None = None, include_past: bool = False) -> list[Deputy]:
    """deputies_query's periods, the soonest first."""
    return list(db.session.scalars(deputies_query(user, include_past).order_by(Deputy.starts_on, Deputy.id)))
