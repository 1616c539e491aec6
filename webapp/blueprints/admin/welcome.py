"""The one page of the administration's work that nobody signed in opens: setting a password through a one-time
invitation (or reset) link."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from wtforms import PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from webapp.blueprints.fields import RuForm
from webapp.extensions import db
from webapp.services import accounts
from webapp.services.errors import Invalid

bp = Blueprint("welcome", __name__)


class NewPasswordForm(RuForm):
    new = PasswordField("Пароль", validators=[DataRequired("Введите пароль."), Length(max=128)])
    repeat = PasswordField("Пароль ещё раз", validators=[DataRequired("Повторите пароль."),
                                                         EqualTo("new", "Пароли не совпадают.")])
    submit = SubmitField("Задать пароль")


@bp.route("/welcome/<token>", methods=["GET", "POST"])
def set_password(token: str):
    invitation = accounts.invitation_by_token(token)
    if invitation is None:
        return render_template("admin/welcome.html", form=None), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.accept_invitation(token, form.new.data)
        except Invalid as error:
            db.session.rollback()
            form.new.errors.append(error.reason)
        else:
            db.session.commit()
            flash(f"{user.full_name}, пароль задан. Войдите с логином {user.login}.", "success")
            return redirect(url_for("auth.login"))
        return render_template("admin/welcome.html", form=form, user=invitation.user), 400
    return render_template("admin/welcome.html", form=form, user=invitation.user)
