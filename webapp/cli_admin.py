"""`docflow body …`, `docflow deputy …`, `docflow admin import` and the administration's `docflow user …` commands:
the same services as the administration pages, with English messages; every change audited as the command line's."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app, url_for
from flask.cli import with_appcontext
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.services.errors import ServiceError


def _fail(error: ServiceError) -> click.ClickException:
    from webapp.services.bodies import english

    db.session.rollback()
    return click.ClickException(english(error))


def _body(name: str):
    from webapp.services.users import find_body

    try:
        return find_body(name)
    except ServiceError:
        raise click.ClickException(f"no body named {name!r}") from None


def _user(login: str):
    from webapp.models import User

    user = db.session.scalar(select(User).where(func.lower(User.login) == login.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user with login {login!r}")
    return user


def _run(action):
    """Run one service call and commit, or stop with its English reason and nothing changed."""
    try:
        result = action()
    except ServiceError as error:
        raise _fail(error) from error
    db.session.commit()
    return result


def _link(token: str, base: str | None) -> str:
    """The link's address: the service's address (--base-url) and the page's path."""
    with current_app.test_request_context():
        path = url_for("welcome.set_password", token=token)
    return (base or "").rstrip("/") + path


BASE_URL = click.option("--base-url", envvar="DOCFLOW_BASE_URL", default="",
                        help="The service's address the users open (env DOCFLOW_BASE_URL), e.g. https://docflow.example.ru;"
                             " without it the link is printed as a path.")


# --- bodies -----------------------------------------------------------------------------------------------------------


@click.group("body")
def body_group() -> None:
    """The directory of bodies: create, rename, move, merge, close, list."""


@body_group.command("list")
@with_appcontext
def body_list() -> None:
    """The tree of bodies (closed ones marked)."""
    from webapp.services import bodies

    for body, depth in bodies.tree():
        closed = " [closed]" if body.closed_at else ""
        click.echo(f"{'  ' * depth}{body.name}{f' ({body.short_name})' if body.short_name else ''}{closed}")


@body_group.command("create")
@click.argument("name")
@click.option("--short", "short_name", help="Short name.")
@click.option("--parent", help="The parent body (name, short name or alias).")
@click.option("--alias", "aliases", multiple=True, help="Another name the body goes by; repeatable.")
@with_appcontext
def body_create(name: str, short_name: str | None, parent: str | None, aliases: tuple[str, ...]) -> None:
    """Add a body to the directory."""
    from webapp.services import bodies

    parent_id = _body(parent).id if parent else None
    body = _run(lambda: bodies.create_body(None, bodies.BodyData(name=name, short_name=short_name,
                                                                  parent_id=parent_id, aliases=list(aliases))))
    click.echo(f"Body {body.name!r} created (id {body.id}).")


@body_group.command("rename")
@click.argument("body")
@click.argument("new_name")
@click.option("--short", "short_name", help="A new short name as well.")
@with_appcontext
def body_rename(body: str, new_name: str, short_name: str | None) -> None:
    """Rename BODY to NEW_NAME."""
    from webapp.services import bodies

    found = _body(body)
    _run(lambda: bodies.rename_body(None, found, new_name, short_name))
    click.echo(f"Body renamed to {found.name!r}.")


@body_group.command("move")
@click.argument("body")
@click.option("--under", help="The new parent body; without it the body goes to the top level.")
@with_appcontext
def body_move(body: str, under: str | None) -> None:
    """Put BODY under another body (never under itself or one of its sub-bodies)."""
    from webapp.services import bodies

    found, parent = _body(body), _body(under) if under else None
    _run(lambda: bodies.move_body(None, found, parent))
    click.echo(f"Body {found.name!r} is now {'under ' + repr(parent.name) if parent else 'at the top level'}.")


@body_group.command("merge")
@click.argument("source")
@click.option("--into", "target", required=True, help="The body SOURCE joins.")
@with_appcontext
def body_merge(source: str, target: str) -> None:
    """Merge SOURCE into another body: its members, assignments, documents and sub-bodies move; SOURCE closes."""
    from webapp.services import bodies

    merged, into = _body(source), _body(target)
    moved = _run(lambda: bodies.merge_bodies(None, into, merged))
    click.echo(f"Body {merged.name!r} merged into {into.name!r}: " + ", ".join(f"{k} {v}" for k, v in moved.items())
               + ".")


@body_group.command("close")
@click.argument("body")
@with_appcontext
def body_close(body: str) -> None:
    """Close BODY: it is no longer offered in forms; history keeps it."""
    from webapp.services import bodies

    found = _body(body)
    _run(lambda: bodies.close_body(None, found))
    click.echo(f"Body {found.name!r} closed.")


# --- users ------------------------------------------------------------------------------------------------------------


def _link_command(name: str, help_text: str, done: str) -> click.Command:
    """`user invite` and `user reset-password`: a one-time link for the user, printed once."""

    @click.command(name, help=help_text)
    @click.argument("login")
    @click.option("--days", default=7, show_default=True, type=click.IntRange(1, 90), help="How long the link works.")
    @BASE_URL
    @with_appcontext
    def command(login: str, days: int, base_url: str) -> None:
        from webapp.services import accounts

        action = accounts.invite if name == "invite" else accounts.reset_password
        token = _run(lambda: action(None, _user(login), days))
        click.echo(f"{done.format(login=login)}; link (valid {days} day(s), shown once): {_link(token, base_url)}")

    return command


user_invite = _link_command("invite", "A one-time link that lets the user set a password (earlier links stop "
                                      "working).", "Invitation for {login}")
user_reset_password = _link_command("reset-password", "The user's password stops working and her sessions end; "
                                                      "she sets a new one through the printed link.",
                                    "Password of {login} reset")


@click.command("deactivate")
@click.argument("login")
@with_appcontext
def user_deactivate(login: str) -> None:
    """The user can no longer log in; her sessions end at once."""
    from webapp.services import accounts

    ended = _run(lambda: accounts.set_active(None, _user(login), False))
    click.echo(f"User {login} deactivated; {ended} session(s) ended.")


@click.command("activate")
@click.argument("login")
@with_appcontext
def user_activate(login: str) -> None:
    """The user may log in again."""
    from webapp.services import accounts

    _run(lambda: accounts.set_active(None, _user(login), True))
    click.echo(f"User {login} activated.")


@click.command("set")
@click.argument("login")
@click.option("--role", "roles", multiple=True, help="The user's roles, replacing the current ones; repeatable.")
@click.option("--body", "bodies", multiple=True,
              help="A body, optionally with the position in it: 'Отдел кадров=Начальник отдела'; repeatable; "
                   "replaces the current ones.")
@click.option("--no-bodies", is_flag=True, help="The user belongs to no body (works for the whole organisation).")
@click.option("--name", "full_name")
@click.option("--position")
@click.option("--email")
@with_appcontext
def user_set(login: str, roles: tuple[str, ...], bodies: tuple[str, ...], no_bodies: bool, full_name: str | None,
             position: str | None, email: str | None) -> None:
    """Change a user's roles, bodies with positions, name, position or e-mail (what is not given stays)."""
    from webapp.services import accounts

    user = _user(login)
    memberships = [(m.body_id, m.position) for m in user.memberships]
    if bodies or no_bodies:
        memberships = []
        for item in bodies:
            name, _, place = item.partition("=")
            memberships.append((_body(name.strip()).id, place.strip() or None))
    data = accounts.AccountData(login=user.login, full_name=full_name or user.full_name,
                                roles=list(roles) if roles else sorted(user.roles), bodies=memberships,
                                position=position if position is not None else user.position,
                                email=email if email is not None else user.email, phone=user.phone)
    _run(lambda: accounts.update_account(None, user, data))
    click.echo(f"User {login}: roles {', '.join(sorted(user.roles)) or '-'}; bodies "
               f"{'; '.join(m.body.name for m in user.memberships) or 'none (the whole organisation)'}.")


def create_invited(login: str, full_name: str, roles: list[str], bodies: list[str], position: str | None,
                   email: str | None, days: int) -> None:
    """`user create --invite DAYS`: a new user without a password, with a one-time link (DOCFLOW_BASE_URL in front)."""
    import os

    from webapp.services import accounts

    data = accounts.AccountData(login=login, full_name=full_name, roles=roles, position=position, email=email,
                                bodies=[(_body(name).id, None) for name in bodies])
    user, token = _run(lambda: accounts.create_account(None, data, invite_days=days))
    click.echo(f"User {user.login} created with roles: {', '.join(sorted(user.roles))}; invitation link (valid "
               f"{days} day(s), shown once): {_link(token, os.environ.get('DOCFLOW_BASE_URL'))}")


USER_COMMANDS = (user_invite, user_reset_password, user_deactivate, user_activate, user_set)


# --- deputies ---------------------------------------------------------------------------------------------------------


def _day(value: str) -> date:
    from webapp.ru.dates import DateError, parse_date

    try:
        return parse_date(value)
    except DateError as error:
        raise click.BadParameter(f"not a date: {value!r} (use 2026-12-01 or 01.12.2026)") from error


@click.group("deputy")
def deputy_group() -> None:
    """Deputies (замещение): who acts for whom, from which day to which."""


@deputy_group.command("add")
@click.argument("deputy")
@click.option("--for", "principal", required=True, help="The login of the user DEPUTY stands in for.")
@click.option("--from", "starts", required=True, help="The first day (2026-12-01 or 01.12.2026).")
@click.option("--to", "ends", required=True, help="The last day.")
@with_appcontext
def deputy_add(deputy: str, principal: str, starts: str, ends: str) -> None:
    """DEPUTY acts for another user from one day to another (inclusive)."""
    from webapp.services import deputies

    row = _run(lambda: deputies.add_deputy(None, _user(deputy), _user(principal), _day(starts), _day(ends)))
    click.echo(f"{row.deputy.login} acts for {row.principal.login} from {row.starts_on} to {row.ends_on} "
               f"(id {row.id}).")


@deputy_group.command("list")
@click.option("--all", "include_past", is_flag=True, help="Past and ended periods too.")
@with_appcontext
def deputy_list(include_past: bool) -> None:
    """Periods that are running or planned."""
    from webapp.services import deputies

    rows = deputies.deputies(include_past=include_past)
    for row in rows:
        state = "ended" if row.ended_at else "current" if deputies.is_current(row) else ""
        click.echo(f"{row.id}\t{row.deputy.login} for {row.principal.login}\t{row.starts_on} – {row.ends_on}\t{state}")
    if not rows:
        click.echo("No deputies.")


@deputy_group.command("end")
@click.argument("deputy_id", type=int)
@with_appcontext
def deputy_end(deputy_id: int) -> None:
    """End a period early (or cancel a planned one)."""
    from webapp.models import Deputy
    from webapp.services import deputies

    row = db.session.get(Deputy, deputy_id)
    if row is None:
        raise click.ClickException(f"no deputy period with id {deputy_id}")
    _run(lambda: deputies.end_deputy(None, row))
    click.echo(f"{row.deputy.login} no longer acts for {row.principal.login}.")


# --- the first installation's import ----------------------------------------------------------------------------------


@click.group("admin")
def admin_group() -> None:
    """Administration: importing the directory of a first installation."""


@admin_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check every row and save nothing.")
@BASE_URL
@with_appcontext
def admin_import(file: str, dry_run: bool, base_url: str) -> None:
    """Bodies and users from a CSV or XLSX file (see the README for its columns): all rows or none."""
    from pathlib import Path

    from webapp.services import directory_import

    path = Path(file)
    try:
        result = directory_import.run_import(None, path.name, path.read_bytes())
    except ServiceError as error:
        raise _fail(error) from error
    if result.errors:
        db.session.rollback()
        for line in result.errors_en:
            click.echo(line, err=True)
        raise click.ClickException(f"{len(result.errors)} bad row(s); nothing saved")
    if dry_run:
        db.session.rollback()
        click.echo(f"Checked: {len(result.bodies)} body(ies), {len(result.users)} user(s); nothing saved (dry run).")
        return
    db.session.commit()
    click.echo(f"Imported {len(result.bodies)} body(ies) and {len(result.users)} user(s).")
    for login, token in result.links.items():
        click.echo(f"{login}\t{_link(token, base_url)}")
