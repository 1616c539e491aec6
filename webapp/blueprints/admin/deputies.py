"""Замещения: the administrator sets who stands in for whom and when, and ends a period early."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from webapp.blueprints import first_page_again, page_links
from webapp.blueprints.admin import bp
from webapp.blueprints.admin.absence import OwnDeputyForm, people_errors, person
from webapp.blueprints.admin.actions import attempt, status_of
from webapp.blueprints.admin.forms import ActionForm
from webapp.extensions import db
from webapp.models import Deputy
from webapp.services import deputies, paging
from webapp.services.errors import Invalid, ServiceError


def _form() -> OwnDeputyForm:
    form = OwnDeputyForm()
    form.principal_picked = person("principal", "Выберите замещаемого.")
    form.deputy_picked = person("deputy", "Выберите замещающего.")
    return form


SOONEST = paging.Sort(Deputy.starts_on, "date")  #: the list's order: the soonest first, ties by id


def _page(form: OwnDeputyForm, status: int = 200):
    """The periods not over, in keyset pages (a region's organisation has many), and the form."""
    size = paging.page_size(request.args.get("size", type=int))
    try:
        page = paging.keyset(deputies.deputies_query(), SOONEST, Deputy.id, after=request.args.get("after"),
                             size=size, message="Неверная ссылка на страницу замещений: откройте список заново.")
    except Invalid as error:
        return first_page_again("admin.deputy_list", error)
    return render_template("admin/deputies.html", form=form, rows=page.rows, action_form=ActionForm(),
                           is_current=deputies.is_current, **page_links(page.after)), status


@bp.route("/deputies", methods=["GET", "POST"])
def deputy_list():
    form = _form()
    if not form.is_submitted():
        return _page(form)
    if not form.validate() or form.principal_picked.error or form.deputy_picked.error:
        flash("; ".join(people_errors(form, form.principal_picked, form.deputy_picked)), "danger")
        return _page(form, 400)
    row = attempt(lambda: deputies.add_deputy(current_user, form.deputy_picked.obj, form.principal_picked.obj,
                                              form.starts_on.data, form.ends_on.data))
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
