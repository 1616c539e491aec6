"""The users pages: who has an account, their roles, bodies and sessions; creating a user with a password or an
invitation link, changing roles, bodies and positions, deactivating, resetting a password, ending sessions."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import FieldList, FormField, IntegerField, PasswordField, StringField, widgets
from wtforms.fields import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from webapp.blueprints import first_page_again, flash_form_errors, page_links
from webapp.blueprints.admin import bp
from webapp.blueprints.admin.actions import attempt, status_of
from webapp.blueprints.admin.forms import ActionForm
from webapp.blueprints.fields import IdField, RuForm, RuSubform
from webapp.blueprints.pickers import Picked, picked
from webapp.extensions import db
from webapp.models import User
from webapp.models.people import ROLE_TITLES, Role
from webapp.services import accounts, paging, sessions
from webapp.services.errors import Invalid, ServiceError
from webapp.services.history import object_history

EMPTY_MEMBERSHIPS = 2  # free rows for new bodies under the user's current ones


class MembershipForm(RuSubform):
    body = IdField("Орган", validators=[Optional()])  # a picker's id (blueprints/pickers.py), not a select of all
    position = StringField("Должность в органе", validators=[Optional(), Length(max=300)])


class UserForm(RuForm):
    login = StringField("Логин", validators=[DataRequired("Укажите логин."), Length(max=80)])
    full_name = StringField("ФИО", validators=[DataRequired("Укажите ФИО."), Length(max=200)])
    position = StringField("Должность", validators=[Optional(), Length(max=300)])
    email = StringField("Эл. почта", validators=[Optional(), Length(max=254)])
    phone = StringField("Телефон", validators=[Optional(), Length(max=60)])
    roles = SelectMultipleField("Роли", choices=[SelectChoice(r.value, ROLE_TITLES[r]) for r in Role],
                                widget=widgets.ListWidget(prefix_label=False), option_widget=widgets.CheckboxInput())
    memberships = FieldList(FormField(MembershipForm), min_entries=EMPTY_MEMBERSHIPS)


class NewUserForm(UserForm):
    password = PasswordField("Начальный пароль (пусто — выдать ссылку-приглашение)",
                             validators=[Optional(), Length(max=128)])
    invite_days = IntegerField("Ссылка действует, дней", default=accounts.INVITE_DAYS,
                               validators=[Optional(), NumberRange(1, 90, "От 1 до 90 дней.")])


class LinkForm(RuForm):
    """Reset a password or send a new invitation: the link's lifetime."""

    days = IntegerField("Ссылка действует, дней", default=accounts.INVITE_DAYS,
                        validators=[DataRequired("Укажите срок."), NumberRange(1, 90, "От 1 до 90 дней.")])


def _body_pickers(form: UserForm, user: User | None = None) -> bool:
    """Each membership row's body picker: what was posted (False when one names no body: its message is shown under
    it), or on a GET the user's own bodies, a closed one among them (it stays until removed)."""
    if request.method == "POST":
        for entry in form.memberships:
            entry.form.body_picked = picked("body", current_user, request.form, entry.form.body.name)
        return not any(entry.form.body_picked.error for entry in form.memberships)
    bodies = {m.body_id: m.body for m in user.memberships} if user is not None else {}
    for entry in form.memberships:
        body = bodies.get(entry.form.body.data)
        entry.form.body_picked = Picked(body, body.display_name) if body is not None else Picked()
    return True


def _picker_errors(form: UserForm) -> None:
    flash("; ".join(e.form.body_picked.error for e in form.memberships if e.form.body_picked.error), "danger")


def _data(form: UserForm) -> accounts.AccountData:
    return accounts.AccountData(
        login=form.login.data or "", full_name=form.full_name.data or "", position=form.position.data,
        email=form.email.data, phone=form.phone.data, roles=list(form.roles.data or []),
        bodies=[(e.form.body_picked.id, e.form.position.data) for e in form.memberships if e.form.body_picked.obj])


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _link(token: str) -> str:
    return url_for("welcome.set_password", token=token, _external=True)


@bp.get("/users")
def user_list():
    """The accounts in keyset pages by full name, searched by name or login (a region has tens of thousands)."""
    text = (request.args.get("q") or "").strip()[:100]
    size = paging.page_size(request.args.get("size", type=int))
    try:
        page = accounts.users_page(text, after=request.args.get("after"), size=size)
    except Invalid as error:
        return first_page_again("admin.user_list", error)
    return render_template("admin/users.html", page=page, users=page.rows, open_sessions=page.sessions, q=text,
                           sizes=paging.PAGE_SIZES, size=size, action_form=ActionForm(), **page_links(page.after))


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    form = NewUserForm()
    bodies_named = _body_pickers(form)
    if not form.is_submitted():
        return render_template("admin/user_new.html", form=form)
    if not form.validate():
        flash_form_errors(form)
        return render_template("admin/user_new.html", form=form), 400
    if not bodies_named:
        _picker_errors(form)
        return render_template("admin/user_new.html", form=form), 400
    created = attempt(lambda: accounts.create_account(current_user, _data(form), form.password.data or None,
                                                     form.invite_days.data or accounts.INVITE_DAYS))
    if isinstance(created, ServiceError):
        return render_template("admin/user_new.html", form=form), status_of(created)
    user, token = created
    db.session.commit()
    flash(f"Пользователь {user.full_name} создан.", "success")
    if token:
        return render_template("admin/user_link.html", user=user, link=_link(token), invitation=True)
    return redirect(url_for("admin.user_detail", user_id=user.id))


def _edit_form(user: User) -> UserForm:
    if request.method == "GET":
        form = UserForm(data={"login": user.login, "full_name": user.full_name, "position": user.position,
                              "email": user.email, "phone": user.phone, "roles": sorted(user.roles),
                              "memberships": [{"body": m.body_id, "position": m.position} for m in user.memberships]
                              + [{}] * EMPTY_MEMBERSHIPS})
    else:
        form = UserForm()
    form.bodies_named = _body_pickers(form, user)
    return form


def _detail(user: User, form: UserForm, status: int = 200):
    return render_template("admin/user.html", user=user, form=form, link_form=LinkForm(formdata=None),
                           action_form=ActionForm(),
                           open_sessions=sessions.open_session_counts([user.id]).get(user.id, 0),
                           history=object_history("user", user.id)), status


@bp.get("/users/<int:user_id>")
def user_detail(user_id: int):
    user = _user(user_id)
    return _detail(user, _edit_form(user))


@bp.post("/users/<int:user_id>")
def user_update(user_id: int):
    user = _user(user_id)
    form = _edit_form(user)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _detail(user, form, 400)
    if not form.bodies_named:
        _picker_errors(form)
        return _detail(user, form, 400)
    error = attempt(lambda: accounts.update_account(current_user, user, _data(form)))
    if isinstance(error, ServiceError):
        return _detail(_user(user_id), form, status_of(error))
    db.session.commit()
    flash(f"Сведения о пользователе {user.full_name} сохранены.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/active")
def user_active(user_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    user = _user(user_id)
    ended = attempt(lambda: accounts.set_active(current_user, user, not user.active))
    if isinstance(ended, ServiceError):
        return redirect(url_for("admin.user_detail", user_id=user_id))
    db.session.commit()
    flash(f"{user.full_name}: учётная запись включена." if user.active else
          f"{user.full_name}: учётная запись отключена, завершено сеансов — {ended}.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/<any(reset, invite):kind>")
def user_link(user_id: int, kind: str):
    """A new one-time link: «Сбросить пароль» (the old password stops working) or «Новое приглашение»."""
    user = _user(user_id)
    form = LinkForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("admin.user_detail", user_id=user_id))
    make_link = accounts.reset_password if kind == "reset" else accounts.invite
    token = attempt(lambda: make_link(current_user, user, form.days.data))
    if isinstance(token, ServiceError):
        return redirect(url_for("admin.user_detail", user_id=user_id))
    db.session.commit()
    return render_template("admin/user_link.html", user=user, link=_link(token), invitation=kind == "invite")


@bp.post("/users/<int:user_id>/end-sessions")
def end_sessions(user_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    user = _user(user_id)
    ended = sessions.end_sessions_of(current_user, user)
    db.session.commit()
    flash(f"{user.full_name}: завершено сеансов — {ended}. Для входа понадобится пароль.", "success")
    return redirect(url_for("admin.user_list"))
