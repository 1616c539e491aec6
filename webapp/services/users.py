"""Users, roles, bodies and memberships; password hashing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Body, Membership, Role, User, UserRole
from webapp.services.errors import Invalid, NotFound


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def _configured_hasher() -> PasswordHasher:
    """Argon2id with the installation's cost (PASSWORD_HASH: time_cost, memory_cost in KiB, parallelism)."""
    cost = current_app.config["PASSWORD_HASH"]
    return _hasher(cost["time_cost"], cost["memory_cost"], cost["parallelism"])


def hash_password(password: str) -> str:
    return _configured_hasher().hash(password)


def check_password(user: User, password: str) -> bool:
    """Whether the password is the user's; a hash made with another cost is upgraded on the way."""
    hasher = _configured_hasher()
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def authenticate(login: str, password: str) -> User | None:
    """The active user with this login and password, or None (same answer for every failure)."""
    user = db.session.scalar(select(User).where(func.lower(User.login) == login.strip().lower()))
    if user is None:
        hash_password(password)  # spend the same time as a real check: no login enumeration by timing
        return None
    if not user.active or not check_password(user, password):
        return None
    return user


@dataclass(frozen=True)
class PasswordProblem:
    """Why a new password is refused: in Russian for the pages, in English for the command line."""

    ru: str
    en: str


MAX_PASSWORD_LENGTH = 128  # argon2 takes any length; a bound keeps a login request cheap


def password_problem(password: str, login: str = "", full_name: str = "") -> PasswordProblem | None:
    """The policy for new passwords (OWASP ASVS 2.1): at least PASSWORD_MIN_LENGTH characters, any characters,
    no composition rules, and not guessable — zxcvbn's estimate, which knows the common and leaked passwords,
    keyboard patterns, dates and the user's own login and name, must be at least PASSWORD_MIN_STRENGTH (0–4)."""
    minimum = int(current_app.config["PASSWORD_MIN_LENGTH"])
    if len(password) < minimum:
        return PasswordProblem(f"Пароль должен быть не короче {minimum} символов.",
                               f"the password must have at least {minimum} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        return PasswordProblem(f"Пароль должен быть не длиннее {MAX_PASSWORD_LENGTH} символов.",
                               f"the password must have at most {MAX_PASSWORD_LENGTH} characters")
    import zxcvbn  # its dictionaries are ~12 MB: loaded when a password is first set, not in every process

    estimate = zxcvbn.zxcvbn(password, user_inputs=[v for v in (login, *full_name.split()) if v])
    if estimate["score"] < int(current_app.config["PASSWORD_MIN_STRENGTH"]):
        return PasswordProblem("Пароль легко подобрать: он похож на распространённый пароль, логин или имя. "
                               "Возьмите несколько несвязанных слов или длинную фразу.",
                               "the password is easy to guess (a common password, a pattern, the login or the "
                               "name); use several unrelated words or a long phrase")
    return None


class WeakPassword(Invalid):
    """A new password below the policy: `reason` in Russian (pages), `english` for the command line."""

    def __init__(self, problem: PasswordProblem):
        super().__init__(problem.ru)
        self.english = problem.en


def set_password(user: User, password: str) -> None:
    """A new password that meets the policy (WeakPassword otherwise)."""
    problem = password_problem(password, user.login, user.full_name)
    if problem is not None:
        raise WeakPassword(problem)
    user.password_hash = hash_password(password)


def find_body(name: str) -> Body:
    """A body by its name, short name or alias; an open body first (a merged body's names lead to the body that
    took it over, whose aliases hold them)."""
    body = db.session.scalar(select(Body).where(Body.name == name, Body.closed_at.is_(None)))
    if body is not None:
        return body
    for candidate in db.session.scalars(select(Body).order_by(Body.closed_at.is_not(None), Body.id)):
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
    check_password: bool = True,
) -> User:
    """A new user (messages in English: the command line creates users). check_password=False only for the demo's
    documented password."""
    login = login.strip()
    if not login or not full_name.strip():
        raise Invalid("login and name are required")
    problem = password_problem(password, login, full_name) if check_password else None
    if problem is not None:
        raise Invalid(problem.en)
    unknown = [r for r in roles if r not in Role.__members__]
    if unknown:
        raise Invalid(f"unknown role(s): {', '.join(unknown)}; known: {', '.join(Role)}")
    if db.session.scalar(select(User).where(func.lower(User.login) == login.lower())):
        raise Invalid(f"a user with login {login!r} exists already")
    user = User(login=login, full_name=full_name.strip(), position=position, email=email,
                password_hash=hash_password(password))
    user.role_rows = [UserRole(role=r) for r in dict.fromkeys(roles)]
    found = [find_body(name) for name in bodies]  # looked up before any Membership is pending (autoflush)
    user.memberships = [Membership(body=body) for body in found]
    db.session.add(user)
    db.session.flush()
    return user


_SURNAME = r"(?P<surname>[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?)"
_INITIALS = r"(?P<first>[А-ЯЁ])\.\s*(?:(?P<middle>[А-ЯЁ])\.)?"
#: «Суртаеву А.М.», «А.М. Суртаеву», «Суртаева Анна Михайловна»
_MENTIONS = (re.compile(_SURNAME + r"\s+" + _INITIALS), re.compile(_INITIALS + r"\s*" + _SURNAME),
             re.compile(_SURNAME + r"\s+(?P<first>[А-ЯЁ])[а-яё]+\s+(?P<middle>[А-ЯЁ])[а-яё]+"))


def _mentions(text: str) -> list[tuple[str, str, str | None]]:
    """(surname, first initial, middle initial) of every person named in the text."""
    found = []
    for pattern in _MENTIONS:
        found += [(m["surname"], m["first"], m["middle"]) for m in pattern.finditer(text or "")]
    return found


def find_named_user(text: str | None) -> User | None:
    """The one active user a document names, in any case: «возложить на ... Суртаеву А.М.» is Суртаева Анна
    Михайловна. None when nobody or more than one user fits (a person decides then, not a guess)."""
    from webapp.ru.morph import surname_lemmas

    named = _mentions(text or "")
    if not named:
        return None
    matches = []
    for user in db.session.scalars(select(User).where(User.active.is_(True))):
        own = _mentions(user.full_name)
        if not own:
            continue
        surname, first, middle = own[0]
        lemmas = surname_lemmas(surname)
        if any(first == f and (m is None or middle is None or m == middle) and lemmas & surname_lemmas(s)
               for s, f, m in named):
            matches.append(user)
    return matches[0] if len(matches) == 1 else None
