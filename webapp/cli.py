"""The `docflow` command: Flask's own commands (routes, shell, db) beside ours."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade
from sqlalchemy import func, select

from webapp import collector
from webapp.cli_admin import USER_COMMANDS, admin_group, body_group, create_invited, deputy_group
from webapp.cli_emblem import emblem_command
from webapp.extensions import db


def _create_app() -> Flask:
    from webapp import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Docflow: documents, workflows and assignment control for public bodies."""


def register_commands(app: Flask) -> None:
    app.cli.add_command(serve_command)
    app.cli.add_command(extract_command)
    app.cli.add_command(import_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(user_group)
    app.cli.add_command(audit_group)
    app.cli.add_command(overdue_command)
    app.cli.add_command(remind_command)
    app.cli.add_command(render_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(gen_load_command)
    app.cli.add_command(search_group)
    app.cli.add_command(webhooks_group)
    body_group.add_command(emblem_command)  # docflow body emblem BODY FILE
    app.cli.add_command(body_group)
    app.cli.add_command(deputy_group)
    app.cli.add_command(admin_group)
    for command in USER_COMMANDS:
        user_group.add_command(command)
    app.cli.add_command(notify_group)
    app.cli.add_command(worker_command)
    app.cli.add_command(jobs_group)
    app.cli.add_command(dashboard_group)


def migrate_database() -> None:
    upgrade()


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the five sample documents, their bodies and one demo user per role (idempotent)."""
    from webapp.demo.loader import load_demo

    migrate_database()
    counts = load_demo()
    db.session.commit()
    click.echo(f"Demo loaded: {counts['documents']} new document(s), {counts['bodies']} bodies.")


@click.command("backup")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The archive to write (a new file).")
@with_appcontext
def backup_command(output: Path) -> None:
    """Write a consistent snapshot of the database and the stored files (safe while the service runs)."""
    from webapp.services.backup import BackupError, write_backup

    try:
        summary = write_backup(output)
    except BackupError as error:
        raise click.ClickException(f"backup failed: {error}") from error
    click.echo(f"Backup written to {output}: {summary.total_rows} row(s) in {len(summary.rows)} tables, "
               f"{summary.files} stored file(s), {summary.size} bytes, schema revision {summary.revision}.")
    click.echo("Not in the archive: instance/config.py and the audit key (instance/audit_key or AUDIT_KEY); "
               "keep them with it.")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(archive: Path) -> None:
    """Restore a backup into this installation: its database is migrated first and must be empty."""
    from webapp.services.backup import BackupError, restore_backup

    migrate_database()
    try:
        summary = restore_backup(archive)
    except BackupError as error:
        raise click.ClickException(f"restore failed, nothing changed: {error}") from error
    click.echo(f"Restored {summary.total_rows} row(s) in {len(summary.rows)} tables and {summary.files} stored "
               f"file(s) from {archive}. Put the source installation's audit key in place before "
               "'docflow audit verify'.")


@click.command("gen-load")
@click.option("--documents", default=1000, show_default=True, type=click.IntRange(1, 10_000_000))
@click.option("--assignments", default=5000, show_default=True, type=click.IntRange(0, 100_000_000))
@click.option("--bodies", default=100, show_default=True, type=click.IntRange(2, 1_000_000))
@click.option("--users", default=200, show_default=True, type=click.IntRange(2, 10_000_000))
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--big-protocol", default=0, show_default=True, type=click.IntRange(0, 100_000),
              help="Points of one protocol (in agenda items of 30), taken from --assignments.")
@click.option("--busy-body", default=0, show_default=True, type=click.IntRange(0, 100_000_000),
              help="Assignments of one school of the first department, taken from its department's.")
@click.option("--search/--no-search", default=False, show_default=True,
              help="Write the search index of the generated documents too (else: docflow search reindex).")
@with_appcontext
def gen_load_command(documents: int, assignments: int, bodies: int, users: int, seed: int, big_protocol: int,
                     busy_body: int, search: bool) -> None:
    """Add synthetic documents, assignments, bodies and users for benchmarks (password: DOCFLOW_PASSWORD).

    For a benchmark's database, not one in use: while it runs, SQLite's file is written with its journal in memory
    and no fsync, and PostgreSQL's loaded tables are locked (their indexes and foreign keys are made again at the
    end)."""
    import time

    from webapp.demo.loadgen import Sizes, generate
    from webapp.services.users import hash_password, password_problem

    password = os.environ.get("DOCFLOW_PASSWORD") or click.prompt("Password of the generated users",
                                                                  hide_input=True, confirmation_prompt=True)
    problem = password_problem(password)
    if problem:
        raise click.ClickException(problem.en)
    migrate_database()
    started, cpu = time.perf_counter(), time.process_time()
    counts = generate(Sizes(documents, assignments, bodies, users, seed, big_protocol, busy_body),
                      hash_password(password), search=search)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    click.echo(", ".join(f"{table} {count:,}" for table, count in counts.items()))
    click.echo(f"{sum(counts.values()):,} rows in {elapsed:.1f} s ({assignments / max(elapsed, 1e-9):,.0f} "
               f"assignments/s; this process's CPU {cpu:.1f} s); the generated users log in as load<id>.")


@click.group("search")
def search_group() -> None:
    """The full-text search index."""


@search_group.command("reindex")
@with_appcontext
def search_reindex() -> None:
    """Rebuild the index of every document and assignment (after gen-load or a bulk change made outside the
    service)."""
    from webapp.services import search

    count = search.reindex_all()
    db.session.commit()
    click.echo(f"Search index rebuilt: {count} entries.")


@click.group("webhooks")
def webhooks_group() -> None:
    """Webhooks: sending the queued events."""


@webhooks_group.command("send")
@with_appcontext
def webhooks_send() -> None:
    """Queue «overdue» events and send every delivery that is due (run it from cron every minute; several hosts
    may run it at once)."""
    from webapp.services import routines

    queued, report = routines.send_webhooks()
    click.echo(f"Webhooks: {queued} overdue event(s) queued; {report.delivered} delivered, {report.retried} to "
               f"retry, {report.failed} failed.")


@click.group("notify")
def notify_group() -> None:
    """Notifications by e-mail."""


@notify_group.command("send")
@with_appcontext
def notify_send() -> None:
    """E-mail the notifications not mailed yet, as each user chose (each one, or a daily digest from DIGEST_HOUR);
    run it from cron every few minutes; several hosts may run it at once, each notification goes out once."""
    from webapp.services import routines

    run = routines.notify()
    click.echo(f"Notification e-mails sent: {run.sent} (carrying {run.notifications} notification(s)); "
               f"failed, will be retried: {run.failed}.")
    if run.failed:
        raise SystemExit(1)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run what is queued, then exit (tests, cron).")
@click.option("--no-periodic", is_flag=True,
              help="Leave the periodic work (reminders, e-mails, webhooks, dashboards) to cron.")
@with_appcontext
def worker_command(burst: bool, no_periodic: bool) -> None:
    """Run queued jobs (big exports) and the periodic work until stopped; several hosts may run one each
    (PostgreSQL: Procrastinate's worker; SQLite: one machine, `docflow serve` runs one itself)."""
    from webapp.services import worker

    app = current_app._get_current_object()
    db.session.remove()
    with collector.automatic_off():  # Python 3.11: the garbage collected between jobs and at their progress reports
        worker.run(app, burst=burst, periodic=not no_periodic)


@click.group("jobs")
def jobs_group() -> None:
    """Jobs: their results' clean-up."""


@jobs_group.command("purge")
@with_appcontext
def jobs_purge() -> None:
    """Remove jobs whose results are older than JOB_RESULT_DAYS (the worker does it every hour)."""
    from webapp.services import routines

    click.echo(f"Jobs removed: {routines.purge_jobs()}.")


@click.group("dashboard")
def dashboard_group() -> None:
    """The overseers' dashboard."""


@dashboard_group.command("keep-fresh")
@with_appcontext
def dashboard_keep_fresh() -> None:
    """Count again today's dashboards that were slow to count and looked at lately, after a change (the worker does
    it every minute; DASHBOARD_KEEP_FRESH_SECONDS)."""
    from webapp.services import routines

    click.echo(f"Dashboards counted: {routines.keep_dashboards()}.")


@click.command("serve")
@click.option("--demo", is_flag=True, help="Load the demo data when the database is empty.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@with_appcontext
def serve_command(demo: bool, host: str, port: int, threads: int) -> None:
    """Migrate the database and serve the application with waitress."""
    import waitress

    from webapp.demo.loader import DEMO_PASSWORD, DEMO_USERS, load_demo
    from webapp.models import Document

    migrate_database()
    if demo and not db.session.scalar(select(func.count(Document.id))):
        load_demo()
        db.session.commit()
    from webapp.services import search

    if search.index_is_empty():  # documents from before the search index (migration 0013)
        click.echo(f"Search index built: {search.reindex_all()} entries.")
        db.session.commit()
    db.session.remove()  # the command's own transaction must not stay open while the server runs
    app = current_app._get_current_object()
    from webapp.services import queue, worker

    if not queue.on_postgresql():  # one machine: jobs and routines run in a thread of this process
        worker.start_in_process(app)
        click.echo("Jobs and periodic work run in this process (docflow worker is not needed).")
    gc.freeze()  # what start-up loaded is never garbage: collections then walk only what requests make
    collector.between_requests(app)  # Python 3.11: between requests and jobs, never inside one
    click.echo(f"Docflow is running at http://{host}:{port}/")
    if demo:
        logins = ", ".join(login for login, *_ in DEMO_USERS)
        click.echo(f"Demo logins: {logins}; password for each: {DEMO_PASSWORD}")
    waitress.serve(app, host=host, port=port, threads=threads, ident="docflow")


@click.group("user")
def user_group() -> None:
    """Manage users."""


@user_group.command("create")
@click.option("--login", required=True)
@click.option("--name", "full_name", required=True, help="Full name, e.g. «Иванова Ольга Петровна».")
@click.option("--role", "roles", multiple=True, required=True,
              help="secretary, head, approver, executor, controller, auditor or admin; repeatable.")
@click.option("--body", "bodies", multiple=True, help="A body the user belongs to (name or short name); repeatable.")
@click.option("--position", help="Position (должность).")
@click.option("--email")
@click.option("--invite", "invite_days", type=click.IntRange(1, 90),
              help="No password: print a one-time link, valid this many days, where the user sets her own.")
@with_appcontext
def user_create(login: str, full_name: str, roles: tuple[str, ...], bodies: tuple[str, ...],
                position: str | None, email: str | None, invite_days: int | None) -> None:
    """Create a user; the password comes from DOCFLOW_PASSWORD or a prompt, or the user gets an invitation link."""
    from webapp.services.errors import ServiceError
    from webapp.services.users import create_user

    migrate_database()
    if invite_days:
        create_invited(login, full_name, list(roles), list(bodies), position, email, invite_days)
        return
    password = os.environ.get("DOCFLOW_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    try:
        user = create_user(login, full_name, password, list(roles), list(bodies), position=position, email=email)
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.reason) from exc
    db.session.commit()
    click.echo(f"User {user.login} created with roles: {', '.join(sorted(user.roles))}.")


def _user(login: str):
    from webapp.models import User

    user = db.session.scalar(select(User).where(func.lower(User.login) == login.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user with login {login!r}")
    return user


@user_group.command("password")
@click.argument("login")
@with_appcontext
def user_password(login: str) -> None:
    """Set a user's password (DOCFLOW_PASSWORD or a prompt) and end all their sessions."""
    from webapp.services import sessions
    from webapp.services.users import WeakPassword

    user = _user(login)
    password = os.environ.get("DOCFLOW_PASSWORD") or click.prompt(
        "New password", hide_input=True, confirmation_prompt=True
    )
    try:
        ended = sessions.change_password(None, user, password)
    except WeakPassword as exc:
        db.session.rollback()
        raise click.ClickException(exc.english) from exc
    db.session.commit()
    click.echo(f"Password of {user.login} changed; {ended} session(s) ended.")


@user_group.command("end-sessions")
@click.argument("login")
@with_appcontext
def user_end_sessions(login: str) -> None:
    """End every session of a user (a lost laptop, a leaver): they must log in again with the password."""
    from webapp.services import sessions

    user = _user(login)
    ended = sessions.end_sessions_of(None, user)
    db.session.commit()
    click.echo(f"{ended} session(s) of {user.login} ended.")


@click.group("workflows")
def workflows_group() -> None:
    """Check and show the workflow definitions (workflows/*.yaml)."""


def _configured_workflows_dir():
    from webapp import config as settings
    from webapp.services.workflows import workflows_dir

    environment = settings.from_environment()
    return workflows_dir(environment, settings.instance_path())


@workflows_group.command("check")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
def workflows_check(directory: str | None) -> None:
    """Validate every definition in DIRECTORY (default: the ones the service uses); exit 1 naming file and key."""
    from webapp.workflow import DefinitionError, load_registry

    directory = directory or str(_configured_workflows_dir())
    try:
        registry = load_registry(directory)
    except DefinitionError as exc:
        click.echo(f"Invalid workflow definition: {exc}", err=True)
        raise SystemExit(1) from exc
    for name, workflow in sorted(registry.workflows.items()):
        click.echo(f"{name}: {len(workflow.states)} states, {len(workflow.transitions)} transitions")
    click.echo(f"OK: {directory}")


@workflows_group.command("show")
@click.argument("name")
@click.option("--dir", "directory", type=click.Path(file_okay=False), help="Definitions directory.")
def workflows_show(name: str, directory: str | None) -> None:
    """Print workflow NAME as a Mermaid state diagram."""
    from webapp.workflow import DefinitionError, load_registry, to_mermaid

    try:
        registry = load_registry(directory or _configured_workflows_dir())
    except DefinitionError as exc:
        click.echo(f"Invalid workflow definition: {exc}", err=True)
        raise SystemExit(1) from exc
    if name not in registry.workflows:
        click.echo(f"No workflow named {name!r}; known: {', '.join(sorted(registry.workflows))}", err=True)
        raise SystemExit(1)
    click.echo(to_mermaid(registry.workflows[name]), nl=False)


@click.group("audit")
def audit_group() -> None:
    """The audit trail."""


def _read_anchors(paths: tuple[str, ...]) -> list:
    """Every anchor in the files; a file that is not anchors stops the command (exit 2)."""
    from webapp.services.audit import AnchorFormatError, parse_anchors

    anchors = []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as fh:
                anchors += parse_anchors(fh.read(), path)
        except (OSError, UnicodeDecodeError) as exc:
            click.echo(f"Cannot read the anchor file {path}: {exc}", err=True)
            raise SystemExit(2) from None
        except AnchorFormatError as exc:
            click.echo(f"Malformed anchor file: {exc}", err=True)
            raise SystemExit(2) from None
    return anchors


@audit_group.command("verify")
@click.option("--anchor", "anchor_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A file of lines written by `audit anchor`: each anchored event must still be there with that "
                   "hash. Repeatable.")
@with_appcontext
def audit_verify(anchor_files: tuple[str, ...]) -> None:
    """Recompute the keyed chain and check the anchors; exit 1 naming the first changed, inserted or deleted row
    or the first anchor not found as it was, exit 2 when the key or an anchor file is unusable."""
    from webapp.models import Event
    from webapp.services.audit import AuditKeyError, verify_chain

    anchors = _read_anchors(anchor_files)
    try:
        problem = verify_chain(anchors)
    except AuditKeyError as exc:
        click.echo(f"Audit key: {exc}", err=True)
        raise SystemExit(2) from None
    if problem is not None:
        click.echo(f"Audit trail broken at {problem}", err=True)
        raise SystemExit(1)
    count = db.session.scalar(select(func.count(Event.id)))
    checked = f"; {len(anchors)} anchor{' matches' if len(anchors) == 1 else 's match'}" if anchors else ""
    click.echo(f"Audit trail intact: {count} events{checked}.")


@audit_group.command("anchor")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Append the line to FILE (keep it off this database's host) instead of printing it.")
@with_appcontext
def audit_anchor(output: str | None) -> None:
    """Print the chain's head as one line, `<UTC time> <event id> <hash>`, after verifying the chain; exit 1 when
    the chain is broken (nothing is anchored), 2 when the key is unusable."""

    from webapp.services.audit import AuditKeyError, append_anchor, head_anchor, verify_chain

    anchor = head_anchor()
    try:
        problem = verify_chain([anchor])
    except AuditKeyError as exc:
        click.echo(f"Audit key: {exc}", err=True)
        raise SystemExit(2) from None
    if problem is not None:
        click.echo(f"Audit trail broken at {problem}; nothing anchored.", err=True)
        raise SystemExit(1)
    if output is None:
        click.echo(anchor.line())
        return
    try:
        append_anchor(Path(output), anchor)
    except OSError as exc:
        click.echo(f"Cannot write the anchor file {output}: {exc}", err=True)
        raise SystemExit(2) from None
    click.echo(f"Anchored event {anchor.event_id} in {output}.")


main.add_command(workflows_group)


def _as_of_day(as_of: str | None):
    """--as-of YYYY-MM-DD (ASCII digits, a year the service accepts), else today in the organisation's time zone."""
    from datetime import date

    from webapp import clock
    from webapp.ru.dates import MAX_YEAR, MIN_YEAR

    if not as_of:
        return clock.today()
    try:
        if not as_of.isascii():
            raise ValueError(as_of)
        day = date.fromisoformat(as_of)
    except ValueError as exc:
        raise click.BadParameter(f"{as_of!r} is not a date in the form YYYY-MM-DD", param_hint="--as-of") from exc
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise click.BadParameter(f"{as_of}: the year must be within {MIN_YEAR}-{MAX_YEAR}", param_hint="--as-of")
    return day


@click.command("overdue")
@click.option("--as-of", "as_of", help="The day to judge by (YYYY-MM-DD); default: today in TIMEZONE.")
@click.option("--body", "body_name", help="Only assignments of this body and its sub-bodies.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "xlsx"]), default="table",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE (required for xlsx).")
@with_appcontext
def overdue_command(as_of: str | None, body_name: str | None, fmt: str, output: str | None) -> None:
    """List overdue assignments: the deadline day has ended and the controller has not accepted them."""

    from webapp.services import exports, occurrences
    from webapp.services.errors import NotFound
    from webapp.services.users import find_body

    day = _as_of_day(as_of)
    body = None
    if body_name:
        try:
            body = find_body(body_name)
        except NotFound as exc:
            click.echo(f"No body named {body_name!r}.", err=True)
            raise SystemExit(1) from exc
    occurrences.catch_up(day)  # periodic assignments: the occurrences due by then exist
    db.session.commit()
    if fmt == "xlsx":  # streamed: the rows read in batches and written one by one
        if not output:
            raise click.UsageError("--format xlsx needs -o FILE")
        try:
            count = exports.overdue_xlsx(day, output, body)
        except exports.SheetFull as exc:
            os.remove(output)  # a file short of rows is worse than none
            raise click.ClickException(f"more rows than an XLSX sheet holds ({exc.limit:,}): nothing written; "
                                       "use --format csv or --body") from exc
        click.echo(f"{count} overdue assignment(s) written to {output}")
        return
    rows = exports.overdue_dicts(day, body)  # written as they are read, never all in memory
    if output:
        with open(output, "w", encoding="utf-8", newline="") as fh:
            exports.write_overdue(rows, fmt, fh.write)
    else:
        exports.write_overdue(rows, fmt, lambda text: click.echo(text, nl=False))


@click.command("remind")
@click.option("--as-of", "as_of", help="The day to judge by (YYYY-MM-DD); default: today in TIMEZONE.")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send and record nothing.")
@with_appcontext
def remind_command(as_of: str | None, dry_run: bool) -> None:
    """E-mail deadline reminders, overdue notices and the weekly digest; each one once, failures retried."""

    from webapp.services import occurrences, reminders, routines

    day = _as_of_day(as_of)
    if dry_run:
        occurrences.catch_up(day)  # the next due dates of periodic assignments, so they are reminded of too
        for message in reminders.pending(day):
            click.echo(f"{message.reason:<9} {message.key:<10} {message.user.email:<30} {message.subject}")
        db.session.rollback()
        return
    sent, failed = routines.remind(day)
    click.echo(f"Reminders sent: {sent}, failed (will be retried): {failed}")
    if failed:
        raise SystemExit(1)


def _find_document(ref: str):
    """DOC on the command line: an id, else a registration number; «№339» or «number:339» forces a number."""
    from webapp.models import Document

    forced = ref.startswith(("№", "number:"))
    number = ref.split(":", 1)[1] if ref.startswith("number:") else ref.lstrip("№").strip()
    if not forced and ref.isdigit():
        document = db.session.get(Document, int(ref))
        if document is not None:
            return document
    matches = list(db.session.scalars(select(Document).where(Document.number == number).order_by(Document.id)))
    if not matches:
        raise click.ClickException(f"No document with id or registration number {ref!r}.")
    if len(matches) > 1:
        listed = ", ".join(f"id {d.id} ({d.doc_type}, {d.reg_date or 'no date'})" for d in matches)
        raise click.ClickException(f"Registration number {number!r} is ambiguous: {listed}. Give the id instead.")
    return matches[0]


@click.command("render")
@click.argument("doc", required=False)
@click.option("--all", "render_all", is_flag=True, help="Render every document into the folder given by -o.")
@click.option("-o", "--output", required=True, type=click.Path(), help="FILE.docx, or a folder with --all.")
@with_appcontext
def render_command(doc: str | None, render_all: bool, output: str) -> None:
    """Write a document as DOCX (DOC: id or registration number), or every document as DIR/<slug>.docx.

    A published document gets the DOCX stored when it was published (stored now if it never was),
    so the file is the same one users download.
    """

    from webapp.models import Document
    from webapp.services import rendering
    from webapp.services.errors import ServiceError

    if bool(doc) == render_all:
        raise click.UsageError("Give either DOC or --all.")
    if not render_all:
        document = _find_document(doc)
        try:
            data = rendering.docx_bytes(document)
        except ServiceError as exc:
            raise click.ClickException(f"Document {document.id} could not be rendered: {exc.reason}") from exc
        db.session.commit()
        Path(output).write_bytes(data)
        click.echo(f"{output}: {document.type_title} {document.number or ''} ({len(data)} bytes)")
        return
    folder = Path(output)
    if folder.exists() and not folder.is_dir():
        raise click.UsageError(f"{output} is not a folder.")
    folder.mkdir(parents=True, exist_ok=True)
    failed = 0
    documents = list(db.session.scalars(select(Document).where(Document.parent_id.is_(None)).order_by(Document.id)))
    for document in documents:
        try:
            data = rendering.docx_bytes(document)
        except ServiceError as exc:
            failed += 1
            click.echo(f"document {document.id}: not rendered: {exc.reason}", err=True)
            continue
        (folder / rendering.docx_name(document)).write_bytes(data)
    db.session.commit()
    click.echo(f"{len(documents) - failed} document(s) written to {folder}")
    if failed:
        raise SystemExit(1)


@click.command("extract")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file per line (corpus/README schema).")
def extract_command(files: tuple[str, ...], as_json: bool) -> None:
    """Read documents (DOCX, text, PDF) and print what extraction finds: requisites and assignments.

    Needs no database: it only reads the files."""
    import json

    from webapp.ru.extract import extract
    from webapp.sources import SourceError, read_source

    failed = 0
    for name in files:
        path = Path(name)
        try:
            source = read_source(path.name, path.read_bytes())
        except SourceError as exc:
            click.echo(f"{path.name}: {exc.english}", err=True)
            failed += 1
            continue
        found = extract(source.text, path.name).as_json()
        if as_json:
            click.echo(json.dumps(found, ensure_ascii=False))
            continue
        click.echo(f"{path.name}: {found.get('doc_type')} № {found.get('number') or '—'} "
                   f"of {found.get('date') or '—'}: {found.get('title') or ''}")
        for a in found.get("assignments") or []:
            when = a.get("deadline") or a.get("start") or a.get("deadline_text") or ""
            click.echo(f"  {a.get('point') or '-':>7}  {a.get('responsible_nominative') or '—'}: "
                       f"{(a.get('action') or '')[:80]}  [{a.get('deadline_kind')}: {when}]")
    if failed:
        raise SystemExit(1)


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--user", "login", required=True, help="Whose import it is (a secretary, head or admin).")
@click.option("--as-archive", is_flag=True,
              help="Documents in force with their own number and date, assignments under control; else drafts.")
@with_appcontext
def import_command(files: tuple[str, ...], login: str, as_archive: bool) -> None:
    """Import documents without a review: each becomes a draft (or an archive document with --as-archive). Bodies
    not in the directory are created. A file that cannot be read or saved is reported and skipped (exit 1)."""

    from webapp.services import importing
    from webapp.services.errors import ServiceError

    user = _user(login)
    failed = 0
    for name in files:
        path = Path(name)
        try:
            with db.session.begin_nested():
                items, refused = importing.upload(user, [(path.name, path.read_bytes())])
                if refused:
                    raise importing.ImportRefused(refused[0].reason)
                start = importing.proposal(items[0])
                data, new_bodies = importing.draft_data(start)
                document = importing.save(user, items[0], data, archive=as_archive, number=start.data["number"],
                                          issuing_body_id=start.data["issuing_body"] or None, new_bodies=new_bodies)
        except (ServiceError, importing.ImportRefused) as exc:
            failed += 1
            click.echo(f"{path.name}: not imported: {exc}", err=True)
            continue
        db.session.commit()
        click.echo(f"{path.name}: document {document.id} ({document.type_title} № {document.number or '—'}, "
                   f"{'in force' if document.in_force else 'draft'}), {len(data.points)} points")
    if failed:
        raise SystemExit(1)
