"""Personal API tokens: issued once, stored as SHA-256, revoked by their owner; and the per-token rate limit,
shared by every host.

A token is `dfl_` and 43 characters of `secrets.token_urlsafe(32)` (256 random bits): a fast hash is enough to store
it, since nobody can guess such a secret, and it lets a request find its row by an indexed equality. The secret is
shown once, when it is made; afterwards only its first characters (to tell tokens apart) are kept in clear.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from datetime import datetime, timedelta

from sqlalchemy import case, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from webapp import clock
from webapp.extensions import db
from webapp.models import User
from webapp.models.tokens import SCOPES, ApiRateWindow, ApiToken
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
    """A fixed window per key (a token, or a signed-in user), counted in the database: one `ApiRateWindow` row per
    key, shared by every worker process and every host of the installation, so the limit is the limit however many
    there are (in process memory each process would allow the limit again).

    One statement per request: an UPSERT that starts the key's row, counts into its window, or starts the new window,
    and returns the count; the database's row lock makes concurrent hits count one after another. Windows are
    aligned to multiples of their length in Unix time, so every host agrees on them; a host whose clock lags a little
    counts into the newer window rather than resetting it. The count is committed at once: a GET never commits, and a
    refused or failed request must count too. It costs a write per API request (on SQLite, the write lock for a
    moment), the price of a limit that holds across hosts."""

    def hit(self, key: str, limit: int, window: int) -> int:
        """Count one request; 0 when it may go on, else the seconds until the window ends (Retry-After)."""
        now = clock.now().timestamp()
        start = int(now // window) * window
        table = ApiRateWindow.__table__
        insert = (postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert)(table)
        insert = insert.values(key=key, window_start=start, count=1)
        newer = insert.excluded.window_start > table.c.window_start
        statement = insert.on_conflict_do_update(index_elements=[table.c.key], set_={
            "count": case((newer, 1), else_=table.c.count + 1),
            "window_start": case((newer, insert.excluded.window_start), else_=table.c.window_start),
        }).returning(table.c.window_start, table.c.count)
        counted_from, count = db.session.execute(statement).one()
        db.session.commit()
        if count <= limit:
            return 0
        return max(1, math.ceil(counted_from + window - now))
