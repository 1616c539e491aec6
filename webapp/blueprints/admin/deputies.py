"""Замещения: the administrator sets who stands in for whom and when, and ends a period early."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from webapp.blueprints import flash_form_errors
from webapp.blueprints.admin import bp
from webapp.blueprints.admin.absence import OwnDeputyForm
from webapp.blueprints.admin.actions import attempt, status_of
from webapp.blueprints.admin.forms import ActionForm
from webapp.extensions import db
from webapp.models import Deputy, User
from webapp.security import db_id
from webapp.services import deputies
from webapp.services.errors import ServiceError


class DeputyForm(OwnDeputyForm):
    principal = SelectField("Кого замещают", coerce=db_id, validators=[DataRequired("Выберите замещаемого.")])


def _form() -> DeputyForm:
    form = DeputyForm()
    people = [SelectChoice(u.id, f"{u.full_name}{', ' + u.position if u.position else ''}")
              for u in db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.full_name))]
    form.principal.choices = form.deputy.choices = people
    return form


def _page(form: DeputyForm, status: int = 200):
    return render_template("admin/deputies.html", form=form, rows=deputies.deputies(), action_form=ActionForm(),
                           is_current=deputies.is_current), status


@bp.route("/deputies", methods=["GET", "POST"])
def deputy_list():
    form = _form()
    if not form.is_submitted():
        return _page(form)
    if not form.validate():
        flash_form_errors(form)
        return _page(form, 400)
    row = attempt(lambda: deputies.add_deputy(current_user, db.session.get(User, form.deputy.data),
                                              db.session.get(User, form.principal.data), form.starts_on.data,
                                              form.ends_on.data))
    if isinstance(row, ServiceError):
        return _page(form, status_of(row))
    db.session.commit()
    flash(f"{row.deputy.full_name} замещает {row.principal.full_name} с {row.starts_on:%d.%m.%Y} "
          f"по {row.ends_on:%d.%m.%Y}.", "success")
    return redirect(url_for("admin.deputy_list"))


@bp.post("/deputies/<int:deputy_id>/end")
def deputy_end(deputy_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    row = db.session.get(Deputy, deputy_id)
    if row is None:
        abort(404)
    if not isinstance(attempt(lambda: deputies.end_deputy(current_user, row)), ServiceError):
        db.session.commit()
        flash("Замещение прекращено.", "success")
    return redirect(url_for("admin.deputy_list"))
