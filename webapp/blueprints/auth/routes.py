"""Login, logout and the session's user."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from webapp.blueprints.auth import bp
from webapp.blueprints.auth.forms import LoginForm
from webapp.extensions import db, login_manager
from webapp.models import User
from webapp.services.users import authenticate

login_manager.login_view = "auth.login"
login_manager.login_message = "Войдите, чтобы продолжить."
login_manager.login_message_category = "warning"
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


def _safe_next(target: str | None) -> str:
    """Only local paths: an open redirect would let a phishing link borrow our login page."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("documents.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("documents.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.login.data, form.password.data)
        if user is None:
            flash("Неверный логин или пароль.", "danger")
            return render_template("auth/login.html", form=form), 401
        login_user(user, remember=form.remember.data)
        db.session.commit()  # a password hash of an older cost was upgraded
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash("Вы вышли из системы.", "info")
    return redirect(url_for("auth.login"))
