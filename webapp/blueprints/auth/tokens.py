"""The account's personal API tokens: make one (its secret shown once), see them, revoke one."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from wtforms import RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from webapp.blueprints.auth import bp
from webapp.blueprints.fields import RuForm
from webapp.extensions import db
from webapp.services import tokens
from webapp.services.errors import Invalid

SCOPE_CHOICES = [SelectChoice("read", "Только чтение"), SelectChoice("read write", "Чтение и запись")]


class TokenForm(RuForm):
    name = StringField("Название (для какой программы)", validators=[DataRequired("Назовите токен."),
                                                                    Length(max=100)])
    scopes = RadioField("Права", choices=SCOPE_CHOICES, default="read")
    days = SelectField("Срок действия", coerce=int, default=90,
                       choices=[SelectChoice(d, f"{d} дней") for d in tokens.LIFETIMES])
    submit = SubmitField("Выпустить токен")


class RevokeForm(RuForm):
    """A button that only needs the CSRF token."""


def _page(form: TokenForm, secret: str | None = None, status: int = 200):
    rows = tokens.tokens_of(current_user)
    return render_template("auth/tokens.html", form=form, revoke_form=RevokeForm(), rows=rows, secret=secret,
                           live={row.id: tokens.is_live(row) for row in rows}), status


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def api_tokens():
    """The secret is shown on the page that answers the POST, never stored or sent again (not even in a flash
    message: the session cookie is signed, not encrypted)."""
    form = TokenForm()
    if form.validate_on_submit():
        try:
            _token, secret = tokens.create_token(current_user, form.name.data, form.scopes.data.split(),
                                                 form.days.data)
        except Invalid as exc:
            db.session.rollback()
            form.name.errors.append(exc.reason)
            return _page(form, status=400)
        db.session.commit()
        return _page(TokenForm(formdata=None), secret=secret, status=201)
    return _page(form, status=400 if form.is_submitted() else 200)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_api_token(token_id: int):
    if not RevokeForm().validate():
        abort(400)
    tokens.revoke(current_user, token_id)
    db.session.commit()
    flash("Токен отозван: программы с ним больше не получат доступ.", "success")
    return redirect(url_for("auth.api_tokens"))
