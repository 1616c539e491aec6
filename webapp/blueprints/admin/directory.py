"""/admin/import: bodies and users of a first installation from a CSV or XLSX file, previewed before saving."""

from __future__ import annotations

import base64
import binascii

from flask import abort, render_template, url_for
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField

from webapp.blueprints import flash_form_errors
from webapp.blueprints.admin import bp
from webapp.blueprints.admin.actions import attempt
from webapp.blueprints.fields import RuForm
from webapp.extensions import db
from webapp.services import directory_import
from webapp.services.errors import ServiceError


class DirectoryUploadForm(RuForm):
    file = FileField("Файл CSV или XLSX", validators=[FileRequired("Выберите файл.")])


class DirectorySaveForm(RuForm):
    """The previewed file again (it is checked again in full before anything is saved)."""

    filename = HiddenField()
    content = HiddenField()


def _page(status: int = 200, **context):
    context.setdefault("form", DirectoryUploadForm(formdata=None))
    return render_template("admin/import.html", **context), status


@bp.get("/import")
def directory_import_page():
    return _page()


@bp.post("/import")
def directory_preview():
    form = DirectoryUploadForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _page(400, form=form)
    upload = form.file.data
    data, filename = upload.read(directory_import.MAX_BYTES + 1), upload.filename or ""
    result = attempt(lambda: directory_import.run_import(current_user, filename, data))
    db.session.rollback()  # a preview saves nothing
    if isinstance(result, ServiceError):
        return _page(400, form=form)
    save = DirectorySaveForm(formdata=None, data={"filename": filename,
                                                  "content": base64.b64encode(data).decode("ascii")})
    return _page(400 if result.errors else 200, result=result, save_form=save if not result.errors else None)


@bp.post("/import/save")
def directory_save():
    form = DirectorySaveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        data = base64.b64decode(form.content.data or "", validate=True)
    except (binascii.Error, ValueError):
        abort(400)
    result = attempt(lambda: directory_import.run_import(current_user, form.filename.data or "", data))
    if isinstance(result, ServiceError):
        return _page(400)
    if result.errors:
        db.session.rollback()
        return _page(400, result=result)
    db.session.commit()
    links = {login: url_for("welcome.set_password", token=token, _external=True)
             for login, token in result.links.items()}
    return _page(result=result, saved=True, links=links)
