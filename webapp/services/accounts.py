"""Administration of accounts: create (with a password or an invitation), change roles, bodies and positions,
deactivate, reset a password through a one-time link. Every change audited; messages in Russian for the pages with
an English twin for the command line (`bodies.english`).

An invitation (or reset) link carries a random token; only its SHA-256 is stored, so a copy of the database opens
no account. A newer link replaces the older ones; a used or expired one opens nothing.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from webapp import clock
from webapp.extensions import db
from webapp.models import Body, Invitation, Membership, Role, User, UserRole
from webapp.services import paging
from webapp.services.audit import record_event
from webapp.services.bodies import by, refused
from webapp.services.errors import Conflict
from webapp.services.policy import ensure
from webapp.services.sessions import end_all, open_session_counts
from webapp.services.suggest import user_matches
from webapp.services.users import hash_password, password_problem, set_password

INVITE_DAYS = 7  #: how long an invitation link (or a password reset link) works unless the administrator says


USERS_SORT = paging.Sort(User.full_name, "str")  #: the administration's list of users: by full name


@dataclass
class UsersPage:
    """A page of the list of users with each one's open sessions (their roles and bodies come loaded)."""

    rows: list[User]
    after: str | None
    sessions: dict[int, int]  #: user id -> open sessions


def users_page(text: str = "", *, after: str | None = None, size: int = paging.DEFAULT_SIZE) -> UsersPage:
    """One keyset page of the accounts by full name (deactivated ones included), those whose name or login holds
    `text`: a page costs the same statements at 50 users and at 20,000."""
    query = select(User).options(selectinload(User.role_rows),
                                 selectinload(User.memberships).selectinload(Membership.body))
    if text.strip():
        query = query.where(user_matches(text))
    page = paging.keyset(query, USERS_SORT, User.id, after=after, size=size,
                         message="Неверная ссылка на страницу списка пользователей: откройте список заново.")
    return UsersPage(page.rows, page.after, open_session_counts([u.id for u in page.rows]))


@dataclass
class AccountData:
    """What the user form (and the import, and the command line) gives. `bodies`: (body id, position there)."""

    login: str
    full_name: str
    roles: list[str]
    bodies: list[tuple[int, str | None]]
    position: str | None = None
    email: str | None = None
    phone: str | None = None


def _text(value: str | None) -> str | None:
    return " ".join(value.split()) or None if value else None


def _check_account(data: AccountData, user: User | None) -> AccountData:
    data.login, data.full_name = (data.login or "").strip(), _text(data.full_name) or ""
    data.position, data.email, data.phone = _text(data.position), _text(data.email), _text(data.phone)
    if not data.login or not data.full_name:
        raise refused("Укажите логин и ФИО.", "login and name are required")
    if len(data.login) > 80 or not re.fullmatch(r"[\w.@-]+", data.login):
        raise refused("Логин — до 80 букв, цифр и знаков «.», «-», «_», «@», без пробелов.",
                      "the login is up to 80 letters, digits, '.', '-', '_' or '@', without spaces")
    if data.email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", data.email):
        raise refused(f"Адрес эл. почты «{data.email}» указан неверно.", f"the e-mail {data.email!r} is not valid")
    unknown = [r for r in data.roles if r not in Role.__members__]
    if unknown:
        raise refused(f"Неизвестные роли: {', '.join(unknown)}.",
                      f"unknown role(s): {', '.join(unknown)}; known: {', '.join(Role)}")
    same = db.session.scalar(select(User).where(func.lower(User.login) == data.login.lower(),
                                                User.id != (user.id if user else 0)))
    if same is not None:
        raise refused(f"Пользователь с логином «{data.login}» уже есть.", f"a user with login {data.login!r} exists "
                      "already", Conflict)
    return data


def _apply_account(user: User, data: AccountData) -> None:
    user.login, user.full_name = data.login, data.full_name
    user.position, user.email, user.phone = data.position, data.email, data.phone
    wanted = list(dict.fromkeys(data.roles))
    user.role_rows = [row for row in user.role_rows if row.role in wanted] + [
        UserRole(role=r) for r in wanted if r not in {row.role for row in user.role_rows}]
    positions: dict[int, str | None] = {}
    for body_id, position in data.bodies:
        positions.setdefault(body_id, _text(position))
    bodies = {b.id: b for b in db.session.scalars(select(Body).where(Body.id.in_(positions)))}
    kept = {m.body_id: m for m in user.memberships}
    for body_id in positions:
        body = bodies.get(body_id)
        if body is None or (body.closed_at is not None and body_id not in kept):
            raise refused("Орган не найден или закрыт.", f"body {body_id} does not exist or is closed")
    user.memberships = [m for m in user.memberships if m.body_id in positions] + [
        Membership(body=bodies[b]) for b in positions if b not in kept]
    for membership in user.memberships:
        membership.position = positions[membership.body_id if membership.body_id else membership.body.id]


def _account_snapshot(user: User) -> dict:
    return {"login": user.login, "full_name": user.full_name, "position": user.position, "email": user.email,
            "roles": sorted(user.roles), "bodies": sorted(m.body.name for m in user.memberships),
            "active": user.active}



def create_account(actor: User | None, data: AccountData, password: str | None = None,
                   invite_days: int | None = None) -> tuple[User, str | None]:
    """A new user with an initial password, or with an invitation (returns the link's token, shown once)."""
    if actor is not None:
        ensure(actor, "manage_users")
    data = _check_account(data, None)
    if password:
        problem = password_problem(password, data.login, data.full_name)
        if problem is not None:
            raise refused(problem.ru, problem.en)
    elif not invite_days:
        raise refused("Задайте начальный пароль или отправьте приглашение.", "give a password or an invitation")
    user = User(login=data.login, full_name=data.full_name, role_rows=[], memberships=[],
                password_hash=hash_password(password or secrets.token_urlsafe(32)))
    _apply_account(user, data)
    db.session.add(user)
    db.session.flush()
    record_event(actor, "user.create", user, after={**_account_snapshot(user), **by(actor)})
    token = _new_invitation(actor, user, invite_days) if not password else None
    return user, token


def update_account(actor: User | None, user: User, data: AccountData) -> User:
    """Name, position, contacts, roles, bodies with positions."""
    if actor is not None:
        ensure(actor, "manage_users")
        if actor.id == user.id and Role.admin in actor.roles and Role.admin not in data.roles:
            raise refused("Нельзя снять роль администратора с самого себя.", "you cannot drop your own admin role")
    data = _check_account(data, user)
    before = _account_snapshot(user)
    _apply_account(user, data)
    db.session.flush()
    record_event(actor, "user.update", user, before=before, after={**_account_snapshot(user), **by(actor)})
    return user


def set_active(actor: User | None, user: User, active: bool) -> int:
    """Deactivate (cannot log in; every session ended at once) or activate again; returns the sessions ended."""
    if actor is not None:
        ensure(actor, "manage_users")
        if actor.id == user.id and not active:
            raise refused("Нельзя отключить самого себя.", "you cannot deactivate yourself")
    if user.active == active:
        return 0
    user.active = active
    ended = 0 if active else end_all(user)
    db.session.flush()
    record_event(actor, "user.activate" if active else "user.deactivate", user,
                 after={"login": user.login, "sessions_ended": ended, **by(actor)})
    return ended


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_invitation(actor: User | None, user: User, days: int | None) -> str:
    days = days or INVITE_DAYS
    if not 1 <= days <= 90:
        raise refused("Срок действия ссылки — от 1 до 90 дней.", "the link is valid for 1 to 90 days")
    now = clock.now()
    for old in db.session.scalars(select(Invitation).where(Invitation.user_id == user.id,
                                                            Invitation.used_at.is_(None))):
        old.used_at = now  # only the newest link works
    token = secrets.token_urlsafe(32)
    row = Invitation(user_id=user.id, token_hash=_token_hash(token), created_at=now,
                     expires_at=now + timedelta(days=days))
    db.session.add(row)
    db.session.flush()
    record_event(actor, "user.invite", user, after={"login": user.login, "expires": row.expires_at, **by(actor)})
    return token


def invite(actor: User | None, user: User, days: int | None = None) -> str:
    """A one-time link (its token, shown once) that lets the user set a password; earlier links stop working."""
    if actor is not None:
        ensure(actor, "manage_users")
    if not user.active:
        raise refused("Пользователь отключён: сначала включите его.", "the user is deactivated")
    return _new_invitation(actor, user, days)


def reset_password(actor: User | None, user: User, days: int | None = None) -> str:
    """The password stops working and every session ends; the user sets a new one through the returned link."""
    if actor is not None:
        ensure(actor, "manage_users")
    if not user.active:
        raise refused("Пользователь отключён: сначала включите его.", "the user is deactivated")
    user.password_hash = hash_password(secrets.token_urlsafe(32))
    ended = end_all(user)
    record_event(actor, "user.password_reset", user,
                 after={"login": user.login, "sessions_ended": ended, **by(actor)})
    return _new_invitation(actor, user, days)


def invitation_by_token(token: str | None) -> Invitation | None:
    """The open invitation of a link: not used, not replaced, not expired, its user active."""
    if not token or len(token) > 200:
        return None
    row = db.session.scalar(select(Invitation).where(Invitation.token_hash == _token_hash(token)))
    if row is None or row.used_at is not None or clock.local(row.expires_at) <= clock.now() or not row.user.active:
        return None
    return row


def accept_invitation(token: str, password: str) -> User:
    """The user sets her password through the link; the link is spent and any old session ended."""
    row = invitation_by_token(token)
    if row is None:
        raise refused("Ссылка недействительна: она уже использована, заменена новой или её срок истёк. "
                      "Попросите администратора выслать новую.", "the link is not valid")
    set_password(row.user, password)
    row.used_at = clock.now()
    end_all(row.user)
    db.session.flush()
    record_event(row.user, "user.invite_accepted", row.user, after={"login": row.user.login})
    return row.user
