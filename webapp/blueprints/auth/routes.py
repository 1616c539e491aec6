"""Login, logout and the session's user."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user, user_loaded_from_cookie

from webapp.blueprints.auth import bp
from webapp.blueprints.auth.forms import LoginForm, PasswordForm
from webapp.extensions import db, login_manager
from webapp.models import User
from webapp.services import sessions
from webapp.services.errors import Invalid
from webapp.services.users import authenticate, check_password

login_manager.login_view = "auth.login"
login_manager.login_message = "Войдите, чтобы продолжить."
login_manager.login_message_category = "warning"
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The cookies hold "<user id>:<session token>": signed in only while that session is open."""
    return sessions.resume(session_id)


@user_loaded_from_cookie.connect
def rotate_remember_token(_app, user: User) -> None:
    """A remember cookie restored the session: the session continues under a new token (Flask-Login writes the
    new cookies with the response), and the used cookie is dead."""
    sessions.rotate(user)
    login_user(user, remember=True, fresh=False)


def _safe_next(target: str | None) -> str:
    """Only local paths: an open redirect would let a phishing link borrow our login page."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("tasks.index")  # «Мои задачи»: the start page


def _address() -> str | None:
    return request.remote_addr  # the client's, behind PROXY_COUNT trusted proxies (ProxyFix in create_app)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("tasks.index"))
    form = LoginForm()
    if form.validate_on_submit():
        wait = sessions.login_wait(form.login.data, _address())
        if wait:
            flash(f"Слишком много неудачных попыток входа. Повторите через {_duration(wait)}.", "danger")
            return render_template("auth/login.html", form=form), 429
        user = authenticate(form.login.data, form.password.data)
        if user is None:
            sessions.record_failure(form.login.data, _address())
            db.session.commit()
            flash("Неверный логин или пароль.", "danger")
            return render_template("auth/login.html", form=form), 401
        sessions.record_success(form.login.data)
        sessions.start(user, bool(form.remember.data), _address(), request.user_agent.string)
        login_user(user, remember=form.remember.data)
        db.session.commit()  # the session row (and a password hash of an older cost, upgraded)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


def _duration(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} с"
    return f"{-(-seconds // 60)} мин"


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    sessions.end(session.get("_user_id"))
    db.session.commit()
    logout_user()
    flash("Вы вышли из системы.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """A new password ends every session of the user, this one included; this browser gets a new one."""
    form = PasswordForm()
    if form.validate_on_submit():
        if not check_password(current_user, form.current.data):
            form.current.errors.append("Текущий пароль введён неверно.")
        else:
            user = current_user._get_current_object()
            try:
                sessions.change_password(user, user, form.new.data)
            except Invalid as exc:
                form.new.errors.append(exc.reason)
            else:
                sessions.start(user, False, _address(), request.user_agent.string)
                login_user(user)
                db.session.commit()
                flash("Пароль изменён. Все другие сеансы завершены.", "success")
                return redirect(url_for("documents.index"))
        return render_template("auth/password.html", form=form), 400
    return render_template("auth/password.html", form=form)
