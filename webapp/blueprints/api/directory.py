"""The directory through the API: bodies, users, the caller, and the caller's notifications (read, and marked read)."""

from __future__ import annotations

from flask import g
from sqlalchemy import select

from webapp.blueprints.api import bp
from webapp.blueprints.api import present as show
from webapp.blueprints.api.auth import api_user
from webapp.blueprints.api.errors import get_or_404
from webapp.blueprints.api.paging import keyset_page
from webapp.blueprints.api.schemas import (
    BodySchema,
    MarkedSchema,
    MeSchema,
    NotificationPageSchema,
    NotificationsReadIn,
    PageArgs,
    UserSchema,
)
from webapp.extensions import db
from webapp.models import Body, Notification, User
from webapp.services import notifications

TAG = ["directory"]


@bp.get("/bodies")
@bp.response(200, BodySchema(many=True))
@bp.doc(tags=TAG, summary="Every body (орган), by name")
def list_bodies():
    return [show.body(b) for b in db.session.scalars(select(Body).order_by(Body.name))]


@bp.get("/bodies/<int:body_id>")
@bp.response(200, BodySchema)
@bp.doc(tags=TAG, summary="One body")
def get_body(body_id: int):
    return show.body(get_or_404(Body, body_id, "body"))


@bp.get("/users")
@bp.response(200, UserSchema(many=True))
@bp.doc(tags=TAG, summary="Every user, by name (to choose approvers and read who did what)")
def list_users():
    return [show.user(u) for u in db.session.scalars(select(User).order_by(User.full_name, User.id))]


@bp.get("/users/<int:user_id>")
@bp.response(200, UserSchema)
@bp.doc(tags=TAG, summary="One user")
def get_user(user_id: int):
    return show.user(get_or_404(User, user_id, "user"))


@bp.get("/me")
@bp.response(200, MeSchema)
@bp.doc(tags=TAG, summary="The caller: the token's owner (or the signed-in user) and the request's scopes")
def me():
    return {**show.user(api_user()), "scopes": g.api_scopes}


@bp.get("/notifications")
@bp.arguments(PageArgs, location="query", as_kwargs=False)
@bp.response(200, NotificationPageSchema)
@bp.doc(tags=TAG, summary="The caller's notifications, newest first")
def list_notifications(args: dict):
    query = select(Notification).where(Notification.user_id == api_user().id)
    return keyset_page(query, Notification.id, args, show.notification, newest_first=True)


@bp.post("/notifications/read")
@bp.arguments(NotificationsReadIn)
@bp.response(200, MarkedSchema)
@bp.doc(tags=TAG, summary="Mark the caller's notifications read: those listed in `ids`, or all when `ids` is absent")
def read_notifications(body: dict):
    marked = notifications.mark_read(api_user(), body.get("ids"))
    db.session.commit()
    return {"marked": marked}
