"""`docflow body emblem BODY FILE`: set (or with --remove, take off) the emblem a body prints on its letterhead."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from webapp.extensions import db


def _find(ref: str):
    """BODY on the command line: an id, else a name, short name or alias."""
    from webapp.models import Body
    from webapp.services.errors import NotFound
    from webapp.services.users import find_body

    if ref.strip().isdigit():
        body = db.session.scalar(select(Body).where(Body.id == int(ref)))
        if body is not None:
            return body
    try:
        return find_body(ref.strip())
    except NotFound:
        raise click.ClickException(f"no body with id or name {ref!r}") from None


@click.command("emblem")
@click.argument("body")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--remove", is_flag=True, help="Print no emblem on the body's letterhead any more.")
@with_appcontext
def emblem_command(body: str, file: Path | None, remove: bool) -> None:
    """Print FILE (PNG or JPEG) as the emblem or coat of arms of BODY (an id or a name) on its letterhead."""
    from webapp.services.bodies import english
    from webapp.services.emblems import check_emblem, clear_emblem, max_bytes, set_emblem
    from webapp.services.errors import Invalid

    if remove == (file is not None):
        raise click.UsageError("give FILE, or --remove")
    target = _find(body)
    if remove:
        clear_emblem(None, target)
        db.session.commit()
        click.echo(f"Body {target.id} ({target.display_name}) prints no emblem now.")
        return
    if file.stat().st_size > max_bytes():  # refused before the whole file is read
        raise click.ClickException(f"the file is too large: at most {max_bytes() // 1024} KB")
    try:
        data = file.read_bytes()
        image = check_emblem(data)
        stored = set_emblem(None, target, data, file.name)
    except Invalid as exc:
        db.session.rollback()
        raise click.ClickException(english(exc)) from exc
    db.session.commit()
    click.echo(f"Body {target.id} ({target.display_name}): emblem {stored.original_name} "
               f"({image.width_px}x{image.height_px} px, {stored.size} bytes) set.")
