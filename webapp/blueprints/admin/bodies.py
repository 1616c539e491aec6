"""The directory of bodies as a tree: create, change (rename, move, head, requisites), merge and close."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from webapp.blueprints import first_page_again, flash_form_errors, page_links
from webapp.blueprints.admin import bp
from webapp.blueprints.admin.actions import attempt, status_of
from webapp.blueprints.admin.forms import ActionForm
from webapp.blueprints.fields import IdField, RuForm
from webapp.blueprints.pickers import Picked, picked
from webapp.extensions import db
from webapp.models import Body
from webapp.security import MAX_ID
from webapp.services import bodies, emblems, paging
from webapp.services.errors import Invalid, ServiceError
from webapp.services.history import object_history


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class BodyForm(RuForm):
    name = StringField("Полное наименование", validators=[DataRequired("Укажите полное наименование органа."),
                                                          Length(max=500)])
    short_name = StringField("Краткое наименование", validators=[Optional(), Length(max=200)])
    dative = StringField("Наименование в дательном падеже («Департаменту …»)", validators=[Optional(),
                                                                                        Length(max=500)])
    parent = IdField("Вышестоящий орган", validators=[Optional()])  # pickers (blueprints/pickers.py), not selects
    head = IdField("Руководитель", validators=[Optional()])  # of every body and every user
    aliases = TextAreaField("Другие наименования (по одному в строке)", validators=[Length(max=5000)])
    letterhead_above = TextAreaField("Вышестоящие органы на бланке (по одному в строке)",
                                     validators=[Length(max=2000)])
    name_alt = StringField("Наименование на втором языке региона", validators=[Optional(), Length(max=500)])
    letterhead_above_alt = TextAreaField("Вышестоящие органы на втором языке", validators=[Length(max=2000)])
    place = StringField("Место издания («г. Ханты-Мансийск»)", validators=[Optional(), Length(max=200)])
    address = TextAreaField("Адрес, телефон, эл. почта на бланке (по строкам)", validators=[Length(max=2000)])
    order_formula = StringField("Строка перед пунктами приказа (пусто — «ПРИКАЗЫВАЮ:»)",
                                validators=[Optional(), Length(max=200)])
    emblem = FileField("Герб или эмблема для бланка (PNG или JPEG)")
    remove_emblem = BooleanField("Убрать герб с бланка")


class MergeForm(RuForm):
    target = IdField("Влить в орган", validators=[Optional()])  # a picker's id (blueprints/pickers.py)


def _form(body: Body | None = None) -> BodyForm:
    """The form; its parent and head pickers read what was posted, or show the body's own (a move under itself or
    into a closed body is the service's refusal)."""
    form = BodyForm(obj=None)
    if request.method == "POST":
        form.parent_picked = picked("body", current_user, request.form, "parent")
        form.head_picked = picked("user", current_user, request.form, "head")
    else:
        parent, head = (body.parent, body.head) if body is not None else (None, None)
        form.parent_picked = Picked(parent, parent.display_name if parent else "")
        form.head_picked = Picked(head, head.full_name if head else "")
    return form


def _picker_errors(form: BodyForm) -> bool:
    """A parent or head typed that names nobody: its message flashed (the pickers show it too)."""
    errors = [p.error for p in (form.parent_picked, form.head_picked) if p.error]
    for error in errors:
        flash(error, "danger")
    return bool(errors)


def _fill(form: BodyForm, body: Body) -> None:
    """The stored values into a fresh form (GET)."""
    for name in ("name", "short_name", "dative", "name_alt", "place"):
        getattr(form, name).data = getattr(body, name)
    for name in ("aliases", "letterhead_above", "letterhead_above_alt", "address"):
        getattr(form, name).data = "\n".join(getattr(body, name) or [])
    form.order_formula.data = (body.formulas or {}).get("order")


def _data(form: BodyForm, body: Body | None = None) -> bodies.BodyData:
    formulas = {**((body.formulas or {}) if body else {}), "order": form.order_formula.data or ""}
    return bodies.BodyData(formulas=formulas,
        name=form.name.data or "", short_name=form.short_name.data, dative=form.dative.data,
        parent_id=form.parent_picked.id, head_id=form.head_picked.id, aliases=_lines(form.aliases.data),
        letterhead_above=_lines(form.letterhead_above.data), name_alt=form.name_alt.data,
        letterhead_above_alt=_lines(form.letterhead_above_alt.data), place=form.place.data,
        address=_lines(form.address.data))


def _save_emblem(body: Body, form: BodyForm) -> Body:
    """The uploaded emblem (checked by its bytes: PNG or JPEG only) or its removal, with the body's other changes."""
    upload = form.emblem.data
    if upload is not None and getattr(upload, "filename", ""):
        emblems.set_emblem(current_user, body, upload.read(emblems.max_bytes() + 1), upload.filename)
    elif form.remove_emblem.data:
        emblems.clear_emblem(current_user, body)
    return body


def _body(body_id: int) -> Body:
    body = db.session.get(Body, body_id)
    if body is None:
        abort(404)
    return body


def _list(form: BodyForm, status: int = 200):
    """The directory in keyset pages by name, searched by name or showing the bodies directly below one."""
    text = (request.args.get("q") or "").strip()[:100]
    parent_id = request.args.get("parent", type=int)
    parent = db.session.get(Body, parent_id) if parent_id and 0 < parent_id <= MAX_ID else None
    size = paging.page_size(request.args.get("size", type=int))
    try:
        page = bodies.directory_page(text, parent, after=request.args.get("after"), size=size)
    except Invalid as error:
        return first_page_again("admin.body_list", error)
    return render_template("admin/bodies.html", page=page, q=text, parent=parent, sizes=paging.PAGE_SIZES,
                           size=size, form=form, action_form=ActionForm(), **page_links(page.after)), status


@bp.get("/bodies")
def body_list():
    return _list(_form())


@bp.post("/bodies")
def body_create():
    form = _form()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _list(form, 400)
    if _picker_errors(form):
        return _list(form, 400)
    body = attempt(lambda: _save_emblem(bodies.create_body(current_user, _data(form)), form))
    if isinstance(body, ServiceError):
        return _list(form, status_of(body))
    db.session.commit()
    flash(f"Орган «{body.display_name}» добавлен.", "success")
    return redirect(url_for("admin.body_list"))


def _detail(body: Body, form: BodyForm, status: int = 200):
    merge_form = MergeForm()  # the target is a picker; merging into itself, a sub-body or a closed one: refused
    return render_template("admin/body.html", body=body, form=form, merge_form=merge_form,
                           action_form=ActionForm(), history=object_history("body", body.id)), status


@bp.get("/bodies/<int:body_id>")
def body_detail(body_id: int):
    body = _body(body_id)
    form = _form(body)
    _fill(form, body)
    return _detail(body, form)


@bp.post("/bodies/<int:body_id>")
def body_update(body_id: int):
    body = _body(body_id)
    form = _form(body)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _detail(body, form, 400)
    if _picker_errors(form):
        return _detail(body, form, 400)
    error = attempt(lambda: _save_emblem(bodies.update_body(current_user, body, _data(form, body)), form))
    if isinstance(error, ServiceError):
        return _detail(_body(body_id), form, status_of(error))
    db.session.commit()
    flash(f"Сведения об органе «{body.display_name}» сохранены.", "success")
    return redirect(url_for("admin.body_detail", body_id=body.id))


@bp.post("/bodies/<int:body_id>/merge")
def body_merge(body_id: int):
    source = _body(body_id)
    form = MergeForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("admin.body_detail", body_id=source.id))
    chosen = picked("body", current_user, request.form, "target")
    if chosen.obj is None:
        flash(chosen.error or "Выберите орган, в который влить этот.", "danger")
        return redirect(url_for("admin.body_detail", body_id=source.id))
    target = chosen.obj
    moved = attempt(lambda: bodies.merge_bodies(current_user, target, source))
    if isinstance(moved, ServiceError):
        return redirect(url_for("admin.body_detail", body_id=body_id))
    db.session.commit()
    flash(f"Орган «{source.display_name}» влит в «{target.display_name}»: перенесено членств — {moved['members']}, "
          f"поручений — {moved['assignments'] + moved['coexecuting']}, документов — {moved['documents']}, "
          f"подразделений — {moved['children']}.", "success")
    return redirect(url_for("admin.body_detail", body_id=target.id))


@bp.post("/bodies/<int:body_id>/close")
def body_close(body_id: int):
    body = _body(body_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if isinstance(attempt(lambda: bodies.close_body(current_user, body)), ServiceError):
        return redirect(url_for("admin.body_detail", body_id=body_id))
    db.session.commit()
    flash(f"Орган «{body.display_name}» закрыт: в формах он больше не предлагается.", "success")
    return redirect(url_for("admin.body_list"))
