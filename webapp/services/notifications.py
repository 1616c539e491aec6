"""A user's notifications: marking them read (opening the document marks its own: services.documents)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import update

from webapp import clock
from webapp.extensions import db
from webapp.models import Notification, User


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications read: those with the given ids, or all of them. Another user's ids
    are ignored, as are unknown ones; the number marked is returned."""
    query = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if ids is not None:
        query = query.where(Notification.id.in_(list(ids)))
    return db.session.execute(query.values(read_at=clock.now())).rowcount or 0
