"""The directory through the API: bodies and users (read by everyone, changed by administrators through the
same services as the administration pages), the caller, and the caller's notifications."""

from __future__ import annotations

from flask import g, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.blueprints.api import bp
from webapp.blueprints.api import present as show
from webapp.blueprints.api.auth import api_user
from webapp.blueprints.api.errors import get_or_404
from webapp.blueprints.api.paging import NEXT_PAGE_HEADERS, keyset_page, named_list
from webapp.blueprints.api.schemas import (
    BodyIn,
    BodySchema,
    DirectoryArgs,
    MarkedSchema,
    MergedSchema,
    MergeIn,
    MeSchema,
    NewUserIn,
    NewUserSchema,
    NotificationPageSchema,
    NotificationsReadIn,
    PageArgs,
    UserIn,
    UserSchema,
)
from webapp.extensions import db
from webapp.models import Body, Membership, Notification, User
from webapp.services import accounts, bodies, notifications, policy
from webapp.services.suggest import body_matches, user_matches

TAG = ["directory"]


@bp.get("/bodies")
@bp.arguments(DirectoryArgs, location="query", as_kwargs=False)
@bp.response(200, BodySchema(many=True), headers=NEXT_PAGE_HEADERS)
@bp.doc(tags=TAG, summary="The bodies (органы) by name (numbers by value), closed ones included, in pages of "
                          "`limit`; the next page in the `Link` header")
def list_bodies(args: dict):
    query = select(Body).where(body_matches(args["q"])) if args.get("q") else select(Body)
    return named_list(query, Body.sort_key, Body.id, args, show.body, "api.list_bodies")


@bp.get("/bodies/<int:body_id>")
@bp.response(200, BodySchema)
@bp.doc(tags=TAG, summary="One body")
def get_body(body_id: int):
    return show.body(get_or_404(Body, body_id, "body"))


@bp.post("/bodies")
@bp.arguments(BodyIn)
@bp.response(201, BodySchema)
@bp.doc(tags=TAG, summary="Create a body (administrators)")
def create_body(body: dict):
    row = bodies.create_body(api_user(), bodies.BodyData(**body))
    db.session.commit()
    return show.body(row)


@bp.put("/bodies/<int:body_id>")
@bp.arguments(BodyIn)
@bp.response(200, BodySchema)
@bp.doc(tags=TAG, summary="Change a body: names, aliases, head, parent (a move), letterhead requisites "
                          "(administrators)")
def update_body(body: dict, body_id: int):
    row = bodies.update_body(api_user(), get_or_404(Body, body_id, "body"), bodies.BodyData(**body))
    db.session.commit()
    return show.body(row)


@bp.post("/bodies/<int:body_id>/close")
@bp.response(200, BodySchema)
@bp.doc(tags=TAG, summary="Close a body: no longer offered in forms; history keeps it (administrators)")
def close_body(body_id: int):
    row = bodies.close_body(api_user(), get_or_404(Body, body_id, "body"))
    db.session.commit()
    return show.body(row)


@bp.post("/bodies/<int:body_id>/merge")
@bp.arguments(MergeIn)
@bp.response(200, MergedSchema)
@bp.doc(tags=TAG, summary="Merge this body into another: its members, assignments, documents and sub-bodies move "
                          "there, and it is closed (administrators)")
def merge_body(body: dict, body_id: int):
    source = get_or_404(Body, body_id, "body")
    target = get_or_404(Body, body["into_id"], "body")
    moved = bodies.merge_bodies(api_user(), target, source)
    db.session.commit()
    return {"moved": moved, "body": show.body(target)}


def _account(body: dict) -> accounts.AccountData:
    memberships = [(m["body_id"], m.get("position")) for m in body["bodies"]]
    fields = {k: body.get(k) for k in ("login", "full_name", "roles", "position", "email", "phone")}
    return accounts.AccountData(**fields, bodies=memberships)


@bp.post("/users")
@bp.arguments(NewUserIn)
@bp.response(201, NewUserSchema)
@bp.doc(tags=TAG, summary="Create a user with an initial password, or with a one-time invitation link "
                          "(administrators)")
def create_user(body: dict):
    user, token = accounts.create_account(api_user(), _account(body), password=body.get("password"),
                                          invite_days=None if body.get("password") else body["invite_days"])
    db.session.commit()
    link = url_for("welcome.set_password", token=token, _external=True) if token else None
    return {"user": show.user(user), "invitation_url": link}


@bp.put("/users/<int:user_id>")
@bp.arguments(UserIn)
@bp.response(200, UserSchema)
@bp.doc(tags=TAG, summary="Change a user: name, contacts, roles, bodies with positions (administrators)")
def update_user(body: dict, user_id: int):
    user = accounts.update_account(api_user(), get_or_404(User, user_id, "user"), _account(body))
    db.session.commit()
    return show.user(user)


def _set_active(user_id: int, active: bool) -> dict:
    user = get_or_404(User, user_id, "user")
    accounts.set_active(api_user(), user, active)
    db.session.commit()
    return show.user(user)


@bp.post("/users/<int:user_id>/deactivate")
@bp.response(200, UserSchema)
@bp.doc(tags=TAG, summary="Deactivate a user: no login, every session and token refused (administrators)")
def deactivate_user(user_id: int):
    return _set_active(user_id, False)


@bp.post("/users/<int:user_id>/activate")
@bp.response(200, UserSchema)
@bp.doc(tags=TAG, summary="Activate a deactivated user again (administrators)")
def activate_user(user_id: int):
    return _set_active(user_id, True)


@bp.get("/users")
@bp.arguments(DirectoryArgs, location="query", as_kwargs=False)
@bp.response(200, UserSchema(many=True), headers=NEXT_PAGE_HEADERS)
@bp.doc(tags=TAG, summary="The users the caller may find, by name, deactivated ones included (everyone for "
                          "drafters, auditors and administrators; for others the people of their bodies), in pages "
                          "of `limit`; the next page in the `Link` header")
def list_users(args: dict):
    query = select(User).where(policy.visible_users(api_user())).options(
        selectinload(User.role_rows), selectinload(User.memberships).selectinload(Membership.body))
    if args.get("q"):
        query = query.where(user_matches(args["q"]))
    return named_list(query, User.full_name, User.id, args, show.user, "api.list_users")


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
