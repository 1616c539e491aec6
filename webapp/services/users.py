"""Users, roles, bodies and memberships; password hashing."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Body, Membership, Role, User, UserRole
from webapp.services.errors import Invalid, NotFound

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(login: str, password: str) -> User | None:
    """The active user with this login and password, or None (same answer for every failure)."""
    user = db.session.scalar(select(User).where(func.lower(User.login) == login.strip().lower()))
    if user is None:
        hash_password(password)  # spend the same time as a real check: no login enumeration by timing
        return None
    if not user.active or not check_password(user, password):
        return None
    return user


def find_body(name: str) -> Body:
    """A body by its name, short name or alias."""
    body = db.session.scalar(select(Body).where(Body.name == name))
    if body is not None:
        return body
    for candidate in db.session.scalars(select(Body)):
        if candidate.matches(name):
            return candidate
    raise NotFound(f"No body named {name!r}")


def create_user(
    login: str,
    full_name: str,
    password: str,
    roles: list[str],
    bodies: list[str] = (),
    position: str | None = None,
    email: str | None = None,
) -> User:
    login = login.strip()
    if not login or not full_name.strip():
        raise Invalid("login and name are required")
    if len(password) < 4:
        raise Invalid("the password must have at least 4 characters")
    unknown = [r for r in roles if r not in Role.__members__]
    if unknown:
        raise Invalid(f"unknown role(s): {', '.join(unknown)}; known: {', '.join(Role)}")
    if db.session.scalar(select(User).where(func.lower(User.login) == login.lower())):
        raise Invalid(f"a user with login {login!r} exists already")
    user = User(login=login, full_name=full_name.strip(), position=position, email=email,
                password_hash=hash_password(password))
    user.role_rows = [UserRole(role=r) for r in dict.fromkeys(roles)]
    user.memberships = [Membership(body=find_body(name)) for name in bodies]
    db.session.add(user)
    db.session.flush()
    return user
