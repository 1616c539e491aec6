"""«Моё замещение»: a user names who stands in for her while she is away (and ends it); the administrator's page
does the same for anyone. The rule is the policy's `manage_deputies`."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms.validators import InputRequired

from webapp.blueprints.admin.actions import attempt, status_of
from webapp.blueprints.admin.forms import ActionForm
from webapp.blueprints.fields import RuDateField, RuForm
from webapp.blueprints.pickers import Picked, picked
from webapp.extensions import db
from webapp.models import Deputy
from webapp.services import deputies
from webapp.services.errors import ServiceError

bp = Blueprint("absence", __name__)


class OwnDeputyForm(RuForm):
    """The period; who stands in (and, on the administrator's page, for whom) are pickers of users
    (blueprints/pickers.py), not selects of every active user."""

    # InputRequired, not DataRequired: a mistyped date keeps its own message («Такой даты нет: …»)
    starts_on = RuDateField("С", validators=[InputRequired("Укажите дату начала.")])
    ends_on = RuDateField("По", validators=[InputRequired("Укажите дату окончания.")])


def person(key: str, missing: str) -> Picked:
    """The user a picker of the posted form names (the people the policy lets the viewer find); on a POST that names
    nobody, `missing` as its error."""
    if request.method != "POST":
        return Picked()
    chosen = picked("user", current_user, request.form, key)
    if chosen.obj is None and chosen.error is None:
        chosen.error = missing
    return chosen


def people_errors(form: RuForm, *pickers: Picked) -> list[str]:
    """Every message of a posted deputy form: the pickers' first, then the dates'."""
    return [p.error for p in pickers if p.error] + [e for errors in form.errors.values() for e in errors]


def _form() -> OwnDeputyForm:
    form = OwnDeputyForm()
    form.deputy_picked = person("deputy", "Выберите замещающего.")  # its message shown under its box
    form.messages = []
    return form


def _page(form: OwnDeputyForm, status: int = 200):
    return render_template("admin/own_deputies.html", form=form, rows=deputies.deputies(current_user),
                           action_form=ActionForm(), is_current=deputies.is_current), status


@bp.route("/account/deputies", methods=["GET", "POST"])
@login_required
def own_deputies():
    form = _form()
    if not form.is_submitted():
        return _page(form)
    if not form.validate() or form.deputy_picked.error:
        form.messages = people_errors(form)
        return _page(form, 400)
    me = current_user._get_current_object()
    row = attempt(lambda: deputies.add_deputy(me, form.deputy_picked.obj, me, form.starts_on.data, form.ends_on.data))
    if isinstance(row, ServiceError):
        return _page(form, status_of(row))
    db.session.commit()
    flash(f"{row.deputy.full_name} замещает вас с {row.starts_on:%d.%m.%Y} по {row.ends_on:%d.%m.%Y}.", "success")
    return redirect(url_for("absence.own_deputies"))


@bp.post("/account/deputies/<int:deputy_id>/end")
@login_required
def own_deputy_end(deputy_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    row = db.session.get(Deputy, deputy_id)
    if row is None:
        abort(404)
    if not isinstance(attempt(lambda: deputies.end_deputy(current_user._get_current_object(), row)), ServiceError):
        db.session.commit()
        flash("Замещение прекращено.", "success")
    return redirect(url_for("absence.own_deputies"))
