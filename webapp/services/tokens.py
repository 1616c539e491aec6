"""Personal API tokens: issued once, stored as SHA-256, revoked by their owner; and the per-token rate limit.

A token is `dfl_` and 43 characters of `secrets.token_urlsafe(32)` (256 random bits): a fast hash is enough to store
it, since nobody can guess such a secret, and it lets a request find its row by an indexed equality. The secret is
shown once, when it is made; afterwards only its first characters (to tell tokens apart) are kept in clear.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import threading
import time
from datetime import datetime, timedelta

from sqlalchemy import select

from webapp import clock
from webapp.extensions import db
from webapp.models import User
from webapp.models.tokens import SCOPES, ApiToken
from webapp.services.audit import record_event
from webapp.services.errors import Invalid, NotFound

PREFIX = "dfl_"
LIFETIMES = (30, 90, 180, 365)  #: the expiries offered, in days; a token never lives longer than a year


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(user: User, name: str, scopes: list[str], days: int) -> tuple[ApiToken, str]:
    """A new token of the user's; the secret is returned here and never again."""
    name = (name or "").strip()
    if not name:
        raise Invalid("Назовите токен: для какой программы он выдан.")
    wanted = [scope for scope in SCOPES if scope in set(scopes)]
    if not wanted or set(scopes) - set(SCOPES):
        raise Invalid("Выберите права токена: чтение, или чтение и запись.")
    if "write" in wanted and "read" not in wanted:
        wanted.insert(0, "read")  # a program that writes also reads what it wrote
    if days not in LIFETIMES:
        raise Invalid("Выберите срок действия токена.")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name[:100], token_hash=_hash(secret), prefix=secret[:12],
                     scopes=" ".join(wanted), created_at=clock.now(), expires_at=clock.now() + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    record_event(user, "api_token.create", token, after={"name": token.name, "scopes": token.scopes,
                                                         "expires_at": token.expires_at})
    return token, secret


def revoke(user: User, token_id: int) -> ApiToken:
    """Only the owner revokes a token (another user's is not found, so nothing says it exists)."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("Нет такого токена.")
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        db.session.flush()
        record_event(user, "api_token.revoke", token, before={"name": token.name})
    return token


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.id.desc())))


def is_live(token: ApiToken, now: datetime | None = None) -> bool:
    return token.revoked_at is None and clock.local(token.expires_at) > (now or clock.now())


def authenticate(secret: str) -> ApiToken | None:
    """The live token behind a secret, of an active user; None for an unknown, revoked or expired one."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(secret)))
    if token is None or not is_live(token) or not token.user.active:
        return None
    return token


class RateLimiter:
    """A fixed window per key (a token, or a signed-in user), counted in this process's memory.

    Why memory and not the database: counting in a row would write on every GET (and take SQLite's write lock for
    reads); in memory costs nothing. The price: each worker process counts on its own, so with N processes a client
    may make up to N × limit requests per window, and a restart forgets the counts. `docflow serve` (waitress) runs
    one process, where the limit is exact."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}  # key -> (window start, requests in it)

    def hit(self, key: str, limit: int, window: int) -> int:
        """Count one request; 0 when it may go on, else the seconds until the window ends (Retry-After)."""
        now = time.monotonic()
        with self._lock:
            start, count = self._windows.get(key, (now, 0))
            if now - start >= window:
                start, count = now, 0
            if count >= limit:
                return max(1, math.ceil(start + window - now))
            self._windows[key] = (start, count + 1)
            if len(self._windows) > 10_000:  # forget windows long past, so the table cannot grow without bound
                self._windows = {k: v for k, v in self._windows.items() if now - v[0] < window}
            return 0
