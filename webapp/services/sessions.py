"""Sessions that can be ended, and login throttling.

A session is a `UserSession` row; the browser's cookies carry "<user id>:<random token>" (Flask-Login's session
id and, with «Запомнить меня», its remember cookie), and only the token's SHA-256 is stored. A request is signed in
while its row is open, not past its absolute end and not idle for too long. Logout ends the row, so a copied
cookie opens nothing afterwards; a password change or an administrator ends every row of the user. A remember
cookie is used once: restoring a session from it starts a new row with a new token and ends the old one.

Failed logins are counted per account and per address in `LoginThrottle` rows (shared by every worker process):
after LOGIN_FREE_FAILURES failures of an account each further try must wait longer (1, 2, 4 … s, at most a minute);
after LOGIN_LOCKOUT_FAILURES the account, and after LOGIN_IP_LOCKOUT_FAILURES an address, is locked for
LOGIN_LOCKOUT_MINUTES. A try that has to wait is refused without looking at the password and is not counted.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from webapp import clock
from webapp.extensions import db
from webapp.models import LoginThrottle, User, UserSession
from webapp.services.audit import record_event
from webapp.services.policy import ensure, note_stands_in, stands_in_today
from webapp.services.transactions import write_apart
from webapp.services.users import set_password

TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often: not on every request


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _aware(moment: datetime) -> datetime:
    return clock.local(moment)  # SQLite gives naive UTC back; compare aware moments


def _config(key: str) -> int:
    return int(current_app.config[key])


# --- sessions --------------------------------------------------------------------------------------------------------


def start(user: User, remember: bool, ip: str | None = None, user_agent: str | None = None) -> str:
    """Open a session; returns the id Flask-Login keeps in the cookies (and sets it on the user object)."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    lifetime = timedelta(days=_config("REMEMBER_DAYS")) if remember else timedelta(hours=_config("SESSION_MAX_HOURS"))
    db.session.add(UserSession(token_hash=_hash(token), user_id=user.id, remember=remember, created_at=now,
                               last_seen_at=now, expires_at=now + lifetime, ip=(ip or "")[:45] or None,
                               user_agent=(user_agent or "")[:300] or None))
    db.session.flush()
    user.session_token = token
    return user.get_id()


def _split(session_id: str) -> tuple[int, str] | None:
    user_id, _, token = (session_id or "").partition(":")
    return (int(user_id), token) if user_id.isdigit() and len(user_id) < 12 and token else None


def _open_row(session_id: str) -> UserSession | None:
    parts = _split(session_id)
    if parts is None:
        return None
    # the user, her roles and whether she stands in for anyone today in the same statement (every page asks all
    # three: they were three more round trips)
    found = db.session.execute(select(UserSession, stands_in_today(UserSession.user_id))
                               .where(UserSession.token_hash == _hash(parts[1]))
                               .options(joinedload(UserSession.user).joinedload(User.role_rows))).unique().one_or_none()
    if found is None:
        return None
    row, stands_in = found
    if row.user_id != parts[0] or row.ended_at is not None:
        return None
    note_stands_in(row.user, stands_in)
    now = clock.now()
    idle = timedelta(days=_config("REMEMBER_DAYS")) if row.remember \
        else timedelta(minutes=_config("SESSION_IDLE_MINUTES"))
    if now >= _aware(row.expires_at) or now - _aware(row.last_seen_at) >= idle:
        return None
    return row


def resume(session_id: str) -> User | None:
    """The active user of an open session (Flask-Login's user loader), its last activity noted."""
    row = _open_row(session_id)
    if row is None or not row.user.active:
        return None
    now = clock.now()
    if now - _aware(row.last_seen_at) >= TOUCH_EVERY:
        # before the view runs: activity is recorded even for a page that writes nothing
        row_id = row.id
        write_apart(lambda: db.session.execute(
            update(UserSession).where(UserSession.id == row_id).values(last_seen_at=now)))
    row.user.session_token = _split(session_id)[1]
    return row.user


def rotate(user: User) -> str:
    """A remember cookie was just used: the same session continues under a new token (the old cookie is dead)."""
    row = db.session.scalar(select(UserSession).where(UserSession.token_hash == _hash(user.session_token or "")))
    token = secrets.token_urlsafe(32)
    row.token_hash = _hash(token)
    row.last_seen_at = clock.now()
    user.session_token = token
    db.session.commit()
    return user.get_id()


def end(session_id: str | None) -> None:
    row = _open_row(session_id or "")
    if row is not None:
        row.ended_at = clock.now()
        db.session.flush()


def end_all(user: User) -> int:
    """End every open session of a user (password change, an administrator's order, deactivation)."""
    result = db.session.execute(update(UserSession).where(UserSession.user_id == user.id,
                                                          UserSession.ended_at.is_(None))
                                .values(ended_at=clock.now()))
    return result.rowcount


def _by(actor: User | None) -> dict:
    return {} if actor is not None else {"by": "command line"}  # its operator holds the server itself


def end_sessions_of(actor: User | None, user: User) -> int:
    """An administrator (or the command line: actor None) ends every session of a user (a lost laptop, a leaver);
    audited."""
    if actor is not None:
        ensure(actor, "administer")
    ended = end_all(user)
    record_event(actor, "user.end_sessions", user,
                 after={"login": user.login, "sessions_ended": ended, **_by(actor)})
    return ended


def change_password(actor: User | None, user: User, password: str) -> int:
    """A new password (under the policy: WeakPassword otherwise) ends every session of the user; audited. The user
    themselves (on /account/password, after typing the current one) or the command line (actor None)."""
    if actor is not None and actor.id != user.id:
        ensure(actor, "administer")
    set_password(user, password)
    ended = end_all(user)
    record_event(actor, "user.password_change", user,
                 after={"login": user.login, "sessions_ended": ended, **_by(actor)})
    return ended


def open_session_counts(user_ids: list[int] | None = None) -> dict[int, int]:
    """user id -> sessions not ended and not past their absolute end (idle ones included: they may resume), of
    every user or of `user_ids` (a page of the list)."""
    query = select(UserSession.user_id, func.count()).where(UserSession.ended_at.is_(None),
                                                           UserSession.expires_at > clock.now())
    if user_ids is not None:
        query = query.where(UserSession.user_id.in_(user_ids))
    return dict(db.session.execute(query.group_by(UserSession.user_id)).all())


# --- login throttling ------------------------------------------------------------------------------------------------


def _keys(login: str, ip: str | None) -> list[tuple[str, int | None, int]]:
    """The counters a login attempt touches: (key, failures before delays, failures that lock it). An address
    gets no delays, only a lockout far above one person's typos: an office behind one address has many users."""
    keys = [(f"login:{login.strip().lower()[:150]}", _config("LOGIN_FREE_FAILURES"), _config("LOGIN_LOCKOUT_FAILURES"))]
    if ip:
        keys.append((f"ip:{ip[:100]}", None, _config("LOGIN_IP_LOCKOUT_FAILURES")))
    return keys


def _row(key: str, lock: bool = False) -> LoginThrottle | None:
    query = select(LoginThrottle).where(LoginThrottle.key == key)
    return db.session.scalar(query.with_for_update() if lock else query)


def login_wait(login: str, ip: str | None) -> int:
    """Seconds before this account may try again from this address (0: now)."""
    now = clock.now()
    wait = timedelta()
    for key, _, _ in _keys(login, ip):
        row = _row(key)
        if row is not None and row.blocked_until is not None and _aware(row.blocked_until) > now:
            wait = max(wait, _aware(row.blocked_until) - now)
    return math.ceil(wait.total_seconds())


def record_failure(login: str, ip: str | None) -> None:
    """Count a failed login; the next try of that account (and address) waits, or is locked out."""
    now = clock.now()
    window = timedelta(minutes=_config("LOGIN_LOCKOUT_MINUTES"))
    for key, free, lockout in _keys(login, ip):
        row = _row(key, lock=True)
        if row is None:
            try:
                with db.session.begin_nested():
                    row = LoginThrottle(key=key, failures=0)
                    db.session.add(row)
            except IntegrityError:  # another worker counted the first failure at the same moment
                row = _row(key, lock=True)
        if row.last_failure_at is not None and now - _aware(row.last_failure_at) > window:
            row.failures = 0  # an old streak is forgotten
        row.failures += 1
        row.last_failure_at = now
        if row.failures >= lockout:
            row.blocked_until = now + window
        elif free is not None and row.failures >= free:
            row.blocked_until = now + timedelta(seconds=min(2 ** (row.failures - free), 60))
    db.session.flush()


def record_success(login: str) -> None:
    """The account's streak ends with a successful login. The address's does not: whoever tries many accounts
    from one address cannot reset its counter by logging in to their own."""
    key, _, _ = _keys(login, None)[0]
    row = _row(key, lock=True)
    if row is not None:
        row.failures, row.blocked_until = 0, None
        db.session.flush()
