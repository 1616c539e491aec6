"""The users page: who has an account, their roles, bodies and open sessions; ending a user's sessions."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.blueprints.admin import bp
from webapp.blueprints.admin.forms import ActionForm
from webapp.extensions import db
from webapp.models import Membership, User
from webapp.services import sessions


@bp.get("/users")
def user_list():
    rows = list(db.session.scalars(select(User).order_by(User.full_name).options(
        selectinload(User.role_rows), selectinload(User.memberships).selectinload(Membership.body))))
    return render_template("admin/users.html", users=rows, open_sessions=sessions.open_session_counts(),
                           action_form=ActionForm())


@bp.post("/users/<int:user_id>/end-sessions")
def end_sessions(user_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    ended = sessions.end_sessions_of(current_user, user)
    db.session.commit()
    flash(f"{user.full_name}: завершено сеансов — {ended}. Для входа понадобится пароль.", "success")
    return redirect(url_for("admin.user_list"))
