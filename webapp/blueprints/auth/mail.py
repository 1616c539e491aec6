"""The account's choice of notifications by e-mail: each one, a daily digest, or none."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from wtforms import RadioField, SubmitField
from wtforms.fields.choices import SelectChoice

from webapp.blueprints.auth import bp
from webapp.blueprints.fields import RuForm
from webapp.extensions import db
from webapp.services import notifications


class MailForm(RuForm):
    mode = RadioField("Уведомления по электронной почте",
                      choices=[SelectChoice(mode, title) for mode, title in notifications.MODE_TITLES.items()])
    submit = SubmitField("Сохранить")


@bp.route("/account/mail", methods=["GET", "POST"])
@login_required
def mail_settings():
    form = MailForm(mode=notifications.mail_mode(current_user))
    if form.validate_on_submit():
        notifications.set_mail_mode(current_user, form.mode.data)
        db.session.commit()
        flash("Настройка почты сохранена.", "success")
        return redirect(url_for("auth.mail_settings"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/mail.html", form=form, email=current_user.email), status
